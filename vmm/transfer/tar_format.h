/* The ustar header layout both directions share, and its numeric fields (octal or GNU base-256). */
#ifndef CAPSULE_TRANSFER_TAR_FORMAT_H
#define CAPSULE_TRANSFER_TAR_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TAR_BLOCK 512

/* The longest member name or link target either side handles (PATH_MAX less its NUL). */
#define TAR_NAME_MAX 4095

/* Offsets and sizes of the header's fields (POSIX ustar; GNU tar and busybox write the same). */
#define TAR_NAME 0
#define TAR_NAME_LEN 100
#define TAR_MODE 100
#define TAR_UID 108
#define TAR_GID 116
#define TAR_SIZE 124
#define TAR_MTIME 136
#define TAR_CHKSUM 148
#define TAR_TYPE 156
#define TAR_LINKNAME 157
#define TAR_MAGIC 257			/* "ustar\0" "00" (POSIX) or "ustar  \0" (GNU) */
#define TAR_UNAME 265
#define TAR_GNAME 297
#define TAR_PREFIX 345
#define TAR_PREFIX_LEN 155

/* Type flags. */
#define TAR_REG '0'
#define TAR_REG_OLD '\0'
#define TAR_HARDLINK '1'
#define TAR_SYMLINK '2'
#define TAR_DIR '5'
#define TAR_CONTIG '7'			/* a regular file to everyone but old Masscomp tars */
#define TAR_GNU_LONGNAME 'L'		/* data: the next member's name */
#define TAR_GNU_LONGLINK 'K'		/* data: the next member's link target */
#define TAR_PAX_LOCAL 'x'		/* data: "LEN key=value\n" records for the next member */
#define TAR_PAX_GLOBAL 'g'		/* data: records for every member after (ignored) */

/* The header's checksum: the unsigned sum of its bytes with the checksum field as spaces. */
unsigned tar_checksum(const unsigned char *hdr);

/* The same with every byte read as signed (some old writers): accepted too. */
int tar_checksum_signed(const unsigned char *hdr);

/*
 * Store V in the LEN-byte field F: octal with leading zeros and a NUL when
 * it fits, else GNU base-256 (0x80, then big-endian). V must be >= 0.
 */
void tar_put_number(unsigned char *f, size_t len, uint64_t v);

/*
 * Read the LEN-byte numeric field F strictly: optional leading spaces, at
 * least one octal digit, then only NULs or spaces to its end; or base-256
 * (first byte 0x80 positive, 0xff negative) that fits in an int64_t.
 * false on anything else.
 */
bool tar_get_number(const unsigned char *f, size_t len, int64_t *v);

/* Copy NAME into the LEN-byte text field F, NUL-padded (cut when longer). */
void tar_put_text(unsigned char *f, size_t len, const char *s, size_t n);

/*
 * NAME (N bytes) made fit for a one-line message: bytes outside printable
 * ASCII as \xNN, a backslash doubled, cut with "..." past ~200 bytes.
 */
void tar_printable(char *out, size_t outlen, const char *name, size_t n);

#endif
