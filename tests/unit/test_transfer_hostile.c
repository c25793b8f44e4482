/*
 * Hostile archives against the copy-out extractor (vmm/transfer/): each
 * must leave nothing outside its directory, make exactly what is listed,
 * and fail (or not) with the right line.
 */
#include "check.h"

/* The case table leaves what a case does not need out. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "transfer/extract_path.h"
#include "transfer/tar_extract.h"
#include "transfer_util.h"

static char base[64];

/* One case: its archive (CANARY: a directory outside the route to aim at), and what must come of it. */
struct hostile {
	const char *name;
	void (*build)(struct buf *b, const char *canary);
	const char *error;		/* the whole line, "" for success */
	const char *listing;		/* of the route's directory afterwards */
	uint64_t skipped, max_bytes;
	void (*before)(const char *out);	/* prepares the directory, or NULL */
};

static void dotdot(struct buf *b, const char *c)
{
	put_hdr(b, &(struct hdr_spec){ .name = "r/ok", .size = 2 });
	put_data(b, "ok", 2);
	put_hdr(b, &(struct hdr_spec){ .name = "r/../x", .size = 1 });
	put_data(b, "x", 1);
	put_hdr(b, &(struct hdr_spec){ .name = "r/after", .size = 1 });
	put_data(b, "y", 1);
	put_end(b);
}

static void absolute(struct buf *b, const char *c)
{
	char name[200];

	snprintf(name, sizeof(name), "%s/abs", c);
	put_hdr(b, &(struct hdr_spec){ .name = name, .size = 1 });
	put_data(b, "x", 1);
	put_end(b);
}

static void dotdot_deep(struct buf *b, const char *c)
{
	put_hdr(b, &(struct hdr_spec){ .name = "r/a/../../x", .type = '5', .mode = 0755 });
	put_end(b);
}

static void symlink_out_then_through(struct buf *b, const char *c)
{
	put_hdr(b, &(struct hdr_spec){ .name = "r/l", .type = '2', .link = c, .mode = 0777 });
	put_hdr(b, &(struct hdr_spec){ .name = "r/l/file", .size = 3 });
	put_data(b, "bad", 3);
	put_end(b);
}

static void symlink_dir_then_through(struct buf *b, const char *c)
{
	put_hdr(b, &(struct hdr_spec){ .name = "r/d/", .type = '5', .mode = 0755 });
	put_hdr(b, &(struct hdr_spec){ .name = "r/s", .type = '2', .link = "d", .mode = 0777 });
	put_hdr(b, &(struct hdr_spec){ .name = "r/s/f", .size = 3 });
	put_data(b, "bad", 3);
	put_end(b);
}

static void symlink_then_replaced(struct buf *b, const char *c)
{
	/* A file where a symlink to the canary was: the symlink goes, nothing is written through it. */
	put_hdr(b, &(struct hdr_spec){ .name = "r/l", .type = '2', .link = c, .mode = 0777 });
	put_hdr(b, &(struct hdr_spec){ .name = "r/l", .size = 3 });
	put_data(b, "new", 3);
	put_end(b);
}

static void hardlink_outside(struct buf *b, const char *c)
{
	put_hdr(b, &(struct hdr_spec){ .name = "r/f", .size = 4 });
	put_data(b, "data", 4);
	put_hdr(b, &(struct hdr_spec){ .name = "r/h1", .type = '1', .link = "etc/passwd" });
	put_hdr(b, &(struct hdr_spec){ .name = "r/h2", .type = '1', .link = "r/pre" });
	put_hdr(b, &(struct hdr_spec){ .name = "r/h3", .type = '1', .link = "r/missing" });
	put_hdr(b, &(struct hdr_spec){ .name = "r/h4", .type = '1', .link = "r/f" });
	put_end(b);
}

static void make_pre(const char *out)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/pre", out);
	make_file(p, "host's own", 10, 0600);
	/* Its mtime is the test's: listed by name only below, so pin it. */
	utimensat(AT_FDCWD, p, (struct timespec[2]){ { 0, UTIME_OMIT }, { 1000000, 0 } }, 0);
}

