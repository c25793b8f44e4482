/* A 16550A UART (COM1): the early console, fed by a character backend on the host. */
#include "legacy/uart_8250.h"

#include <string.h>

#include "log.h"

/* Register offsets (with LCR.DLAB clear unless noted). */
enum { RBR_THR = 0, IER = 1, IIR_FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

#define IER_RDI 0x01		/* received data available */
#define IER_THRI 0x02		/* transmitter holding register empty */
#define IIR_NO_INT 0x01
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_FIFO_ON 0xc0
#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define LCR_DLAB 0x80
#define MCR_LOOP 0x10
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

static uint8_t iir(const struct uart_8250 *u)
{
	uint8_t fifo = u->fifo_enabled ? IIR_FIFO_ON : 0;

	if ((u->ier & IER_RDI) && u->rx_count)
		return fifo | IIR_RDI;
	if ((u->ier & IER_THRI) && u->thr_ipending)
		return fifo | IIR_THRI;
	return fifo | IIR_NO_INT;
}

/* Drive the IRQ line from the interrupt state; called with the lock held. */
static void update_irq(struct uart_8250 *u)
{
	bool level = !(iir(u) & IIR_NO_INT);

	if (level != u->irq_level) {
		u->irq_level = level;
		vm_set_irq(u->vm, u->irq, level);
	}
}

static bool rx_push(struct uart_8250 *u, uint8_t c)
{
	if (u->rx_count == UART_8250_RX_SIZE)
		return false;
	u->rx[(u->rx_head + u->rx_count++) % UART_8250_RX_SIZE] = c;
	return true;
}

static uint8_t rx_pop(struct uart_8250 *u)
{
	uint8_t c;

	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART_8250_RX_SIZE;
	u->rx_count--;
	return c;
}

/* In loopback mode the modem outputs are wired back to the modem inputs. */
static uint8_t msr(const struct uart_8250 *u)
{
	if (!(u->mcr & MCR_LOOP))
		return MSR_DCD | MSR_DSR | MSR_CTS;
	return (uint8_t)((u->mcr & 0x01) << 5 | (u->mcr & 0x02) << 3 |
			 (u->mcr & 0x04) << 4 | (u->mcr & 0x08) << 4);
}

static void transmit(struct uart_8250 *u, uint8_t c)
{
	if (u->mcr & MCR_LOOP)
		rx_push(u, c);
	else
		u->backend.write(u->backend.opaque, &c, 1);
	/* Transmission is instant: the holding register is empty again. */
	u->thr_ipending = true;
}

static uint8_t read_reg(struct uart_8250 *u, unsigned reg)
{
	uint8_t v;

	switch (reg) {
	case RBR_THR:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		return rx_pop(u);
	case IER:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case IIR_FCR:
		v = iir(u);
		/* Reading IIR acknowledges a "transmitter empty" interrupt. */
		if ((v & 0x0f) == IIR_THRI)
			u->thr_ipending = false;
		return v;
	case LCR:
		return u->lcr;
	case MCR:
		return u->mcr;
	case LSR:
		return LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0);
	case MSR:
		return msr(u);
	default:
		return u->scr;
	}
}

static void write_reg(struct uart_8250 *u, unsigned reg, uint8_t v)
{
	switch (reg) {
	case RBR_THR:
		if (u->lcr & LCR_DLAB)
			u->dll = v;
		else
			transmit(u, v);
		break;
	case IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
			break;
		}
		/* Enabling THRI while the transmitter is empty raises it at once. */
		if ((v & IER_THRI) && !(u->ier & IER_THRI))
			u->thr_ipending = true;
		u->ier = v & 0x0f;
		break;
	case IIR_FCR:
		u->fifo_enabled = v & FCR_ENABLE;
		if (v & FCR_CLEAR_RX)
			u->rx_count = 0;
		break;
	case LCR:
		u->lcr = v;
		break;
	case MCR:
		u->mcr = v & 0x1f;
		break;
	case SCR:
		u->scr = v;
		break;
	default:
		break;	/* LSR and MSR are read-only */
	}
}

void uart_8250_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	struct uart_8250 *u = opaque;
	bool wake = false;

	if (len != 1) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	pthread_mutex_lock(&u->lock);
	if (is_write)
		write_reg(u, (unsigned)offset, data[0]);
	else
		data[0] = read_reg(u, (unsigned)offset);
	if (u->backend_waiting && u->rx_count < UART_8250_RX_SIZE / 2) {
		u->backend_waiting = false;
		wake = true;
	}
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
	if (wake && u->backend.room)
		u->backend.room(u->backend.opaque);
}

size_t uart_8250_receive(struct uart_8250 *u, const uint8_t *buf, size_t len)
{
	size_t n = 0;

	pthread_mutex_lock(&u->lock);
	while (n < len && rx_push(u, buf[n]))
		n++;
	if (n < len)
		u->backend_waiting = true;
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
	return n;
}

void uart_8250_init(struct uart_8250 *u, struct vm *vm, uint16_t base, unsigned irq,
		    const struct uart_8250_backend *backend)
{
	memset(u, 0, sizeof(*u));
	pthread_mutex_init(&u->lock, NULL);
	u->vm = vm;
	u->irq = irq;
	u->backend = *backend;
	if (io_bus_register(&vm->pio, base, UART_8250_PORTS, uart_8250_io, u) < 0)
		die("uart: ports %#x-%#x already taken", base, base + UART_8250_PORTS - 1);
}
