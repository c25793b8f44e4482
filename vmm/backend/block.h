/* The block-backend interface: what virtio-blk sees of a disk image, whatever its format. */
#ifndef CAPSULE_BLOCK_H
#define CAPSULE_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct block_backend;

/*
 * Every operation returns 0 on success or -errno (-EIO for a bad image or a
 * host I/O error, -EROFS on a read-only disk, -EINVAL for a range beyond the
 * disk). Transfers are whole: a short read or write is an error. Offsets and
 * lengths are in bytes and multiples of 512. Operations may be called from
 * several threads at once; each backend does its own locking.
 */
struct block_ops {
	int (*preadv)(struct block_backend *b, const struct iovec *iov, int iovcnt, uint64_t offset);
	int (*pwritev)(struct block_backend *b, const struct iovec *iov, int iovcnt, uint64_t offset);
	/* Make every completed write durable (fdatasync). */
	int (*flush)(struct block_backend *b);
	/* The guest no longer needs the range: free host space where possible. */
	int (*discard)(struct block_backend *b, uint64_t offset, uint64_t len);
	/* The range must read back as zeroes; MAY_UNMAP allows freeing its space. */
	int (*write_zeroes)(struct block_backend *b, uint64_t offset, uint64_t len, bool may_unmap);
	/* Release everything, including a throwaway overlay's file. */
	void (*close)(struct block_backend *b);
};

struct block_backend {
	const struct block_ops *ops;
	uint64_t size;		/* the virtual disk's size in bytes */
	int fd;			/* the image's own file: what an emergency fdatasync makes durable */
	bool readonly;
	char path[4096];	/* the image as named in the config, for messages */
};

enum block_format {
	/*
	 * Detect from the header: qcow2 magic, else raw. A writable image probed
	 * as raw refuses guest writes that would make it probe as anything else.
	 */
	BLOCK_FORMAT_AUTO,
	BLOCK_FORMAT_RAW,
	BLOCK_FORMAT_QCOW2,
};

struct block_open_options {
	enum block_format format;
	bool readonly;
	/* Put a temporary qcow2 overlay over the image; deleted at close or exit. */
	bool snapshot;
	/*
	 * Absolute directories besides each image's own where the backing files
	 * images name may be (NULL-terminated, at most BLOCK_BACKING_DIRS_MAX;
	 * NULL for none).
	 */
	const char *const *backing_dirs;
};

#define BLOCK_BACKING_DIRS_MAX 4

/*
 * Open PATH as a block backend. On failure returns -1 with ERR holding one
 * line naming the image and what is wrong (for qcow2: the offset too), and
 * leaves nothing behind (no overlay file, no open fd). Backing files named
 * inside images are opened read-only, as the format their image names (else
 * probed: raw or qcow2), and only when they are regular files in the naming
 * image's directory or below, or in OPTS->backing_dirs (block_backing_open()).
 */
int block_open(const char *path, const struct block_open_options *opts,
	       struct block_backend **out, char *err, size_t errlen);

#endif
