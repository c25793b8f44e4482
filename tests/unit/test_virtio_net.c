/* Unit tests of the virtio-net device, driven through fake guest RAM as Linux's virtio_net drives it. */
#include "virtio_net_guest.h"

#define BASE (NF(MAC) | NF(STATUS) | NF(MRG_RXBUF) | NF(MTU) | NF(CTRL_VQ))
#define HOST_ALL (NF(CSUM) | NF(HOST_TSO4) | NF(HOST_TSO6) | NF(HOST_ECN) | NF(HOST_UFO))
#define GUEST_ALL \
	(NF(GUEST_CSUM) | NF(GUEST_TSO4) | NF(GUEST_TSO6) | NF(GUEST_ECN) | NF(GUEST_UFO))
#define O_CSUM NET_OFFLOAD_CSUM
#define O_TSO4 NET_OFFLOAD_TSO4
#define O_TSO6 NET_OFFLOAD_TSO6
#define O_ECN NET_OFFLOAD_TSO_ECN
#define O_UFO NET_OFFLOAD_UFO
#define O_ALL (O_CSUM | O_TSO4 | O_TSO6 | O_ECN | O_UFO)
#define MRG (V1 | NF(MRG_RXBUF) | NF(CTRL_VQ))	/* what most tests negotiate */
#define FRAME_1500 (NET_HDR_LEN + 18 + 1500)	/* the largest frame without receive offloads */

static void offered_features(void)
{
	const uint64_t csum = NF(CSUM) | NF(GUEST_CSUM) | NF(CTRL_GUEST_OFFLOADS);
	const uint64_t ufo = NF(HOST_UFO) | NF(GUEST_UFO);

	CHECK(virtio_net_offered(0, 1) == BASE);
	CHECK(virtio_net_offered(0, 2) == (BASE | NF(MQ)));
	CHECK(virtio_net_offered(0, NET_QUEUES_MAX) == (BASE | NF(MQ)));
	CHECK(virtio_net_offered(O_CSUM, 1) == (BASE | csum));
	CHECK(virtio_net_offered(O_ALL, 2) == (BASE | NF(MQ) | HOST_ALL | GUEST_ALL | csum));
	CHECK(virtio_net_offered(O_ALL & ~O_UFO, 1) == ((BASE | HOST_ALL | GUEST_ALL | csum) & ~ufo));
	/* Checksum offload is the base of the rest. */
	CHECK(virtio_net_offered(O_ALL & ~O_CSUM, 2) == (BASE | NF(MQ)));
	/* ECN only with a TSO. */
	CHECK(virtio_net_offered(O_CSUM | O_ECN | O_UFO, 1) == (BASE | csum | ufo));
	CHECK(virtio_net_offered(O_CSUM | O_TSO6 | O_ECN, 1) ==
	      (BASE | csum | NF(HOST_TSO6) | NF(GUEST_TSO6) | NF(HOST_ECN) | NF(GUEST_ECN)));
}

static void rx_offload_mapping(void)
{
	CHECK(virtio_net_rx_offloads(0) == 0);
	/* No receive offload without GUEST_CSUM; the HOST_ bits are about sending. */
	CHECK(virtio_net_rx_offloads(GUEST_ALL & ~NF(GUEST_CSUM)) == 0);
	CHECK(virtio_net_rx_offloads(HOST_ALL | NF(CTRL_GUEST_OFFLOADS)) == 0);
	CHECK(virtio_net_rx_offloads(NF(GUEST_CSUM) | HOST_ALL) == O_CSUM);
	CHECK(virtio_net_rx_offloads(NF(GUEST_CSUM) | NF(GUEST_TSO4)) == (O_CSUM | O_TSO4));
	/* ECN without a TSO is dropped. */
	CHECK(virtio_net_rx_offloads(NF(GUEST_CSUM) | NF(GUEST_ECN) | NF(GUEST_UFO)) ==
	      (O_CSUM | O_UFO));
	CHECK(virtio_net_rx_offloads(NF(GUEST_CSUM) | NF(GUEST_TSO6) | NF(GUEST_ECN)) ==
	      (O_CSUM | O_TSO6 | O_ECN));
	CHECK(virtio_net_rx_offloads(GUEST_ALL) == O_ALL);
	CHECK(virtio_net_rx_offloads(~0ull) == O_ALL);
}

