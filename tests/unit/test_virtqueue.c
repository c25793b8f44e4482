/* Unit tests of the split virtqueue, driven as a guest driver would over fake guest RAM. */
#include <errno.h>
#include <stdlib.h>

#include <linux/virtio_config.h>

#include "check.h"
#include "virtio/virtqueue.h"

#define RAM_SIZE (1u << 20)
#define DESC 0x1000
#define AVAIL 0x2000
#define USED 0x3000
#define TABLE 0x8000		/* an indirect table */
#define BUF 0x10000		/* buffers from here */
#define F_INDIRECT (1ull << VIRTIO_RING_F_INDIRECT_DESC)
#define F_EVENT_IDX (1ull << VIRTIO_RING_F_EVENT_IDX)
#define RD 0
#define WR VRING_DESC_F_WRITE
#define NX VRING_DESC_F_NEXT

/* The driver's side of one queue. */
struct fx {
	uint8_t *ram;
	struct guest_mem gm;
	struct virtqueue vq;
	struct vring_desc *desc, *table;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t size, avail_idx;
	struct iovec iov[16];
	struct virtqueue_elem elem;
};

static void fx_init(struct fx *f, uint16_t size, uint64_t features)
{
	memset(f, 0, sizeof(*f));
	f->ram = aligned_alloc(4096, RAM_SIZE);
	memset(f->ram, 0, RAM_SIZE);
	guest_mem_init_at(&f->gm, f->ram, RAM_SIZE);
	f->desc = (struct vring_desc *)(f->ram + DESC);
	f->table = (struct vring_desc *)(f->ram + TABLE);
	f->avail = (struct vring_avail *)(f->ram + AVAIL);
	f->used = (struct vring_used *)(f->ram + USED);
	f->size = size;
	f->elem = (struct virtqueue_elem){ .iov = f->iov, .iov_cap = 16 };
	CHECK(virtqueue_setup(&f->vq, &f->gm, size, DESC, AVAIL, USED, features) == 0);
}

static void fx_free(struct fx *f)
{
	free(f->ram);
}

static void set(struct vring_desc *t, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		uint16_t next)
{
	t[i] = (struct vring_desc){ .addr = addr, .len = len, .flags = flags, .next = next };
}

/* Make chain HEAD available. */
static void offer(struct fx *f, uint16_t head)
{
	f->avail->ring[f->avail_idx % f->size] = head;
	f->avail->idx = ++f->avail_idx;
}

static uint16_t *used_event(struct fx *f)
{
	return &f->avail->ring[f->size];
}

static uint16_t *avail_event(struct fx *f)
{
	return (uint16_t *)&f->used->ring[f->size];
}

/* Offer HEAD and pop it: the result of pop. */
static int pop_one(struct fx *f, uint16_t head)
{
	offer(f, head);
	return virtqueue_pop(&f->vq, &f->elem);
}

