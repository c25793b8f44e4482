/* The cleanup process: waits for capsule to end, then takes its taps off their bridges and removes its control socket. */
#include <fcntl.h>
#include <linux/sockios.h>

#include "policy.h"

const struct policy_rule policy_cleanup[] = {
	ALLOW(read),			/* the pipe whose end says capsule is gone */
	ALLOW_IOCTL(SIOCBRDELIF),	/* a tap off the bridge capsule put it on */
	ALLOW_IOCTL(SIOCSIFFLAGS),	/* a tap down again, as it was found */
	/* The control socket, by name in its directory (an fd from before the jail), if still ours. */
	ALLOW_IF(newfstatat, 3, ~0u, AT_SYMLINK_NOFOLLOW),
	ALLOW_IF(unlinkat, 2, ~0u, 0),
	ALLOW(close),
	POLICY_END
};