/* The backend hears what the driver took at DRIVER_OK, and that it is gone at reset. */
static void negotiation(void)
{
	struct t *t = t_new(2, O_ALL, 1500);
	char want[64];

	CHECK(vdrv_device_features(&t->dev) ==
	      (virtio_net_offered(O_ALL, 2) | V1 | (1ull << VIRTIO_RING_F_INDIRECT_DESC) | EVENT_IDX));
	bring_up(t, MRG | NF(MQ) | NF(CSUM) | NF(HOST_TSO4) | NF(GUEST_CSUM) | NF(GUEST_TSO4) |
			    NF(GUEST_ECN), 256);
	/* The probe's reset first (virtio_mmio: status 0), then DRIVER_OK. */
	snprintf(want, sizeof(want), "offloads=0;offloads=%u;queues=1;", O_CSUM | O_TSO4 | O_ECN);
	CHECK_LOG(t, want);
	CHECK(t->net.mergeable && t->net.active_pairs == 1 && t->net.rx_frame_max == NET_FRAME_MAX);
	CHECK(virtio_net_ctrl_queue(&t->net) == 4);
	vdrv_wr(&t->dev, VIRTIO_MMIO_STATUS, 0);
	CHECK_LOG(t, "offloads=0;");
	CHECK(!t->net.mergeable && !t->net.active_pairs && !t->net.rx_offloads);
	/* TSO without checksums: no receive offloads; frames no larger than the MTU allows. */
	bring_up(t, V1 | NF(GUEST_TSO4) | NF(GUEST_UFO), 256);
	CHECK_LOG(t, "offloads=0;offloads=0;queues=1;");
	CHECK(!t->net.mergeable && t->net.rx_frame_max == FRAME_1500);
	vdrv_wr(&t->dev, VIRTIO_MMIO_STATUS, 0);
	CHECK_LOG(t, "offloads=0;");
	/* A backend that refuses the offloads: the device cannot start. */
	t->offloads_ret = -EINVAL;
	CHECK(bring_up_status(t, MRG | NF(GUEST_CSUM), 256) & S_NR);
	snprintf(want, sizeof(want), "offloads=0;offloads=%u;", O_CSUM);
	CHECK_LOG(t, want);
	kick(t, 1);
	CHECK_LOG(t, "");
	t_free(t);

	/* Bits not offered are not taken: a checksum-only backend with one queue. */
	t = t_new(1, O_CSUM, 1500);
	bring_up(t, MRG | NF(MQ) | GUEST_ALL | HOST_ALL, 256);
	snprintf(want, sizeof(want), "offloads=0;offloads=%u;queues=1;", O_CSUM);
	CHECK_LOG(t, want);
	CHECK(t->dev.features == (MRG | NF(GUEST_CSUM) | NF(CSUM)));
	CHECK(virtio_net_ctrl_queue(&t->net) == 2);
	t_free(t);
}

static void config_space(void)
{
	struct t *t = t_new(2, 0, 9000);
	uint64_t mac = 0;

	for (unsigned i = 0; i < 6; i++) {
		CHECK(vdrv_read(&t->dev, CFG + i, 1) == test_mac[i]);
		mac |= (uint64_t)test_mac[i] << 8 * i;
	}
	CHECK(vdrv_read(&t->dev, CFG, 4) == (uint32_t)mac);
	CHECK(vdrv_read(&t->dev, CFG + 4, 2) == mac >> 32);
	CHECK(vdrv_read(&t->dev, CFG + 6, 2) == VIRTIO_NET_S_LINK_UP);
	CHECK(vdrv_read(&t->dev, CFG + 8, 2) == 2);
	CHECK(vdrv_read(&t->dev, CFG + 10, 2) == 9000);
	CHECK(vdrv_read(&t->dev, CFG + 12, 4) == 0);
	CHECK(vdrv_read(&t->dev, CFG + sizeof(struct virtio_net_config), 4) == 0);
	/* Read-only: writes change nothing. */
	vdrv_write(&t->dev, CFG, 0, 4);
	CHECK(vdrv_read(&t->dev, CFG, 1) == test_mac[0]);
	/* Two pairs of 256 entries, then the control queue. */
	for (unsigned q = 0; q < 6; q++) {
		vdrv_wr(&t->dev, VIRTIO_MMIO_QUEUE_SEL, q);
		CHECK(vdrv_rd(&t->dev, VIRTIO_MMIO_QUEUE_NUM_MAX) ==
		      (q < 4 ? VIRTIO_NET_QUEUE_SIZE : q == 4 ? VIRTIO_NET_CTRL_QUEUE_SIZE : 0));
	}
	t_free(t);

	/* A backend that does not know its MTU: 1500. */
	t = t_new(1, 0, 0);
	CHECK(vdrv_read(&t->dev, CFG + 8, 2) == 1 && vdrv_read(&t->dev, CFG + 10, 2) == 1500);
	vdrv_wr(&t->dev, VIRTIO_MMIO_QUEUE_SEL, 3);
	CHECK(vdrv_rd(&t->dev, VIRTIO_MMIO_QUEUE_NUM_MAX) == 0);
	t_free(t);
}

