/* The NICs' shared offload work: the Internet checksum (RFC 1071), VLAN tag insertion. */
#include "nic/offload.h"

#include <string.h>

uint32_t inet_csum_add(uint32_t sum, const uint8_t *p, uint32_t len)
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

uint16_t inet_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

void offload_vlan_insert(struct net_hdr *h, uint8_t *f, uint32_t *len, uint16_t tpid, uint16_t tci)
{
	memmove(f + 16, f + 12, *len - 12);
	put_be16(f + 12, tpid);
	put_be16(f + 14, tci);
	*len += 4;
	if (h->flags & NET_HDR_NEEDS_CSUM)
		h->csum_start += 4;
	if (h->gso_type)
		h->hdr_len += 4;
}