static void setup_checks(void)
{
	struct fx f;
	const uint64_t avail_end = RAM_SIZE - (4 + 2 * 8 + 2);	/* used_event included */

	fx_init(&f, 8, 0);
	CHECK(virtqueue_setup(&f.vq, &f.gm, 0, DESC, AVAIL, USED, 0) == -EINVAL);
	CHECK(!virtqueue_ready(&f.vq));
	CHECK(virtqueue_setup(&f.vq, &f.gm, 6, DESC, AVAIL, USED, 0) == -EINVAL);
	CHECK(virtqueue_setup(&f.vq, &f.gm, 65536, DESC, AVAIL, USED, 0) == -EINVAL);
	CHECK(virtqueue_setup(&f.vq, &f.gm, 8, DESC + 8, AVAIL, USED, 0) == -EINVAL);
	CHECK(virtqueue_setup(&f.vq, &f.gm, 8, DESC, AVAIL + 1, USED, 0) == -EINVAL);
	CHECK(virtqueue_setup(&f.vq, &f.gm, 8, DESC, AVAIL, USED + 2, 0) == -EINVAL);
	CHECK(virtqueue_setup(&f.vq, &f.gm, 8, RAM_SIZE - 0x40, AVAIL, USED, 0) == -EFAULT);
	CHECK(virtqueue_setup(&f.vq, &f.gm, 8, DESC, AVAIL, 0xfffffffffffffffcull, 0) == -EFAULT);
	/* The avail ring fits exactly; 2 bytes later it does not (nor avail_event's). */
	CHECK(virtqueue_setup(&f.vq, &f.gm, 8, DESC, avail_end + 2, USED, 0) == -EFAULT);
	CHECK(virtqueue_setup(&f.vq, &f.gm, 8, DESC, AVAIL, RAM_SIZE - (4 + 8 * 8), 0) == -EFAULT);
	CHECK(!virtqueue_ready(&f.vq));
	CHECK(virtqueue_pop(&f.vq, &f.elem) == 0);
	CHECK(virtqueue_push(&f.vq, 0, 0) == -EINVAL);
	/* The used ring over the avail ring (used->flags on avail->idx) or the descriptors. */
	CHECK(virtqueue_setup(&f.vq, &f.gm, 8, DESC, AVAIL, AVAIL + 4, 0) == -EINVAL);
	CHECK(virtqueue_setup(&f.vq, &f.gm, 8, DESC, AVAIL, AVAIL - 4, 0) == -EINVAL);
	CHECK(virtqueue_setup(&f.vq, &f.gm, 8, DESC, AVAIL, DESC + 64, 0) == -EINVAL);
	CHECK(virtqueue_setup(&f.vq, &f.gm, 8, DESC, AVAIL, AVAIL + 24, 0) == 0);	/* just clear */
	CHECK(virtqueue_setup(&f.vq, &f.gm, 8, DESC, avail_end, USED, 0) == 0);
	CHECK(virtqueue_ready(&f.vq) && f.vq.size == 8);
	CHECK(virtqueue_setup(&f.vq, &f.gm, VIRTQUEUE_SIZE_MAX, 0, 0x80000, 0xa0000, 0) == 0);
	virtqueue_reset(&f.vq);
	CHECK(!virtqueue_ready(&f.vq));
	fx_free(&f);
}

static void normal_chains(void)
{
	struct fx f;

	fx_init(&f, 8, 0);
	CHECK(virtqueue_pop(&f.vq, &f.elem) == 0);
	set(f.desc, 5, BUF, 16, RD | NX, 2);
	set(f.desc, 2, BUF + 0x100, 100, RD | NX, 7);
	set(f.desc, 7, BUF + 0x1000, 512, WR, 0);
	set(f.desc, 0, BUF + 0x2000, 64, WR, 0);
	offer(&f, 5);
	offer(&f, 0);
	CHECK(virtqueue_pop(&f.vq, &f.elem) == 1);
	CHECK(f.elem.head == 5 && f.elem.n_readable == 2 && f.elem.n_writable == 1);
	CHECK(f.elem.readable_len == 116 && f.elem.writable_len == 512);
	CHECK(f.iov[0].iov_base == f.ram + BUF && f.iov[0].iov_len == 16);
	CHECK(f.iov[1].iov_base == f.ram + BUF + 0x100 && f.iov[1].iov_len == 100);
	CHECK(f.iov[2].iov_base == f.ram + BUF + 0x1000 && f.iov[2].iov_len == 512);
	CHECK(virtqueue_pop(&f.vq, &f.elem) == 1);
	CHECK(f.elem.head == 0 && f.elem.n_readable == 0 && f.elem.n_writable == 1);
	CHECK(f.iov[0].iov_base == f.ram + BUF + 0x2000 && f.elem.writable_len == 64);
	CHECK(virtqueue_pop(&f.vq, &f.elem) == 0);

	/* Used-ring publication, in completion order. */
	CHECK(virtqueue_push(&f.vq, 0, 60) == 0);
	CHECK(f.used->idx == 1 && f.used->ring[0].id == 0 && f.used->ring[0].len == 60);
	CHECK(virtqueue_push(&f.vq, 5, 512) == 0);
	CHECK(f.used->idx == 2 && f.used->ring[1].id == 5 && f.used->ring[1].len == 512);
	CHECK(virtqueue_push(&f.vq, 8, 0) == -EINVAL && f.used->idx == 2);

	/* Filled entries stay invisible until published, then appear together. */
	offer(&f, 0);
	offer(&f, 5);
	CHECK(virtqueue_pop(&f.vq, &f.elem) == 1 && virtqueue_pop(&f.vq, &f.elem) == 1);
	CHECK(virtqueue_fill(&f.vq, 0, 7) == 0 && virtqueue_fill(&f.vq, 5, 9) == 0);
	CHECK(virtqueue_fill(&f.vq, 8, 0) == -EINVAL);
	CHECK(f.used->idx == 2 && f.used->ring[2].len == 7 && f.used->ring[3].id == 5);
	virtqueue_publish(&f.vq);
	CHECK(f.used->idx == 4);

	/* Unpop gives the same chain again; a zero-length buffer is allowed. */
	set(f.desc, 3, BUF, 0, RD, 0);
	CHECK(pop_one(&f, 3) == 1 && f.elem.head == 3 && f.iov[0].iov_len == 0);
	virtqueue_unpop(&f.vq);
	CHECK(virtqueue_pop(&f.vq, &f.elem) == 1 && f.elem.head == 3);
	CHECK(virtqueue_pop(&f.vq, &f.elem) == 0);
	fx_free(&f);
}