/* Mergeable buffers as Linux posts them without offloads: a frame takes as many as it needs. */
static void rx_mergeable(void)
{
	struct t *t = t_new(1, 0, 1500);
	struct seg a[2], bc[2], d;
	uint16_t ha, hb, hc, hd, he;

	bring_up(t, MRG, 256);
	a[0] = rx_buf(t, 12);	/* a chain with its header apart */
	a[1] = rx_buf(t, 1514);
	ha = post(t, 0, a, 2);
	hb = post_rx(t, 0, 1526, &bc[0]);
	hc = post_rx(t, 0, 1526, &bc[1]);
	kick(t, 0);
	CHECK(polled(t, 0) && used_none(t, 0) && t->irqs == 0);
	/* 60 bytes: one buffer. */
	queue_frame(t, 0, NET_HDR_LEN + 60, 1);
	CHECK(backend_ready(t, 0));
	CHECK(used_is(t, 0, ha, NET_HDR_LEN + 60) && used_none(t, 0));
	CHECK(rx_holds(t, a, 2, NET_HDR_LEN + 60, 1, 1));
	CHECK(t->ram[a[1].addr + 60] == 0xee);
	CHECK(t->irqs == 1 && polled(t, 0));
	/* 3000 bytes: two buffers, the first one full. */
	queue_frame(t, 0, NET_HDR_LEN + 3000, 2);
	CHECK(backend_ready(t, 0));
	CHECK(used_is(t, 0, hb, 1526) && used_is(t, 0, hc, NET_HDR_LEN + 3000 - 1526));
	CHECK(used_none(t, 0));
	CHECK(rx_holds(t, bc, 2, NET_HDR_LEN + 3000, 2, 2));
	CHECK(t->irqs == 2);
	CHECK(t->net.stats.rx_frames == 2 && !t->net.stats.rx_dropped);
	/* Every buffer used: the backend waits. */
	CHECK(!polled(t, 0));
	/* More than all the buffers hold: dropped, the buffers go to the next frame. */
	queue_frame(t, 0, 5000, 3);
	queue_frame(t, 0, 100, 4);
	hd = post_rx(t, 0, 1526, &d);
	he = post_rx(t, 0, 1526, NULL);
	kick(t, 0);
	CHECK(used_is(t, 0, hd, 100) && used_none(t, 0));
	CHECK(rx_holds(t, &d, 1, 100, 4, 1));
	CHECK(t->net.stats.rx_dropped == 1 && t->net.stats.rx_frames == 3 && !t->rx_n[0]);
	/* One 1526-byte buffer left is not room for a whole frame: wait for more. */
	CHECK(!polled(t, 0) && t->net.pairs[0].stage.nchains == 1);
	queue_frame(t, 0, 64, 5);
	post_rx(t, 0, 1526, NULL);
	kick(t, 0);
	CHECK(used_is(t, 0, he, 64) && used_none(t, 0));
	CHECK(!polled(t, 0) && t->net.pairs[0].stage.nchains == 1 && !(status(t) & S_NR));
	t_free(t);
}

/* Buffers smaller than a frame may be: several staged, each small frame in the next one. */
static void rx_mergeable_small_buffers(void)
{
	struct t *t = t_new(1, 0, 1500);
	struct seg s[8];
	uint16_t h[8];

	bring_up(t, MRG, 256);
	for (unsigned i = 0; i < 8; i++)
		h[i] = post_rx(t, 0, 600, &s[i]);
	for (unsigned i = 0; i < 5; i++)
		queue_frame(t, 0, 100 + i, 10 + i);
	queue_frame(t, 0, 1300, 20);
	kick(t, 0);
	for (unsigned i = 0; i < 5; i++) {
		CHECK(used_is(t, 0, h[i], 100 + i));
		CHECK(rx_holds(t, &s[i], 1, 100 + i, 10 + i, 1));
	}
	/* Three buffers for the last: 600 + 600 + 100. */
	CHECK(used_is(t, 0, h[5], 600) && used_is(t, 0, h[6], 600) && used_is(t, 0, h[7], 100));
	CHECK(used_none(t, 0) && rx_holds(t, &s[5], 3, 1300, 20, 3));
	CHECK(t->net.stats.rx_frames == 6 && !t->net.stats.rx_dropped && t->irqs == 1);
	t_free(t);
}

/* Without MRG_RXBUF each frame takes one chain, and one that does not fit is dropped. */
static void rx_single_chains(void)
{
	struct t *t = t_new(1, 0, 1500);
	struct seg a[2], b;
	uint16_t ha, hb;
	uint64_t guard;

	bring_up(t, V1 | NF(CTRL_VQ), 256);
	a[0] = rx_buf(t, 12);
	a[1] = rx_buf(t, 1514);
	ha = post(t, 0, a, 2);
	hb = post_rx(t, 0, 200, &b);
	guard = alloc(t, 16);
	memset(t->ram + guard, 0x5a, 16);
	queue_frame(t, 0, 100, 1);
	queue_frame(t, 0, 1000, 2);
	queue_frame(t, 0, 150, 3);
	kick(t, 0);
	CHECK(used_is(t, 0, ha, 100) && used_is(t, 0, hb, 150) && used_none(t, 0));
	CHECK(rx_holds(t, a, 2, 100, 1, 1) && rx_holds(t, &b, 1, 150, 3, 1));
	CHECK(t->net.stats.rx_dropped == 1 && t->net.stats.rx_frames == 2 && !t->rx_n[0]);
	for (unsigned i = 0; i < 16; i++)
		CHECK(t->ram[guard + i] == 0x5a);
	CHECK(t->irqs == 1 && !polled(t, 0));
	/* One chain is enough to wait for a frame. */
	post_rx(t, 0, 64, NULL);
	kick(t, 0);
	CHECK(polled(t, 0) && t->net.pairs[0].stage.nchains == 1);
	t_free(t);
}

