/*
 * Crash safety of qcow2 writes: a child writes, zeroes and discards through
 * the backend (discards large enough to fill the queue of frees, so freed
 * clusters get reused between flushes) and is killed (SIGKILL) at a random
 * moment; qemu-img check must then find no corruption (leaks are allowed),
 * and every operation the child had flushed must be there, each later one
 * either there or not, sector by sector.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdnoreturn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../qcow2/qtest.h"
#include "backend/block.h"
#include "check.h"

#define TRIALS 100
#define DISK_SIZE (8u << 20)
#define SECTORS (DISK_SIZE / 512)
#define FLUSH_EVERY 8
/* Writes after the last reported flush that may have happened: the flush in flight and the next. */
#define UNREPORTED (2 * FLUSH_EVERY)
#define MAX_OPS 100000
#define MAX_KILL_DELAY_US 60000
#define MAX_SECTORS 8192	/* 4 MiB: one discard fills the queue of frees */

static char *dir;
static unsigned stats[2];	/* trials that left a clean image, leaks */
static int64_t flushes;

/* The images the trials take turns on. */
static const struct image {
	const char *name, *create;
	uint64_t cluster;
	bool discard_zeroes;	/* v3: a discarded whole cluster reads as zeroes; v2: no change */
	bool backing;		/* ... unless it was unallocated and reads the backing file */
} images[] = {
	/* Small clusters, 64-bit refcounts: the refcount table grows, L2 tables get evicted. */
	{ "c512.qcow2", "qemu-img create -f qcow2 -o cluster_size=512,refcount_bits=64 c512.qcow2 "
			"8M", 512, true, false },
	/* Copy-on-write from a raw backing file. */
	{ "c4k.qcow2", "qemu-img create -f qcow2 -o cluster_size=4096 -b base.raw -F raw c4k.qcow2 "
		       "8M", 4096, true, true },
	/* Version 2 (no zero clusters) over a qcow2 backing file. */
	{ "c64k.qcow2", "qemu-img create -f qcow2 -o cluster_size=65536,compat=0.10 -b base.qcow2 "
			"-F qcow2 c64k.qcow2 8M", 65536, false, true },
};

struct op {
	enum { WRITE, ZERO, DISCARD } kind;
	uint64_t sector, count;
};

/* Operation I of the run with SEED: the child does it, the parent replays it. */
static struct op op_of(uint64_t seed, uint64_t i)
{
	uint64_t s = seed ^ ((i + 1) * 0x9e3779b97f4a7c15ull);
	unsigned kind;
	struct op o;

	qt_rand(&s);
	kind = (unsigned)(qt_rand(&s) % 20);
	o.kind = kind < 2 ? ZERO : kind < 5 ? DISCARD : WRITE;
	o.sector = qt_rand(&s) % SECTORS;
	/* Mostly small; now and then a 4 MiB discard and a 1 MiB write to fill space again. */
	o.count = qt_rand(&s) % (kind == 4 ? MAX_SECTORS : kind == 5 ? 2048 : 128) + 1;
	if (o.count > SECTORS - o.sector)
		o.count = SECTORS - o.sector;
	return o;
}

/* What an operation does to a sector it covers. */
enum effect { SETS, KEEPS, MAY_ZERO };

/*
 * What operation I (OP) of SEED does to sector S (which it covers) of the
 * image IM; OUT gets the new contents (SETS), or the zeroes it may hold.
 */
static enum effect sector_data(const struct image *im, uint64_t seed, uint64_t i,
			       const struct op *op, uint64_t s, uint8_t *out)
{
	uint64_t st = seed ^ (i * 0xff51afd7ed558ccdull) ^ (s * 0xc4ceb9fe1a85ec53ull) ^ 1;
	uint64_t c = s * 512 / im->cluster * im->cluster;

	memset(out, 0, 512);
	switch (op->kind) {
	case WRITE:
		qt_fill(out, 512, &st);
		return SETS;
	case ZERO:
		return SETS;
	case DISCARD:
		/* Only whole clusters are discarded; the rest of the range is a hint ignored. */
		if (!im->discard_zeroes || c < op->sector * 512 ||
		    c + im->cluster > (op->sector + op->count) * 512)
			return KEEPS;
		return im->backing ? MAY_ZERO : SETS;
	}
	return KEEPS;
}

/* The child: operations until killed, reporting the last one done before each completed flush. */
static noreturn void child(const struct image *im, const char *img, uint64_t seed, int report)
{
	struct block_open_options o = { .format = BLOCK_FORMAT_AUTO };
	struct block_backend *b;
	uint8_t *buf = malloc(2048 * 512);
	char err[512];

	if (block_open(img, &o, &b, err, sizeof(err)) < 0) {
		printf("  child: %s\n", err);
		_exit(1);
	}
	for (uint64_t i = 0; i < MAX_OPS; i++) {
		struct op op = op_of(seed, i);
		int r;

		if (op.kind == ZERO) {
			r = b->ops->write_zeroes(b, op.sector * 512, op.count * 512, i & 1);
		} else if (op.kind == DISCARD) {
			r = b->ops->discard(b, op.sector * 512, op.count * 512);
		} else {
			for (uint64_t s = 0; s < op.count; s++)
				sector_data(im, seed, i, &op, op.sector + s, buf + 512 * s);
			r = b->ops->pwritev(b, &(struct iovec){ buf, op.count * 512 }, 1,
					    op.sector * 512);
		}
		if (r < 0)
			_exit(1);
		if (i % FLUSH_EVERY == FLUSH_EVERY - 1) {
			if (b->ops->flush(b) < 0 || write(report, &i, sizeof(i)) != sizeof(i))
				_exit(1);
		}
	}
	_exit(0);
}

