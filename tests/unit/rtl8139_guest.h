/* A fake VM for the rtl8139 model: guest RAM on the heap, an interrupt line, a scripted backend. */
#ifndef CAPSULE_RTL8139_GUEST_H
#define CAPSULE_RTL8139_GUEST_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nic/rtl8139.h"
#include "util/iov.h"

#define FAKE_RAM_SIZE (1u << 20)
#define FAKE_SENT_MAX 8
#define FAKE_RX_MAX 8
#define FAKE_FRAME_BYTES NET_FRAME_MAX	/* a whole large-send segment */

struct fake_vm {
	struct net_backend be;
	struct guest_mem gm;
	uint8_t *ram;
	bool irq;
	unsigned irq_changes;
	/* What the model sent: net_hdr and frame, as the backend got them. */
	uint8_t sent[FAKE_SENT_MAX][FAKE_FRAME_BYTES];
	size_t sent_len[FAKE_SENT_MAX];
	unsigned nsent;
	int send_result;
	/* Frames waiting on the "tap", net_hdr included. */
	uint8_t rx[FAKE_RX_MAX][FAKE_FRAME_BYTES];
	size_t rx_len[FAKE_RX_MAX];
	unsigned nrx, rx_next;
	unsigned offloads_asked;
};

static inline struct fake_vm *fake_vm_of(struct net_backend *be)
{
	return (struct fake_vm *)be;
}

static inline int fake_vm_send(struct net_backend *be, unsigned q, const struct iovec *iov, unsigned n)
{
	struct fake_vm *vm = fake_vm_of(be);
	size_t len = iov_size(iov, n);

	if (q != 0 || len > FAKE_FRAME_BYTES)
		abort();
	if (vm->send_result)
		return vm->send_result;
	if (vm->nsent < FAKE_SENT_MAX) {
		iov_to_buf(iov, n, 0, vm->sent[vm->nsent], len);
		vm->sent_len[vm->nsent++] = len;
	}
	return 0;
}

static inline ssize_t fake_vm_recv(struct net_backend *be, unsigned q, const struct iovec *iov, unsigned n)
{
	struct fake_vm *vm = fake_vm_of(be);
	size_t len;

	if (q != 0)
		abort();
	if (vm->rx_next == vm->nrx)
		return -EAGAIN;
	len = vm->rx_len[vm->rx_next];
	iov_from_buf(iov, n, 0, vm->rx[vm->rx_next++], len);
	return (ssize_t)len;
}

static inline int fake_vm_offloads(struct net_backend *be, unsigned offloads)
{
	fake_vm_of(be)->offloads_asked = offloads;
	return 0;
}

static inline int fake_vm_queues(struct net_backend *be, unsigned n)
{
	return 0;
}

static inline void fake_vm_close(struct net_backend *be)
{
}

static const struct net_backend_ops fake_vm_ops = {
	fake_vm_send, fake_vm_recv, fake_vm_offloads, fake_vm_queues, fake_vm_close,
};

static inline void fake_vm_set_irq(void *opaque, bool level)
{
	struct fake_vm *vm = opaque;

	vm->irq = level;
	vm->irq_changes++;
}

/* A frame of LEN bytes (without net_hdr) waits on the tap. */
static inline void fake_vm_queue_rx(struct fake_vm *vm, const uint8_t *frame, size_t len)
{
	if (vm->rx_next == vm->nrx)	/* all taken: start over */
		vm->nrx = vm->rx_next = 0;
	if (vm->nrx == FAKE_RX_MAX || len + NET_HDR_LEN > FAKE_FRAME_BYTES)
		abort();
	memset(vm->rx[vm->nrx], 0, NET_HDR_LEN);
	memcpy(vm->rx[vm->nrx] + NET_HDR_LEN, frame, len);
	vm->rx_len[vm->nrx++] = len + NET_HDR_LEN;
}

static inline void fake_vm_init(struct fake_vm *vm, struct nic_host *host)
{
	memset(vm, 0, sizeof(*vm));
	vm->be.ops = &fake_vm_ops;
	vm->be.queues = 1;
	vm->be.offloads = NET_OFFLOAD_CSUM | NET_OFFLOAD_TSO4;
	vm->ram = calloc(1, FAKE_RAM_SIZE);
	if (!vm->ram)
		abort();
	guest_mem_init_at(&vm->gm, vm->ram, FAKE_RAM_SIZE);
	*host = (struct nic_host){ &vm->gm, fake_vm_set_irq, vm, &vm->be };
}

#endif
