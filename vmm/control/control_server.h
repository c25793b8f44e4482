/* The control socket's server: created at start-up, served by the I/O thread's event loop. */
#ifndef CAPSULE_CONTROL_SERVER_H
#define CAPSULE_CONTROL_SERVER_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "config/config.h"
#include "control/control_dispatch.h"
#include "control/control_info.h"
#include "control/control_lines.h"
#include "event_loop.h"
#include "sandbox/cleanup.h"

#define CONTROL_CLIENTS_MAX 32	/* connected at once; one more is refused with an answer */
#define CONTROL_IDLE_SECONDS 10	/* a client silent this long may lose its slot to a newcomer */
#define CONTROL_KILL_STATUS 137	/* capsule's exit status after "kill", as after SIGKILL */
/* fds the server may need after start-up: every client and one more to refuse. */
#define CONTROL_SPARE_FDS (CONTROL_CLIENTS_MAX + 1)

struct control_server;

struct control_client {
	int fd;				/* -1: a free slot */
	struct control_server *server;
	struct timespec last;		/* when it connected or last sent bytes */
	struct control_lines lines;
};

struct control_server {
	int listen_fd;			/* -1: no control socket ([control] enabled = false) */
	int dir_fd;			/* the socket's directory (O_PATH): removal by name there */
	char name[NAME_MAX + 1];	/* the socket's file name in it */
	char path[CONTROL_PATH_MAX + 1];	/* and its whole path */
	char vm_name[32];		/* "capsule-PID" when no config file names the VM; else "" */
	dev_t dev;			/* what it was: removed only while still ours */
	ino_t ino;
	uid_t owner;			/* capsule's user: it and root may send commands */
	bool handed_over;		/* the cleanup process removes the socket, not capsule */
	bool listening;			/* the listening fd is in the loop (not while out of fds) */
	struct event_loop *loop;
	struct timespec started;	/* CLOCK_MONOTONIC when capsule started: uptime */
	struct control_vm_info info;
	struct control_handler handlers[CONTROL_CMDS];
	struct control_client clients[CONTROL_CLIENTS_MAX];
	struct control_answer answer;	/* the one being sent; the loop is single-threaded */
};

/*
 * Create the control socket CFG asks for ([control]), before the sandbox:
 * the default directory (0700) when missing, the socket (0600), listening. A live
 * socket of the same path is refused ("already running"); a stale one (no
 * listener) is replaced; anything else there is left alone and refused.
 * UNIQUE (no config file was given, so every VM would be "capsule") makes
 * the default name "capsule-PID". Until control_server_hand_over(), capsule
 * removes the socket itself if it exits. With [control] enabled = false,
 * S gets no socket and every other call does nothing. 0, or -1 with ERR.
 */
int control_server_open(struct control_server *s, const struct config *cfg, bool unique,
			char *err, size_t errlen);

/*
 * What the cleanup process needs to remove the socket when capsule ends,
 * into F (dir_fd -1 when there is no socket); from now on capsule leaves
 * the removal to it. Call it just before cleanup_start().
 */
void control_server_hand_over(struct control_server *s, struct cleanup_file *f);

/*
 * Serve on LOOP (its thread) from now on: the built-in commands (info vm,
 * described by INFO, with STARTED as capsule's start; kill). 0 or -errno.
 */
int control_server_start(struct control_server *s, struct event_loop *loop,
			 const struct control_vm_info *info, const struct timespec *started);

/*
 * From now on command CMD runs FN(OPAQUE, ...) on the loop's thread; before,
 * it answers "not available in this build". Call it after
 * control_server_open() (which clears the table) and before the loop runs;
 * with no socket ([control] enabled = false) it is harmless. A handler that
 * changes the VM's state (pause, resume) points S->info.state at the new
 * one ("paused", "running"): info vm reports it.
 */
void control_server_handle(struct control_server *s, enum control_cmd cmd, control_fn fn,
			   void *opaque);

#endif