static void hardlink_dotdot(struct buf *b, const char *c)
{
	put_hdr(b, &(struct hdr_spec){ .name = "r/h", .type = '1', .link = "r/../../etc/passwd" });
	put_end(b);
}

static void setid_bits(struct buf *b, const char *c)
{
	put_hdr(b, &(struct hdr_spec){ .name = "r/d", .type = '5', .mode = 03775 });
	put_hdr(b, &(struct hdr_spec){ .name = "r/d/s", .size = 2, .mode = 06755 });
	put_data(b, "#!", 2);
	put_hdr(b, &(struct hdr_spec){ .name = "r/t", .size = 0, .mode = 01777 });
	put_end(b);
}

static void devices(struct buf *b, const char *c)
{
	put_hdr(b, &(struct hdr_spec){ .name = "r/null", .type = '3', .mode = 0666 });
	put_hdr(b, &(struct hdr_spec){ .name = "r/sda", .type = '4', .mode = 0666 });
	put_hdr(b, &(struct hdr_spec){ .name = "r/fifo", .type = '6', .mode = 0666 });
	put_hdr(b, &(struct hdr_spec){ .name = "r/other", .type = 'S', .size = 5 });
	put_data(b, "12345", 5);
	put_hdr(b, &(struct hdr_spec){ .name = "elsewhere/x", .size = 1 });	/* no route */
	put_data(b, "x", 1);
	put_end(b);
}

static void bad_checksum(struct buf *b, const char *c)
{
	put_hdr(b, &(struct hdr_spec){ .name = "r/ok", .size = 2 });
	put_data(b, "ok", 2);
	put_hdr(b, &(struct hdr_spec){ .name = "r/x", .size = 1, .bad_sum = true });
	put_data(b, "x", 1);
	put_end(b);
}

static void huge_size(struct buf *b, const char *c)
{
	/* GNU base-256: 2^62 bytes. */
	put_hdr(b, &(struct hdr_spec){ .name = "r/huge",
				       .size_field = "\x80\x00\x00\x00\x40\x00\x00\x00\x00\x00\x00\x00",
				       .size_raw12 = true });
	put_data(b, "x", 1);
	put_end(b);
}

static void huge_size_unbounded(struct buf *b, const char *c)
{
	put_hdr(b, &(struct hdr_spec){ .name = "r/huge", .size_field = "77777777777" });
	put_data(b, "x", 1);
	put_end(b);
}

static void bad_size(struct buf *b, const char *c)
{
	put_hdr(b, &(struct hdr_spec){ .name = "r/x", .size_field = "0000000001x" });
	put_end(b);
}

static void truncated(struct buf *b, const char *c)
{
	put_hdr(b, &(struct hdr_spec){ .name = "r/half", .size = 1000 });
	buf_put(b, "0123456789", 10);
}

static void one_end_block(struct buf *b, const char *c)
{
	put_hdr(b, &(struct hdr_spec){ .name = "r/f", .size = 1 });
	put_data(b, "f", 1);
	buf_put(b, NULL, 512);
}

static void pax(struct buf *b, const char *text)
{
	put_hdr(b, &(struct hdr_spec){ .name = "PaxHeaders/x", .type = 'x', .size = strlen(text) });
	put_data(b, text, strlen(text));
}

static void pax_bad_length(struct buf *b, const char *c)
{
	pax(b, "999 path=r/x\n");
	put_hdr(b, &(struct hdr_spec){ .name = "r/y", .size = 1 });
	put_data(b, "y", 1);
	put_end(b);
}

static void pax_short_length(struct buf *b, const char *c)
{
	pax(b, "5 path=r/x\n");
	put_end(b);
}

/* A pax record "LEN key=value\n", LEN counting itself. */
static void record(char *out, size_t len, const char *kv)
{
	size_t n = strlen(kv) + 3;

	while ((size_t)snprintf(out, len, "%zu %s\n", n, kv) != n)
		n++;
}

