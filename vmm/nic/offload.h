/* What the emulated NICs share to do a guest's offload requests: checksums, big-endian fields, VLAN tags. */
#ifndef CAPSULE_NIC_OFFLOAD_H
#define CAPSULE_NIC_OFFLOAD_H

#include <stdint.h>

#include "backend/net.h"

/* Add LEN bytes at P, taken as big-endian 16-bit words from an even offset, to SUM. */
uint32_t inet_csum_add(uint32_t sum, const uint8_t *p, uint32_t len);
/* SUM folded to 16 bits, not complemented. */
uint16_t inet_csum_fold(uint32_t sum);

static inline uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * An 802.1Q tag (TPID, TCI) goes in after F's addresses, LEN grows by 4 (F has
 * room for it), and H's offsets move with the headers.
 */
void offload_vlan_insert(struct net_hdr *h, uint8_t *f, uint32_t *len, uint16_t tpid, uint16_t tci);

#endif
