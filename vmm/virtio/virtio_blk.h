/* virtio-blk: a block backend as the guest's /dev/vdX, its requests served by worker threads. */
#ifndef CAPSULE_VIRTIO_BLK_H
#define CAPSULE_VIRTIO_BLK_H

#include <pthread.h>
#include <stdint.h>

#include "backend/block.h"
#include "util/worker_pool.h"
#include "virtio/virtio_mmio.h"

#define VIRTIO_BLK_QUEUE_SIZE 256
#define VIRTIO_BLK_SEG_MAX 126		/* data segments a request may have */
#define VIRTIO_BLK_WORKERS 4		/* requests in flight at once */
#define VIRTIO_BLK_ID_LEN 20
/* Discard and write-zeroes: in whole 4 KiB pages (the granularity holes are punched in), 2 GiB at most. */
#define VIRTIO_BLK_DISCARD_ALIGN_SECTORS 8u
#define VIRTIO_BLK_DISCARD_MAX_SECTORS (1u << 22)

struct virtio_blk {
	struct virtio_mmio_dev *dev;	/* the transport, set once added to the bus */
	struct block_backend *backend;
	char serial[VIRTIO_BLK_ID_LEN];	/* GET_ID's answer, NUL-padded */
	struct worker_pool workers;
	pthread_mutex_t inflight_lock;	/* guards inflight and generation */
	pthread_cond_t drained;
	unsigned inflight;		/* requests handed to workers, not yet completed */
	unsigned generation;		/* bumped by reset: older completions are dropped */
};

/* Set BLK up over BACKEND (which it then owns) with SERIAL. No thread runs yet. 0 or -errno. */
int virtio_blk_init(struct virtio_blk *blk, struct block_backend *backend, const char *serial);

/*
 * Start the worker threads, each calling ENTER (its sandbox) first; before
 * the guest runs. 0 or -errno.
 */
int virtio_blk_start(struct virtio_blk *blk, void (*enter)(void));

/*
 * The ops table to give virtio_bus_add() with BLK as opaque: a read-only
 * backend gets one that offers VIRTIO_BLK_F_RO. Store the returned transport
 * in blk->dev before the guest runs.
 */
const struct virtio_device_ops *virtio_blk_ops(const struct virtio_blk *blk);

/*
 * At exit, once the I/O thread takes no more requests and the vCPUs are
 * stopped: wait for the requests in flight, then close the backend (a qcow2
 * image writes back its metadata). A vCPU that is somehow still running
 * finds a disk of size 0, never a closed backend.
 */
void virtio_blk_shutdown(struct virtio_blk *blk);

/* A parsed request on its way to a worker (virtio_blk_req.c). */
struct virtio_blk_req;

/* Parse the chain in ELEM taken from QUEUE and hand it to a worker; lock held, I/O thread. */
void virtio_blk_submit(struct virtio_blk *blk, unsigned queue, const struct virtqueue_elem *elem);

#endif