static void pax_good(struct buf *b, const char *c)
{
	char name[300], rec[400], kv[320];

	memset(name, 'p', sizeof(name));
	memcpy(name, "r/", 2);
	name[250] = 0;
	snprintf(kv, sizeof(kv), "path=%s", name);
	record(rec, sizeof(rec), kv);
	pax(b, rec);
	pax(b, "19 linkpath=target\n" "22 mtime=1234.5678901\n");	/* overrides add up */
	put_hdr(b, &(struct hdr_spec){ .name = "ignored", .type = '2', .link = "not this" });
	pax(b, "10 size=3\n");
	put_hdr(b, &(struct hdr_spec){ .name = "r/sized", .size = 0 });
	put_data(b, "abc", 3);
	/* GNU long name, and the POSIX prefix field. */
	memset(name + 2, 'g', 200);
	name[202] = 0;
	put_hdr(b, &(struct hdr_spec){ .name = "././@LongLink", .type = 'L', .size = 203, .gnu = true });
	put_data(b, name, 203);
	put_hdr(b, &(struct hdr_spec){ .name = "r/ignored-too", .size = 1, .gnu = true });
	put_data(b, "f", 1);
	put_hdr(b, &(struct hdr_spec){ .name = "dir/name", .prefix = "r/posix", .size = 1 });
	put_data(b, "p", 1);
	put_end(b);
}

static void budget(struct buf *b, const char *c)
{
	static char block[600 * 1024];

	put_hdr(b, &(struct hdr_spec){ .name = "r/one", .size = sizeof(block) });
	put_data(b, block, sizeof(block));
	put_hdr(b, &(struct hdr_spec){ .name = "r/two", .size = sizeof(block) });
	put_data(b, block, sizeof(block));
	put_end(b);
}

static void dir_in_the_way(struct buf *b, const char *c)
{
	put_hdr(b, &(struct hdr_spec){ .name = "r/d/", .type = '5', .mode = 0755 });
	put_hdr(b, &(struct hdr_spec){ .name = "r/d", .size = 1 });
	put_data(b, "x", 1);
	put_end(b);
}

static void top_not_dir(struct buf *b, const char *c)
{
	put_hdr(b, &(struct hdr_spec){ .name = "r", .size = 1 });
	put_data(b, "x", 1);
	put_end(b);
}

static void empty_name(struct buf *b, const char *c)
{
	put_hdr(b, &(struct hdr_spec){ .name = "", .size = 1 });
	put_data(b, "x", 1);
	put_end(b);
}

static void control_chars(struct buf *b, const char *c)
{
	put_hdr(b, &(struct hdr_spec){ .name = "r/\x1b[2J/../x\\", .size = 1 });
	put_data(b, "x", 1);
	put_end(b);
}

static void not_ustar(struct buf *b, const char *c)
{
	put_hdr(b, &(struct hdr_spec){ .name = "r/x", .size = 0 });
	memcpy(b->p + 257, "ustaR", 5);
	/* The checksum still holds: patch it for the changed byte. */
	{
		unsigned sum = 0;

		memset(b->p + 148, ' ', 8);
		for (int i = 0; i < 512; i++)
			sum += b->p[i];
		snprintf((char *)b->p + 148, 8, "%06o", sum);
	}
	put_end(b);
}

static void zero_block_inside(struct buf *b, const char *c)
{
	buf_put(b, NULL, 512);
	put_hdr(b, &(struct hdr_spec){ .name = "r/x", .size = 0 });
	put_end(b);
}

#define F(mode, size, hash) " f " mode " " size " " hash " 1000000\n"

