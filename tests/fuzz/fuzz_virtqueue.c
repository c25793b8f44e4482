/* libFuzzer target: the split virtqueue over fuzzed guest RAM and ring layout, driven as a device drives it. */
#include <errno.h>
#include <stdlib.h>

#include <linux/virtio_config.h>

#include "fuzz_input.h"
#include "virtio/virtqueue.h"

/*
 * The input:
 *   u8   size and features: bits 0-3 log2 of the queue size, bit 4 INDIRECT_DESC,
 *        bit 5 EVENT_IDX, bit 6 the size is the next u16 instead (any value)
 *   u64  descriptor table, avail ring, used ring addresses (three of them)
 *   u8   room for buffers in a chain (virtqueue_elem.iov_cap), 0..64
 *   u16  length of the script, then the script: ops and their arguments (enum op)
 *   ...  the rest is guest RAM from address 0 (RAM_SIZE bytes, zeroes after the input)
 */
#define RAM_SIZE 0x10000u
#define IOV_CAP_MAX 64
#define HELD_MAX 4096		/* chains the device may hold: more than any ring RAM_SIZE holds */
#define POP_BUDGET 256		/* chains one pop op takes at most */

enum op {
	OP_POP,		/* u8 budget: pop until none, an error, or BUDGET chains */
	OP_PUSH,	/* u8 which held chain, u8 how much of it was written: push it back */
	OP_PUSH_ALL,	/* fill every held chain, then publish them with one used->idx store */
	OP_UNPOP,	/* give back the chain the previous op popped last */
	OP_DISABLE,	/* virtqueue_disable_notify() */
	OP_ENABLE,	/* virtqueue_enable_notify() */
	OP_SHOULD,	/* virtqueue_should_notify() */
	OP_WRITE,	/* u16 address, u8 length, bytes: the guest changes its RAM */
	OP_ADD,		/* u8 n, n x u16 heads: the guest makes chains available */
	OP_LOOP,	/* a device's whole notification turn: pop and push until nothing is left */
	OP_RESET,	/* reset the queue and set it up again with the same layout */
	OP_COUNT
};

struct chain {
	uint16_t head;
	uint32_t writable_len;
};

struct vq_fuzz {
	uint8_t *ram;
	struct guest_mem gm;
	struct virtqueue vq;
	uint32_t size;
	uint64_t desc, avail, used, features;
	int setup_ret;
	struct iovec iov[IOV_CAP_MAX];
	unsigned iov_cap;
	struct chain held[HELD_MAX];	/* popped, not pushed yet */
	unsigned nheld;
	bool unpop_ok;			/* the last op's last pop took a chain */
	bool pushed;			/* pushed since the last should_notify */
};

static uint16_t avail_idx(const struct vq_fuzz *f)
{
	return __atomic_load_n(&f->vq.avail->idx, __ATOMIC_RELAXED);
}

static uint16_t used_idx(const struct vq_fuzz *f)
{
	return __atomic_load_n(&f->vq.used->idx, __ATOMIC_RELAXED);
}

/* A chain as pop returns it: within the caller's room, inside RAM, its totals right. */
static void check_elem(const struct vq_fuzz *f, const struct virtqueue_elem *e)
{
	uint64_t sum[2] = { 0, 0 };

	FUZZ_CHECK(e->head < f->vq.size);
	FUZZ_CHECK(e->n_readable + e->n_writable <= f->iov_cap);
	for (unsigned i = 0; i < e->n_readable + e->n_writable; i++) {
		const uint8_t *p = e->iov[i].iov_base;

		FUZZ_CHECK(p >= f->ram && p <= f->ram + RAM_SIZE);
		FUZZ_CHECK(e->iov[i].iov_len <= (size_t)(f->ram + RAM_SIZE - p));
		sum[i >= e->n_readable] += e->iov[i].iov_len;
	}
	FUZZ_CHECK(sum[0] == e->readable_len && sum[1] == e->writable_len);
}

/* Pop returned R <= 0: nothing there, or an error that stays until reset. */
static void check_no_chain(struct vq_fuzz *f, int r)
{
	struct virtqueue_elem e = { .iov = f->iov, .iov_cap = f->iov_cap };

	if (r < 0) {
		FUZZ_CHECK(virtqueue_pop(&f->vq, &e) == r);
		FUZZ_CHECK(!virtqueue_enable_notify(&f->vq));
		return;
	}
	/* A device holding fewer chains than the queue has found every available one. */
	if (virtqueue_ready(&f->vq) && f->nheld < f->vq.size)
		FUZZ_CHECK(avail_idx(f) == f->vq.last_avail);
}

