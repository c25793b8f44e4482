/* pause, resume and shutdown on the control socket: the lifecycle's requests and their answers. */
#include "lifecycle_control.h"

#include <errno.h>

#include "log.h"

/* The VM's state for info vm, after any change (a command's or a signal's). */
void lifecycle_control_update(struct lifecycle_control *lcc)
{
	if (lcc->server)
		lcc->server->info.state = lifecycle_state(lcc->lc);
}

/* The answer's members after a change: the state now. */
static int answer(struct lifecycle_control *lcc, struct control_answer *a)
{
	lifecycle_control_update(lcc);
	control_answer_str(a, "state", lifecycle_state(lcc->lc));
	return 0;
}

/* Why a request cannot be done in the state the VM is in; other failures are strerror's. */
static int refuse(struct lifecycle_control *lcc, struct control_answer *a, int err)
{
	lifecycle_control_update(lcc);
	if (err == -EBUSY)
		return control_answer_error(a, "the VM is %s", lifecycle_shutting_down(lcc->lc) ?
					    "shutting down" : "ending");
	return err;
}

static int pause_vm(void *opaque, const struct control_request *req, struct control_answer *a)
{
	struct lifecycle_control *lcc = opaque;
	int ret = lifecycle_pause(lcc->lc);

	(void)req;
	if (ret == -EALREADY)
		return control_answer_error(a, "the VM is already paused");
	return ret < 0 ? refuse(lcc, a, ret) : answer(lcc, a);
}

static int resume_vm(void *opaque, const struct control_request *req, struct control_answer *a)
{
	struct lifecycle_control *lcc = opaque;
	int ret = lifecycle_resume(lcc->lc);

	(void)req;
	if (ret == -EALREADY)
		return control_answer_error(a, "the VM is not paused");
	/* Resumed even when a clock or interrupt could not be put back: say so, it runs. */
	return ret < 0 ? refuse(lcc, a, ret) : answer(lcc, a);
}

static int shutdown_vm(void *opaque, const struct control_request *req, struct control_answer *a)
{
	struct lifecycle_control *lcc = opaque;
	int ret = lifecycle_shutdown(lcc->lc, req->seconds * 1000, LIFECYCLE_GUEST_STATUS);

	if (ret == -EALREADY)
		return control_answer_error(a, "the VM is already shutting down");
	if (ret < 0)
		return refuse(lcc, a, ret);
	log_error("shutting the guest down (control socket; killed after %u s)", req->seconds);
	control_answer_u64(a, "timeout", req->seconds);
	return answer(lcc, a);
}

void lifecycle_control_register(struct lifecycle_control *lcc, struct lifecycle *lc,
				struct control_server *s)
{
	lcc->lc = lc;
	lcc->server = s;
	control_server_handle(s, CONTROL_PAUSE, pause_vm, lcc);
	control_server_handle(s, CONTROL_RESUME, resume_vm, lcc);
	control_server_handle(s, CONTROL_SHUTDOWN, shutdown_vm, lcc);
}