static const struct hostile cases[] = {
	{ "dotdot", dotdot, "--copy-out G:H: member 'r/../x': '..' in its name", "ok" F("0644", "2", "%K") },
	{ "absolute", absolute, "--copy-out G:H: member '" "%C/abs': an absolute name", "" },
	{ "dotdot_deep", dotdot_deep, "--copy-out G:H: member 'r/a/../../x': '..' in its name", "" },
	{ "symlink_out_then_through", symlink_out_then_through,
	  "--copy-out G:H: member 'r/l/file': cannot open its directory: a symlink is in its path",
	  "l l -> %C\n" },
	{ "symlink_dir_then_through", symlink_dir_then_through,
	  "--copy-out G:H: member 'r/s/f': cannot open its directory: a symlink is in its path",
	  "d d 0700\ns l -> d\n" },
	{ "symlink_then_replaced", symlink_then_replaced, "", "l f 0644 3 %H 1000000\n" },
	{ "hardlink_outside", hardlink_outside, "", "f f 0644 4 %D 1000000\nh4 f 0644 4 %D 1000000\n"
	  "pre f 0600 10 %P 1000000\n", 3, 0, make_pre },
	{ "hardlink_dotdot", hardlink_dotdot, "--copy-out G:H: member 'r/h': a hard link with '..' "
	  "in its target", "" },
	{ "setid_bits", setid_bits, "", "d d 1775\nd/s f 0755 2 %S 1000000\nt f 1777 0 %E 1000000\n" },
	{ "devices", devices, "", "", 4 },
	{ "bad_checksum", bad_checksum, "--copy-out G:H: archive byte 1024: bad header checksum",
	  "ok" F("0644", "2", "%K") },
	{ "huge_size", huge_size, "--copy-out G:H: member 'r/huge': over the budget of 1048576 bytes",
	  "", 0, 1 << 20 },
	{ "huge_size_unbounded", huge_size_unbounded, "--copy-out G:H: the archive ends early (at byte "
	  "2048, without its end blocks)", "" },
	{ "bad_size", bad_size, "--copy-out G:H: member 'r/x': bad size field", "" },
	{ "truncated", truncated, "--copy-out G:H: the archive ends early (at byte 522, without its "
	  "end blocks)", "" },
	{ "one_end_block", one_end_block, "--copy-out G:H: the archive ends early (at byte 1536, "
	  "without its end blocks)", "f f 0644 1 %F 1000000\n" },
	{ "pax_bad_length", pax_bad_length, "--copy-out G:H: archive byte 1024: a bad pax header", "" },
	{ "pax_short_length", pax_short_length, "--copy-out G:H: archive byte 1024: a bad pax header", "" },
	{ "pax_good", pax_good, "", "%M f 0644 1 %F 1000000\nposix d 0755\nposix/dir d 0755\n"
	  "posix/dir/name f 0644 1 %G 1000000\n%L l -> target\nsized f 0644 3 %A 1000000\n" },
	{ "budget", budget, "--copy-out G:H: member 'r/two': over the budget of 1048576 bytes",
	  "one f 0644 614400 %B 1000000\n", 0, 1 << 20 },
	{ "dir_in_the_way", dir_in_the_way, "--copy-out G:H: member 'r/d': cannot create it: a "
	  "directory is in the way", "d d 0700\n" },
	{ "top_not_dir", top_not_dir, "--copy-out G:H: member 'r': the top of the copy is not a "
	  "directory", "" },
	{ "empty_name", empty_name, "--copy-out G:H: archive byte 512: a member without a name", "" },
	{ "control_chars", control_chars, "--copy-out G:H: member 'r/\\x1b[2J/../x\\\\': '..' in "
	  "its name", "" },
	{ "not_ustar", not_ustar, "--copy-out G:H: member 'r/x': not a ustar header", "" },
	{ "zero_block_inside", zero_block_inside, "--copy-out G:H: archive byte 512: a zero block "
	  "inside the archive", "" },
};

