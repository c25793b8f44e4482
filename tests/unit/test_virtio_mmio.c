/* Unit tests of the virtio-mmio transport, driven through its register window as Linux's driver does. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include <linux/virtio_ids.h>

#include "check.h"
#include "virtio_driver.h"

#define RAM_SIZE (1u << 20)
#define DESC 0x1000
#define AVAIL 0x2000
#define USED 0x3000
#define BUF 0x10000
#define DEV_FEATURES ((1ull << 1) | (1ull << 6) | (1ull << 35))
#define OFFERED (DEV_FEATURES | (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_RING_F_INDIRECT_DESC) | \
		 (1ull << VIRTIO_RING_F_EVENT_IDX))
#define S_ACK VIRTIO_CONFIG_S_ACKNOWLEDGE
#define S_DRV VIRTIO_CONFIG_S_DRIVER
#define S_FOK VIRTIO_CONFIG_S_FEATURES_OK
#define S_DOK VIRTIO_CONFIG_S_DRIVER_OK
#define S_NR VIRTIO_CONFIG_S_NEEDS_RESET

/* A device model that records what the transport asks of it. */
struct fake {
	struct virtio_mmio_dev dev;
	uint8_t *ram;
	struct guest_mem gm;
	uint8_t config[12];
	int activate_ret;
	bool notify_in_reset;	/* reset() lets go of the lock and the I/O thread notifies */
	unsigned activations, resets, irqs, kicks, last_kick, notified[2], completed;
};

static void cfg_read(struct virtio_mmio_dev *dev, uint32_t off, uint8_t *data, unsigned len)
{
	memcpy(data, ((struct fake *)dev->opaque)->config + off, len);
}

static void cfg_write(struct virtio_mmio_dev *dev, uint32_t off, const uint8_t *data, unsigned len)
{
	memcpy(((struct fake *)dev->opaque)->config + off, data, len);
}

static int activate(struct virtio_mmio_dev *dev)
{
	struct fake *f = dev->opaque;

	f->activations++;
	return f->activate_ret;
}

static void reset(struct virtio_mmio_dev *dev)
{
	struct fake *f = dev->opaque;

	f->resets++;
	if (f->notify_in_reset) {
		virtio_mmio_unlock(dev);
		virtio_mmio_queue_notify(dev, 0);
		virtio_mmio_lock(dev);
	}
}

/* What a device's request path does: pop until empty, complete each, interrupt. */
static void queue_notify(struct virtio_mmio_dev *dev, unsigned q)
{
	struct fake *f = dev->opaque;
	struct iovec iov[4];
	struct virtqueue_elem e = { .iov = iov, .iov_cap = 4 };
	int r;

	f->notified[q]++;
	while ((r = virtqueue_pop(&dev->vqs[q], &e)) > 0) {
		virtqueue_push(&dev->vqs[q], e.head, e.writable_len);
		f->completed++;
	}
	if (r < 0)
		virtio_mmio_needs_reset(dev);
	virtio_mmio_signal_used(dev, q);
}

static const struct virtio_device_ops fake_ops = {
	.name = "fake",
	.device_id = VIRTIO_ID_BLOCK,
	.features = DEV_FEATURES,
	.num_queues = 2,
	.queue_max = { 16, 8 },
	.config_size = sizeof(((struct fake *)0)->config),
	.config_read = cfg_read,
	.config_write = cfg_write,
	.activate = activate,
	.reset = reset,
	.queue_notify = queue_notify,
};

static void raise_irq(void *opaque)
{
	((struct fake *)opaque)->irqs++;
}

static void kick(void *opaque, unsigned queue)
{
	struct fake *f = opaque;

	f->kicks++;
	f->last_kick = queue;
}

static void fake_init(struct fake *f, bool with_kick)
{
	struct virtio_mmio_host host = { raise_irq, with_kick ? kick : NULL, f };

	memset(f, 0, sizeof(*f));
	f->ram = aligned_alloc(4096, RAM_SIZE);
	memset(f->ram, 0, RAM_SIZE);
	guest_mem_init_at(&f->gm, f->ram, RAM_SIZE);
	for (unsigned i = 0; i < sizeof(f->config); i++)
		f->config[i] = (uint8_t)(0x10 + i);
	CHECK(virtio_mmio_init(&f->dev, &fake_ops, f, &f->gm, &host) == 0);
}

