/* randio: 4 KiB random reads or writes with O_DIRECT on a block device, for the benchmarks. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BLOCK 4096

static uint64_t next_random(uint64_t *s)
{
	/* xorshift64: enough to scatter offsets, and the same sequence every run */
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull, blocks;
	int write_mode, fd;
	long count;
	void *buf;
	off_t size;
	double t0, t;

	if (argc != 4 || (strcmp(argv[1], "read") && strcmp(argv[1], "write"))) {
		fprintf(stderr, "usage: randio read|write DEVICE COUNT\n");
		return 2;
	}
	write_mode = !strcmp(argv[1], "write");
	count = atol(argv[3]);
	fd = open(argv[2], (write_mode ? O_WRONLY : O_RDONLY) | O_DIRECT);
	if (fd < 0 || (size = lseek(fd, 0, SEEK_END)) < BLOCK || posix_memalign(&buf, BLOCK, BLOCK)) {
		perror(argv[2]);
		return 1;
	}
	memset(buf, 0xa5, BLOCK);
	blocks = (uint64_t)size / BLOCK;
	t0 = now();
	for (long i = 0; i < count; i++) {
		off_t off = (off_t)(next_random(&seed) % blocks) * BLOCK;
		ssize_t n = write_mode ? pwrite(fd, buf, BLOCK, off) : pread(fd, buf, BLOCK, off);

		if (n != BLOCK) {
			perror("randio");
			return 1;
		}
	}
	if (write_mode && fdatasync(fd) < 0)
		perror("fdatasync");
	t = now() - t0;
	printf("randio %s %ld ops %.3f s %.0f iops\n", argv[1], count, t, (double)count / t);
	return 0;
}