/* Expand %C (the canary's path) and the content hashes the listings name. */
static void expand(char *out, size_t len, const char *fmt, const char *canary, const char *paxname)
{
	static char gnuname[201];
	static const struct { char key; const char *text; size_t n; } hashes[] = {
		{ 'H', "new", 3 }, { 'D', "data", 4 }, { 'P', "host's own", 10 }, { 'S', "#!", 2 },
		{ 'E', "", 0 }, { 'T', "0123456789", 10 }, { 'F', "f", 1 }, { 'G', "p", 1 },
		{ 'K', "ok", 2 }, { 'A', "abc", 3 },
	};
	size_t o = 0;

	memset(gnuname, 'g', 200);
	for (const char *p = fmt; *p && o + 300 < len; p++) {
		if (*p != '%') {
			out[o++] = *p;
			continue;
		}
		p++;
		if (*p == 'C') {
			o += (size_t)snprintf(out + o, len - o, "%s", canary);
		} else if (*p == 'L' || *p == 'M') {
			o += (size_t)snprintf(out + o, len - o, "%.*s", *p == 'L' ? 248 : 200,
					      *p == 'L' ? paxname : gnuname);
		} else if (*p == 'Z' || *p == 'B') {
			/* 1536 bytes: 'x' and zeros (a huge file cut short); 600 KiB of zeros. */
			static unsigned char z[600 * 1024];
			uint64_t h;

			z[0] = *p == 'Z' ? 'x' : 0;
			h = fnv(0xcbf29ce484222325ull, z, *p == 'Z' ? 1536 : sizeof(z));
			z[0] = 0;
			o += (size_t)snprintf(out + o, len - o, "%016llx", (unsigned long long)h);
		} else {
			for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++)
				if (hashes[i].key == *p)
					o += (size_t)snprintf(out + o, len - o, "%016llx",
						(unsigned long long)fnv(0xcbf29ce484222325ull,
						(const unsigned char *)hashes[i].text, hashes[i].n));
		}
	}
	out[o] = 0;
}

static void one_case(const struct hostile *h)
{
	char dir[256], out[300], canary[300], want_err[600], want_list[4096], paxname[300];
	struct buf b = { 0 };
	struct tar_extract_route route;
	struct tar_extract_config cfg = { .routes = &route, .nroutes = 1, .max_bytes = h->max_bytes,
					  .label = "--copy-out G:H" };
	struct tar_extract *x;
	char *listing;
	int fin;

	snprintf(dir, sizeof(dir), "%s/%s", base, h->name);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(canary, sizeof(canary), "%s/canary", dir);
	mkdir(dir, 0755);
	mkdir(out, 0755);
	mkdir(canary, 0755);
	if (h->before)
		h->before(out);
	memset(paxname, 'p', 248);
	paxname[248] = 0;
	h->build(&b, canary);
	route = (struct tar_extract_route){ "r", open(out, O_RDONLY | O_DIRECTORY) };
	x = tar_extract_new(&cfg);
	/* Byte by byte for the small ones: every split of a header. */
	for (size_t off = 0; off < b.len;) {
		size_t n = b.len < 20000 ? 1 : 4096;

		n = n < b.len - off ? n : b.len - off;
		tar_extract_feed(x, b.p + off, n);
		off += n;
	}
	fin = tar_extract_finish(x);
	expand(want_err, sizeof(want_err), h->error, canary, paxname);
	expand(want_list, sizeof(want_list), h->listing, canary, paxname);
	listing = tree_listing(out);
	if (strcmp(tar_extract_error(x), want_err) || strcmp(listing, want_list) ||
	    tar_extract_skipped(x) != h->skipped || fin != (*want_err ? -1 : 0))
		printf("  case %s: finish %d, skipped %llu, error '%s'\n  listing:\n%s", h->name, fin,
		       (unsigned long long)tar_extract_skipped(x), tar_extract_error(x), listing);
	CHECK_STR(tar_extract_error(x), want_err);
	CHECK_STR(listing, want_list);
	CHECK(tar_extract_skipped(x) == h->skipped);
	CHECK(fin == (*want_err ? -1 : 0));
	/* Nothing outside: the canary empty, the case's directory holding only out and canary. */
	CHECK(count_entries(canary) == 0);
	CHECK(count_entries(dir) == 2);
	tar_extract_free(x);
	close(route.dir_fd);
	free(listing);
	free(b.p);
}

static void hostile_archives(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		one_case(&cases[i]);
}

