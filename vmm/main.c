/* capsule: parse the config, build the VM, start the vCPUs, serve I/O until the guest ends. */
#include <errno.h>
#include <fcntl.h>
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
#include "blobs.h"
#include "boot.h"
#include "cli.h"
#include "cmdline.h"
#include "config.h"
#include "cpu_x86.h"
#include "legacy/guest_port.h"
#include "legacy/i8042.h"
#include "legacy/uart_8250.h"
#include "log.h"
#include "vcpu.h"
#include "vm.h"

#define COM1_BASE 0x3f8
#define COM1_IRQ 4

/* Everything one VM is made of; built in main(), in order. */
struct machine {
	struct cli cli;
	struct config cfg;
	struct event_loop loop;
	struct vm vm;
	struct chardev_stdio console;
	struct uart_8250 uart;
	struct i8042 kbc;
	struct guest_port port;
	struct vcpu vcpus[CONFIG_VCPUS_MAX];
	struct timespec started;
	int signal_fd;
};

static void load_config(struct machine *m)
{
	char err[1024];

	if (config_parse_text(&m->cfg, "built-in default.conf", blob_default_conf_start, NULL,
			      err, sizeof(err)) < 0)
		die("%s", err);
	if (m->cli.config && config_load_file(&m->cfg, m->cli.config, err, sizeof(err)) < 0)
		die_status(EXIT_CAPSULE_USAGE, "%s", err);
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

static void load_guest(struct machine *m)
{
	char cmdline[4096], err[512];
	struct boot_payload p = { .ncpus = m->cfg.vcpus, .cmdline = cmdline };

	p.kernel = image(m->cfg.kernel_path, blob_kernel_start, blob_kernel_end, &p.kernel_size);
	p.initrd = image(m->cfg.initrd_path, blob_initrd_start, blob_initrd_end, &p.initrd_size);
	if (cmdline_build(cmdline, sizeof(cmdline), m->cli.argv, m->console.tty,
			  m->cfg.cmdline_append) < 0)
		die_status(EXIT_CAPSULE_USAGE, "the command and cmdline_append do not fit on the kernel "
			   "command line");
	vm_map_rom(&m->vm, blob_firmware_start, BLOB_SIZE(firmware));
	if (boot_load(&m->vm.mem, &p, err, sizeof(err)) < 0)
		die_status(EXIT_CAPSULE_USAGE, "%s", err);
}

static size_t console_sink(void *opaque, const uint8_t *buf, size_t len)
{
	return uart_8250_receive(opaque, buf, len);
}

static void console_out(void *opaque, const uint8_t *buf, size_t len)
{
	chardev_stdio_write(opaque, buf, len);
}

static void console_room(void *opaque)
{
	chardev_stdio_room(opaque);
}

/* Init has started and opened its console: time it, and let input through. */
static void on_mark(void *opaque, uint8_t mark)
{
	struct machine *m = opaque;
	struct timespec now;

	if (mark != GUEST_MARK_INIT)
		return;
	if (m->cli.boot_time) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		fprintf(stderr, "capsule: boot-time-ms %.1f\n",
			(double)(now.tv_sec - m->started.tv_sec) * 1e3 +
				(double)(now.tv_nsec - m->started.tv_nsec) / 1e6);
	}
	chardev_stdio_start(&m->console);
}

static void add_devices(struct machine *m)
{
	struct uart_8250_backend be = { console_out, console_room, &m->console };

	chardev_stdio_open(&m->console, &m->loop, m->cli.argv != NULL, console_sink, &m->uart);
	uart_8250_init(&m->uart, &m->vm, COM1_BASE, COM1_IRQ, &be);
	i8042_init(&m->kbc, &m->vm);
	guest_port_init(&m->port, &m->vm, on_mark, m);
}

static void on_signal(void *opaque, uint32_t events)
{
	struct machine *m = opaque;
	struct signalfd_siginfo si;

	(void)events;
	if (read(m->signal_fd, &si, sizeof(si)) != sizeof(si))
		return;
	chardev_stdio_restore();
	log_error("stopped by signal %u", si.ssi_signo);
	event_loop_stop(&m->loop, 128 + (int)si.ssi_signo);
}

/* Termination signals become an orderly stop (terminal restored) with status 128+N. */
static void handle_signals(struct machine *m)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	/* Blocked before any thread starts, so every thread inherits the mask. */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	m->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (m->signal_fd < 0 || event_loop_add(&m->loop, m->signal_fd, EPOLLIN, on_signal, m) < 0)
		die("signalfd: %s", strerror(errno));
}

static void start_vcpus(struct machine *m)
{
	struct kvm_cpuid2 *cpuid = cpu_x86_supported_cpuid(m->vm.kvm_fd);
	int max = ioctl(m->vm.kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);

	if (max > 0 && m->cfg.vcpus > (unsigned)max)
		die_status(EXIT_CAPSULE_USAGE, "vcpus = %u, but this host's KVM allows at most %d",
			   m->cfg.vcpus, max);
	for (unsigned i = 0; i < m->cfg.vcpus; i++)
		vcpu_create(&m->vcpus[i], &m->vm, i, m->cfg.vcpus, cpuid);
	free(cpuid);
	for (unsigned i = 0; i < m->cfg.vcpus; i++)
		vcpu_start(&m->vcpus[i]);
}

int main(int argc, char **argv)
{
	static struct machine m;
	int status, ret;

	clock_gettime(CLOCK_MONOTONIC, &m.started);
	cli_parse(argc, argv, &m.cli);
	load_config(&m);
	ret = event_loop_init(&m.loop);
	if (ret < 0)
		die("event loop: %s", strerror(-ret));
	handle_signals(&m);
	vm_create(&m.vm, m.cfg.memory, &m.loop);
	add_devices(&m);
	load_guest(&m);
	start_vcpus(&m);
	status = event_loop_run(&m.loop);
	chardev_stdio_restore();
	/* The vCPU threads die with the process; nothing of theirs needs flushing. */
	exit(status);
}
