/* libFuzzer target: the copy-out extractor (vmm/transfer/) on a hostile guest's tar stream, into a fresh directory per input. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_input.h"
#include "transfer/tar_extract.h"

/*
 * The input: one byte N, then the stream, fed 1 + N * 97 % 1024 bytes at a
 * time (splits across headers and data) into two routes: "r/s" to one
 * directory and "" (everything else) to another, both inside OUT, beside an
 * empty CANARY. Whatever the stream, nothing may appear outside OUT: the
 * canary stays empty and the scratch directory holds OUT and CANARY only.
 * The directory is made anew for every input, in memory (/dev/shm, or
 * FUZZ_DIR), and removed after.
 */

static char scratch[256];

/* Everything below the directory FD (closed), made writable and searchable first. */
static void empty_dir(int fd)
{
	DIR *d;
	struct dirent *e;

	fchmod(fd, 0700);
	if (!(d = fdopendir(fd))) {
		close(fd);
		return;
	}
	while ((e = readdir(d))) {
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);

			if (sub >= 0)
				empty_dir(sub);
			unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
		} else {
			unlinkat(dirfd(d), e->d_name, 0);
		}
	}
	closedir(d);
}

static int entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void cleanup(void)
{
	int fd = open(scratch, O_RDONLY | O_DIRECTORY);

	if (fd >= 0)
		empty_dir(fd);
	rmdir(scratch);
}

static int mkdir_in(int dir, const char *name)
{
	if (mkdirat(dir, name, 0755) < 0 && errno != EEXIST)
		abort();
	return openat(dir, name, O_RDONLY | O_DIRECTORY);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	size_t chunk = 1 + (size_t)fin_u8(&in) * 97 % 1024;
	struct tar_extract_route routes[2];
	struct tar_extract_config cfg = { .routes = routes, .nroutes = 2, .max_bytes = 1 << 20,
					  .max_members = 1000, .label = "--copy-out fuzz" };
	struct tar_extract *x;
	char canary[300];
	int top, out;

	if (!scratch[0]) {
		const char *tmp = getenv("FUZZ_DIR");

		snprintf(scratch, sizeof(scratch), "%s/capsule-fuzz-tar-XXXXXX",
			 tmp && *tmp ? tmp : "/dev/shm");
		if (!mkdtemp(scratch))
			abort();
		atexit(cleanup);
	}
	top = open(scratch, O_RDONLY | O_DIRECTORY);
	out = mkdir_in(top, "out");
	close(mkdir_in(top, "canary"));
	routes[0] = (struct tar_extract_route){ "r/s", mkdir_in(out, "rs") };
	routes[1] = (struct tar_extract_route){ "", mkdir_in(out, "all") };
	if (!(x = tar_extract_new(&cfg)))
		abort();
	while (in.left) {
		size_t n = chunk < in.left ? chunk : in.left;

		tar_extract_feed(x, in.p, n);
		in.p += n;
		in.left -= n;
	}
	if (tar_extract_finish(x) < 0 && !tar_extract_error(x)[0])
		abort();	/* a failure always says why */
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "%s (%llu skipped)\n", tar_extract_error(x),
			(unsigned long long)tar_extract_skipped(x));
	tar_extract_free(x);
	close(routes[0].dir_fd);
	close(routes[1].dir_fd);
	snprintf(canary, sizeof(canary), "%s/canary", scratch);
	if (entries(canary) != 0 || entries(scratch) != 2) {
		fprintf(stderr, "something was made outside the routes' directories\n");
		abort();
	}
	empty_dir(out);
	unlinkat(top, "out", AT_REMOVEDIR);
	close(top);
	return 0;
}
