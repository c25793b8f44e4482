/* pause, resume and shutdown on the control socket: the lifecycle's requests and their answers. */
#ifndef CAPSULE_LIFECYCLE_CONTROL_H
#define CAPSULE_LIFECYCLE_CONTROL_H

#include "control/control_server.h"
#include "lifecycle.h"

struct lifecycle_control {
	struct lifecycle *lc;
	struct control_server *server;
};

/*
 * Serve pause, resume and shutdown [SECONDS] on S with LC: each answers with
 * the VM's new "state"; shutdown also with its "timeout" (seconds). Pausing
 * a paused VM, resuming a running one, or a second shutdown is an error
 * answer saying so. Before the loop runs.
 */
void lifecycle_control_register(struct lifecycle_control *lcc, struct lifecycle *lc,
				struct control_server *s);

/* Point info vm's state at the lifecycle's, after a change that came another way (a signal). */
void lifecycle_control_update(struct lifecycle_control *lcc);

#endif
