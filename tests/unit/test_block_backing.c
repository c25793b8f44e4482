/* Unit tests of what an image can make capsule open: backing-file confinement and the raw probe guard. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../qcow2/qtest.h"
#include "backend/block.h"
#include "backend/block_impl.h"
#include "check.h"

static char *dir;
static const uint8_t qcow2_magic[4] = { 'Q', 'F', 'I', 0xfb };

/* A qcow2 image DIR/NAME of 1 MiB whose backing file is BACKING (not checked), as FMT. */
static void make_overlay(const char *name, const char *backing, const char *fmt)
{
	CHECK(qt_sh("cd '%s' && qemu-img create -q -u -f qcow2 -b '%s' -F %s '%s' 1M", dir, backing,
		    fmt, name) == 0);
}

/* Open DIR/NAME with DIRS as backing_dirs: 0, or -1 with the one-line message in ERR. */
static int open_in(const char *name, const char *const *dirs, char *err, size_t errlen)
{
	struct block_open_options o = { .format = BLOCK_FORMAT_AUTO, .readonly = true,
					.backing_dirs = dirs };
	struct block_backend *b;

	if (block_open(qt_in(dir, name), &o, &b, err, errlen) < 0)
		return -1;
	b->ops->close(b);
	return 0;
}

/* Opening NAME fails with a message naming the image and holding WHY, on one line. */
static bool refused(const char *name, const char *const *dirs, const char *why)
{
	char err[1024], image[PATH_MAX];

	snprintf(image, sizeof(image), "%s", qt_in(dir, name));
	if (open_in(name, dirs, err, sizeof(err)) == 0) {
		printf("  %s: opened\n", name);
		return false;
	}
	if (strncmp(err, image, strlen(image)) || !strstr(err, why) || strchr(err, '\n')) {
		printf("  %s: '%s' lacks '%s'\n", name, err, why);
		return false;
	}
	return true;
}

/* The names an attacker would write into an image: all refused at open. */
static void hostile_names(void)
{
	const char *const dev[] = { "/dev", NULL };

	CHECK(qt_sh("cd '%s' && mkdir -p sub && echo secret >secret && truncate -s 1M sub/base.raw",
		    dir) == 0);
	make_overlay("shadow.qcow2", "/etc/shadow", "raw");
	CHECK(refused("shadow.qcow2", NULL, "backing file /etc/shadow is outside the image's directory"));
	make_overlay("sub/up.qcow2", "../secret", "raw");
	CHECK(refused("sub/up.qcow2", NULL, "/secret is outside the image's directory"));
	make_overlay("zero.qcow2", "/dev/zero", "raw");
	CHECK(refused("zero.qcow2", NULL, "is outside the image's directory"));
	/* Even in a directory the config allows, only a regular file. */
	CHECK(refused("zero.qcow2", dev, "backing file /dev/zero is not a regular file"));
	/* A symlink in the image's directory that points out of it. */
	CHECK(qt_sh("cd '%s' && ln -sf /etc/passwd link && mkfifo fifo", dir) == 0);
	make_overlay("link.qcow2", "link", "raw");
	CHECK(refused("link.qcow2", NULL, "leaves"));
	/* A FIFO neither hangs the open nor passes for a disk. */
	make_overlay("fifo.qcow2", "fifo", "raw");
	CHECK(refused("fifo.qcow2", NULL, "not a regular file"));
	/* An absolute name that climbs out of the image's directory lexically. */
	make_overlay("climb.qcow2", qt_in(dir, "sub/../../etc/passwd"), "raw");
	CHECK(refused("climb.qcow2", NULL, "is outside the image's directory"));
}

/* What people do with backing files keeps working. */
static void usual_names(void)
{
	char abs[PATH_MAX], dirs_buf[PATH_MAX], err[1024];
	const char *dirs[] = { dirs_buf, NULL };

	CHECK(qt_sh("cd '%s' && mkdir -p base over && truncate -s 1M base/b.raw a.raw", dir) == 0);
	make_overlay("rel.qcow2", "a.raw", "raw");
	CHECK(open_in("rel.qcow2", NULL, err, sizeof(err)) == 0);
	snprintf(abs, sizeof(abs), "%s", qt_in(dir, "a.raw"));
	make_overlay("abs.qcow2", abs, "raw");
	CHECK(open_in("abs.qcow2", NULL, err, sizeof(err)) == 0);
	make_overlay("down.qcow2", "base/b.raw", "raw");
	CHECK(open_in("down.qcow2", NULL, err, sizeof(err)) == 0);
	/* A sibling directory: only when the config names it. */
	make_overlay("over/o.qcow2", "../base/b.raw", "raw");
	CHECK(refused("over/o.qcow2", NULL, "is outside the image's directory"));
	snprintf(dirs_buf, sizeof(dirs_buf), "%s", qt_in(dir, "base"));
	CHECK(open_in("over/o.qcow2", dirs, err, sizeof(err)) == 0);
	/* A chain: each link is confined to its own directory. */
	make_overlay("base/mid.qcow2", "b.raw", "raw");
	make_overlay("top.qcow2", "base/mid.qcow2", "qcow2");
	CHECK(open_in("top.qcow2", NULL, err, sizeof(err)) == 0);
}

/* Write LEN bytes of BUF at OFF through B. */
static int write_at(struct block_backend *b, const void *buf, size_t len, uint64_t off)
{
	return b->ops->pwritev(b, &(struct iovec){ (void *)buf, len }, 1, off);
}

/*
 * A guest writes a qcow2 header into its raw disk: refused when the format
 * was probed, so the disk opens as raw next time; allowed with format = raw.
 */
static void probe_guard(void)
{
	struct block_open_options o = { .format = BLOCK_FORMAT_AUTO };
	uint8_t sector[512] = { 0 }, head[4];
	const char *path = qt_in(dir, "guest.raw");
	struct block_backend *b;
	char err[512];
	int fd;

	CHECK(qt_sh("truncate -s 1M '%s'", path) == 0);
	memcpy(sector, qcow2_magic, sizeof(qcow2_magic));
	CHECK(block_open(path, &o, &b, err, sizeof(err)) == 0);
	CHECK(write_at(b, sector, sizeof(sector), 0) == -EPERM);
	CHECK(write_at(b, sector, sizeof(sector), 512) == 0);	/* elsewhere it is only data */
	sector[0] = 'X';
	CHECK(write_at(b, sector, sizeof(sector), 0) == 0);
	b->ops->close(b);
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0 && pread(fd, head, 4, 0) == 4 && head[0] == 'X');
	close(fd);
	/* Said to be raw, the disk is the guest's to fill with anything. */
	o.format = BLOCK_FORMAT_RAW;
	sector[0] = 'Q';
	CHECK(block_open(path, &o, &b, err, sizeof(err)) == 0);
	CHECK(write_at(b, sector, sizeof(sector), 0) == 0);
	b->ops->close(b);
}

int main(void)
{
	dir = qt_mkdtemp();
	RUN(hostile_names);
	RUN(usual_names);
	RUN(probe_guard);
	qt_done(dir);
	return CHECK_SUMMARY();
}
