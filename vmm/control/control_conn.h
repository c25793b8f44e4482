/* capsule ctl's connection: which socket a name means, connecting with a check of its peer, one request and its answer. */
#ifndef CAPSULE_CONTROL_CONN_H
#define CAPSULE_CONTROL_CONN_H

#include <stddef.h>
#include <sys/types.h>

/*
 * The socket TARGET means, into PATH: TARGET itself when it is a socket, or
 * holds a '/' and is no regular file (a socket not there, or out of reach); the
 * default socket of the VM named by the config file's absolute path when it
 * is a regular file; else that of the VM named TARGET, in
 * $XDG_RUNTIME_DIR/capsule or /run/capsule (the first that has it). 0, or
 * -1 with ERR.
 */
int control_conn_resolve(const char *target, char *path, size_t size, char *err, size_t errlen);

/*
 * Connect to the socket PATH, waiting at most TIMEOUT_MS, and check that
 * this user or root serves it (SO_PEERCRED): the fd, or -1 with ERR saying
 * why not.
 */
int control_conn_open(const char *path, int timeout_ms, char *err, size_t errlen);

/*
 * Send LINE and a newline on FD, then read the answer line into BUF (SIZE
 * bytes) within TIMEOUT_MS: its length, newline included, once it is one
 * JSON object; -1 with ERR otherwise.
 */
ssize_t control_conn_ask(int fd, const char *line, char *buf, size_t size, int timeout_ms,
			 char *err, size_t errlen);

/* Wait until the peer closes FD (the VM has ended): 0, or -1 after TIMEOUT_MS. */
int control_conn_wait_closed(int fd, int timeout_ms);

#endif