/* Pop one chain and hold it; 0 without popping when the device holds all it can. */
static int pop_one(struct vq_fuzz *f)
{
	struct virtqueue_elem e = { .iov = f->iov, .iov_cap = f->iov_cap };
	int r;

	if (f->nheld == HELD_MAX)
		return 0;
	r = virtqueue_pop(&f->vq, &e);
	if (r <= 0) {
		check_no_chain(f, r);
		return r;
	}
	FUZZ_CHECK(r == 1);
	check_elem(f, &e);
	f->held[f->nheld++] = (struct chain){ e.head, e.writable_len };
	return r;
}

static void op_pop(struct vq_fuzz *f, unsigned budget)
{
	for (unsigned i = 0; i < budget; i++) {
		int r = pop_one(f);

		/* Only a pop that took a chain can be undone. */
		f->unpop_ok = r > 0;
		if (r <= 0)
			return;
	}
}

/* Push held chain I back with LEN bytes written; the used index shows it at once. */
static void push(struct vq_fuzz *f, unsigned i, uint32_t len)
{
	FUZZ_CHECK(virtqueue_push(&f->vq, f->held[i].head, len) == 0);
	FUZZ_CHECK(used_idx(f) == f->vq.used_idx);
	f->held[i] = f->held[--f->nheld];
	f->pushed = true;
}

/* Push back a held chain, filled, left empty or half filled. */
static void op_push(struct vq_fuzz *f, struct fuzz_in *s)
{
	uint8_t which = fin_u8(s), how = fin_u8(s);
	unsigned i;
	uint32_t len;

	if (!f->nheld)
		return;
	i = which % f->nheld;
	len = f->held[i].writable_len;
	push(f, i, how % 3 == 0 ? len : how % 3 == 1 ? 0 : len / 2);
}

static void op_push_all(struct vq_fuzz *f)
{
	uint16_t before;

	if (!virtqueue_ready(&f->vq))
		return;
	before = used_idx(f);

	for (unsigned i = 0; i < f->nheld; i++)
		FUZZ_CHECK(virtqueue_fill(&f->vq, f->held[i].head, f->held[i].writable_len) == 0);
	/* Nothing shows before the publish: the driver sees a merged frame whole or not at all. */
	FUZZ_CHECK(used_idx(f) == before);
	virtqueue_publish(&f->vq);
	FUZZ_CHECK(used_idx(f) == f->vq.used_idx);
	f->pushed |= f->nheld > 0;
	f->nheld = 0;
}

/* Called only right after a pop that took a chain: the newest held one goes back. */
static void op_unpop(struct vq_fuzz *f)
{
	uint16_t last = f->vq.last_avail;

	virtqueue_unpop(&f->vq);
	FUZZ_CHECK(f->vq.last_avail == (uint16_t)(last - 1));
	f->nheld--;
}

static void op_disable(struct vq_fuzz *f)
{
	bool was_on = !f->vq.notify_off;

	virtqueue_disable_notify(&f->vq);
	if (virtqueue_ready(&f->vq) && was_on && !f->vq.event_idx)
		FUZZ_CHECK(__atomic_load_n(&f->vq.used->flags, __ATOMIC_RELAXED) == VRING_USED_F_NO_NOTIFY);
}

/* Enabled again: the driver is asked to notify, and the device learns what it may have missed. */
static void op_enable(struct vq_fuzz *f)
{
	bool more = virtqueue_enable_notify(&f->vq);
	uint16_t ev;

	if (!virtqueue_ready(&f->vq) || f->vq.error) {
		FUZZ_CHECK(!more);
		return;
	}
	FUZZ_CHECK(more == (avail_idx(f) != f->vq.last_avail));
	memcpy(&ev, &f->vq.used->ring[f->vq.size], sizeof(ev));
	if (f->vq.event_idx)
		FUZZ_CHECK(ev == f->vq.last_avail);
	else
		FUZZ_CHECK(__atomic_load_n(&f->vq.used->flags, __ATOMIC_RELAXED) == 0);
}

static void op_should(struct vq_fuzz *f)
{
	bool notify = virtqueue_should_notify(&f->vq);

	if (!f->pushed)
		FUZZ_CHECK(!notify);
	f->pushed = false;
}

