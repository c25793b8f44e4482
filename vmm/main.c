/* capsule: parse the config, build the VM, start the vCPUs, serve I/O until the guest ends. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "abi/guest_port.h"
#include "backend/chardev_stdio.h"
#include "backend/tap.h"
#include "console.h"
#include "blobs.h"
#include "boot.h"
#include "cli.h"
#include "cmdline.h"
#include "config/config.h"
#include "control/control_balloon.h"
#include "control/control_client.h"
#include "control/control_server.h"
#include "cpu_x86.h"
#include "legacy/guest_port.h"
#include "legacy/i8042.h"
#include "lifecycle.h"
#include "lifecycle_control.h"
#include "log.h"
#include "nics.h"
#include "run_copies.h"
#include "run_request.h"
#include "sandbox/cleanup.h"
#include "sandbox/jail.h"
#include "sandbox/seccomp.h"
#include "start_clock.h"
#include "vcpu.h"
#include "virtio/virtio_balloon.h"
#include "virtio/virtio_blk.h"
#include "virtio/virtio_bus.h"
#include "vm.h"

/* Everything one VM is made of; built in main(), in order. */
struct machine {
	struct cli cli;
	struct config cfg;
	struct event_loop loop;
	struct vm vm;
	struct console console;
	struct i8042 kbc;
	struct guest_port port;
	struct virtio_bus virtio;
	struct block_backend *backends[CONFIG_DISKS_MAX];
	struct virtio_blk disks[CONFIG_DISKS_MAX];
	struct nics nics;
	bool pci;		/* the VM has PCI devices: the kernel looks for the bus */
	struct virtio_balloon balloon;
	struct vcpu vcpus[CONFIG_VCPUS_MAX];
	struct lifecycle lc;
	struct lifecycle_control lc_control;
	struct jail_options jail;
	struct cleanup cleanup;
	struct control_server control;
	struct start_clock clock;	/* --boot-time */
	int root_disk;			/* the index of the root image's disk; negative: none */
	struct run_request request;	/* for init, appended to the initrd */
	struct run_copies copies;	/* --copy-in, --copy-out */
	int copy_in_fd, copy_out_fd;	/* their streams, for the console */
	int signal_fd;
};

/* fds the jail leaves room for, for what is opened at run time: control clients. */
#define SPARE_FDS CONTROL_SPARE_FDS

/* NAME for the next --disk: "cli-N", the first N no [disk] section of the config took. */
static void cli_disk_name(const struct config *cfg, char *name, size_t size)
{
	for (unsigned n = 0, taken = 1; taken; n++) {
		snprintf(name, size, "cli-%u", n);
		taken = 0;
		for (unsigned i = 0; i < cfg->ndisks; i++)
			taken |= !strcmp(cfg->disks[i].name, name);
	}
}

static void load_config(struct machine *m)
{
	char err[1024];

	if (config_parse_text(&m->cfg, "built-in default.conf", blob_default_conf_start, NULL,
			      err, sizeof(err)) < 0)
		die("%s", err);
	if (m->cli.config && config_load_file(&m->cfg, m->cli.config, err, sizeof(err)) < 0)
		die_status(EXIT_CAPSULE_USAGE, "%s", err);
	for (unsigned i = 0; i < m->cli.ndisks; i++) {
		char name[16];

		cli_disk_name(&m->cfg, name, sizeof(name));
		if (config_add_snapshot_disk(&m->cfg, name, m->cli.disks[i], err, sizeof(err)) < 0)
			die_status(EXIT_CAPSULE_USAGE, "%s", err);
	}
	if (m->cli.persist && !m->cli.image)
		die_status(EXIT_CAPSULE_USAGE, "--persist needs --image");
	m->root_disk = config_add_root_disk(&m->cfg, m->cli.image, m->cli.persist, err, sizeof(err));
	if (m->root_disk == -1)
		die_status(EXIT_CAPSULE_USAGE, "%s", err);
	if (config_apply_net_cli(&m->cfg, m->cli.net_user, m->cli.publish, m->cli.npublish, err,
				 sizeof(err)) < 0)
		die_status(EXIT_CAPSULE_USAGE, "%s", err);
	config_finish(&m->cfg, m->cli.config);
}

