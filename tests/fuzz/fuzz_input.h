/* A fuzz input read as a stream of little-endian fields; past its end every field reads as 0. */
#ifndef CAPSULE_FUZZ_INPUT_H
#define CAPSULE_FUZZ_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

/*
 * Copy LEN bytes to DST, zeroes for what the input no longer has: a short
 * input is a valid one, so that every mutation libFuzzer makes means something.
 */
static inline void fin_bytes(struct fuzz_in *in, void *dst, size_t len)
{
	size_t n = len < in->left ? len : in->left;

	memcpy(dst, in->p, n);
	memset((uint8_t *)dst + n, 0, len - n);
	in->p += n;
	in->left -= n;
}

static inline uint8_t fin_u8(struct fuzz_in *in)
{
	uint8_t v;

	fin_bytes(in, &v, 1);
	return v;
}

static inline uint16_t fin_u16(struct fuzz_in *in)
{
	uint8_t b[2];

	fin_bytes(in, b, 2);
	return (uint16_t)(b[0] | b[1] << 8);
}

/* Two statements each: the operands of | are evaluated in no fixed order. */
static inline uint32_t fin_u32(struct fuzz_in *in)
{
	uint32_t lo = fin_u16(in);

	return lo | (uint32_t)fin_u16(in) << 16;
}

static inline uint64_t fin_u64(struct fuzz_in *in)
{
	uint64_t lo = fin_u32(in);

	return lo | (uint64_t)fin_u32(in) << 32;
}

static inline bool fin_done(const struct fuzz_in *in)
{
	return in->left == 0;
}

/* The next LEN bytes as an input of their own (a script inside the input). */
static inline struct fuzz_in fin_sub(struct fuzz_in *in, size_t len)
{
	struct fuzz_in sub = { in->p, len < in->left ? len : in->left };

	in->p += sub.left;
	in->left -= sub.left;
	return sub;
}

/* A broken invariant: stop with a message libFuzzer keeps with the crash. */
#define FUZZ_CHECK(cond)                                                               \
	do {                                                                           \
		if (!(cond)) {                                                         \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, \
				#cond);                                                \
			abort();                                                       \
		}                                                                      \
	} while (0)

#endif