/* A chain of all 8 descriptors is legal; 8 buffers do not fit in 7 iovecs. */
static void chain_limits(void)
{
	struct fx f;

	fx_init(&f, 8, 0);
	for (unsigned i = 0; i < 8; i++)
		set(f.desc, i, BUF + i * 16, 16, (i < 7 ? NX : 0) | (i >= 4 ? WR : RD), (i + 1) % 8);
	CHECK(pop_one(&f, 0) == 1 && f.elem.n_readable == 4 && f.elem.n_writable == 4);
	f.elem.iov_cap = 7;
	CHECK(pop_one(&f, 0) == -E2BIG);
	fx_free(&f);

	/* More than UINT32_MAX bytes one way (the second buffer is never mapped). */
	fx_init(&f, 8, 0);
	set(f.desc, 0, BUF, 16, WR | NX, 1);
	set(f.desc, 1, BUF, 0xfffffff8u, WR, 0);
	CHECK(pop_one(&f, 0) == -EMSGSIZE);
	fx_free(&f);
}

static void indirect_chains(void)
{
	struct fx f;

	fx_init(&f, 8, F_INDIRECT);
	set(f.desc, 4, TABLE, 3 * 16, VRING_DESC_F_INDIRECT | WR, 0);	/* WRITE on the table descriptor is ignored */
	set(f.table, 0, BUF, 12, RD | NX, 2);
	set(f.table, 2, BUF + 0x100, 200, WR | NX, 1);
	set(f.table, 1, BUF + 0x400, 1, WR, 0);
	CHECK(pop_one(&f, 4) == 1);
	CHECK(f.elem.head == 4 && f.elem.n_readable == 1 && f.elem.n_writable == 2);
	CHECK(f.elem.readable_len == 12 && f.elem.writable_len == 201);
	CHECK(f.iov[1].iov_base == f.ram + BUF + 0x100 && f.iov[2].iov_base == f.ram + BUF + 0x400);

	/* Direct descriptors may lead to the table; the table has no NEXT of its own. */
	set(f.desc, 1, BUF + 0x800, 8, RD | NX, 6);
	set(f.desc, 6, TABLE, 16, VRING_DESC_F_INDIRECT, 0);
	set(f.table, 0, BUF, 32, WR, 0);
	CHECK(pop_one(&f, 1) == 1 && f.elem.n_readable == 1 && f.elem.n_writable == 1);
	CHECK(f.iov[0].iov_base == f.ram + BUF + 0x800 && f.iov[1].iov_len == 32);
	CHECK(virtqueue_push(&f.vq, 1, 32) == 0 && f.used->ring[0].id == 1);
	fx_free(&f);
}

