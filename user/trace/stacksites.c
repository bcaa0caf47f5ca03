// SPDX-License-Identifier: GPL-2.0
/*
 * stacksites.c - a least-recently-used cache of call-site stacks, keyed by
 * the kernel's site key.  A site stays as long as calls keep coming from
 * it, which is also what keeps it in the kernel's LRU map, so a site the
 * kernel believes sent is nearly always still here; when it is not, the
 * record goes on without a stack and the miss is counted.
 */
#include <stdlib.h>
#include <string.h>
#include "lib/hmap.h"
#include "lib/list.h"
#include "trace/stacksites.h"

struct site {
	struct hnode node;	/* key: the site key */
	struct list_node lru;	/* most recent first */
	__u64 seq;		/* the record the stack came with */
	__u64 leaf_ret;
	__u32 n;
	__u64 ip[];
};

struct stack_sites {
	struct hmap map;
	struct list_node lru;
	unsigned int max;
	unsigned long long misses;
};

struct stack_sites *stack_sites__new(unsigned int max)
{
	struct stack_sites *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->max = max ? max : 1;
	list_init(&s->lru);
	if (hmap_init(&s->map, 1024)) {
		free(s);
		return NULL;
	}
	return s;
}

static struct site *site_get(const struct stack_sites *s, __u64 key)
{
	struct hnode *n = hmap_get(&s->map, key);

	return n ? hmap_entry(n, struct site, node) : NULL;
}

static void drop(struct stack_sites *s, struct site *x)
{
	list_del(&x->lru);
	hmap_del(&s->map, &x->node);
	free(x);
}

void stack_sites__free(struct stack_sites *s)
{
	struct list_node *pos, *tmp;

	if (!s)
		return;
	list_for_each_safe(pos, tmp, &s->lru)
		drop(s, list_entry(pos, struct site, lru));
	hmap_fini(&s->map);
	free(s);
}

void stack_sites__remember(struct stack_sites *s, const struct sw_event *e)
{
	struct site *x = site_get(s, e->stack_key);
	__u32 n = e->n_frames < SW_MAX_FRAMES ? e->n_frames : SW_MAX_FRAMES;

	if (!e->stack_key || !n)
		return;
	if (x) /* the kernel forgot the site and unwound it again */
		drop(s, x);
	else if (hmap_count(&s->map) >= s->max)
		drop(s, list_entry(list_last(&s->lru), struct site, lru));
	x = malloc(sizeof(*x) + n * sizeof(x->ip[0]));
	if (!x)
		return;
	memset(x, 0, sizeof(*x));
	x->node.key = e->stack_key;
	x->seq = e->seq;
	x->leaf_ret = e->leaf_ret;
	x->n = n;
	memcpy(x->ip, e->stack, n * sizeof(x->ip[0]));
	hmap_put(&s->map, &x->node);
	list_add(&s->lru, &x->lru);
}

bool stack_sites__fill(struct stack_sites *s, struct sw_event *e)
{
	struct site *x = site_get(s, e->stack_key);

	if (!x) {
		s->misses++;
		return false;
	}
	list_del(&x->lru);
	list_add(&s->lru, &x->lru);
	e->n_frames = x->n;
	e->leaf_ret = x->leaf_ret;
	e->stack_from = x->seq;
	memcpy(e->stack, x->ip, x->n * sizeof(e->stack[0]));
	return true;
}

unsigned long long stack_sites__misses(const struct stack_sites *s)
{
	return s->misses;
}