/* Map a kernel or initrd file named in the config; the built-in blob otherwise. */
static const uint8_t *image(const char *path, const uint8_t *start, const uint8_t *end, size_t *size)
{
	struct stat st;
	void *p;
	int fd;

	if (!*path) {
		*size = (size_t)(end - start);
		return start;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		die_status(EXIT_CAPSULE_USAGE, "%s: %s", path, strerror(errno));
	if (st.st_size == 0)
		die_status(EXIT_CAPSULE_USAGE, "%s: empty file", path);
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		die("%s: %s", path, strerror(errno));
	close(fd);
	*size = (size_t)st.st_size;
	return p;
}

/*
 * An image copied into the guest: its pages in capsule (the binary's own, or a
 * file's mapping) would only count against capsule's memory from here on.
 * They leave the process; the page cache keeps them for the next start, and a
 * later read (a reboot's reload) faults them back in.
 */
static void release_image(const void *p, size_t size)
{
	uintptr_t start = (uintptr_t)p & ~(uintptr_t)4095;
	uintptr_t end = ((uintptr_t)p + size + 4095) & ~(uintptr_t)4095;

	madvise((void *)start, end - start, MADV_DONTNEED);
}

static void load_guest(struct machine *m)
{
	char cmdline[4096], err[512], devices[VIRTIO_BUS_CMDLINE_MAX + 512];
	struct boot_payload p = { .ncpus = m->cfg.vcpus, .cmdline = cmdline,
				  .mark_kernel = m->cli.boot_time };
	size_t used;

	p.kernel = image(m->cfg.kernel_path, blob_kernel_start, blob_kernel_end, &p.kernel_size);
	p.initrd = image(m->cfg.initrd_path, blob_initrd_start, blob_initrd_end, &p.initrd_size);
	p.initrd_extra = m->request.buf;
	p.initrd_extra_size = m->request.len;
	/* The devices, then how init should configure the NICs among them. */
	used = (size_t)snprintf(devices, sizeof(devices), "%s%s", m->virtio.cmdline,
				m->cfg.nnets ? " " : "");
	if (nics_cmdline(&m->cfg, devices + used, sizeof(devices) - used) < 0 ||
	    cmdline_build(cmdline, sizeof(cmdline), m->cli.argv != NULL, m->pci, devices,
			  m->cfg.cmdline_append) < 0)
		die_status(EXIT_CAPSULE_USAGE, "cmdline_append does not fit on the kernel command line");
	vm_map_rom(&m->vm, blob_firmware_start, BLOB_SIZE(firmware));
	if (boot_load(&m->vm.mem, &p, err, sizeof(err)) < 0)
		die_status(EXIT_CAPSULE_USAGE, "%s", err);
	release_image(blob_firmware_start, BLOB_SIZE(firmware));
	release_image(p.kernel, p.kernel_size);
	release_image(p.initrd, p.initrd_size);
}

/*
 * The firmware enters the kernel (--boot-time only), or init has started:
 * time it for --boot-time; a shutdown may type Ctrl-Alt-Del from then on.
 */
static void on_mark(void *opaque, uint8_t mark)
{
	struct machine *m = opaque;

	if (mark == GUEST_MARK_KERNEL)
		start_clock_report(&m->clock, "kernel-entry");
	if (mark != GUEST_MARK_INIT)
		return;
	lifecycle_guest_ready(&m->lc);
	start_clock_report(&m->clock, "boot-time");
}

/* What init is to do, in a file of its initramfs: the command, its environment and user, the root image. */
static void build_request(struct machine *m)
{
	unsigned rows, cols;
	char root[16];

	/* Disks are vda, vdb, ... in config order, and the root image's is the last. */
	if (m->root_disk >= 0)
		snprintf(root, sizeof(root), "/dev/vd%c", 'a' + m->root_disk);
	console_size(&m->console, &rows, &cols);
	run_request_build(&m->request, &m->cli, console_is_tty(&m->console),
			  m->root_disk >= 0 ? root : NULL, rows, cols);
}

static void add_devices(struct machine *m)
{
	struct console_options co = { .workload_ports = m->cli.argv != NULL,
				      .copy_in_fd = m->copy_in_fd, .copy_out_fd = m->copy_out_fd };

	co.tty = m->cli.tty ? 1 : m->cli.interactive ? 0 : -1;

	i8042_init(&m->kbc, &m->vm);
	lifecycle_init(&m->lc, &m->vm, &m->kbc, m->vcpus, m->cfg.vcpus);
	guest_port_init(&m->port, &m->vm, on_mark, m);
	virtio_bus_init(&m->virtio, &m->vm, &m->loop);
	virtio_bus_leave_irqs(&m->virtio, PCI_GSI_TOP + 1 - pci_nics_count(&m->cfg));
	console_init(&m->console, &m->vm, &m->loop, &m->virtio, &co);
	build_request(m);
}

/* Open every [disk NAME] image, before KVM is touched: a bad image stops nothing started. */
static void open_disks(struct machine *m)
{
	static const enum block_format formats[] = {
		[CONFIG_FORMAT_AUTO] = BLOCK_FORMAT_AUTO,
		[CONFIG_FORMAT_RAW] = BLOCK_FORMAT_RAW,
		[CONFIG_FORMAT_QCOW2] = BLOCK_FORMAT_QCOW2,
	};

	_Static_assert(CONFIG_BACKING_DIRS_MAX <= BLOCK_BACKING_DIRS_MAX, "backing_dirs");
	for (unsigned i = 0; i < m->cfg.ndisks; i++) {
		const struct config_disk *d = &m->cfg.disks[i];
		const char *dirs[CONFIG_BACKING_DIRS_MAX + 1] = { NULL };
		struct block_open_options o = { formats[d->format], d->readonly, d->snapshot, dirs };
		char err[512];

		for (unsigned k = 0; k < d->nbacking_dirs; k++)
			dirs[k] = d->backing_dirs[k];
		if (block_open(d->path, &o, &m->backends[i], err, sizeof(err)) < 0)
			die_status(EXIT_CAPSULE_USAGE, "[disk %s] %s", d->name, err);
	}
}

/* Who the jailed monitor becomes, looked up now: the jail has no /etc/passwd. */
static void jail_user(struct machine *m)
{
	struct passwd *pw;

	m->jail = (struct jail_options){ .enabled = m->cfg.jail, .spare_fds = SPARE_FDS };
	if (!m->cfg.jail || !jail_is_root())
		return;
	pw = getpwnam(m->cfg.jail_user);
	if (!pw)
		die_status(EXIT_CAPSULE_USAGE, "[jail] user '%s' does not exist", m->cfg.jail_user);
	if (pw->pw_uid == 0)
		die_status(EXIT_CAPSULE_USAGE, "[jail] user '%s' is root: the jail needs an "
			   "unprivileged user", m->cfg.jail_user);
	m->jail.uid = pw->pw_uid;
	m->jail.gid = pw->pw_gid;
}

/* A virtio-blk in front of each disk: vda, vdb, ... in config order. */
static void add_disks(struct machine *m)
{
	for (unsigned i = 0; i < m->cfg.ndisks; i++) {
		struct virtio_blk *blk = &m->disks[i];
		int ret = virtio_blk_init(blk, m->backends[i], m->cfg.disks[i].serial);

		if (ret < 0)
			die("[disk %s]: %s", m->cfg.disks[i].name, strerror(-ret));
		blk->dev = virtio_bus_add(&m->virtio, virtio_blk_ops(blk), blk);
	}
}

/* The memory balloon ([balloon]): a virtio slot, and its stats timer on the I/O thread. */
static void add_balloon(struct machine *m)
{
	const struct config_balloon *c = &m->cfg.balloon;
	struct virtio_balloon_options o = { c->stats_interval, c->deflate_on_oom,
					    c->free_page_reporting };
	int ret;

	if (!c->enabled)
		return;
	if (c->target > m->cfg.memory)
		die_status(EXIT_CAPSULE_USAGE, "[balloon] target is more than [vm] memory (%llu MiB)",
			   (unsigned long long)(m->cfg.memory >> 20));
	ret = virtio_balloon_init(&m->balloon, &o, &m->vm.mem, &m->loop);
	if (ret < 0)
		die("[balloon]: %s", strerror(-ret));
	m->balloon.dev = virtio_bus_add(&m->virtio, &m->balloon.ops, &m->balloon);
	if (c->target)
		virtio_balloon_set_target(&m->balloon, c->target);
}

static void on_signal(void *opaque, uint32_t events)
{
	struct machine *m = opaque;
	struct signalfd_siginfo si;

	(void)events;
	if (read(m->signal_fd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGWINCH) {
		console_resize(&m->console);
		return;
	}
	if (lifecycle_signal(&m->lc, &si)) {
		lifecycle_control_update(&m->lc_control);
		return;
	}
	chardev_stdio_restore();
	log_error("stopped by signal %u", si.ssi_signo);
	event_loop_stop(&m->loop, 128 + (int)si.ssi_signo);
}

/*
 * Termination signals become an orderly stop (terminal restored) with status
 * 128+N; the first SIGTERM, SIGTSTP and SIGCONT are the lifecycle's.
 */
static void handle_signals(struct machine *m)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGTSTP);
	sigaddset(&set, SIGCONT);
	sigaddset(&set, SIGWINCH);	/* the terminal's size, passed on to the guest's */
	/* Blocked before any thread starts, so every thread inherits the mask. */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	m->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (m->signal_fd < 0 || event_loop_add_host(&m->loop, m->signal_fd, EPOLLIN, on_signal, m) < 0)
		die("signalfd: %s", strerror(errno));
}