/* Each broken chain on a fresh queue: pop's error, sticky until setup again. */
static int broken(uint64_t features, void (*build)(struct fx *f))
{
	struct fx f;
	int r, again;

	fx_init(&f, 8, features);
	build(&f);
	r = pop_one(&f, 0);
	again = virtqueue_pop(&f.vq, &f.elem);
	if (r < 0 && again != r)
		r = 1000;
	CHECK(!virtqueue_enable_notify(&f.vq));
	CHECK(virtqueue_setup(&f.vq, &f.gm, 8, DESC, AVAIL, USED, features) == 0);
	CHECK(f.vq.error == 0);
	fx_free(&f);
	return r;
}

static void b_loop(struct fx *f)
{
	set(f->desc, 0, BUF, 8, RD | NX, 1);
	set(f->desc, 1, BUF, 8, RD | NX, 0);
}

static void b_table_loop(struct fx *f)
{
	set(f->desc, 0, TABLE, 32, VRING_DESC_F_INDIRECT, 0);
	set(f->table, 0, BUF, 8, RD | NX, 1);
	set(f->table, 1, BUF, 8, RD | NX, 1);
}

static void b_outside(struct fx *f)
{
	set(f->desc, 0, BUF, 8, RD | NX, 1);
	set(f->desc, 1, RAM_SIZE - 8, 16, WR, 0);
}

static void b_wraps(struct fx *f)
{
	set(f->desc, 0, 0xfffffffffffffff0ull, 0x20, RD, 0);
}

static void b_next_range(struct fx *f)
{
	set(f->desc, 0, BUF, 8, RD | NX, 9);
}

static void b_table_next_range(struct fx *f)
{
	set(f->desc, 0, TABLE, 32, VRING_DESC_F_INDIRECT, 0);
	set(f->table, 0, BUF, 8, RD | NX, 2);
}

static void b_indirect(struct fx *f)
{
	set(f->desc, 0, TABLE, 16, VRING_DESC_F_INDIRECT, 0);
	set(f->table, 0, BUF, 8, RD, 0);
}

static void b_nested(struct fx *f)
{
	set(f->desc, 0, TABLE, 32, VRING_DESC_F_INDIRECT, 0);
	set(f->table, 0, BUF, 8, RD | NX, 1);
	set(f->table, 1, TABLE + 0x100, 16, VRING_DESC_F_INDIRECT, 0);
}

static void b_indirect_next(struct fx *f)
{
	set(f->desc, 0, TABLE, 16, VRING_DESC_F_INDIRECT | NX, 1);
	set(f->desc, 1, BUF, 8, WR, 0);
}

static void b_table_len(struct fx *f)
{
	set(f->desc, 0, TABLE, 24, VRING_DESC_F_INDIRECT, 0);
}

static void b_table_outside(struct fx *f)
{
	set(f->desc, 0, RAM_SIZE - 16, 32, VRING_DESC_F_INDIRECT, 0);
}

static void b_write_then_read(struct fx *f)
{
	set(f->desc, 0, BUF, 8, WR | NX, 1);
	set(f->desc, 1, BUF + 8, 8, RD, 0);
}

static void b_too_many(struct fx *f)
{
	set(f->desc, 0, BUF, 8, RD, 0);
	f->avail_idx = 8;	/* offer() makes it 9 available in a queue of 8 */
}

static void malformed_chains(void)
{
	CHECK(broken(0, b_loop) == -ELOOP);
	CHECK(broken(F_INDIRECT, b_table_loop) == -ELOOP);
	CHECK(broken(0, b_outside) == -EFAULT);
	CHECK(broken(0, b_wraps) == -EFAULT);
	CHECK(broken(0, b_next_range) == -EINVAL);
	CHECK(broken(F_INDIRECT, b_table_next_range) == -EINVAL);
	CHECK(broken(0, b_indirect) == -EINVAL);
	CHECK(broken(F_INDIRECT, b_indirect) == 1);
	CHECK(broken(F_INDIRECT, b_nested) == -EINVAL);
	CHECK(broken(F_INDIRECT, b_indirect_next) == -EINVAL);
	CHECK(broken(F_INDIRECT, b_table_len) == -EINVAL);
	CHECK(broken(F_INDIRECT, b_table_outside) == -EFAULT);
	CHECK(broken(0, b_write_then_read) == -EINVAL);
	CHECK(broken(0, b_too_many) == -EINVAL);
}

