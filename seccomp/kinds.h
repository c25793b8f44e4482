/* The kinds of thread (and process) capsule runs, each under its own seccomp policy. */
#ifndef CAPSULE_SECCOMP_KINDS_H
#define CAPSULE_SECCOMP_KINDS_H

/*
 * X(NAME, WORDS): seccomp/policy_NAME.c holds policy_NAME[], the build-time
 * compiler (seccomp/compile.c) turns it into a filter, the monitor installs
 * it as SECCOMP_KIND_NAME, and tests/unit/test_seccomp.c tries every kind.
 * A kind added here without its policy file does not build. A new thread
 * must install its kind's filter first thing (threads start before the main
 * thread's filter, which forbids starting more): one that does not shows
 * "Seccomp: 0" and fails tests/acceptance/sandbox.bats.
 */
#define SECCOMP_KIND_LIST(X)                                               \
	X(io, "I/O thread")		/* the main thread, from its event loop on */ \
	X(vcpu, "vCPU thread")                                             \
	X(blk, "block worker")		/* virtio-blk requests on the backend */ \
	X(copier, "stdin copier")	/* a file on stdin, into a pipe */ \
	X(cleanup, "cleanup process")	/* puts host taps back when capsule ends */ \
	X(transfer_send, "copy-in process")	/* host trees into a tar stream */ \
	X(transfer_receive, "copy-out process")	/* a tar stream into host trees */

#endif
