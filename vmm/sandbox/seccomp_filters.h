/* The seccomp filters the build compiled from seccomp/policy_*.c (out/seccomp/filters.c defines them). */
#ifndef CAPSULE_SECCOMP_FILTERS_H
#define CAPSULE_SECCOMP_FILTERS_H

#include <linux/filter.h>

#include "kinds.h"

enum seccomp_kind {
#define X(name, words) SECCOMP_KIND_##name,
	SECCOMP_KIND_LIST(X)
#undef X
	SECCOMP_KINDS
};

struct seccomp_bpf {
	const struct sock_filter *insns;
	unsigned short len;
};

/* One kind's filter in both modes: a syscall outside its policy traps (SIGSYS) or is only logged. */
struct seccomp_filter_set {
	const char *words;		/* "I/O thread", for messages */
	struct seccomp_bpf enforce, log;
};

extern const struct seccomp_filter_set seccomp_filters[SECCOMP_KINDS];

/* x86-64 syscall names by number (NULL: none), for the report of a forbidden one. */
#define SECCOMP_SYSCALL_NAMES 512
extern const char *const seccomp_syscall_names[SECCOMP_SYSCALL_NAMES];

#endif