/* A head index >= the queue size. */
static void head_out_of_range(void)
{
	struct fx f;

	fx_init(&f, 8, 0);
	set(f.desc, 0, BUF, 8, RD, 0);
	CHECK(pop_one(&f, 0) == 1);
	CHECK(pop_one(&f, 8) == -EINVAL);
	f.avail->ring[1] = 0;	/* repaired, too late: the queue stays broken until reset */
	CHECK(virtqueue_pop(&f.vq, &f.elem) == -EINVAL);
	fx_free(&f);
}

/* The driver offers chain 0 once more and the device returns it: used->idx moves by one. */
static int pop_push(struct fx *f)
{
	return pop_one(f, 0) == 1 ? virtqueue_push(&f->vq, 0, 8) : -1;
}

/* The driver offers a one-buffer chain, the device takes and returns it, N times. */
static void cycle(struct fx *f, unsigned n)
{
	set(f->desc, 0, BUF, 8, WR, 0);
	while (n--) {
		if (pop_one(f, 0) != 1 || virtqueue_push(&f->vq, 0, 8) != 0)
			CHECK(!"cycle");
		virtqueue_should_notify(&f->vq);
	}
}

static void event_idx_wrap(void)
{
	struct fx f;

	fx_init(&f, 4, F_EVENT_IDX);
	cycle(&f, 65535);
	CHECK(f.used->idx == 65535 && f.vq.last_avail == 65535);
	/* Device side: pop found the ring empty and asked for a kick at 65535. */
	CHECK(virtqueue_pop(&f.vq, &f.elem) == 0 && *avail_event(&f) == 65535);
	CHECK(vring_need_event(*avail_event(&f), 0, 65535));
	CHECK(pop_one(&f, 0) == 1 && f.avail->idx == 0);
	CHECK(virtqueue_pop(&f.vq, &f.elem) == 0 && *avail_event(&f) == 0);
	CHECK(vring_need_event(*avail_event(&f), 1, 0));

	/* Driver side: an interrupt for entry 65535, published as used->idx 0. */
	*used_event(&f) = 65535;
	CHECK(virtqueue_push(&f.vq, 0, 8) == 0 && f.used->idx == 0);
	CHECK(f.used->ring[3].id == 0 && f.used->ring[3].len == 8);
	CHECK(virtqueue_should_notify(&f.vq));
	CHECK(!virtqueue_should_notify(&f.vq));	/* nothing new */
	/* Asking for entry 1 only: entry 0 goes by silently, entry 1 interrupts. */
	*used_event(&f) = 1;
	CHECK(pop_push(&f) == 0 && !virtqueue_should_notify(&f.vq));
	CHECK(pop_push(&f) == 0 && virtqueue_should_notify(&f.vq));
	/* Several entries across the wrap at once: 65534 is among them. */
	fx_free(&f);
	fx_init(&f, 4, F_EVENT_IDX);
	cycle(&f, 65533);
	*used_event(&f) = 65534;
	for (unsigned i = 0; i < 3; i++)
		CHECK(pop_push(&f) == 0);
	CHECK(f.used->idx == 0 && virtqueue_should_notify(&f.vq));
	/* ... while a stale used_event far behind suppresses. */
	*used_event(&f) = 65000;
	CHECK(pop_push(&f) == 0 && !virtqueue_should_notify(&f.vq));
	fx_free(&f);
}

/*
 * A driver that makes heads available again while the device still holds
 * them: never more than the queue's size in flight, then the queue breaks.
 */
