/*
 * What the monitor asks of the guest's init: the file RUN_REQUEST_FILE, in a
 * cpio archive the monitor appends to the initrd (Linux unpacks it into the
 * initramfs before init runs). Unlike the kernel command line it has no size
 * limit: the command and its environment arrive whole. (A virtio port would
 * do too, but it would make the console multiport on a terminal, and hvc0
 * would then come up after the kernel looks for its console, now and then.)
 *
 * The request is a sequence of records "KEY=VALUE\0"; KEY has no '=', VALUE
 * anything but NUL. The first record is RUN_REQUEST_MAGIC, the last
 * "end=" (a request cut short is refused). Keys may repeat where it says so,
 * and their order is kept.
 */
#ifndef CAPSULE_ABI_RUN_REQUEST_H
#define CAPSULE_ABI_RUN_REQUEST_H

#define RUN_REQUEST_FILE "/capsule.request"
#define RUN_REQUEST_MAGIC "capsule-request=1"

#define RUN_KEY_ARGV "argv"		/* repeated: the command and its arguments; none: a shell */
#define RUN_KEY_ENV "env"		/* repeated: NAME=VALUE, over init's defaults */
#define RUN_KEY_WORKDIR "workdir"	/* absolute; made if missing; default the user's home */
#define RUN_KEY_USER "user"		/* UID[:GID] or NAME[:GROUP], in the root's /etc files */
#define RUN_KEY_TTY "tty"		/* "1": the command gets the terminal (hvc0), not the ports */
#define RUN_KEY_WINSIZE "winsize"	/* ROWSxCOLS: the terminal's size at start, for hvc0 */
#define RUN_KEY_ROOT "root"		/* /dev/vdX: mount it (ext4) as the command's root */
#define RUN_KEY_COPY_IN "copy-in"	/* repeated: a guest path RUN_COPY_IN_PORT's stream (untarred at /) fills */
#define RUN_KEY_COPY_OUT "copy-out"	/* repeated: a path (relative to /) to tar to RUN_COPY_OUT_PORT */
#define RUN_KEY_END "end"

/* A tar stream of the --copy-in trees, members named by guest path without the leading '/'. */
#define RUN_COPY_IN_PORT "capsule.copy-in"
/*
 * The --copy-out trees, tarred after the command ends. The guest closes the
 * port at the end of the stream; the host closes its side once it has taken
 * all of it, which tells init it may end the VM.
 */
#define RUN_COPY_OUT_PORT "capsule.copy-out"

#endif