/* Chains that are no receive buffer go back empty; the device goes on. */
static void rx_bad_buffers(void)
{
	struct t *t = t_new(1, 0, 1500);
	struct seg s[2], g;
	uint16_t h1, h2, h3, hg;

	bring_up(t, MRG, 256);
	s[0] = (struct seg){ alloc(t, 12), 12, false };
	s[1] = rx_buf(t, 1514);
	h1 = post(t, 0, s, 2);	/* a buffer for the device to read */
	h2 = post_rx(t, 0, NET_HDR_LEN - 1, NULL);	/* no room for the header */
	s[0] = (struct seg){ alloc(t, 64), 64, false };
	h3 = post(t, 0, s, 1);
	hg = post_rx(t, 0, 2048, &g);
	queue_frame(t, 0, 72, 1);
	kick(t, 0);
	CHECK(used_is(t, 0, h1, 0) && used_is(t, 0, h2, 0) && used_is(t, 0, h3, 0));
	CHECK(used_is(t, 0, hg, 72) && used_none(t, 0));
	CHECK(rx_holds(t, &g, 1, 72, 1, 1));
	CHECK(t->net.stats.rx_bad_buffers == 3 && t->net.stats.rx_frames == 1);
	CHECK(t->irqs >= 1 && !(status(t) & S_NR));
	t_free(t);

	/* The same without MRG_RXBUF. */
	t = t_new(1, 0, 1500);
	bring_up(t, V1, 256);
	h1 = post_rx(t, 0, 8, NULL);
	kick(t, 0);
	/* Given back at once, with an interrupt, though no frame came. */
	CHECK(used_is(t, 0, h1, 0) && used_none(t, 0) && t->irqs == 1);
	hg = post_rx(t, 0, 256, &g);
	queue_frame(t, 0, 72, 2);
	kick(t, 0);
	CHECK(used_is(t, 0, hg, 72) && used_none(t, 0));
	CHECK(rx_holds(t, &g, 1, 72, 2, 1) && t->net.stats.rx_bad_buffers == 1);
	CHECK(!(status(t) & S_NR));
	t_free(t);
}

/* A whole ring holding less than a frame: big frames are dropped, and no busy loop. */
static void rx_small_ring(void)
{
	struct t *t = t_new(1, 0, 1500);
	struct seg s[2];
	uint16_t h1, h2;

	bring_up(t, MRG, 2);
	h1 = post_rx(t, 0, 100, &s[0]);
	h2 = post_rx(t, 0, 100, &s[1]);
	kick(t, 0);
	CHECK(polled(t, 0));
	queue_frame(t, 0, 1000, 1);
	queue_frame(t, 0, 201, 2);
	queue_frame(t, 0, 150, 3);
	queue_frame(t, 0, 72, 4);
	t->recv_calls = 0;
	CHECK(backend_ready(t, 0));
	CHECK(used_is(t, 0, h1, 100) && used_is(t, 0, h2, 50) && used_none(t, 0));
	CHECK(rx_holds(t, s, 2, 150, 3, 2));
	CHECK(t->net.stats.rx_dropped == 2 && t->net.stats.rx_frames == 1);
	CHECK(t->recv_calls == 3 && t->rx_n[0] == 1 && !polled(t, 0));
	/* Both buffers back: the frame waiting comes in. */
	h1 = post(t, 0, &s[0], 1);
	h2 = post(t, 0, &s[1], 1);
	kick(t, 0);
	CHECK(used_is(t, 0, h1, 72) && used_none(t, 0) && rx_holds(t, s, 1, 72, 4, 1));
	/* A backend that never runs dry: one turn's budget, then the call returns. */
	h1 = post(t, 0, &s[0], 1);
	kick(t, 0);
	CHECK(polled(t, 0) && t->net.pairs[0].stage.nchains == 2);
	t->recv_calls = 0;
	t->rx_endless = 4000;
	CHECK(backend_ready(t, 0));
	CHECK(t->recv_calls == VIRTIO_NET_RX_BUDGET && polled(t, 0));
	CHECK(t->net.stats.rx_dropped == 2 + VIRTIO_NET_RX_BUDGET && used_none(t, 0));
	/* Frames that fit use the staged buffers again. */
	t->rx_endless = 0;
	queue_frame(t, 0, 180, 5);
	CHECK(backend_ready(t, 0));
	CHECK(used_is(t, 0, h2, 100) && used_is(t, 0, h1, 80) && used_none(t, 0));
	CHECK(!(status(t) & S_NR));
	t_free(t);
}

