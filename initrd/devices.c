/* Waiting for the devices init needs: the console tty and the workload's virtio ports. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "init.h"

#define POLL_NS 5000000L	/* 5 ms: devices appear from the kernel's workqueues */

static void nap(void)
{
	struct timespec ts = { 0, POLL_NS };

	nanosleep(&ts, NULL);
}

int init_open_device(const char *path, int flags, unsigned timeout_ms)
{
	for (unsigned waited = 0;; waited += POLL_NS / 1000000) {
		int fd = open(path, flags);

		/*
		 * Not only ENOENT: hvc's tty driver makes /dev/hvc0 a moment
		 * before the console behind it is registered, and an open in
		 * between fails with ENODEV.
		 */
		if (fd >= 0 || (errno != ENOENT && errno != ENODEV && errno != ENXIO))
			return fd;
		if (waited >= timeout_ms)
			return -1;
		nap();
	}
}

/* The /dev path of the virtio port named NAME, if sysfs shows it yet. */
static int find_port(const char *name, char *dev, size_t devlen)
{
	DIR *d = opendir("/sys/class/virtio-ports");
	struct dirent *e;
	int found = -1;

	if (!d)
		return -1;
	while (found < 0 && (e = readdir(d))) {
		char path[300], got[128] = "";
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(got, sizeof(got), f) && !strncmp(got, name, strlen(name)) &&
		    (got[strlen(name)] == '\n' || got[strlen(name)] == '\0')) {
			snprintf(dev, devlen, "/dev/%s", e->d_name);
			found = 0;
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

int init_find_port(const char *name, char *dev, size_t devlen, unsigned timeout_ms)
{
	for (unsigned waited = 0;; waited += POLL_NS / 1000000) {
		if (find_port(name, dev, devlen) == 0 && access(dev, F_OK) == 0)
			return 0;
		if (waited >= timeout_ms)
			return -1;
		nap();
	}
}