/*
 * The control socket, before anything that could change the host: a VM of
 * the same name already running stops this one first.
 */
static void open_control(struct machine *m)
{
	char err[512];

	if (control_server_open(&m->control, &m->cfg, m->cli.config == NULL, err, sizeof(err)) < 0)
		die_status(EXIT_CAPSULE_USAGE, "%s", err);
}

/* Served by the I/O thread: info vm and kill built in; later commands plug in here. */
static void serve_control(struct machine *m)
{
	struct control_vm_info info = { .cfg = &m->cfg };
	int ret;

	for (unsigned i = 0; i < m->nics.n; i++)
		info.nic_hosts[i] = m->nics.backends[i]->name;
	ret = control_server_start(&m->control, &m->loop, &info, &m->clock.started);
	if (ret < 0)
		die("control socket: %s", strerror(-ret));
	lifecycle_control_register(&m->lc_control, &m->lc, &m->control);
}

/* The balloon's commands on the control socket; without a balloon they say the VM has none. */
static void serve_balloon(struct machine *m)
{
	void *balloon = m->cfg.balloon.enabled ? &m->balloon : NULL;

	control_server_handle(&m->control, CONTROL_INFO_BALLOON, control_balloon_info, balloon);
	control_server_handle(&m->control, CONTROL_BALLOON, control_balloon_set, balloon);
}

