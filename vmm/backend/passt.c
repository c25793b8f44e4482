/* The user-mode network backend: passt as capsule's child, frames over a socket pair, no offloads, one queue. */
#include "backend/passt.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backend/passt_stream.h"
#include "log.h"
#include "util/iov.h"

/* How long passt may take to answer its first ARP request (an emulated host is slow). */
#define READY_TIMEOUT_MS 30000

struct passt {
	struct net_backend be;
	pid_t pid;
	int pidfd;			/* signals reach passt and nothing else; -1 without one */
	bool reported;			/* a broken stream was reported once */
	struct passt_rx rx;		/* the I/O thread's */
	struct passt_tx tx;		/* the sending thread's (a PCI NIC's vCPU, or the I/O thread) */
};

static int send_frame(struct net_backend *be, unsigned queue, const struct iovec *iov, unsigned n)
{
	struct passt *p = (struct passt *)be;

	(void)queue;
	return passt_tx_send(&p->tx, be->fds[0], iov, n);
}

/* Said once: after it the stream is over, and the device models stop reading it. */
static void report(struct passt *p, ssize_t err)
{
	if (p->reported)
		return;
	p->reported = true;
	if (err == -EPROTO)
		log_error("%s: a frame of %u bytes (passt's must be %u to %u): the stream is broken; "
			  "no more frames from it", p->be.name,
			  (unsigned)p->rx.buf[0] << 24 | (unsigned)p->rx.buf[1] << 16 |
				  (unsigned)p->rx.buf[2] << 8 | p->rx.buf[3],
			  PASST_FRAME_MIN, PASST_FRAME_MAX);
}

static ssize_t recv_frame(struct net_backend *be, unsigned queue, const struct iovec *iov, unsigned n)
{
	static const struct net_hdr none;
	struct passt *p = (struct passt *)be;
	ssize_t len = passt_rx_read(&p->rx, be->fds[0]);

	(void)queue;
	if (len < 0) {
		if (len != -EAGAIN)
			report(p, len);
		return len;
	}
	/* No offloads: the header says nothing, and a frame too long for IOV is cut (the caller drops it). */
	iov_from_buf(iov, n, 0, &none, NET_HDR_LEN);
	iov_from_buf(iov, n, NET_HDR_LEN, p->rx.buf + PASST_LEN_BYTES, (size_t)len);
	return NET_HDR_LEN + len;
}

static int set_rx_offloads(struct net_backend *be, unsigned offloads)
{
	(void)be;
	return offloads ? -EINVAL : 0;
}

static int set_queues(struct net_backend *be, unsigned n)
{
	(void)be;
	return n == 1 ? 0 : -EINVAL;
}

/*
 * Stop passt and reap it: its end of the stream closing ends it, SIGTERM
 * too (one that lingers). The signal goes through the pidfd: the I/O
 * thread's policy allows no kill(), whose pid cannot be checked there.
 */
static void close_passt(struct net_backend *be)
{
	struct passt *p = (struct passt *)be;

	if (be->fds[0] >= 0)
		close(be->fds[0]);
	if (p->pidfd >= 0) {
		syscall(SYS_pidfd_send_signal, p->pidfd, SIGTERM, NULL, 0);
		close(p->pidfd);
	}
	if (p->pid > 0)
		while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
			;
	free(p);
}

static const struct net_backend_ops passt_ops = {
	.send = send_frame,
	.recv = recv_frame,
	.set_rx_offloads = set_rx_offloads,
	.set_queues = set_queues,
	.close = close_passt,
};

/*
 * The child: stdin and stdout on /dev/null, nothing of capsule's open but
 * stderr and FD, a session of its own (the terminal's Ctrl-C, Ctrl-Z and
 * hangup are capsule's to handle; capsule stops passt itself).
 */
static _Noreturn void exec_passt(const char *path, char **argv, int fd, pid_t parent)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	/* Gone with capsule even if the socket somehow stayed open. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
		_exit(127);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || setsid() < 0)
		_exit(127);
	/* Everything above stderr but FD (close_range, as the transfer helpers do; a loop before 5.9). */
	if ((fd > 3 && syscall(SYS_close_range, 3, fd - 1, 0) < 0) ||
	    syscall(SYS_close_range, fd + 1, ~0u, 0) < 0)
		for (int i = 3; i < 65536; i++)
			if (i != fd)
				close(i);
	signal(SIGPIPE, SIG_DFL);
	execv(path, argv);
	fprintf(stderr, "capsule: %s: %s\n", path, strerror(errno));
	_exit(127);
}