/* After the first failure, the rest is taken and dropped: feed says so, and nothing more is made. */
static void drains_after_failure(void)
{
	char out[256];
	struct buf b = { 0 };
	struct tar_extract_route route;
	struct tar_extract_config cfg = { .routes = &route, .nroutes = 1, .label = "L" };
	struct tar_extract *x;

	snprintf(out, sizeof(out), "%s/drain", base);
	mkdir(out, 0755);
	dotdot(&b, "");
	route = (struct tar_extract_route){ "r", open(out, O_RDONLY | O_DIRECTORY) };
	x = tar_extract_new(&cfg);
	CHECK(tar_extract_feed(x, b.p, b.len) == -1);
	CHECK(tar_extract_feed(x, "more junk", 9) == -1);
	CHECK(tar_extract_finish(x) == -1);
	CHECK(count_entries(out) == 1);	/* "ok" only, not "after" */
	tar_extract_free(x);
	close(route.dir_fd);
	free(b.p);
}

/* More members than allowed. */
static void member_limit(void)
{
	char out[256];
	struct buf b = { 0 };
	struct tar_extract_route route;
	struct tar_extract_config cfg = { .routes = &route, .nroutes = 1, .max_members = 3,
					  .label = "L" };
	struct tar_extract *x;

	snprintf(out, sizeof(out), "%s/members", base);
	mkdir(out, 0755);
	for (int i = 0; i < 5; i++) {
		char name[16];

		snprintf(name, sizeof(name), "r/%d", i);
		put_hdr(&b, &(struct hdr_spec){ .name = name, .type = '5', .mode = 0755 });
	}
	put_end(&b);
	route = (struct tar_extract_route){ "r", open(out, O_RDONLY | O_DIRECTORY) };
	x = tar_extract_new(&cfg);
	tar_extract_feed(x, b.p, b.len);
	CHECK(tar_extract_finish(x) == -1);
	CHECK_STR(tar_extract_error(x), "L: member 'r/3': more members than allowed");
	CHECK(count_entries(out) == 3);
	tar_extract_free(x);
	close(route.dir_fd);
	free(b.p);
}

/* Names made canonical, and routes matched by whole names, the longest prefix first. */
static void names_and_routes(void)
{
	static const struct tar_extract_route routes[] = { { "src", 3 }, { "src/out", 4 }, { "", 5 } };
	char out[64];
	size_t rel = 99;

	CHECK(extract_normalize("./a//b/./c/", 11, out) == NULL);
	CHECK_STR(out, "a/b/c");
	CHECK(extract_normalize("./", 2, out) == NULL);
	CHECK_STR(out, "");
	CHECK_STR(extract_normalize("a/..", 4, out), "'..' in its name");
	CHECK_STR(extract_normalize("..", 2, out), "'..' in its name");
	CHECK(extract_normalize("a/..b/...", 9, out) == NULL);	/* names, not dot-dot */
	CHECK_STR(extract_normalize("/a", 2, out), "an absolute name");
	CHECK_STR(extract_normalize("", 0, out), "an empty name");
	CHECK(extract_find_route(routes, 3, "src/out/x", &rel) == 1 && rel == 8);
	CHECK(extract_find_route(routes, 3, "src/outer", &rel) == 0 && rel == 4);
	CHECK(extract_find_route(routes, 3, "src", &rel) == 0 && rel == 3);
	CHECK(extract_find_route(routes, 3, "srcx/y", &rel) == 2 && rel == 0);
	CHECK(extract_find_route(routes, 2, "srcx/y", &rel) == -1);
}

int main(void)
{
	umask(022);	/* directories made on the way get 0777 less it */
	snprintf(base, sizeof(base), "/tmp/capsule-hostile-XXXXXX");
	if (!mkdtemp(base))
		return 1;
	RUN(hostile_archives);
	RUN(drains_after_failure);
	RUN(member_limit);
	RUN(names_and_routes);
	if (!getenv("KEEP"))
		remove_tree(base);
	return CHECK_SUMMARY();
}
