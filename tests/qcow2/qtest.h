/* Helpers for the disk backend unit tests: temporary directories, qemu-img, comparisons. */
#ifndef CAPSULE_QTEST_H
#define CAPSULE_QTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/block.h"

/* A new empty directory under $TMPDIR or /tmp; dies on failure. */
char *qt_mkdtemp(void);

/* Remove DIR and everything in it, unless $QT_KEEP is set (to look at it); free DIR. */
void qt_done(char *dir);

/* DIR/NAME, in one of four static buffers used in turn: copy what must last longer. */
const char *qt_in(const char *dir, const char *name);

/* Run a shell command built from FMT, output discarded; returns its exit status (-1: not run). */
int qt_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Run a shell command and keep (up to OUTLEN - 1 bytes of) its standard output. Exit status. */
int qt_sh_out(char *out, size_t outlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The contents of PATH (malloc'd, LEN set), or NULL. */
uint8_t *qt_read_file(const char *path, size_t *len);

/* Write LEN bytes of BUF to PATH. 0 or -1. */
int qt_write_file(const char *path, const void *buf, size_t len);

/* The big-endian field of WIDTH bytes (1 to 8) at OFF of the file FD; 0 when it cannot be read. */
uint64_t qt_get_be(int fd, uint64_t off, unsigned width);

/* Store V as a big-endian field of WIDTH bytes at OFF of the file FD. 0 or -1. */
int qt_put_be(int fd, uint64_t off, unsigned width, uint64_t v);

/* A pseudo-random number (xorshift64*); *STATE must not be 0. */
uint64_t qt_rand(uint64_t *state);

/* Fill BUF with pseudo-random bytes. */
void qt_fill(uint8_t *buf, size_t len, uint64_t *state);

/* block_open() with FORMAT AUTO; prints the error and returns NULL on failure. */
struct block_backend *qt_open(const char *path, bool readonly);

/*
 * Read all of B into BUF (B->size bytes) in pseudo-random pieces, each split
 * over several iovecs. 0 or the first error.
 */
int qt_read_all(struct block_backend *b, uint8_t *buf, uint64_t *seed);

/*
 * Whether every byte of B equals the file RAW (B->size bytes; RAW may be
 * shorter by less than a sector, as qemu-img convert leaves it). Prints the first difference.
 */
bool qt_equals_raw(struct block_backend *b, const char *raw, uint64_t *seed);

/*
 * qemu-img check's exit status for IMAGE: 0 clean, 3 leaks only, 2
 * corruption, 1 error. Prints its report unless clean (or leaking, LEAKS_OK).
 */
int qt_check(const char *image, bool leaks_ok);

#endif