/* Whether sector S may read as GOT: an operation after the last flush may have landed or not. */
static bool later_write_explains(const struct image *im, uint64_t seed, int64_t flushed,
				 uint64_t s, const uint8_t *got)
{
	uint8_t want[512];

	for (uint64_t i = (uint64_t)(flushed + 1); i <= (uint64_t)(flushed + UNREPORTED); i++) {
		struct op op = op_of(seed, i);

		if (s < op.sector || s >= op.sector + op.count)
			continue;
		if (sector_data(im, seed, i, &op, s, want) != KEEPS && !memcmp(want, got, 512))
			return true;
	}
	return false;
}

/* Check the image after one killed run: BEFORE (updated to what it now holds) plus the writes. */
static bool verify(const struct image *im, const char *img, uint8_t *before, uint64_t seed,
		   int64_t flushed)
{
	static const uint8_t zero[512];
	uint8_t *expect = malloc(DISK_SIZE), *got, data[512];
	bool *may_zero = calloc(SECTORS, sizeof(bool)), ok = true;
	char raw[PATH_MAX];
	size_t len = 0;

	memcpy(expect, before, DISK_SIZE);
	for (int64_t i = 0; i <= flushed; i++) {
		struct op op = op_of(seed, (uint64_t)i);

		for (uint64_t s = op.sector; s < op.sector + op.count; s++) {
			enum effect e = sector_data(im, seed, (uint64_t)i, &op, s, data);

			if (e == SETS)
				memcpy(expect + 512 * s, data, 512);
			if (e != KEEPS)
				may_zero[s] = e == MAY_ZERO;
		}
	}
	snprintf(raw, sizeof(raw), "%s/now.raw", dir);
	CHECK(qt_sh("qemu-img convert -O raw '%s' '%s'", img, raw) == 0);
	got = qt_read_file(raw, &len);
	if (!got || len != DISK_SIZE)
		ok = false;
	for (uint64_t s = 0; s < SECTORS && ok; s++) {
		if (memcmp(expect + 512 * s, got + 512 * s, 512) &&
		    !(may_zero[s] && !memcmp(got + 512 * s, zero, 512)) &&
		    !later_write_explains(im, seed, flushed, s, got + 512 * s)) {
			printf("  %s: sector %llu holds what no write put there (flushed up to op %lld)\n",
			       img, (unsigned long long)s, (long long)flushed);
			ok = false;
		}
	}
	if (got && len == DISK_SIZE)
		memcpy(before, got, DISK_SIZE);
	free(may_zero);
	free(expect);
	free(got);
	return ok;
}

/* One trial: run the child on IMG (made as IM) for a random while, kill it, check what is left. */
static void trial(const struct image *im, const char *img, uint8_t *before, uint64_t seed)
{
	int64_t flushed = -1, last;
	int fds[2], status, st;
	pid_t pid;

	CHECK(pipe(fds) == 0);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		child(im, img, seed, fds[1]);
	}
	close(fds[1]);
	usleep((useconds_t)(seed % MAX_KILL_DELAY_US));
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0));
	while (read(fds[0], &last, sizeof(last)) == sizeof(last))
		flushed = last;
	close(fds[0]);
	st = qt_check(img, true);
	CHECK(st == 0 || st == 3);	/* clean, or leaked clusters only */
	stats[st == 3]++;
	flushes += flushed + 1;
	/* Start the next trial clean, so that each one's leaks are its own. */
	if (st == 3)
		CHECK(qt_sh("qemu-img check -r leaks '%s'", img) == 0);
	CHECK(verify(im, img, before, seed, flushed));
}

static void killed_writers(void)
{
	uint8_t *before[3];
	const char *env = getenv("QT_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL) * 2654435761u | 1;
	char img[3][PATH_MAX], raw[PATH_MAX];
	uint8_t *base = malloc(DISK_SIZE);
	size_t len;

	printf("  seed %llu (QT_SEED=N repeats a run)\n", (unsigned long long)seed);
	qt_fill(base, DISK_SIZE - 4096, &seed);
	snprintf(raw, sizeof(raw), "%s/base.raw", dir);
	CHECK(qt_write_file(raw, base, DISK_SIZE - 4096) == 0);
	CHECK(qt_sh("cd '%s' && qemu-img convert -O qcow2 base.raw base.qcow2", dir) == 0);
	for (int i = 0; i < 3; i++) {
		CHECK(qt_sh("cd '%s' && %s", dir, images[i].create) == 0);
		snprintf(img[i], sizeof(img[i]), "%s/%s", dir, images[i].name);
		CHECK(qt_sh("qemu-img convert -O raw '%s' '%s/now.raw'", img[i], dir) == 0);
		snprintf(raw, sizeof(raw), "%s/now.raw", dir);
		before[i] = qt_read_file(raw, &len);
		CHECK(before[i] && len == DISK_SIZE);
	}
	for (int t = 0; t < TRIALS && !check_failures_in_test; t++)
		trial(&images[t % 3], img[t % 3], before[t % 3], qt_rand(&seed));
	printf("  %u trials: %u clean, %u with leaked clusters; %lld operations flushed in all\n",
	       stats[0] + stats[1], stats[0], stats[1], (long long)flushes);
	for (int i = 0; i < 3; i++)
		free(before[i]);
	free(base);
}

int main(void)
{
	dir = qt_mkdtemp();
	RUN(killed_writers);
	qt_done(dir);
	return CHECK_SUMMARY();
}
