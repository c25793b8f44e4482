/* The workload's root filesystem: the image's disk mounted, with the kernel's filesystems inside it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init.h"

#define ROOT_DIR "/mnt/root"
#define DISK_WAIT_MS 10000

/* DIR inside the new root, made if the image lacks it (docker does the same). */
static int inner(const char *dir, const char *type, const char *src, unsigned long flags,
		 const char *opts)
{
	char path[256];

	snprintf(path, sizeof(path), ROOT_DIR "%s", dir);
	mkdir(path, 0755);
	if (mount(src, path, type, flags, opts) == 0)
		return 0;
	fprintf(stderr, "capsule: the root image: mount %s on %s: %s\n", type, dir, strerror(errno));
	return -1;
}

/*
 * /etc/NAME of the root shows CONTENT, as docker shows its own hostname, hosts
 * and resolv.conf: a file in init's /run bind-mounted over it (made empty first
 * if missing), so that the image itself never changes. A symlink there (say,
 * to systemd-resolved's file) is left alone.
 */
static void runtime_file(const char *name, const char *content)
{
	char src[128], dst[128];
	struct stat st;
	FILE *f;
	int fd;

	snprintf(src, sizeof(src), "/run/capsule-%s", name);
	snprintf(dst, sizeof(dst), ROOT_DIR "/etc/%s", name);
	f = fopen(src, "w");
	if (!f || fputs(content, f) < 0 || fclose(f) != 0)
		return;
	if (lstat(dst, &st) == 0 ? !S_ISREG(st.st_mode) : errno != ENOENT)
		return;
	fd = open(dst, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
		fprintf(stderr, "capsule: the root image: /etc/%s: %s\n", name, strerror(errno));
}

static void runtime_files(const char *dns)
{
	char resolv[128];
	struct stat st;

	if (stat(ROOT_DIR "/etc", &st) < 0 || !S_ISDIR(st.st_mode))
		return;
	runtime_file("hostname", "capsule\n");
	runtime_file("hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
		     "127.0.1.1\tcapsule\n");
	if (dns) {
		snprintf(resolv, sizeof(resolv), "nameserver %s\n", dns);
		runtime_file("resolv.conf", resolv);
	}
}

const char *init_mount_root(const char *dev, const char *dns)
{
	int fd = init_open_device(dev, O_RDONLY | O_CLOEXEC, DISK_WAIT_MS);

	if (fd < 0) {
		fprintf(stderr, "capsule: the root image: %s did not appear\n", dev);
		return NULL;
	}
	close(fd);
	mkdir(ROOT_DIR, 0755);
	/* ext4's driver also mounts ext2 and ext3; nodev/nosuid are not ours to add: it is a root. */
	if (mount(dev, ROOT_DIR, "ext4", 0, NULL) < 0) {
		fprintf(stderr, "capsule: the root image: cannot mount %s as ext4: %s\n", dev,
			strerror(errno));
		return NULL;
	}
	if (inner("/proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 ||
	    inner("/sys", "sysfs", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 ||
	    inner("/dev", "devtmpfs", "devtmpfs", MS_NOSUID, "mode=0755") < 0 ||
	    inner("/dev/pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC, "mode=0620,ptmxmode=0666") < 0 ||
	    inner("/dev/shm", "tmpfs", "shm", MS_NOSUID | MS_NODEV, "mode=1777") < 0)
		return NULL;
	runtime_files(dns);
	return ROOT_DIR;
}
