/* The balloon's control commands: "info balloon" and "balloon SIZE", on the I/O thread. */
#ifndef CAPSULE_CONTROL_BALLOON_H
#define CAPSULE_CONTROL_BALLOON_H

#include "control/control_dispatch.h"

/*
 * The handlers (control_fn) of CONTROL_INFO_BALLOON and CONTROL_BALLOON; their
 * opaque is the struct virtio_balloon, or NULL for a VM without one
 * ([balloon] enabled = false), which both then answer with an error.
 *
 * info balloon: ready (the guest's driver is up), memory, target and actual
 * (bytes: the guest's size the host asks for and the one the driver reached),
 * reached_ms (from the latest target to actual reaching it, once it has),
 * features (what the driver negotiated), stats (the guest's latest memory
 * statistics, those it sent: bytes, faults as counts, and age_ms) and
 * counters (4 KiB pages, or buffers: what the device did and refused).
 *
 * balloon SIZE: asks the guest to be SIZE bytes (at least 1M, at most its
 * memory; rounded up to 4 KiB), answers at once with memory, target and actual
 * as they are: the driver gets there in its own time.
 */
int control_balloon_info(void *balloon, const struct control_request *req,
			 struct control_answer *a);
int control_balloon_set(void *balloon, const struct control_request *req,
			struct control_answer *a);

#endif
