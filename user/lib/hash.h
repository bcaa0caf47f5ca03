/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hash.h - the one hash function family of the tree: a 64-bit mixer for
 * integer keys and FNV-1a for bytes.  Plain C with no includes beyond the
 * kernel's integer types, so the BPF programs use the same FNV-1a.
 */
#ifndef SW_LIB_HASH_H
#define SW_LIB_HASH_H

#ifndef __bpf__
#include <linux/types.h>
#include <stddef.h>
#endif

#define HASH_FNV_BASIS 14695981039346656037ULL
#define HASH_FNV_PRIME 1099511628211ULL

/* One byte into an FNV-1a hash. */
static inline __u64 hash_fnv_byte(__u64 h, unsigned char c)
{
	return (h ^ c) * HASH_FNV_PRIME;
}

/* The first half of MurmurHash3's finalizer: one multiply between two
 * folds spreads the bits of an id or an aligned address over the low
 * bits a table indexes by, so consecutive pids and page-aligned addresses
 * land in different buckets.  The full finalizer costs a few percent of
 * the analyzer's time per event and buys nothing for table indices. */
static inline __u64 hash_u64(__u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

#ifndef __bpf__
/* FNV-1a of at most max bytes of the string s, continuing from h
 * (HASH_FNV_BASIS to start). */
static inline __u64 hash_str(__u64 h, const char *s, size_t max)
{
	for (size_t i = 0; i < max && s[i]; i++)
		h = hash_fnv_byte(h, (unsigned char)s[i]);
	return h;
}
#endif

#endif
