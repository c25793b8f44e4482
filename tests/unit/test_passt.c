/* Unit tests of passt's stream framing (a socket pair stands in for passt) and of passt's command line. */
#include <errno.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend/passt.h"
#include "backend/passt_stream.h"
#include "check.h"

static struct passt_rx rx;
static struct passt_tx tx;

/* A socket pair, both ends non-blocking: [0] capsule's, [1] passt's. */
static void pair(int sv[2])
{
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	memset(&rx, 0, sizeof(rx));
	memset(&tx, 0, sizeof(tx));
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static int pending_bytes(int fd)
{
	int n = -1;

	ioctl(fd, FIONREAD, &n);
	return n;
}

/* A frame arriving a byte at a time is whole only at its last byte; the next one stays in the socket. */
static void rx_in_pieces(void)
{
	uint8_t rec[4 + 60 + 4 + 20];
	int sv[2];
	ssize_t r = 0;

	pair(sv);
	put_be32(rec, 60);
	for (int i = 0; i < 60; i++)
		rec[4 + i] = (uint8_t)i;
	put_be32(rec + 64, 20);
	memset(rec + 68, 0xee, 20);
	for (int i = 0; i < 64; i++) {
		CHECK(write(sv[1], rec + i, 1) == 1);
		r = passt_rx_read(&rx, sv[0]);
		if (i < 63)
			CHECK(r == -EAGAIN);
	}
	CHECK(r == 60);
	CHECK(rx.buf[4] == 0 && rx.buf[4 + 59] == 59);
	/* The next record as a whole, after nothing: -EAGAIN, then it, and nothing read past it. */
	CHECK(passt_rx_read(&rx, sv[0]) == -EAGAIN);
	CHECK(write(sv[1], rec + 64, 24) == 24);
	CHECK(write(sv[1], rec, 10) == 10);	/* the start of a third */
	CHECK(passt_rx_read(&rx, sv[0]) == 20);
	CHECK(rx.buf[4] == 0xee && rx.buf[23] == 0xee);
	CHECK(pending_bytes(sv[0]) == 10);
	close(sv[0]);
	close(sv[1]);
}

/* Lengths out of bounds and the end of the stream: errors that stay. */
static void rx_errors(void)
{
	static const uint32_t bad[] = { 0, 13, PASST_FRAME_MAX + 1, 0xffffffffu };
	uint8_t word[4];
	int sv[2];

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pair(sv);
		put_be32(word, bad[i]);
		CHECK(write(sv[1], word, 4) == 4);
		CHECK(passt_rx_read(&rx, sv[0]) == -EPROTO);
		CHECK(passt_rx_read(&rx, sv[0]) == -EPROTO);
		close(sv[0]);
		close(sv[1]);
	}
	/* Both bounds themselves are frames. */
	pair(sv);
	put_be32(word, PASST_FRAME_MIN);
	CHECK(write(sv[1], word, 4) == 4);
	CHECK(write(sv[1], "0123456789abcd", 14) == 14);
	CHECK(passt_rx_read(&rx, sv[0]) == PASST_FRAME_MIN);
	/* The peer goes, mid-record. */
	CHECK(write(sv[1], word, 3) == 3);
	close(sv[1]);
	CHECK(passt_rx_read(&rx, sv[0]) == -EPIPE);
	CHECK(passt_rx_read(&rx, sv[0]) == -EPIPE);
	close(sv[0]);
}

/* The fuzz target's entry: the same records, fed from memory. */
static void rx_feed(void)
{
	uint8_t data[4 + 14 + 2];
	size_t used;

	memset(&rx, 0, sizeof(rx));
	put_be32(data, 14);
	memset(data + 4, 1, 14);
	data[18] = 0;
	data[19] = 0;
	CHECK(passt_rx_feed(&rx, data, 10, &used) == -EAGAIN && used == 10);
	CHECK(passt_rx_feed(&rx, data + 10, 10, &used) == 14 && used == 8);
	CHECK(passt_rx_feed(&rx, data + 18, 2, &used) == -EAGAIN && used == 2);
	CHECK(passt_rx_feed(&rx, data + 18, 2, &used) == -EPROTO);	/* length 0 */
}

/* A frame in IOV form: the 12-byte header, then LEN bytes of FILL in two pieces. */
static uint8_t frame_a[65000], frame_b[300];

static unsigned as_iov(struct iovec *iov, uint8_t *f, size_t len)
{
	static uint8_t hdr[NET_HDR_LEN] = { 0xaa };

	iov[0] = (struct iovec){ hdr, NET_HDR_LEN };
	iov[1] = (struct iovec){ f, 7 };
	iov[2] = (struct iovec){ f + 7, len - 7 };
	return 3;
}

