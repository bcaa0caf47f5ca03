// SPDX-License-Identifier: GPL-2.0
/*
 * hmap.c - the chained hash map of hmap.h.
 */
#include <errno.h>
#include <stdlib.h>
#include "lib/hash.h"
#include "lib/hmap.h"

static size_t bucket_of(__u64 key, size_t nbuckets)
{
	return hmap_bucket_of(key, nbuckets);
}

int hmap_init(struct hmap *h, size_t nbuckets)
{
	size_t nb = 1;

	while (nb < nbuckets)
		nb <<= 1;
	h->buckets = calloc(nb, sizeof(*h->buckets));
	if (!h->buckets)
		return -ENOMEM;
	h->nbuckets = nb;
	h->count = 0;
	return 0;
}

void hmap_fini(struct hmap *h)
{
	free(h->buckets);
	h->buckets = NULL;
	h->nbuckets = 0;
	h->count = 0;
}

/* Double the bucket array; on allocation failure keep the old one. */
static void grow(struct hmap *h)
{
	size_t nb = h->nbuckets * 2;
	struct hnode **b = calloc(nb, sizeof(*b));

	if (!b)
		return;
	for (size_t i = 0; i < h->nbuckets; i++) {
		struct hnode *n = h->buckets[i], *next;

		for (; n; n = next) {
			size_t j = bucket_of(n->key, nb);

			next = n->next;
			n->next = b[j];
			b[j] = n;
		}
	}
	free(h->buckets);
	h->buckets = b;
	h->nbuckets = nb;
}

void hmap_put(struct hmap *h, struct hnode *n)
{
	size_t i;

	if (h->count >= h->nbuckets)
		grow(h);
	i = bucket_of(n->key, h->nbuckets);
	n->next = h->buckets[i];
	h->buckets[i] = n;
	h->count++;
}

void hmap_del(struct hmap *h, struct hnode *n)
{
	struct hnode **pp = &h->buckets[bucket_of(n->key, h->nbuckets)];

	for (; *pp; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			h->count--;
			return;
		}
	}
}

void hmap_iter_init(struct hmap_iter *it, const struct hmap *h)
{
	it->h = h;
	it->bucket = 0;
	it->next = h->nbuckets ? h->buckets[0] : NULL;
}

struct hnode *hmap_iter_next(struct hmap_iter *it)
{
	struct hnode *n;

	while (!it->next) {
		if (++it->bucket >= it->h->nbuckets)
			return NULL;
		it->next = it->h->buckets[it->bucket];
	}
	n = it->next;
	it->next = n->next;
	return n;
}
