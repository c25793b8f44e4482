/* A fake guest for the virtio-console tests: RAM, rings, a recording backend, and Linux's driver steps. */
#ifndef CAPSULE_TEST_VIRTIO_CONSOLE_GUEST_H
#define CAPSULE_TEST_VIRTIO_CONSOLE_GUEST_H

#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>

#include <linux/virtio_console.h>
#include <linux/virtio_ids.h>

#include "check.h"
#include "fake_ring.h"
#include "virtio/virtio_console.h"
#include "virtio_driver.h"

#define RAM_SIZE (1u << 20)
#define RINGS 0x1000		/* queue Q's rings at RINGS + Q * 0x1000 */
#define BUFS 0x20000		/* buffers are handed out from here up */
#define CFG 0x100		/* config space in the register window */
#define NPORTS 3
#define MSG(e) VIRTIO_CONSOLE_##e
#define S_DOK VIRTIO_CONFIG_S_DRIVER_OK
#define S_NR VIRTIO_CONFIG_S_NEEDS_RESET

struct t {
	struct virtio_console con;
	struct virtio_mmio_dev dev;
	uint8_t *ram;
	struct guest_mem gm;
	struct fake_ring q[VIRTIO_MMIO_QUEUES_MAX];
	uint64_t addr_of[VIRTIO_MMIO_QUEUES_MAX][64];	/* queue, head -> first buffer */
	uint64_t next_buf;
	bool no_repost;		/* ctrl_next() leaves the buffer it read alone */
	unsigned irqs;
	size_t out_limit;	/* output() takes at most this much a call */
	unsigned repost_q;	/* output() posts another "z" on this queue (a flood), 0: not */
	char log[1024];		/* the backend's calls, in order */
};

static const char *const names[NPORTS] = { NULL, "stdin", "stdout" };

/* Record in the log of GUEST (a struct t, or a void pointer to one). */
#define note(guest, ...) \
	check_log(((struct t *)(guest))->log, sizeof(((struct t *)(guest))->log), __VA_ARGS__)

static inline void post_tx(struct t *t, unsigned q, const void *data, uint32_t len);

static inline size_t be_output(void *opaque, unsigned port, const struct iovec *iov, int iovcnt)
{
	struct t *t = opaque;
	size_t took = 0;

	for (int i = 0; i < iovcnt && took < t->out_limit; i++) {
		size_t n = iov[i].iov_len < t->out_limit - took ? iov[i].iov_len : t->out_limit - took;

		if (!took)
			note(t, "out%u:", port);
		note(t, "%.*s", (int)n, (const char *)iov[i].iov_base);
		took += n;
	}
	if (took)
		note(t, ";");
	if (t->repost_q)
		post_tx(t, t->repost_q, "z", 1);
	return took;
}

static inline void be_room(void *opaque, unsigned port)
{
	note(opaque, "room%u;", port);
}

static inline void be_guest_open(void *opaque, unsigned port, bool open)
{
	note(opaque, "open%u=%d;", port, open);
}

static inline void raise_irq(void *opaque)
{
	((struct t *)opaque)->irqs++;
}

/* Compare the backend's log with WANT and start a new one. */
#define CHECK_LOG(t, want)              \
	do {                            \
		CHECK_STR((t)->log, want); \
		(t)->log[0] = 0;         \
	} while (0)

static inline int t_init_n(struct t *t, unsigned nports, const char *const *port_names)
{
	struct virtio_console_backend be = { be_output, be_room, be_guest_open, t };
	struct virtio_mmio_host host = { raise_irq, NULL, t };

	memset(t, 0, sizeof(*t));
	t->ram = aligned_alloc(4096, RAM_SIZE);
	memset(t->ram, 0, RAM_SIZE);
	guest_mem_init_at(&t->gm, t->ram, RAM_SIZE);
	t->next_buf = BUFS;
	t->out_limit = SIZE_MAX;
	return virtio_console_init(&t->con, &t->dev, &t->gm, &host, nports, port_names, &be);
}

static inline void t_init(struct t *t)
{
	CHECK(t_init_n(t, NPORTS, names) == 0);
}

static inline void t_free(struct t *t)
{
	virtio_console_destroy(&t->con);
	free(t->ram);
}

static inline uint64_t ring(unsigned q)
{
	return RINGS + q * 0x1000ull;
}

/* Post a chain of N segments on queue Q (not notified); returns its head. */
static inline uint16_t post(struct t *t, unsigned q, const struct seg *s, unsigned n)
{
	uint16_t head = fake_ring_post(&t->q[q], t->ram + ring(q), t->ram + ring(q) + 0x400, s, n);

	t->addr_of[q][head] = s[0].addr;	/* to read what the device wrote */
	return head;
}

static inline uint64_t alloc(struct t *t, uint32_t len)
{
	uint64_t at = t->next_buf;

	t->next_buf += (len + 15) & ~15u;
	return at;
}

static inline void post_rx(struct t *t, unsigned q, uint32_t len)
{
	struct seg s = { alloc(t, len), len, true };

	post(t, q, &s, 1);
}

static inline void post_tx(struct t *t, unsigned q, const void *data, uint32_t len)
{
	struct seg s = { alloc(t, len), len, false };

	memcpy(t->ram + s.addr, data, len);
	post(t, q, &s, 1);
}

