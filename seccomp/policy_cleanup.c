/* The cleanup process: waits for capsule to end, then takes its taps off their bridges. */
#include <linux/sockios.h>

#include "policy.h"

const struct policy_rule policy_cleanup[] = {
	ALLOW(read),			/* the pipe whose end says capsule is gone */
	ALLOW_IOCTL(SIOCBRDELIF),	/* a tap off the bridge capsule put it on */
	ALLOW_IOCTL(SIOCSIFFLAGS),	/* a tap down again, as it was found */
	ALLOW(close),
	POLICY_END
};
