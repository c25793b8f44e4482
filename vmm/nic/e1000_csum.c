/* The Internet checksum (RFC 1071), for the offloads the backend cannot do. */
#include "nic/e1000_regs.h"

/* Add LEN bytes at P, taken as big-endian 16-bit words from an even offset, to SUM. */
uint32_t e1000_csum_add(uint32_t sum, const uint8_t *p, uint32_t len)
{
	uint64_t s = sum;

	for (; len >= 2; p += 2, len -= 2)
		s += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		s += (uint32_t)p[0] << 8;
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

/* SUM folded to 16 bits, not complemented. */
uint16_t e1000_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}
