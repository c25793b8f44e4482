/* What every thread of capsule may do: locks, memory, log lines, the time, ending. */
#include <sys/mman.h>

#include "policy.h"

const struct policy_rule policy_common[] = {
	ALLOW(futex),			/* mutexes, condition variables, thread joins */
	ALLOW(write),			/* log lines; eventfd kicks (irqfds, the loop's stop) */
	ALLOW(writev),			/* stdio's log lines */
	ALLOW(clock_gettime),		/* when the vDSO cannot answer */
	ALLOW(gettimeofday),
	/* The allocator: memory, never executable. */
	ALLOW_IF(mmap, 2, PROT_EXEC, 0),
	ALLOW_IF(mprotect, 2, PROT_EXEC, 0),
	ALLOW(munmap),
	ALLOW(mremap),
	ALLOW(brk),
	ALLOW_IF(madvise, 2, ~0u, MADV_DONTNEED),	/* and the balloon's pages (I/O thread) */
	ALLOW_IF(madvise, 2, ~0u, MADV_FREE),
	ALLOW(rt_sigprocmask),		/* musl masks signals around thread exit */
	ALLOW(rt_sigreturn),		/* back from the vCPU kick and SIGSYS handlers */
	ALLOW(fdatasync),		/* the SIGSYS handler makes written disk data durable */
	ALLOW(exit),			/* a thread ends */
	ALLOW(exit_group),		/* capsule ends */
	POLICY_END
};