static int spawn(struct passt *p, const struct passt_options *o, char *err, size_t errlen)
{
	char *argv[PASST_ARGV_MAX], buf[PASST_ARGBUF];
	pid_t parent = getpid();
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(err, errlen, "passt: socketpair: %s", strerror(errno));
		return -1;
	}
	p->be.fds[0] = sv[0];
	passt_argv(o, sv[1], geteuid() == 0, argv, buf);
	p->pid = fork();
	if (p->pid == 0) {
		fcntl(sv[1], F_SETFD, 0);
		exec_passt(o->path, argv, sv[1], parent);
	}
	close(sv[1]);
	if (p->pid < 0) {
		snprintf(err, errlen, "passt: fork: %s", strerror(errno));
		p->pid = 0;
		return -1;
	}
	/* Not reaped before close_passt(): the pid stays passt's. Without pidfds (Linux < 5.3): EOF only. */
	p->pidfd = (int)syscall(SYS_pidfd_open, p->pid, 0);
	if (fcntl(sv[0], F_SETFL, O_NONBLOCK) < 0) {
		snprintf(err, errlen, "passt: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* An ARP request from the guest's address for the gateway's: passt answers once it serves. */
static void arp_probe(const struct passt_options *o, uint8_t *f)
{
	static const uint8_t head[] = { 0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, 1 };

	memset(f, 0, NET_HDR_LEN + 42);
	f += NET_HDR_LEN;
	memset(f, 0xff, 6);
	memcpy(f + 6, o->guest_mac, 6);
	memcpy(f + 12, head, sizeof(head));
	memcpy(f + 22, o->guest_mac, 6);
	memcpy(f + 28, &o->addr, 4);
	memcpy(f + 38, &o->gateway, 4);
}

/* Whether the frame in RX (LEN bytes) is the gateway's ARP reply. */
static bool arp_answer(const struct passt_rx *rx, ssize_t len, const struct passt_options *o)
{
	const uint8_t *f = rx->buf + PASST_LEN_BYTES;

	return len >= 42 && f[12] == 0x08 && f[13] == 0x06 && f[20] == 0 && f[21] == 2 &&
	       !memcmp(f + 28, &o->gateway, 4);
}

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Ask, and wait for the answer: 0, or -1 with ERR saying why passt is not there. */
static int wait_ready(struct passt *p, const struct passt_options *o, char *err, size_t errlen)
{
	uint8_t probe[NET_HDR_LEN + 42];
	struct iovec iov = { probe, sizeof(probe) };
	struct pollfd pfd = { p->be.fds[0], POLLIN, 0 };
	long deadline = now_ms() + READY_TIMEOUT_MS;
	ssize_t ret;

	arp_probe(o, probe);
	ret = passt_tx_send(&p->tx, p->be.fds[0], &iov, 1);
	/* Budget: bounded by the deadline; each frame that is no answer is read and dropped. */
	while (ret == 0 || ret == -EAGAIN) {
		long left = deadline - now_ms();

		if (left <= 0) {
			snprintf(err, errlen, "passt did not answer within %d s", READY_TIMEOUT_MS / 1000);
			return -1;
		}
		if (passt_tx_pending(&p->tx)) {
			ret = passt_tx_send(&p->tx, p->be.fds[0], &iov, 1);
			pfd.events = POLLIN | POLLOUT;
		} else
			pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			break;
		ret = passt_rx_read(&p->rx, p->be.fds[0]);
		if (ret > 0 && arp_answer(&p->rx, ret, o))
			return 0;
		if (ret > 0)
			ret = 0;
	}
	snprintf(err, errlen, "passt ended before it served (%s; its own message, if any, is above)",
		 ret == -EPROTO ? "it broke the stream's framing" : "it closed the connection");
	return -1;
}

int passt_open(const struct passt_options *o, struct net_backend **out, char *err, size_t errlen)
{
	struct passt *p;

	if (o->nforwards > PASST_FORWARDS_MAX) {
		snprintf(err, errlen, "more than %d forwarded ports", PASST_FORWARDS_MAX);
		return -1;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p->be.ops = &passt_ops;
	p->be.queues = 1;
	p->be.mtu = 1500;
	p->pidfd = -1;
	for (unsigned q = 0; q < NET_QUEUES_MAX; q++)
		p->be.fds[q] = -1;
	/* A peer gone while capsule writes is an error return, not a signal ending capsule. */
	signal(SIGPIPE, SIG_IGN);
	if (spawn(p, o, err, errlen) < 0 || wait_ready(p, o, err, errlen) < 0) {
		close_passt(&p->be);
		return -1;
	}
	snprintf(p->be.name, sizeof(p->be.name), "passt (pid %d)", (int)p->pid);
	*out = &p->be;
	return 0;
}