static inline void kick(struct t *t, unsigned q)
{
	vdrv_wr(&t->dev, VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

/* The next used entry of queue Q: its id and length; false when there is none. */
static inline bool used_next(struct t *t, unsigned q, uint16_t *id, uint32_t *len)
{
	return fake_ring_used_next(&t->q[q], t->ram + ring(q) + 0x800, id, len);
}

/* What the device wrote into the next used rx buffer of Q, as a string ("" when none). */
static inline const char *rx_next(struct t *t, unsigned q, char *out)
{
	uint16_t id;
	uint32_t len;

	out[0] = 0;
	if (used_next(t, q, &id, &len) && len < 64)
		snprintf(out, 64, "%.*s", (int)len, (const char *)t->ram + t->addr_of[q][id]);
	return out;
}

/* The next control message for the guest as "id:event:value[:payload]" ("" when none). */
static inline const char *ctrl_next(struct t *t, char *out)
{
	struct virtio_console_control h;
	const uint8_t *p;
	uint16_t id, size[2];
	uint32_t len;

	out[0] = 0;
	if (!used_next(t, 2, &id, &len) || len < sizeof(h))
		return out;
	p = t->ram + t->addr_of[2][id];
	memcpy(&h, p, sizeof(h));
	if (!t->no_repost) {
		post_rx(t, 2, 128);	/* control_work_handler(): a buffer for the next one */
		kick(t, 2);
	}
	len -= sizeof(h);
	if (h.event == MSG(RESIZE) && len == 4) {
		memcpy(size, p + sizeof(h), 4);
		snprintf(out, 64, "%u:%u:%u:%ux%u", h.id, h.event, h.value, size[0], size[1]);
	} else if (len)
		snprintf(out, 64, "%u:%u:%u:%.*s", h.id, h.event, h.value, (int)len, p + sizeof(h));
	else
		snprintf(out, 64, "%u:%u:%u", h.id, h.event, h.value);
	return out;
}

/* __send_control_msg(): one 8-byte buffer on control tx, which must come back at once. */
static inline void guest_ctrl(struct t *t, uint32_t id, uint16_t event, uint16_t value)
{
	struct virtio_console_control m = { htole32(id), htole16(event), htole16(value) };
	uint16_t head;
	uint32_t len;

	post_tx(t, 3, &m, sizeof(m));
	kick(t, 3);
	CHECK(used_next(t, 3, &head, &len) && len == 0);
}

static inline uint32_t status(struct t *t)
{
	return vdrv_rd(&t->dev, VIRTIO_MMIO_STATUS);
}

/* virtio_mmio_probe() and virtcons_probe() up to DRIVER_OK: every queue the config asks for. */
static inline void bring_up(struct t *t, uint64_t features)
{
	unsigned nq;

	CHECK(vdrv_rd(&t->dev, VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_CONSOLE);
	features &= vdrv_device_features(&t->dev);
	CHECK(vdrv_negotiate(&t->dev, features) & VIRTIO_CONFIG_S_FEATURES_OK);
	nq = features & (1ull << VIRTIO_CONSOLE_F_MULTIPORT)
		     ? 2 * (uint32_t)vdrv_read(&t->dev, CFG + 4, 4) + 2 : 2;
	memset(t->q, 0, sizeof(t->q));
	memset(t->addr_of, 0, sizeof(t->addr_of));
	for (unsigned q = 0; q < nq; q++) {
		vdrv_wr(&t->dev, VIRTIO_MMIO_QUEUE_SEL, q);
		t->q[q].size = (uint16_t)vdrv_rd(&t->dev, VIRTIO_MMIO_QUEUE_NUM_MAX);
		CHECK(vdrv_setup_queue(&t->dev, q, t->q[q].size, ring(q), ring(q) + 0x400,
				       ring(q) + 0x800) == 1);
	}
	vdrv_wr(&t->dev, VIRTIO_MMIO_STATUS, status(t) | S_DOK);
	CHECK(status(t) == (VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			    VIRTIO_CONFIG_S_FEATURES_OK | S_DOK));
}

static inline unsigned rxq(unsigned port)
{
	return port ? 2 * port + 2 : 0;
}

/*
 * The rest of virtcons_probe() and the ports' set-up: control buffers,
 * DEVICE_READY; for each port two 4-byte rx buffers and PORT_READY; hvc0 up,
 * which the backend hears as LOG.
 */
static inline void handshake_log(struct t *t, const char *log)
{
	char m[64];

	bring_up(t, ~0ull);
	for (int i = 0; i < 8; i++)
		post_rx(t, 2, 128);
	kick(t, 2);
	guest_ctrl(t, VIRTIO_CONSOLE_BAD_ID, MSG(DEVICE_READY), 1);
	for (unsigned p = 0; p < NPORTS; p++) {
		post_rx(t, rxq(p), 4);
		post_rx(t, rxq(p), 4);
		kick(t, rxq(p));
		guest_ctrl(t, p, MSG(PORT_READY), 1);
	}
	while (*ctrl_next(t, m))
		;
	guest_ctrl(t, 0, MSG(PORT_OPEN), 1);	/* init_port_console() */
	CHECK_LOG(t, log);
}

static inline void handshake(struct t *t)
{
	handshake_log(t, "open0=1;");
}

#endif