/* A guest that breaks the ring rules gets NEEDS_RESET, and a reset brings the device back. */
static void rx_malformed_ring(void)
{
	struct t *t = t_new(1, 0, 1500);
	struct seg s[VIRTIO_NET_CHAIN_IOVS + 1];
	uint16_t h;

	bring_up(t, MRG, 256);
	s[0] = (struct seg){ RAM_SIZE - 8, 2048, true };
	post(t, 0, s, 1);
	queue_frame(t, 0, 72, 1);
	kick(t, 0);
	CHECK(status(t) & S_NR);
	CHECK(!polled(t, 0) && used_none(t, 0) && t->irqs == 1 && t->rx_n[0] == 1);
	kick(t, 0);
	CHECK(!polled(t, 0) && t->rx_n[0] == 1);
	vdrv_wr(&t->dev, VIRTIO_MMIO_STATUS, 0);
	bring_up(t, MRG, 256);
	h = post_rx(t, 0, 2048, s);
	post_rx(t, 0, 2048, NULL);
	kick(t, 0);
	CHECK(used_is(t, 0, h, 72) && rx_holds(t, s, 1, 72, 1, 1));
	CHECK(polled(t, 0) && !(status(t) & S_NR));
	queue_frame(t, 0, 100, 2);
	CHECK(backend_ready(t, 0) && !polled(t, 0));
	/* A chain of more buffers than the device takes. */
	for (unsigned i = 0; i <= VIRTIO_NET_CHAIN_IOVS; i++)
		s[i] = rx_buf(t, 32);
	post(t, 0, s, VIRTIO_NET_CHAIN_IOVS + 1);
	kick(t, 0);
	CHECK(status(t) & S_NR);
	CHECK(!polled(t, 0));
	t_free(t);
}

/* Out of buffers the backend is not polled and the guest's notification is asked for. */
static void rx_no_buffers_with(uint64_t ring_features)
{
	struct t *t = t_new(1, 0, 1500);
	bool event_idx = ring_features & EVENT_IDX;
	uint16_t h[3];

	bring_up(t, V1 | ring_features, 8);
	kick(t, 0);
	CHECK(!polled(t, 0) && !(used_flags(t, 0) & VRING_USED_F_NO_NOTIFY));
	h[0] = post_rx(t, 0, 1526, NULL);
	kick(t, 0);
	CHECK(polled(t, 0));
	/* Holding a buffer, the device needs no notification. */
	CHECK(event_idx || (used_flags(t, 0) & VRING_USED_F_NO_NOTIFY));
	queue_frame(t, 0, 100, 1);
	CHECK(backend_ready(t, 0));
	CHECK(used_is(t, 0, h[0], 100));
	CHECK(!polled(t, 0) && !(used_flags(t, 0) & VRING_USED_F_NO_NOTIFY));
	CHECK(!event_idx || avail_event(t, 0) == 1);
	/* Frames wait in the backend until the guest posts and notifies. */
	queue_frame(t, 0, 200, 2);
	queue_frame(t, 0, 300, 3);
	CHECK(!backend_ready(t, 0) && t->rx_n[0] == 2 && used_none(t, 0));
	for (unsigned i = 0; i < 3; i++)
		h[i] = post_rx(t, 0, 1526, NULL);
	CHECK(t->rx_n[0] == 2 && used_none(t, 0));
	kick(t, 0);
	CHECK(used_is(t, 0, h[0], 200) && used_is(t, 0, h[1], 300) && used_none(t, 0));
	CHECK(polled(t, 0) && !t->rx_n[0]);
	queue_frame(t, 0, 400, 4);
	CHECK(backend_ready(t, 0) && used_is(t, 0, h[2], 400));
	CHECK(!polled(t, 0) && (!event_idx || avail_event(t, 0) == 4));
	t_free(t);
}

static void rx_no_buffers(void)
{
	rx_no_buffers_with(0);
	rx_no_buffers_with(EVENT_IDX);
}

/* Reset while the backend is polled: its next readiness only takes it out of the loop. */
static void reset_and_backend_failure(void)
{
	struct t *t = t_new(1, 0, 1500);
	uint16_t h;

	bring_up(t, MRG, 256);
	post_rx(t, 0, 2048, NULL);
	kick(t, 0);
	CHECK(polled(t, 0) && t->net.pairs[0].stage.nchains == 1);
	vdrv_wr(&t->dev, VIRTIO_MMIO_STATUS, 0);
	CHECK(t->net.pairs[0].stage.nchains == 0);
	queue_frame(t, 0, 72, 1);
	CHECK(backend_ready(t, 0));
	CHECK(!polled(t, 0) && t->rx_n[0] == 1 && used_none(t, 0));
	bring_up(t, MRG, 256);
	h = post_rx(t, 0, 2048, NULL);
	post_rx(t, 0, 2048, NULL);
	kick(t, 0);
	CHECK(used_is(t, 0, h, 72) && polled(t, 0));
	/* A backend queue that fails is not polled again; the device goes on. */
	t->rx_error = -EIO;
	CHECK(backend_ready(t, 0));
	CHECK(!polled(t, 0) && t->net.pairs[0].dead && !(status(t) & S_NR));
	post_rx(t, 0, 2048, NULL);
	kick(t, 0);
	CHECK(!polled(t, 0));
	CHECK_LOG(t, "offloads=0;offloads=0;queues=1;offloads=0;offloads=0;offloads=0;queues=1;");
	post_tx(t, 1, (const uint32_t[]){ 20 }, 1, 1);
	kick(t, 1);
	CHECK_LOG(t, "send0:20;");
	t_free(t);
}

