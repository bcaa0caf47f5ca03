/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hmap.h - the one hash map of the tree: intrusive, chained, keyed by a
 * u64.  A key may be an id (exact) or a hash of a longer key; then more
 * than one node can carry it and hmap_get_next walks the others, and the
 * caller compares the full key.  The map grows as it fills; if growing
 * fails it keeps its buckets, which only makes chains longer, so hmap_put
 * never fails.
 */
#ifndef SW_LIB_HMAP_H
#define SW_LIB_HMAP_H

#include <linux/types.h>
#include <stddef.h>
#include "lib/hash.h"
#include "lib/list.h" /* container_of */

struct hnode {
	struct hnode *next;
	__u64 key;
};

struct hmap {
	struct hnode **buckets;
	size_t nbuckets; /* power of two */
	size_t count;
};

struct hmap_iter {
	const struct hmap *h;
	size_t bucket;
	struct hnode *next;
};

#define hmap_entry(node, type, member) container_of(node, type, member)

/* nbuckets is rounded up to a power of two. */
int hmap_init(struct hmap *h, size_t nbuckets);
/* Frees the buckets, never the nodes. */
void hmap_fini(struct hmap *h);
static inline size_t hmap_bucket_of(__u64 key, size_t nbuckets)
{
	return hash_u64(key) & (nbuckets - 1);
}

/* The first node with key, or NULL.  Inline, as the lookups are on the
 * hot paths (the model per event, the symbolizer per frame). */
static inline struct hnode *hmap_get(const struct hmap *h, __u64 key)
{
	struct hnode *n;

	if (!h->nbuckets)
		return NULL;
	n = h->buckets[hmap_bucket_of(key, h->nbuckets)];
	while (n && n->key != key)
		n = n->next;
	return n;
}

/* The next node after n with n's key, or NULL. */
static inline struct hnode *hmap_get_next(const struct hnode *n)
{
	struct hnode *m = n->next;

	while (m && m->key != n->key)
		m = m->next;
	return m;
}
void hmap_put(struct hmap *h, struct hnode *n);
/* Removes n, which must be in h. */
void hmap_del(struct hmap *h, struct hnode *n);
static inline size_t hmap_count(const struct hmap *h)
{
	return h->count;
}

/* Iteration that survives deleting the node just returned. */
void hmap_iter_init(struct hmap_iter *it, const struct hmap *h);
struct hnode *hmap_iter_next(struct hmap_iter *it);

#endif
