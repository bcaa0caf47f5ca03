// SPDX-License-Identifier: GPL-2.0
/*
 * strtab.c - the interned strings of strtab.h, keyed by their FNV-1a.
 */
#include <stdlib.h>
#include <string.h>
#include "lib/hash.h"
#include "sym/strtab.h"

struct istr {
	struct hnode node; /* key: FNV-1a of s */
	char s[];
};

/* hash_str's FNV-1a, with the length found on the same pass. */
static __u64 str_hash(const char *str, size_t *len)
{
	__u64 h = HASH_FNV_BASIS;
	const char *p;

	for (p = str; *p; p++)
		h = hash_fnv_byte(h, (unsigned char)*p);
	*len = (size_t)(p - str);
	return h;
}

__u64 strtab_hash(const char *str)
{
	size_t len;

	return str_hash(str, &len);
}

int strtab_init(struct strtab *t)
{
	return hmap_init(&t->map, 64);
}

void strtab_fini(struct strtab *t)
{
	struct hmap_iter it;
	struct hnode *e;

	hmap_iter_init(&it, &t->map);
	while ((e = hmap_iter_next(&it)))
		free(hmap_entry(e, struct istr, node));
	hmap_fini(&t->map);
}

const char *strtab_intern(struct strtab *t, const char *str)
{
	struct hnode *e;
	struct istr *is;
	size_t len;
	__u64 h;

	if (!str)
		return NULL;
	h = str_hash(str, &len);
	for (e = hmap_get(&t->map, h); e; e = hmap_get_next(e)) {
		is = hmap_entry(e, struct istr, node);
		if (!memcmp(is->s, str, len + 1))
			return is->s;
	}
	is = malloc(sizeof(*is) + len + 1);
	if (!is)
		return NULL;
	memcpy(is->s, str, len + 1);
	is->node.key = h;
	hmap_put(&t->map, &is->node);
	return is->s;
}