static void inflight_bound(void)
{
	struct fx f;

	fx_init(&f, 4, 0);
	set(f.desc, 0, BUF, 8, RD, 0);
	CHECK(virtqueue_push(&f.vq, 0, 0) == -EINVAL);	/* nothing was popped */
	for (unsigned i = 0; i < 4; i++)
		CHECK(pop_one(&f, 0) == 1);
	CHECK(virtqueue_inflight(&f.vq) == 4);
	/* Well within the ring's index window, but a fifth chain in flight. */
	CHECK(pop_one(&f, 0) == -EBUSY);
	CHECK(virtqueue_push(&f.vq, 0, 0) == 0 && virtqueue_inflight(&f.vq) == 3);
	CHECK(virtqueue_pop(&f.vq, &f.elem) == -EBUSY);	/* broken until reset */
	virtqueue_reset(&f.vq);
	CHECK(virtqueue_inflight(&f.vq) == 0);
	fx_free(&f);

	/* Unpop gives a chain back: it is not in flight any more. */
	fx_init(&f, 2, 0);
	set(f.desc, 0, BUF, 8, RD, 0);
	for (unsigned i = 0; i < 100; i++) {
		CHECK(pop_one(&f, 0) == 1);
		virtqueue_unpop(&f.vq);
		CHECK(virtqueue_pop(&f.vq, &f.elem) == 1 && virtqueue_push(&f.vq, 0, 0) == 0);
	}
	CHECK(virtqueue_inflight(&f.vq) == 0 && f.used->idx == 100);
	fx_free(&f);
}

static void no_interrupt_flag(void)
{
	struct fx f;

	fx_init(&f, 8, 0);
	CHECK(!virtqueue_should_notify(&f.vq));
	set(f.desc, 0, BUF, 8, WR, 0);
	CHECK(pop_one(&f, 0) == 1 && virtqueue_push(&f.vq, 0, 4) == 0);
	f.avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	CHECK(!virtqueue_should_notify(&f.vq));
	CHECK(pop_one(&f, 0) == 1 && virtqueue_push(&f.vq, 0, 4) == 0);
	f.avail->flags = 0;
	CHECK(virtqueue_should_notify(&f.vq));
	CHECK(!virtqueue_should_notify(&f.vq));
	/* With EVENT_IDX the flag means nothing: used_event decides. */
	fx_free(&f);
	fx_init(&f, 8, F_EVENT_IDX);
	f.avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	CHECK(pop_one(&f, 0) == 1 && virtqueue_push(&f.vq, 0, 4) == 0);
	CHECK(virtqueue_should_notify(&f.vq));
	fx_free(&f);
}

static void notify_suppression(void)
{
	struct fx f;

	fx_init(&f, 8, 0);
	set(f.desc, 0, BUF, 8, RD, 0);
	virtqueue_disable_notify(&f.vq);
	CHECK(f.used->flags == VRING_USED_F_NO_NOTIFY);
	CHECK(!virtqueue_enable_notify(&f.vq) && f.used->flags == 0);
	virtqueue_disable_notify(&f.vq);
	offer(&f, 0);	/* the driver saw NO_NOTIFY and did not kick */
	CHECK(virtqueue_enable_notify(&f.vq));
	CHECK(virtqueue_pop(&f.vq, &f.elem) == 1 && !virtqueue_enable_notify(&f.vq));
	fx_free(&f);

	fx_init(&f, 8, F_EVENT_IDX);
	set(f.desc, 0, BUF, 8, RD, 0);
	CHECK(pop_one(&f, 0) == 1 && virtqueue_pop(&f.vq, &f.elem) == 0 && *avail_event(&f) == 1);
	virtqueue_disable_notify(&f.vq);
	CHECK(pop_one(&f, 0) == 1 && virtqueue_pop(&f.vq, &f.elem) == 0);
	CHECK(*avail_event(&f) == 1 && f.used->flags == 0);	/* left behind while disabled */
	offer(&f, 0);
	CHECK(virtqueue_enable_notify(&f.vq) && *avail_event(&f) == 2);
	CHECK(virtqueue_pop(&f.vq, &f.elem) == 1 && virtqueue_pop(&f.vq, &f.elem) == 0);
	CHECK(*avail_event(&f) == 3 && !virtqueue_enable_notify(&f.vq));
	fx_free(&f);
}

int main(void)
{
	RUN(setup_checks);
	RUN(normal_chains);
	RUN(chain_limits);
	RUN(indirect_chains);
	RUN(malformed_chains);
	RUN(head_out_of_range);
	RUN(event_idx_wrap);
	RUN(inflight_bound);
	RUN(no_interrupt_flag);
	RUN(notify_suppression);
	return CHECK_SUMMARY();
}
