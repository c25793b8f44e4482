/* The RTL8139's transmit: four TSD/TSAD slots, each one frame in a guest buffer. */
#include <errno.h>

#include "nic/rtl8139_impl.h"

/*
 * The guest writes a slot's TSD with the size and OWN clear: the chip owns the
 * slot and sends it. The frame is sent here, on the vCPU thread; the backend
 * never blocks (a full tap drops the frame: on a wire, it would be lost too).
 * A frame the chip cannot fetch (too long, empty, outside RAM) ends as a
 * FIFO underrun would: TUN and TER, nothing sent.
 */
static void tx_fail(struct rtl8139 *dev, unsigned slot, uint64_t *counter)
{
	(*counter)++;
	dev->tsd[slot] |= RTL_TSD_OWN | RTL_TSD_TUN;
	dev->isr |= RTL_INT_TER;
}

static void tx_send(struct rtl8139 *dev, unsigned slot)
{
	static const struct net_hdr no_offload;
	uint32_t size = dev->tsd[slot] & RTL_TSD_SIZE;
	struct net_backend *be = dev->host.be;
	void *frame;
	struct iovec iov[2];

	if (size == 0 || size > RTL8139_TX_MAX)
		return (void)tx_fail(dev, slot, &dev->stats.tx_bad_size);
	frame = guest_mem_ptr(dev->host.mem, dev->tsad[slot], size);
	if (!frame)
		return (void)tx_fail(dev, slot, &dev->stats.tx_bad_addr);
	iov[0] = (struct iovec){ (void *)&no_offload, NET_HDR_LEN };
	iov[1] = (struct iovec){ frame, size };
	if (be->ops->send(be, 0, iov, 2) < 0)
		dev->stats.tx_backend_drops++;
	else
		dev->stats.tx_frames++;
	dev->tsd[slot] |= RTL_TSD_OWN | RTL_TSD_TOK;
	dev->isr |= RTL_INT_TOK;
}

void rtl8139_tsd_write(struct rtl8139 *dev, unsigned slot, uint32_t val)
{
	/* The status bits are the chip's; the guest sets size, threshold and OWN. */
	dev->tsd[slot] = val & (RTL_TSD_SIZE | RTL_TSD_OWN | RTL_TSD_ERTXTH);
	if (!(val & RTL_TSD_OWN) && (dev->cr & RTL_CR_TE))
		tx_send(dev, slot);
}
