/* The stdin copier: a stdin epoll cannot watch (a file, /dev/null) copied into a pipe. */
#include "policy.h"

const struct policy_rule policy_copier[] = {
	ALLOW(read),			/* stdin */
	ALLOW(close),			/* the pipe's end: the guest reads end of file */
	POLICY_END
};