static void tx(void)
{
	struct t *t = t_new(1, 0, 1500);
	struct seg s[2];
	uint16_t h1, h2, h3, h4, h5;

	bring_up(t, MRG, 256);
	t->log[0] = 0;
	h1 = post_tx(t, 1, (const uint32_t[]){ 12, 50 }, 2, 1);
	h2 = post_tx(t, 1, (const uint32_t[]){ 12, 100, 30 }, 3, 2);
	kick(t, 1);
	CHECK_LOG(t, "send0:62;send0:142;");
	CHECK(sent_is(t, 0, 62, 1) && sent_is(t, 1, 142, 2));
	CHECK(used_is(t, 1, h1, 0) && used_is(t, 1, h2, 0) && used_none(t, 1));
	CHECK(t->irqs == 1 && t->net.stats.tx_frames == 2);
	/* No frame: a part for the device to write, shorter than the header, longer than any frame. */
	s[0] = (struct seg){ alloc(t, 12), 12, false };
	s[1] = (struct seg){ alloc(t, 50), 50, true };
	h3 = post(t, 1, s, 2);
	h4 = post_tx(t, 1, (const uint32_t[]){ NET_HDR_LEN - 1 }, 1, 3);
	h5 = post_tx(t, 1, (const uint32_t[]){ 12, NET_FRAME_MAX }, 2, 4);
	kick(t, 1);
	CHECK_LOG(t, "");
	CHECK(used_is(t, 1, h3, 0) && used_is(t, 1, h4, 0) && used_is(t, 1, h5, 0));
	CHECK(used_none(t, 1));
	CHECK(t->net.stats.tx_errors == 3 && t->net.stats.tx_frames == 2);
	CHECK(t->irqs == 2 && !(status(t) & S_NR));
	/* A frame the backend refuses (not for being full) is dropped. */
	t->send_ret = -EIO;
	h1 = post_tx(t, 1, (const uint32_t[]){ 32 }, 1, 5);
	kick(t, 1);
	CHECK_LOG(t, "send0:32!;");
	CHECK(used_is(t, 1, h1, 0) && t->net.stats.tx_dropped == 1);
	t->send_ret = 0;
	/* A readable buffer after a writable one breaks the ring rules. */
	s[0] = (struct seg){ alloc(t, 12), 12, true };
	s[1] = (struct seg){ alloc(t, 50), 50, false };
	post(t, 1, s, 2);
	kick(t, 1);
	CHECK(status(t) & S_NR);
	CHECK_LOG(t, "");
	t_free(t);
}

/*
 * A full backend (-EAGAIN) holds the frame and the queue behind it until its
 * fd is writable: nothing is dropped, nothing goes out of order, and the
 * guest's kicks meanwhile only retry the held frame.
 */
static void tx_backend_full(void)
{
	struct t *t = t_new(1, 0, 1500);
	uint16_t h[3];
	unsigned irqs;

	bring_up(t, MRG, 256);
	t->log[0] = 0;
	for (unsigned i = 0; i < 3; i++)
		h[i] = post_tx(t, 1, (const uint32_t[]){ 32 + i }, 1, 5 + i);
	irqs = t->irqs;
	t->send_ret = -EAGAIN;
	kick(t, 1);
	CHECK_LOG(t, "send0:32!;");
	CHECK(used_none(t, 1) && t->irqs == irqs && t->net.pairs[0].tx_held);
	CHECK(watched_for(t, 0, EPOLLOUT) && !polled(t, 0));
	/* Notifications stay off while the queue waits. */
	CHECK(used_flags(t, 1) & VRING_USED_F_NO_NOTIFY);
	kick(t, 1);
	CHECK_LOG(t, "send0:32!;");
	CHECK(t->net.stats.tx_waits == 2 && t->net.stats.tx_dropped == 0);
	t->send_ret = 0;
	CHECK(backend_event(t, 0, EPOLLOUT));
	CHECK_LOG(t, "send0:32;send0:33;send0:34;");
	CHECK(sent_is(t, 0, 32, 5) && sent_is(t, 1, 33, 6) && sent_is(t, 2, 34, 7));
	CHECK(used_is(t, 1, h[0], 0) && used_is(t, 1, h[1], 0) && used_is(t, 1, h[2], 0));
	CHECK(t->irqs == irqs + 1 && !watched_for(t, 0, EPOLLOUT) && !t->net.pairs[0].tx_held);
	CHECK(!(used_flags(t, 1) & VRING_USED_F_NO_NOTIFY) && t->net.stats.tx_frames == 3);
	/* Receiving and a held frame share the fd: each keeps its own watch. */
	post_rx(t, 0, 2048, NULL);
	kick(t, 0);
	t->send_ret = -EAGAIN;
	post_tx(t, 1, (const uint32_t[]){ 40 }, 1, 8);
	kick(t, 1);
	CHECK(polled(t, 0) && watched_for(t, 0, EPOLLOUT));
	queue_frame(t, 0, 72, 1);
	CHECK(backend_ready(t, 0) && t->rx_n[0] == 0 && watched_for(t, 0, EPOLLOUT));
	/* A reset forgets the held frame; the next writable event only unwatches. */
	vdrv_wr(&t->dev, VIRTIO_MMIO_STATUS, 0);
	t->send_ret = 0;
	t->log[0] = 0;
	CHECK(backend_event(t, 0, EPOLLOUT));
	CHECK_LOG(t, "");
	CHECK(!watched_for(t, 0, EPOLLOUT) && t->net.stats.tx_dropped == 0);
	t_free(t);

	/* A pair leaving use gives its held frame back unsent (counted as dropped). */
	t = t_new(2, 0, 1500);
	bring_up(t, MRG | NF(MQ), 256);
	h[0] = 2;
	CHECK(ctrl_cmd(t, 4, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, h, 2) ==
	      VIRTIO_NET_OK);
	t->send_ret = -EAGAIN;
	h[1] = post_tx(t, 3, (const uint32_t[]){ 50 }, 1, 9);
	kick(t, 3);
	CHECK(watched_for(t, 1, EPOLLOUT) && used_none(t, 3));
	h[0] = 1;
	CHECK(ctrl_cmd(t, 4, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, h, 2) ==
	      VIRTIO_NET_OK);
	CHECK(used_is(t, 3, h[1], 0) && t->net.stats.tx_dropped == 1);
	t->log[0] = 0;
	CHECK(backend_event(t, 1, EPOLLOUT));
	CHECK_LOG(t, "");
	CHECK(!handler_of(t, 1) && !(status(t) & S_NR));
	t_free(t);
}