static void fake_free(struct fake *f)
{
	virtio_mmio_destroy(&f->dev);
	free(f->ram);
}

static uint64_t rd_n(struct fake *f, uint64_t off, unsigned len)
{
	return vdrv_read(&f->dev, off, len);
}

static uint32_t rd(struct fake *f, uint64_t off)
{
	return vdrv_rd(&f->dev, off);
}

static void wr_n(struct fake *f, uint64_t off, uint64_t v, unsigned len)
{
	vdrv_write(&f->dev, off, v, len);
}

static void wr(struct fake *f, uint64_t off, uint32_t v)
{
	vdrv_wr(&f->dev, off, v);
}

static int setup_queue(struct fake *f, unsigned q, uint32_t num, uint64_t desc, uint64_t avail,
		       uint64_t used)
{
	return vdrv_setup_queue(&f->dev, q, num, desc, avail, used);
}

/* virtio_mmio_probe(), then virtio_dev_probe() up to FEATURES_OK. */
static uint32_t negotiate(struct fake *f, uint64_t features)
{
	CHECK(rd(f, VIRTIO_MMIO_MAGIC_VALUE) == 0x74726976);
	CHECK(rd(f, VIRTIO_MMIO_VERSION) == 2);
	CHECK(rd(f, VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_BLOCK);
	CHECK(rd(f, VIRTIO_MMIO_VENDOR_ID) == VIRTIO_MMIO_VENDOR);
	CHECK(vdrv_device_features(&f->dev) == OFFERED);
	return vdrv_negotiate(&f->dev, features);
}

/* The whole Linux sequence, both queues, DRIVER_OK. */
static void bring_up(struct fake *f)
{
	CHECK(negotiate(f, OFFERED) == (S_ACK | S_DRV | S_FOK));
	CHECK(setup_queue(f, 0, 16, DESC, AVAIL, USED) == 1);
	CHECK(setup_queue(f, 1, 4, DESC + 0x4000, AVAIL + 0x4000, USED + 0x4000) == 1);
	wr(f, VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK | S_DOK);
}

/* The driver offers a one-buffer chain on queue 0 (16 entries at DESC). */
static void offer(struct fake *f, uint16_t head, uint64_t addr)
{
	struct vring_desc *d = (struct vring_desc *)(f->ram + DESC);
	struct vring_avail *a = (struct vring_avail *)(f->ram + AVAIL);

	d[head] = (struct vring_desc){ .addr = addr, .len = 100, .flags = VRING_DESC_F_WRITE };
	a->ring[a->idx % 16] = head;
	a->idx++;
}

static void probe_sequence(void)
{
	struct fake f;
	struct vring_used *used;

	fake_init(&f, false);
	bring_up(&f);
	CHECK(rd(&f, VIRTIO_MMIO_STATUS) == (S_ACK | S_DRV | S_FOK | S_DOK));
	CHECK(f.activations == 1 && f.dev.activated && f.dev.features == OFFERED);
	CHECK(virtio_mmio_has_feature(&f.dev, VIRTIO_F_VERSION_1) && virtio_mmio_has_feature(&f.dev, 35));
	CHECK(!virtio_mmio_has_feature(&f.dev, 2) && !virtio_mmio_has_feature(&f.dev, 64));
	wr(&f, VIRTIO_MMIO_QUEUE_SEL, 0);
	CHECK(rd(&f, VIRTIO_MMIO_QUEUE_NUM_MAX) == 16 && rd(&f, VIRTIO_MMIO_QUEUE_READY) == 1);
	wr(&f, VIRTIO_MMIO_QUEUE_SEL, 1);
	CHECK(rd(&f, VIRTIO_MMIO_QUEUE_NUM_MAX) == 8 && rd(&f, VIRTIO_MMIO_QUEUE_READY) == 1);
	CHECK(f.dev.vqs[1].size == 4 && f.dev.vqs[0].event_idx && f.dev.vqs[0].indirect);
	wr(&f, VIRTIO_MMIO_QUEUE_SEL, 2);
	CHECK(rd(&f, VIRTIO_MMIO_QUEUE_NUM_MAX) == 0 && rd(&f, VIRTIO_MMIO_QUEUE_READY) == 0);
	CHECK(f.irqs == 0 && rd(&f, VIRTIO_MMIO_INTERRUPT_STATUS) == 0);

	/* A request round trip: notify, the device completes it, the interrupt, the ack. */
	offer(&f, 3, BUF);
	wr(&f, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	used = (struct vring_used *)(f.ram + USED);
	CHECK(f.notified[0] == 1 && f.completed == 1);
	CHECK(used->idx == 1 && used->ring[0].id == 3 && used->ring[0].len == 100);
	CHECK(f.irqs == 1 && rd(&f, VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_MMIO_INT_VRING);
	wr(&f, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	CHECK(rd(&f, VIRTIO_MMIO_INTERRUPT_STATUS) == 0);
	/* EVENT_IDX: used_event still 0, so entry 1 goes by without an interrupt ... */
	offer(&f, 4, BUF);
	virtio_mmio_queue_notify(&f.dev, 0);	/* the I/O thread's path: an ioeventfd fired */
	CHECK(f.notified[0] == 2 && f.completed == 2 && used->idx == 2 && f.irqs == 1);
	/* ... until the driver asks for one after entry 2. */
	((struct vring_avail *)(f.ram + AVAIL))->ring[16] = 2;
	offer(&f, 5, BUF);
	virtio_mmio_queue_notify(&f.dev, 0);
	CHECK(f.completed == 3 && used->idx == 3 && f.irqs == 2);
	virtio_mmio_queue_notify(&f.dev, 7);	/* no such queue */
	CHECK(f.notified[0] == 3 && f.notified[1] == 0);
	fake_free(&f);
}

static void feature_masking(void)
{
	struct fake f;

	fake_init(&f, false);
	CHECK(negotiate(&f, ~0ull) == (S_ACK | S_DRV | S_FOK) && f.dev.features == OFFERED);
	/* Locked once FEATURES_OK is set. */
	wr(&f, VIRTIO_MMIO_DRIVER_FEATURES, 0);
	CHECK(f.dev.features == OFFERED);
	wr(&f, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	CHECK(rd(&f, VIRTIO_MMIO_DEVICE_FEATURES) == 0);

	/* Only what was offered and asked for. */
	CHECK(negotiate(&f, (1ull << VIRTIO_F_VERSION_1) | (1ull << 6) | (1ull << 7) | (1ull << 40)) ==
	      (S_ACK | S_DRV | S_FOK));
	CHECK(f.dev.features == ((1ull << VIRTIO_F_VERSION_1) | (1ull << 6)));
	CHECK(setup_queue(&f, 0, 16, DESC, AVAIL, USED) == 1);
	CHECK(setup_queue(&f, 0, 16, DESC, AVAIL, USED) == -1);
	CHECK(!f.dev.vqs[0].event_idx && !f.dev.vqs[0].indirect);
	/* Before DRIVER_OK the driver may take a queue back (vm_setup_vq()'s error path). */
	wr(&f, VIRTIO_MMIO_QUEUE_READY, 0);
	CHECK(rd(&f, VIRTIO_MMIO_QUEUE_READY) == 0 && !virtqueue_ready(&f.dev.vqs[0]));
	fake_free(&f);
}

static void version_1_required(void)
{
	struct fake f;

	fake_init(&f, false);
	CHECK(negotiate(&f, DEV_FEATURES) == (S_ACK | S_DRV));	/* a legacy-minded driver */
	wr(&f, VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK | S_DOK);
	CHECK(rd(&f, VIRTIO_MMIO_STATUS) == (S_ACK | S_DRV) && f.activations == 0);
	/* It gives up (virtio_add_status(FAILED)) ... */
	wr(&f, VIRTIO_MMIO_STATUS, S_ACK | S_DRV | VIRTIO_CONFIG_S_FAILED);
	CHECK(rd(&f, VIRTIO_MMIO_STATUS) == (S_ACK | S_DRV | VIRTIO_CONFIG_S_FAILED));
	/* ... or tries again with VERSION_1. */
	wr(&f, VIRTIO_MMIO_STATUS, 0);
	CHECK(negotiate(&f, DEV_FEATURES | (1ull << VIRTIO_F_VERSION_1)) == (S_ACK | S_DRV | S_FOK));
	wr(&f, VIRTIO_MMIO_STATUS, S_ACK | S_DRV);	/* only a reset clears FEATURES_OK */
	CHECK(rd(&f, VIRTIO_MMIO_STATUS) == (S_ACK | S_DRV | S_FOK));
	fake_free(&f);
}

static void status_order(void)
{
	struct fake f;

	fake_init(&f, false);
	wr(&f, VIRTIO_MMIO_STATUS, S_DRV);
	CHECK(rd(&f, VIRTIO_MMIO_STATUS) == 0);
	wr(&f, VIRTIO_MMIO_STATUS, S_ACK | S_NR);	/* NEEDS_RESET is not the driver's */
	CHECK(rd(&f, VIRTIO_MMIO_STATUS) == S_ACK);
	wr(&f, VIRTIO_MMIO_STATUS, S_ACK | S_FOK);
	CHECK(rd(&f, VIRTIO_MMIO_STATUS) == S_ACK);
	wr(&f, VIRTIO_MMIO_STATUS, S_ACK | S_DRV);
	wr(&f, VIRTIO_MMIO_STATUS, S_DRV);	/* clearing ACK: ignored */
	CHECK(rd(&f, VIRTIO_MMIO_STATUS) == (S_ACK | S_DRV));
	wr(&f, VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_DOK);	/* DRIVER_OK before FEATURES_OK */
	CHECK(rd(&f, VIRTIO_MMIO_STATUS) == (S_ACK | S_DRV) && f.activations == 0);
	/* A queue made ready before FEATURES_OK cannot know its ring features. */
	CHECK(setup_queue(&f, 0, 16, DESC, AVAIL, USED) == 0 && (rd(&f, VIRTIO_MMIO_STATUS) & S_NR));
	CHECK(f.irqs == 1 && rd(&f, VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_MMIO_INT_CONFIG);
	fake_free(&f);
}

/* Bring up with queue 0 laid out as given: the device must end in NEEDS_RESET, inactive. */
static bool refused(uint32_t num, uint64_t desc, uint64_t avail, uint64_t used)
{
	struct fake f;
	bool ok;

	fake_init(&f, false);
	negotiate(&f, OFFERED);
	ok = setup_queue(&f, 0, num, desc, avail, used) == 0;
	wr(&f, VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK | S_DOK);
	ok = ok && rd(&f, VIRTIO_MMIO_STATUS) == (S_ACK | S_DRV | S_FOK | S_DOK | S_NR) &&
	     f.activations == 0 && !f.dev.activated && f.irqs == 1 &&
	     rd(&f, VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_MMIO_INT_CONFIG;
	/* Notifications are not delivered; a reset recovers. */
	wr(&f, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ok = ok && f.notified[0] == 0;
	wr(&f, VIRTIO_MMIO_STATUS, 0);
	ok = ok && rd(&f, VIRTIO_MMIO_STATUS) == 0 && f.resets == 2;	/* negotiate() reset once */
	bring_up(&f);
	ok = ok && f.activations == 1 && rd(&f, VIRTIO_MMIO_STATUS) == (S_ACK | S_DRV | S_FOK | S_DOK);
	fake_free(&f);
	return ok;
}

static void bad_queue_setup(void)
{
	CHECK(!refused(16, DESC, AVAIL, USED));		/* the control: a good layout */
	CHECK(refused(0, DESC, AVAIL, USED));
	CHECK(refused(12, DESC, AVAIL, USED));
	CHECK(refused(32, DESC, AVAIL, USED));		/* above QUEUE_NUM_MAX */
	CHECK(refused(16, DESC + 4, AVAIL, USED));
	CHECK(refused(16, DESC, AVAIL, USED + 2));
	CHECK(refused(16, DESC, AVAIL, RAM_SIZE - 0x40));
	CHECK(refused(16, 0x100000000ull + DESC, AVAIL, USED));	/* only the high half wrong */
}

static void activate_fails_and_bad_chain(void)
{
	struct fake f;

	fake_init(&f, false);
	f.activate_ret = -EINVAL;
	bring_up(&f);
	CHECK(f.activations == 1 && !f.dev.activated && (rd(&f, VIRTIO_MMIO_STATUS) & S_NR));
	offer(&f, 0, BUF);
	wr(&f, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK(f.notified[0] == 0);
	fake_free(&f);

	/* A chain pointing outside RAM: the device reports NEEDS_RESET and hears no more. */
	fake_init(&f, false);
	bring_up(&f);
	offer(&f, 0, RAM_SIZE - 50);
	wr(&f, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK(f.notified[0] == 1 && f.completed == 0 && (rd(&f, VIRTIO_MMIO_STATUS) & S_NR));
	CHECK(rd(&f, VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_MMIO_INT_CONFIG && f.irqs == 1);
	wr(&f, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK(f.notified[0] == 1);
	fake_free(&f);
}

static void reset_clears_everything(void)
{
	struct fake f;

	fake_init(&f, false);
	bring_up(&f);
	offer(&f, 1, BUF);
	wr(&f, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK(rd(&f, VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_MMIO_INT_VRING);
	wr(&f, VIRTIO_MMIO_QUEUE_SEL, 1);
	offer(&f, 2, BUF);
	f.notify_in_reset = true;	/* the device is inactive before reset() runs */
	wr(&f, VIRTIO_MMIO_STATUS, 0);
	f.notify_in_reset = false;
	CHECK(f.notified[0] == 1 && f.completed == 1);
	CHECK(f.resets == 2 && rd(&f, VIRTIO_MMIO_STATUS) == 0 && !f.dev.activated);
	CHECK(f.dev.features == 0 && f.dev.queue_sel == 0 && rd(&f, VIRTIO_MMIO_INTERRUPT_STATUS) == 0);
	CHECK(!virtqueue_ready(&f.dev.vqs[0]) && !virtqueue_ready(&f.dev.vqs[1]));
	CHECK(f.dev.qregs[0].num == 0 && f.dev.qregs[0].desc == 0 && f.dev.qregs[1].used == 0);
	CHECK(f.dev.vqs[0].last_avail == 0 && f.dev.vqs[0].used_idx == 0);
	virtio_mmio_queue_notify(&f.dev, 0);
	CHECK(f.notified[0] == 1);
	/* Queue registers are frozen while the queue is live and after DRIVER_OK. */
	bring_up(&f);
	wr(&f, VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(&f, VIRTIO_MMIO_QUEUE_NUM, 2);
	wr(&f, VIRTIO_MMIO_QUEUE_READY, 0);
	CHECK(f.dev.qregs[0].num == 16 && rd(&f, VIRTIO_MMIO_QUEUE_READY) == 1);
	/* Linux's vm_del_vq() after a reset. */
	wr(&f, VIRTIO_MMIO_STATUS, 0);
	wr(&f, VIRTIO_MMIO_QUEUE_READY, 0);
	CHECK(rd(&f, VIRTIO_MMIO_QUEUE_READY) == 0 && f.resets == 4);
	fake_free(&f);
}

static void config_space(void)
{
	struct fake f;

	fake_init(&f, false);
	CHECK(rd_n(&f, 0x100, 1) == 0x10 && rd_n(&f, 0x10b, 1) == 0x1b);
	CHECK(rd_n(&f, 0x102, 2) == 0x1312);
	CHECK(rd_n(&f, 0x104, 4) == 0x17161514);
	CHECK(rd_n(&f, 0x104, 8) == 0x1b1a191817161514ull);
	CHECK(rd_n(&f, 0x10a, 4) == 0 && rd_n(&f, 0x10c, 1) == 0 && rd_n(&f, 0x1fc, 4) == 0);
	wr_n(&f, 0x108, 0xa1a2a3a4, 4);
	wr_n(&f, 0x101, 0xee, 1);
	wr_n(&f, 0x10b, 0xffff, 2);	/* straddles the end: dropped */
	CHECK(rd_n(&f, 0x108, 4) == 0xa1a2a3a4 && rd_n(&f, 0x100, 2) == 0xee10 && f.config[11] == 0xa1);
	CHECK(rd(&f, VIRTIO_MMIO_CONFIG_GENERATION) == 0);
	virtio_mmio_lock(&f.dev);
	virtio_mmio_config_changed(&f.dev);
	virtio_mmio_unlock(&f.dev);
	CHECK(rd(&f, VIRTIO_MMIO_CONFIG_GENERATION) == 1 && f.irqs == 1);
	CHECK(rd(&f, VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_MMIO_INT_CONFIG);
	/* Registers take only aligned 32-bit accesses. */
	CHECK(rd_n(&f, VIRTIO_MMIO_MAGIC_VALUE, 2) == 0 && rd_n(&f, 0x2, 4) == 0);
	wr_n(&f, VIRTIO_MMIO_STATUS, S_ACK, 1);
	CHECK(rd(&f, VIRTIO_MMIO_STATUS) == 0);
	CHECK(rd(&f, VIRTIO_MMIO_SHM_LEN_LOW) == 0xffffffff && rd(&f, 0xf0) == 0);
	fake_free(&f);
}

static void kick_forwards(void)
{
	struct fake f;

	fake_init(&f, true);
	bring_up(&f);
	offer(&f, 2, BUF);
	wr(&f, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	CHECK(f.kicks == 1 && f.last_kick == 1 && f.notified[0] == 0 && f.notified[1] == 0);
	wr(&f, VIRTIO_MMIO_QUEUE_NOTIFY, 2);
	CHECK(f.kicks == 1);
	virtio_mmio_queue_notify(&f.dev, 0);	/* the I/O thread, woken by the kick */
	CHECK(f.notified[0] == 1 && f.completed == 1);
	fake_free(&f);
}

static void bad_ops(void)
{
	struct virtio_device_ops ops = fake_ops;
	struct virtio_mmio_host host = { raise_irq, NULL, NULL };
	struct virtio_mmio_dev dev;
	struct guest_mem gm = { 0 };

	ops.queue_max[1] = 12;
	CHECK(virtio_mmio_init(&dev, &ops, NULL, &gm, &host) == -EINVAL);
	ops = fake_ops;
	ops.num_queues = VIRTIO_MMIO_QUEUES_MAX + 1;
	CHECK(virtio_mmio_init(&dev, &ops, NULL, &gm, &host) == -EINVAL);
	ops = fake_ops;
	ops.config_size = VIRTIO_MMIO_CONFIG_MAX + 1;
	CHECK(virtio_mmio_init(&dev, &ops, NULL, &gm, &host) == -EINVAL);
	host.raise_irq = NULL;
	CHECK(virtio_mmio_init(&dev, &fake_ops, NULL, &gm, &host) == -EINVAL);
}

/* The word must parse as Linux's vm_cmdline_set() parses it. */
static void cmdline(void)
{
	char buf[64], *end;
	unsigned long long size;
	long long base;
	unsigned irq;
	int consumed = 0;

	CHECK(virtio_mmio_cmdline(buf, sizeof(buf), 0xd0000200, 5) == 37);
	CHECK_STR(buf, "virtio_mmio.device=0x200@0xd0000200:5");
	size = strtoull(buf + strlen("virtio_mmio.device="), &end, 0);
	CHECK(size == VIRTIO_MMIO_SIZE);
	CHECK(sscanf(end, "@%lli:%u%n", &base, &irq, &consumed) == 2);
	CHECK(base == 0xd0000200 && irq == 5 && end[consumed] == 0);
	CHECK(virtio_mmio_cmdline(buf, sizeof(buf), 0xd0000000, 0) == -EINVAL);
	CHECK(virtio_mmio_cmdline(buf, 37, 0xd0000000, 5) == -ENOSPC);
}

int main(void)
{
	RUN(probe_sequence);
	RUN(feature_masking);
	RUN(version_1_required);
	RUN(status_order);
	RUN(bad_queue_setup);
	RUN(activate_fails_and_bad_chain);
	RUN(reset_clears_everything);
	RUN(config_space);
	RUN(kick_forwards);
	RUN(bad_ops);
	RUN(cmdline);
	return CHECK_SUMMARY();
}