static void create_vcpus(struct machine *m)
{
	struct kvm_cpuid2 *cpuid = cpu_x86_supported_cpuid(m->vm.kvm_fd);
	int max = ioctl(m->vm.kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);

	if (max > 0 && m->cfg.vcpus > (unsigned)max)
		die_status(EXIT_CAPSULE_USAGE, "vcpus = %u, but this host's KVM allows at most %d",
			   m->cfg.vcpus, max);
	for (unsigned i = 0; i < m->cfg.vcpus; i++)
		vcpu_create(&m->vcpus[i], &m->vm, i, m->cfg.vcpus, cpuid);
	free(cpuid);
}

static void enter_blk_sandbox(void)
{
	seccomp_enter_or_die(SECCOMP_KIND_blk);
}

static void enter_copier_sandbox(void)
{
	seccomp_enter_or_die(SECCOMP_KIND_copier);
}

/*
 * The seccomp mode, as soon as the disks are open (what a forbidden syscall
 * syncs): the helper processes started next install their filters in it.
 */
static void setup_seccomp(struct machine *m)
{
	static const enum seccomp_mode modes[] = {
		[CONFIG_SECCOMP_ON] = SECCOMP_ENFORCE,
		[CONFIG_SECCOMP_OFF] = SECCOMP_OFF,
		[CONFIG_SECCOMP_LOG] = SECCOMP_LOG,
	};
	int disk_fds[CONFIG_DISKS_MAX];

	for (unsigned i = 0; i < m->cfg.ndisks; i++)
		disk_fds[i] = m->backends[i]->fd;
	if (seccomp_setup(modes[m->cfg.seccomp], disk_fds, m->cfg.ndisks) < 0)
		die("seccomp: cannot handle SIGSYS: %s", strerror(errno));
}

/*
 * Everything is open: give up what the guest must never reach through us,
 * in the order vmm/sandbox/jail.h gives, before any other thread exists.
 */