/*
 * A guest that posts a frame for every one sent (a flood) gets a turn's
 * budget of frames; the rest waits for a later turn of the I/O thread.
 */
static void tx_flood(void)
{
	struct t *t = t_new(1, 0, 1500);
	const unsigned b = VIRTIO_MMIO_TURN_BUDGET;

	bring_up(t, MRG, 256);
	post_tx(t, 1, (const uint32_t[]){ 64 }, 1, 7);
	t->tx_refill = true;
	kick(t, 1);
	CHECK(t->net.stats.tx_frames == b && (t->dev.deferred & 2) && t->irqs == 1);
	virtio_mmio_queue_notify(&t->dev, 1);
	CHECK(t->net.stats.tx_frames == 2 * b && (t->dev.deferred & 2));
	t->tx_refill = false;
	virtio_mmio_queue_notify(&t->dev, 1);
	CHECK(t->net.stats.tx_frames == 2 * b + 1 && !(t->dev.deferred & 2));
	CHECK(!(status(t) & S_NR));
	t_free(t);
}

/* Multiqueue and receive offloads through the control queue. */
static void ctrl_queue(void)
{
	struct t *t = t_new(2, O_ALL, 1500);
	uint16_t n, h, hr;
	uint64_t o;
	char want[64];
	struct seg s, r;

	bring_up(t, MRG | NF(MQ) | NF(CTRL_GUEST_OFFLOADS) | NF(GUEST_CSUM) | NF(GUEST_TSO4) |
			    NF(GUEST_TSO6) | NF(GUEST_ECN), 256);
	t->log[0] = 0;
	CHECK(virtio_net_ctrl_queue(&t->net) == 4);
	/* Receive offloads: a subset of those negotiated, ECN without TSO dropped. */
	o = NF(GUEST_CSUM) | NF(GUEST_TSO4);
	CHECK(ctrl_cmd(t, 4, VIRTIO_NET_CTRL_GUEST_OFFLOADS, VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, &o,
		       8) == VIRTIO_NET_OK);
	snprintf(want, sizeof(want), "offloads=%u;", O_CSUM | O_TSO4);
	CHECK_LOG(t, want);
	CHECK(t->net.rx_offloads == (O_CSUM | O_TSO4) && t->net.rx_frame_max == NET_FRAME_MAX);
	o = NF(GUEST_CSUM) | NF(GUEST_ECN);
	CHECK(ctrl_cmd(t, 4, VIRTIO_NET_CTRL_GUEST_OFFLOADS, VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, &o,
		       8) == VIRTIO_NET_OK);
	snprintf(want, sizeof(want), "offloads=%u;", O_CSUM);
	CHECK_LOG(t, want);
	CHECK(t->net.rx_frame_max == FRAME_1500);
	o = NF(GUEST_CSUM) | NF(GUEST_UFO);	/* the backend has it, the driver did not take it */
	CHECK(ctrl_cmd(t, 4, VIRTIO_NET_CTRL_GUEST_OFFLOADS, VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, &o,
		       8) == VIRTIO_NET_ERR);
	o = NF(HOST_TSO4);
	CHECK(ctrl_cmd(t, 4, VIRTIO_NET_CTRL_GUEST_OFFLOADS, VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, &o,
		       8) == VIRTIO_NET_ERR);
	CHECK(ctrl_cmd(t, 4, VIRTIO_NET_CTRL_GUEST_OFFLOADS, VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, &o,
		       4) == VIRTIO_NET_ERR);
	CHECK_LOG(t, "");
	o = 0;
	CHECK(ctrl_cmd(t, 4, VIRTIO_NET_CTRL_GUEST_OFFLOADS, VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, &o,
		       8) == VIRTIO_NET_OK);
	CHECK_LOG(t, "offloads=0;");
	CHECK(t->net.rx_offloads == 0 && t->net.rx_frame_max == FRAME_1500);
	/* Commands not served: another class, another command of a known class. */
	CHECK(ctrl_cmd(t, 4, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, "\1", 1) ==
	      VIRTIO_NET_ERR);
	CHECK(ctrl_cmd(t, 4, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_RSS_CONFIG, &n, 2) ==
	      VIRTIO_NET_ERR);
	CHECK(t->net.stats.ctrl_errors == 5);
	/* No byte for the answer: back unanswered. */
	s = (struct seg){ alloc(t, 2), 2, false };
	h = post(t, 4, &s, 1);
	kick(t, 4);
	CHECK(used_is(t, 4, h, 0) && t->net.stats.ctrl_errors == 6);
	CHECK_LOG(t, "");
	/*
	 * Buffers on the second pair before it is in use (two of 2048 bytes: enough
	 * for a frame without offloads): a notification does nothing yet.
	 */
	hr = post_rx(t, 2, 2048, &r);
	post_rx(t, 2, 2048, NULL);
	kick(t, 2);
	CHECK(!polled(t, 1) && t->net.pairs[1].stage.nchains == 0);
	n = 2;
	CHECK(ctrl_cmd(t, 4, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &n, 2) ==
	      VIRTIO_NET_OK);
	CHECK_LOG(t, "queues=2;");
	CHECK(t->net.active_pairs == 2 && polled(t, 1));
	n = 3;
	CHECK(ctrl_cmd(t, 4, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &n, 2) ==
	      VIRTIO_NET_ERR);
	n = 0;
	CHECK(ctrl_cmd(t, 4, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &n, 2) ==
	      VIRTIO_NET_ERR);
	CHECK(ctrl_cmd(t, 4, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &n, 1) ==
	      VIRTIO_NET_ERR);
	CHECK(ctrl_cmd(t, 4, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, "\1\0\0", 3) ==
	      VIRTIO_NET_ERR);
	CHECK_LOG(t, "");
	CHECK(t->net.active_pairs == 2 && t->net.stats.ctrl_errors == 10);

	/* The second pair works: receive queue 2, transmit queue 3, backend queue 1. */
	queue_frame(t, 1, 90, 1);
	CHECK(backend_ready(t, 1));
	CHECK(used_is(t, 2, hr, 90) && rx_holds(t, &r, 1, 90, 1, 1) && used_none(t, 0));
	post_tx(t, 3, (const uint32_t[]){ 12, 50 }, 2, 2);
	kick(t, 3);
	CHECK_LOG(t, "send1:62;");
	CHECK(sent_is(t, 0, 62, 2));
	/* Back to one pair: the second stops at its next turn. */
	n = 1;
	CHECK(ctrl_cmd(t, 4, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &n, 2) ==
	      VIRTIO_NET_OK);
	CHECK_LOG(t, "queues=1;");
	CHECK(polled(t, 1));
	queue_frame(t, 1, 90, 3);
	CHECK(backend_ready(t, 1));
	CHECK(!polled(t, 1) && used_none(t, 2) && t->rx_n[1] == 1);
	post_tx(t, 3, (const uint32_t[]){ 12, 50 }, 2, 4);
	kick(t, 3);
	CHECK_LOG(t, "");
	CHECK(!(status(t) & S_NR));
	t_free(t);

	/* Without MQ the control queue is 2, and the pair count is not the driver's to set. */
	t = t_new(2, O_ALL, 1500);
	bring_up(t, MRG | NF(CTRL_GUEST_OFFLOADS) | NF(GUEST_CSUM), 256);
	t->log[0] = 0;
	CHECK(virtio_net_ctrl_queue(&t->net) == 2);
	n = 1;
	CHECK(ctrl_cmd(t, 2, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &n, 2) ==
	      VIRTIO_NET_ERR);
	o = 0;
	CHECK(ctrl_cmd(t, 2, VIRTIO_NET_CTRL_GUEST_OFFLOADS, VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, &o,
		       8) == VIRTIO_NET_OK);
	CHECK_LOG(t, "offloads=0;");
	/* A malformed control chain: NEEDS_RESET. */
	s = (struct seg){ RAM_SIZE - 1, 2, false };
	post(t, 2, &s, 1);
	kick(t, 2);
	CHECK(status(t) & S_NR);
	t_free(t);

	/* Without CTRL_GUEST_OFFLOADS the offloads stay as negotiated. */
	t = t_new(1, O_ALL, 1500);
	bring_up(t, MRG | NF(GUEST_CSUM), 256);
	t->log[0] = 0;
	CHECK(ctrl_cmd(t, 2, VIRTIO_NET_CTRL_GUEST_OFFLOADS, VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, &o,
		       8) == VIRTIO_NET_ERR);
	CHECK_LOG(t, "");
	t_free(t);
}

int main(void)
{
	RUN(offered_features);
	RUN(rx_offload_mapping);
	RUN(negotiation);
	RUN(config_space);
	RUN(rx_mergeable);
	RUN(rx_mergeable_small_buffers);
	RUN(rx_single_chains);
	RUN(rx_bad_buffers);
	RUN(rx_small_ring);
	RUN(rx_malformed_ring);
	RUN(rx_no_buffers);
	RUN(reset_and_backend_failure);
	RUN(tx);
	RUN(tx_backend_full);
	RUN(tx_flood);
	RUN(ctrl_queue);
	return CHECK_SUMMARY();
}