/* Read every whole record on the peer's side; check each is A or B in order ORDER. */
static void drain(int fd, const char *order, unsigned *seen)
{
	ssize_t r;

	while ((r = passt_rx_read(&rx, fd)) > 0) {
		uint8_t *want = order[*seen] == 'A' ? frame_a : frame_b;
		size_t len = order[*seen] == 'A' ? sizeof(frame_a) : sizeof(frame_b);

		CHECK((size_t)r == len && !memcmp(rx.buf + 4, want, len));
		(*seen)++;
	}
	CHECK(r == -EAGAIN);
}

/*
 * A record the socket takes only part of: the rest goes before anything
 * else, whether the caller sends the same frame again (virtio-net holding
 * it) or another one (a PCI NIC that dropped it): the peer sees A then B,
 * whole, never A twice.
 */
static void tx_partial(bool resend_a)
{
	struct iovec a[3], b[3];
	unsigned na = as_iov(a, frame_a, sizeof(frame_a)), nb = as_iov(b, frame_b, sizeof(frame_b));
	int sv[2], small = 4096, r, turns = 0;
	unsigned seen = 0;

	for (size_t i = 0; i < sizeof(frame_a); i++)
		frame_a[i] = (uint8_t)(i * 7);
	memset(frame_b, 0xb0, sizeof(frame_b));
	pair(sv);
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	r = passt_tx_send(&tx, sv[0], a, na);
	CHECK(r == -EAGAIN && passt_tx_pending(&tx));
	CHECK(pending_bytes(sv[1]) > 0);	/* a part went */
	do {
		drain(sv[1], "AB", &seen);
		r = resend_a ? passt_tx_send(&tx, sv[0], a, na) : passt_tx_send(&tx, sv[0], b, nb);
	} while (r == -EAGAIN && ++turns < 10000);
	CHECK(r == 0);
	if (resend_a)
		do {
			drain(sv[1], "AB", &seen);
			r = passt_tx_send(&tx, sv[0], b, nb);
		} while (r == -EAGAIN && ++turns < 10000);
	CHECK(r == 0 && !passt_tx_pending(&tx));
	drain(sv[1], "AB", &seen);
	CHECK(seen == 2);
	CHECK(pending_bytes(sv[1]) == 0);
	close(sv[0]);
	close(sv[1]);
}

static void tx_partial_same_again(void)
{
	tx_partial(true);
}

static void tx_partial_then_other(void)
{
	tx_partial(false);
}

/* Out of bounds: dropped before anything is written; a closed peer: an error, no signal. */
static void tx_errors(void)
{
	uint8_t small[NET_HDR_LEN + 14] = { 0 };
	struct iovec iov = { small, sizeof(small) - 1 };
	struct iovec big[2] = { { small, sizeof(small) }, { frame_a, PASST_FRAME_MAX } };
	int sv[2];

	signal(SIGPIPE, SIG_IGN);
	pair(sv);
	CHECK(passt_tx_send(&tx, sv[0], &iov, 1) == -EINVAL);
	CHECK(passt_tx_send(&tx, sv[0], big, 2) == -EINVAL);
	CHECK(pending_bytes(sv[1]) == 0);
	close(sv[1]);
	iov.iov_len = sizeof(small);
	CHECK(passt_tx_send(&tx, sv[0], &iov, 1) == -EPIPE);
	close(sv[0]);
}

/* The command line: the socket, the addresses, and forwards bound to 127.0.0.1 only. */
static void command_line(void)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	static const struct passt_forward fwd[] = { { 8080, 80, false }, { 5353, 53, true } };
	struct passt_options o = { .guest_mac = mac, .prefix = 24, .forwards = fwd, .nforwards = 2 };
	char *argv[PASST_ARGV_MAX], buf[PASST_ARGBUF], line[1024] = "";

	o.addr.s_addr = htonl(0x0a00020f);
	o.gateway.s_addr = htonl(0x0a000202);
	o.dns.s_addr = htonl(0x0a000203);
	passt_argv(&o, 5, false, argv, buf);
	for (char **a = argv; *a; a++)
		check_log(line, sizeof(line), "%s%s", a == argv ? "" : " ", *a);
	CHECK_STR(line, "passt --foreground --quiet --fd 5 --ipv4-only --interface lo --mac-addr "
			"02:ca:95:00:02:02 --address 10.0.2.15 --netmask 24 --gateway 10.0.2.2 "
			"--dns-forward 10.0.2.3 -t 127.0.0.1/8080:80 -u 127.0.0.1/5353:53");
	o.nforwards = 0;
	line[0] = '\0';
	passt_argv(&o, 5, true, argv, buf);
	for (char **a = argv; *a; a++)
		check_log(line, sizeof(line), "%s%s", a == argv ? "" : " ", *a);
	CHECK(strstr(line, " --runas nobody -t none -u none") != NULL);
}

int main(void)
{
	RUN(rx_in_pieces);
	RUN(rx_errors);
	RUN(rx_feed);
	RUN(tx_partial_same_again);
	RUN(tx_partial_then_other);
	RUN(tx_errors);
	RUN(command_line);
	return CHECK_SUMMARY();
}
