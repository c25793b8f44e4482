/* The emulated PCI NICs (e1000, rtl8139): each model as a PCI function, its receive on the I/O thread. */
#include "pci_nics.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "log.h"

unsigned pci_nics_count(const struct config *cfg)
{
	unsigned n = 0;

	for (unsigned i = 0; i < cfg->nnets; i++)
		n += cfg->nets[i].model != CONFIG_NET_VIRTIO;
	return n;
}

/* KVM_IRQ_LINE: the line is level-triggered, and the device state deciding it is ours. */
static void bus_set_irq(void *opaque, unsigned gsi, bool level)
{
	vm_set_irq(opaque, gsi, level);
}

void pci_nics_init(struct pci_nics *p, struct vm *vm)
{
	memset(p, 0, sizeof(*p));
	p->vm = vm;
	pci_bus_init(&p->bus, bus_set_irq, vm);
}

/* The model's INTx request (device lock held): the bus decides the line. func is set before the model starts. */
static void nic_set_irq(void *opaque, bool level)
{
	struct pci_nic *nic = opaque;

	pci_func_set_irq(nic->func, level);
}

/* An eventfd or timerfd fired: take its count. False when it was a stale event. */
static bool drained(int fd)
{
	uint64_t n;

	return read(fd, &n, sizeof(n)) == sizeof(n);
}

static void on_rx(void *opaque, uint32_t events);

/* Watch the backend again, or stop: the ring is full and the model said so. */
static void watch_rx(struct pci_nic *nic, bool on)
{
	int fd = nic->be->fds[0];

	if (on == nic->rx_watched)
		return;
	if (on ? event_loop_add(nic->loop, fd, EPOLLIN, on_rx, nic) : event_loop_remove(nic->loop, fd)) {
		log_error("%s: cannot %s watching it", nic->be->name, on ? "resume" : "stop");
		return;
	}
	nic->rx_watched = on;
}

/* I/O thread: frames wait on the backend. */
static void on_rx(void *opaque, uint32_t events)
{
	struct pci_nic *nic = opaque;
	bool more;

	(void)events;
	if (nic->model == CONFIG_NET_E1000)
		more = e1000_rx_ready(&nic->u.e1000);
	else
		more = rtl8139_rx_ready(&nic->u.rtl8139);
	if (!more)
		watch_rx(nic, false);
}

/* vCPU thread, device lock held: the guest made room. The I/O thread owns the loop: tell it. */
static void rx_wake(void *opaque)
{
	struct pci_nic *nic = opaque;
	uint64_t one = 1;

	if (write(nic->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_error("%s: receive wake-up: %s", nic->be->name, strerror(errno));
}

static void on_wake(void *opaque, uint32_t events)
{
	struct pci_nic *nic = opaque;

	(void)events;
	if (drained(nic->wake_fd))
		watch_rx(nic, true);
}

/* e1000 ITR, device lock held (vCPU or I/O thread): one shot at DEADLINE, CLOCK_MONOTONIC. */
static void arm_timer(void *opaque, uint64_t deadline)
{
	struct pci_nic *nic = opaque;
	struct itimerspec t = { .it_value = { (time_t)(deadline / 1000000000u),
					      (long)(deadline % 1000000000u) } };

	if (!t.it_value.tv_sec && !t.it_value.tv_nsec)
		t.it_value.tv_nsec = 1;		/* zero would disarm it */
	if (timerfd_settime(nic->timer_fd, TFD_TIMER_ABSTIME, &t, NULL) < 0)
		log_error("%s: interrupt throttle timer: %s", nic->be->name, strerror(errno));
}

static void on_timer(void *opaque, uint32_t events)
{
	struct pci_nic *nic = opaque;

	(void)events;
	if (drained(nic->timer_fd))
		e1000_timer(&nic->u.e1000);
}

/* The PCI identity and BARs of MODEL, whose state is DEV. */
static struct pci_func_desc describe(enum config_net_model model, void *dev)
{
	struct pci_func_desc d = { 0 };

	if (model == CONFIG_NET_E1000) {
		d.class_code = E1000_PCI_CLASS;
		d.intx = E1000_PCI_INT_PIN != 0;
		d.vendor = E1000_PCI_VENDOR;
		d.device = E1000_PCI_DEVICE;
		d.subsys_vendor = E1000_PCI_SUBSYS_VENDOR;
		d.subsys = E1000_PCI_SUBSYS_ID;
		d.revision = E1000_PCI_REVISION;
		d.bars[E1000_BAR_MMIO] = (struct pci_bar_desc){ E1000_MMIO_SIZE, false, e1000_mmio, dev };
		d.bars[E1000_BAR_IO] = (struct pci_bar_desc){ E1000_IO_SIZE, true, e1000_pio, dev };
	} else {
		d.class_code = RTL8139_CLASS;
		d.intx = RTL8139_IRQ_PIN != 0;
		d.vendor = RTL8139_VENDOR_ID;
		d.device = RTL8139_DEVICE_ID;
		d.subsys_vendor = RTL8139_SUBSYS_VENDOR;
		d.subsys = RTL8139_SUBSYS_ID;
		d.revision = RTL8139_REVISION;
		d.bars[RTL8139_PIO_BAR] = (struct pci_bar_desc){ RTL8139_REGS_SIZE, true, rtl8139_pio, dev };
		d.bars[RTL8139_MMIO_BAR] =
			(struct pci_bar_desc){ RTL8139_REGS_SIZE, false, rtl8139_mmio, dev };
	}
	return d;
}

void pci_nics_add(struct pci_nics *p, struct event_loop *loop, enum config_net_model model,
		  struct net_backend *be, const uint8_t mac[6], const char *name)
{
	struct pci_nic *nic = &p->nics[p->n];
	struct pci_func_desc desc = describe(model, &nic->u);
	struct nic_host host = { &p->vm->mem, nic_set_irq, nic, be };
	int ret;

	nic->model = model;
	nic->be = be;
	nic->loop = loop;
	nic->timer_fd = -1;
	nic->func = pci_bus_add(&p->bus, &desc);
	if (!nic->func)
		die_status(EXIT_CAPSULE_USAGE, "[net %s]: no PCI slot, window space or interrupt line left",
			   name);
	if (model == CONFIG_NET_E1000) {
		ret = e1000_init(&nic->u.e1000, &host, mac);
		nic->u.e1000.rx_wake = rx_wake;
		nic->u.e1000.arm_timer = arm_timer;
		nic->u.e1000.hooks_opaque = nic;
		nic->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
		if (!ret && nic->timer_fd < 0)
			ret = -errno;
	} else {
		ret = rtl8139_init(&nic->u.rtl8139, &host, mac);
		nic->u.rtl8139.rx_wake = rx_wake;
		nic->u.rtl8139.hooks_opaque = nic;
	}
	nic->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!ret && nic->wake_fd < 0)
		ret = -errno;
	if (ret < 0)
		die("[net %s]: %s", name, strerror(-ret));
	if (event_loop_add(loop, nic->wake_fd, EPOLLIN, on_wake, nic) < 0 ||
	    (nic->timer_fd >= 0 && event_loop_add(loop, nic->timer_fd, EPOLLIN, on_timer, nic) < 0))
		die("event loop full");
	watch_rx(nic, true);
	if (!nic->rx_watched)
		die("event loop full");
	p->n++;
}

bool pci_nics_attach(struct pci_nics *p)
{
	int ret;

	if (!p->n)
		return false;
	ret = pci_bus_attach(&p->bus, &p->vm->pio, &p->vm->mmio);
	if (ret < 0)
		die("PCI bus: %s", strerror(-ret));
	return true;
}