static void enter_sandbox(struct machine *m)
{
	struct netif_restore restores[CLEANUP_ITEMS_MAX];
	struct cleanup_file socket;
	char err[512];
	unsigned n;

	n = tap_hand_over_restores(restores, CLEANUP_ITEMS_MAX);
	control_server_hand_over(&m->control, &socket);
	if (jail_isolate(&m->jail, err, sizeof(err)) < 0 ||
	    cleanup_start(&m->cleanup, restores, n, &socket, err, sizeof(err)) < 0 ||
	    jail_lock_down(&m->jail, err, sizeof(err)) < 0)
		die("%s", err);
}

/* The threads, each under its own filter from its first instruction of guest work on. */
static void start_threads(struct machine *m)
{
	int ret;

	for (unsigned i = 0; i < m->cfg.ndisks; i++) {
		ret = virtio_blk_start(&m->disks[i], enter_blk_sandbox);
		if (ret < 0)
			die("[disk %s]: cannot start its workers: %s", m->cfg.disks[i].name,
			    strerror(-ret));
	}
	console_start(&m->console, enter_copier_sandbox);
	for (unsigned i = 0; i < m->cfg.vcpus; i++)
		vcpu_start(&m->vcpus[i]);
	ret = jail_no_more_threads();
	if (ret < 0)
		die("jail: no more threads: %s", strerror(-ret));
	seccomp_enter_or_die(SECCOMP_KIND_io);
}

/*
 * Before any device is torn down, every vCPU leaves KVM_RUN and its thread
 * ends: a vCPU still running could reach a device mid-teardown (a closed
 * disk). One that does not come back within a second is reported; the
 * devices it could reach stay safe to touch.
 */
static void stop_vcpus(struct machine *m)
{
	for (unsigned i = 0; i < m->cfg.vcpus; i++)
		vcpu_stop(&m->vcpus[i]);
	for (unsigned i = 0; i < m->cfg.vcpus; i++)
		if (vcpu_join(&m->vcpus[i], 1000) < 0)
			log_error("vCPU %u did not stop within a second", i);
}

int main(int argc, char **argv)
{
	static struct machine m;
	struct start_clock *clock = &m.clock;
	int status, ret;

	start_clock_init(clock);
	cli_parse(argc, argv, &m.cli);
	if (m.cli.ctl)
		exit(control_client_main(&m.cli.ctl_args));
	clock->on = m.cli.boot_time;
	load_config(&m);
	jail_user(&m);
	start_clock_step(clock, "config");
	open_control(&m);
	open_disks(&m);
	setup_seccomp(&m);
	nics_open(&m.nics, &m.cfg);
	/* Forked before guest RAM exists: a child never holds a copy of its pages. */
	run_copies_start(&m.copies, &m.cli, &m.copy_in_fd, &m.copy_out_fd);
	start_clock_step(clock, "host-devices");
	ret = event_loop_init(&m.loop);
	if (ret < 0)
		die("event loop: %s", strerror(-ret));
	handle_signals(&m);
	vm_create(&m.vm, m.cfg.memory, &m.loop);
	start_clock_step(clock, "vm");
	add_devices(&m);
	add_disks(&m);
	m.pci = nics_add(&m.nics, &m.virtio, &m.loop, &m.cfg);
	add_balloon(&m);
	serve_control(&m);
	serve_balloon(&m);
	start_clock_step(clock, "devices");
	load_guest(&m);
	start_clock_step(clock, "load");
	create_vcpus(&m);
	start_clock_step(clock, "vcpus");
	enter_sandbox(&m);
	start_clock_step(clock, "sandbox");
	start_threads(&m);
	start_clock_step(clock, "threads");
	start_clock_report_steps(clock);
	start_clock_report(clock, "start-to-vcpus");
	status = lifecycle_exit_status(&m.lc, event_loop_run(&m.loop));
	chardev_stdio_restore();
	stop_vcpus(&m);
	nics_report(&m.nics, &m.cfg);
	nics_stop_user(&m.nics, &m.cfg);
	/* The I/O thread is done: no request can start; let the disks finish theirs. */
	for (unsigned i = 0; i < m.cfg.ndisks; i++)
		virtio_blk_shutdown(&m.disks[i]);
	/* What the copies' helpers have not had by now, they will not get: they finish. */
	console_close_copies(&m.console);
	if (run_copies_finish(&m.copies) < 0 && status == 0)
		status = EXIT_CAPSULE_RUNTIME;
	cleanup_finish(&m.cleanup);
	exit(status);
}