static void op_write(struct vq_fuzz *f, struct fuzz_in *s)
{
	uint16_t at = fin_u16(s);
	uint8_t len = fin_u8(s), buf[255];

	fin_bytes(s, buf, len);
	memcpy(f->ram + at, buf, at + len <= RAM_SIZE ? len : RAM_SIZE - at);
}

static void op_add(struct vq_fuzz *f, struct fuzz_in *s)
{
	uint8_t n = fin_u8(s);
	uint16_t idx, head;

	if (!virtqueue_ready(&f->vq))
		return;
	idx = avail_idx(f);
	for (unsigned i = 0; i < n; i++) {
		head = fin_u16(s);
		memcpy(&f->vq.avail->ring[(uint16_t)(idx + i) & (f->vq.size - 1)], &head, sizeof(head));
	}
	__atomic_store_n(&f->vq.avail->idx, (uint16_t)(idx + n), __ATOMIC_RELEASE);
}

/*
 * The loop every device runs on a notification. It must end: RAM does not
 * change meanwhile, so it pops each available chain once, then finds none.
 */
static void op_loop(struct vq_fuzz *f)
{
	unsigned steps = 0, limit = 2 * f->vq.size + 2;

	if (f->nheld == HELD_MAX)
		return;
	do {
		virtqueue_disable_notify(&f->vq);
		while (steps++ < limit && pop_one(f) > 0)
			push(f, f->nheld - 1, f->held[f->nheld - 1].writable_len);
	} while (steps < limit && virtqueue_enable_notify(&f->vq));
	FUZZ_CHECK(steps < limit);
}

static void setup(struct vq_fuzz *f)
{
	int r = virtqueue_setup(&f->vq, &f->gm, f->size, f->desc, f->avail, f->used, f->features);

	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -EFAULT);
	FUZZ_CHECK(virtqueue_ready(&f->vq) == (r == 0));
	f->setup_ret = r;
	f->nheld = 0;
	f->unpop_ok = f->pushed = false;
}

static void op_reset(struct vq_fuzz *f)
{
	int first = f->setup_ret;

	virtqueue_reset(&f->vq);
	FUZZ_CHECK(!virtqueue_ready(&f->vq));
	setup(f);
	FUZZ_CHECK(f->setup_ret == first);
}

static void run_op(struct vq_fuzz *f, struct fuzz_in *s)
{
	enum op op = (enum op)(fin_u8(s) % OP_COUNT);
	bool unpop_ok = f->unpop_ok;

	f->unpop_ok = false;
	switch (op) {
	case OP_POP: op_pop(f, 1 + fin_u8(s) % POP_BUDGET); break;
	case OP_PUSH: op_push(f, s); break;
	case OP_PUSH_ALL: op_push_all(f); break;
	case OP_UNPOP: if (unpop_ok) op_unpop(f); break;
	case OP_DISABLE: op_disable(f); break;
	case OP_ENABLE: op_enable(f); break;
	case OP_SHOULD: op_should(f); break;
	case OP_WRITE: op_write(f, s); break;
	case OP_ADD: op_add(f, s); break;
	case OP_LOOP: op_loop(f); break;
	case OP_RESET: op_reset(f); break;
	default: break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vq_fuzz f;
	struct fuzz_in in = { data, size }, script;
	uint8_t b;

	if (!f.ram) {
		f.ram = aligned_alloc(4096, RAM_SIZE);
		guest_mem_init_at(&f.gm, f.ram, RAM_SIZE);
	}
	b = fin_u8(&in);
	f.size = b & 0x40 ? fin_u16(&in) : 1u << (b & 15);
	f.features = (b & 0x10 ? 1ull << VIRTIO_RING_F_INDIRECT_DESC : 0) |
		     (b & 0x20 ? 1ull << VIRTIO_RING_F_EVENT_IDX : 0);
	f.desc = fin_u64(&in);
	f.avail = fin_u64(&in);
	f.used = fin_u64(&in);
	f.iov_cap = fin_u8(&in) % (IOV_CAP_MAX + 1);
	script = fin_sub(&in, fin_u16(&in));
	memset(f.ram, 0, RAM_SIZE);
	memcpy(f.ram, in.p, in.left < RAM_SIZE ? in.left : RAM_SIZE);
	setup(&f);
	while (!fin_done(&script))
		run_op(&f, &script);
	virtqueue_reset(&f.vq);
	return 0;
}
