/* The vocabulary of the policy files: a rule allows one syscall, maybe only with given arguments. */
#ifndef CAPSULE_SECCOMP_POLICY_H
#define CAPSULE_SECCOMP_POLICY_H

#include <seccomp.h>
#include <sys/ioctl.h>

/*
 * One allowed syscall. Rules for the same syscall add up (any may match);
 * within a rule every comparison must hold. Only the build-time compiler
 * reads these (it links libseccomp); capsule gets the BPF it made.
 */
struct policy_rule {
	int nr;				/* SCMP_SYS(name); -1 ends a list */
	const char *name;
	unsigned ncmp;
	struct scmp_arg_cmp cmp[2];
};

#define CMP(argn, mask, value) \
	{ .arg = (argn), .op = SCMP_CMP_MASKED_EQ, .datum_a = (mask), .datum_b = (value) }

/* The syscall, whatever its arguments. */
#define ALLOW(sys) { SCMP_SYS(sys), #sys, 0, { { 0 } } }

/* The syscall when argument ARGN, masked with MASK, is VALUE. */
#define ALLOW_IF(sys, argn, mask, value) { SCMP_SYS(sys), #sys, 1, { CMP(argn, mask, value) } }

/* The syscall when argument A is VA and argument B is VB (whole values). */
#define ALLOW_IF2(sys, a, va, b, vb) \
	{ SCMP_SYS(sys), #sys, 2, { CMP(a, ~0u, va), CMP(b, ~0u, vb) } }

/* ioctl with request REQ: 32 bits, as the kernel reads it (musl passes an int, sign-extended). */
#define ALLOW_IOCTL(req) ALLOW_IF(ioctl, 1, 0xffffffffu, (req))

#define POLICY_END { -1, 0, 0, { { 0 } } }

/* What every kind may do (policy_common.c), then each kind's own. */
extern const struct policy_rule policy_common[];
#define X(name, words) extern const struct policy_rule policy_##name[];
#include "kinds.h"
SECCOMP_KIND_LIST(X)
#undef X

#endif
