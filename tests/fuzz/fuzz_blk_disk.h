/* A fake block backend for the virtio-blk fuzz target: a disk in memory that checks what it is asked. */
#ifndef CAPSULE_FUZZ_BLK_DISK_H
#define CAPSULE_FUZZ_BLK_DISK_H

#include <errno.h>
#include <pthread.h>

#include "backend/block.h"
#include "fuzz_input.h"
#include "guest_mem.h"
#include "util/iov.h"
#include "virtio/virtio_blk.h"

#define FAKE_DISK_MAX (255 * 512)

/* Operations the input makes fail with -EIO, one bit each. */
enum {
	FAIL_READ = 1 << 0,
	FAIL_WRITE = 1 << 1,
	FAIL_FLUSH = 1 << 2,
	FAIL_DISCARD = 1 << 3,
	FAIL_ZEROES = 1 << 4,
};

/*
 * Workers call it concurrently. Every buffer it is given must lie in guest
 * RAM, every range on the disk and in whole sectors (virtio-blk checks them
 * before it asks), and a read-only disk is never asked to change.
 * RAM_LOCK is held by the target while the device reads the rings, and by the
 * disk while it copies: a request then never changes RAM under a pop, which
 * keeps inputs reproducible (the order of one batch's requests still varies).
 */
struct fake_disk {
	struct block_backend base;
	const struct guest_mem *gm;
	pthread_mutex_t ram_lock;
	unsigned fail;
	uint8_t data[FAKE_DISK_MAX];
};

static inline struct fake_disk *fake_disk_of(struct block_backend *b)
{
	return (struct fake_disk *)b;
}

static inline void check_buffers(struct fake_disk *d, const struct iovec *iov, int n, bool write)
{
	const uint8_t *ram = d->gm->mapping;

	FUZZ_CHECK(n >= 0 && n <= VIRTIO_BLK_SEG_MAX);
	for (int i = 0; i < n; i++) {
		const uint8_t *p = iov[i].iov_base;

		FUZZ_CHECK(p >= ram && p <= ram + d->gm->size);
		FUZZ_CHECK(iov[i].iov_len <= (size_t)(ram + d->gm->size - p));
	}
	FUZZ_CHECK(!write || !d->base.readonly);
}

static inline void check_range(struct fake_disk *d, uint64_t off, uint64_t len)
{
	FUZZ_CHECK(off % 512 == 0 && len % 512 == 0);
	FUZZ_CHECK(off <= d->base.size && len <= d->base.size - off);
}

static inline int fake_preadv(struct block_backend *b, const struct iovec *iov, int n, uint64_t off)
{
	struct fake_disk *d = fake_disk_of(b);

	check_buffers(d, iov, n, false);
	check_range(d, off, iov_size(iov, (unsigned)n));
	if (d->fail & FAIL_READ)
		return -EIO;
	pthread_mutex_lock(&d->ram_lock);
	iov_from_buf(iov, (unsigned)n, 0, d->data + off, (size_t)(d->base.size - off));
	pthread_mutex_unlock(&d->ram_lock);
	return 0;
}

static inline int fake_pwritev(struct block_backend *b, const struct iovec *iov, int n, uint64_t off)
{
	struct fake_disk *d = fake_disk_of(b);

	check_buffers(d, iov, n, true);
	check_range(d, off, iov_size(iov, (unsigned)n));
	if (d->fail & FAIL_WRITE)
		return -EIO;
	pthread_mutex_lock(&d->ram_lock);
	iov_to_buf(iov, (unsigned)n, 0, d->data + off, (size_t)(d->base.size - off));
	pthread_mutex_unlock(&d->ram_lock);
	return 0;
}

static inline int fake_flush(struct block_backend *b)
{
	return fake_disk_of(b)->fail & FAIL_FLUSH ? -EIO : 0;
}

static inline int fake_discard(struct block_backend *b, uint64_t off, uint64_t len)
{
	struct fake_disk *d = fake_disk_of(b);

	check_buffers(d, NULL, 0, true);
	check_range(d, off, len);
	return d->fail & FAIL_DISCARD ? -EIO : 0;
}

static inline int fake_write_zeroes(struct block_backend *b, uint64_t off, uint64_t len, bool unmap)
{
	struct fake_disk *d = fake_disk_of(b);

	check_buffers(d, NULL, 0, true);
	check_range(d, off, len);
	if (d->fail & FAIL_ZEROES)
		return -EIO;
	pthread_mutex_lock(&d->ram_lock);
	memset(d->data + off, 0, len);
	pthread_mutex_unlock(&d->ram_lock);
	return 0;
}

/* virtio-blk closes its backend only at shutdown, which the target never reaches. */
static inline void fake_close(struct block_backend *b)
{
	abort();
}

static const struct block_ops fake_disk_ops = {
	fake_preadv, fake_pwritev, fake_flush, fake_discard, fake_write_zeroes, fake_close,
};

static inline void fake_disk_init(struct fake_disk *d, const struct guest_mem *gm)
{
	d->base.ops = &fake_disk_ops;
	snprintf(d->base.path, sizeof(d->base.path), "fake-disk");
	d->gm = gm;
	pthread_mutex_init(&d->ram_lock, NULL);
}

/* Before each input: SIZE bytes (a multiple of 512), zeroed. */
static inline void fake_disk_reset(struct fake_disk *d, uint64_t size, bool readonly, unsigned fail)
{
	d->base.size = size;
	d->base.readonly = readonly;
	d->fail = fail;
	memset(d->data, 0, size);
}

#endif
