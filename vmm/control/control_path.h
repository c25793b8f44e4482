/* Where a VM's control socket lives: the default directory and a file name made from the VM's name. */
#ifndef CAPSULE_CONTROL_PATH_H
#define CAPSULE_CONTROL_PATH_H

#include <stddef.h>

/* The longest socket path a Unix socket address holds (sun_path, less its NUL). */
#define CONTROL_PATH_MAX 107

/*
 * The socket's file name for the VM called NAME, into OUT (SIZE bytes):
 * "NAME.sock" when NAME is a simple word (letters, digits, '.', '-', '_', at
 * most 64, not starting with '.'); otherwise "STEM-HASH.sock", STEM being
 * the simple-word characters of NAME's last path component (at most 32;
 * "vm" when none), HASH 16 hex digits of NAME's 64-bit FNV-1a hash: a
 * config file's path becomes "app.conf-1f0e...sock". 0, or -1 when SIZE is
 * too small.
 */
int control_file_name(const char *name, char *out, size_t size);

/*
 * The directory sockets go in by default, into OUT: "XDG/capsule" when XDG
 * (the value of $XDG_RUNTIME_DIR, may be NULL) is an absolute path,
 * "/run/capsule" otherwise. 0, or -1 when it does not fit.
 */
int control_default_dir(const char *xdg, char *out, size_t size);

#endif
