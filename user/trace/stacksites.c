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
#include "analyzer/model.h"
#include "trace/stacksites.h"

struct site {
	struct sw_hnode node; /* key: the site key */
	struct site *prev;    /* recency list, most recent first */
	struct site *next;
	__u64 seq;	      /* the record the stack came with */
	__u64 leaf_ret;
	__u32 n;
	__u64 ip[];
};

struct stack_sites {
	struct sw_hmap map;
	struct site *head;
	struct site *tail;
	unsigned int max;
	unsigned long long misses;
};

struct stack_sites *stack_sites__new(unsigned int max)
{
	struct stack_sites *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->max = max ? max : 1;
	if (sw_hmap_init(&s->map, 1024)) {
		free(s);
		return NULL;
	}
	return s;
}

static void unlink_site(struct stack_sites *s, struct site *x)
{
	if (x->prev)
		x->prev->next = x->next;
	else
		s->head = x->next;
	if (x->next)
		x->next->prev = x->prev;
	else
		s->tail = x->prev;
	x->prev = x->next = NULL;
}

static void push_front(struct stack_sites *s, struct site *x)
{
	x->next = s->head;
	if (s->head)
		s->head->prev = x;
	s->head = x;
	if (!s->tail)
		s->tail = x;
}

static void drop(struct stack_sites *s, struct site *x)
{
	unlink_site(s, x);
	sw_hmap_del(&s->map, &x->node);
	free(x);
}

void stack_sites__free(struct stack_sites *s)
{
	if (!s)
		return;
	while (s->head)
		drop(s, s->head);
	sw_hmap_fini(&s->map);
	free(s);
}

void stack_sites__remember(struct stack_sites *s, const struct sw_event *e)
{
	struct site *x = (struct site *)sw_hmap_get(&s->map, e->stack_key);
	__u32 n = e->n_frames < SW_MAX_FRAMES ? e->n_frames : SW_MAX_FRAMES;

	if (!e->stack_key || !n)
		return;
	if (x) /* the kernel forgot the site and unwound it again */
		drop(s, x);
	else if (s->map.count >= s->max)
		drop(s, s->tail);
	x = malloc(sizeof(*x) + n * sizeof(x->ip[0]));
	if (!x)
		return;
	memset(x, 0, sizeof(*x));
	x->node.key = e->stack_key;
	x->seq = e->seq;
	x->leaf_ret = e->leaf_ret;
	x->n = n;
	memcpy(x->ip, e->stack, n * sizeof(x->ip[0]));
	if (sw_hmap_put(&s->map, &x->node)) {
		free(x);
		return;
	}
	push_front(s, x);
}

bool stack_sites__fill(struct stack_sites *s, struct sw_event *e)
{
	struct site *x = (struct site *)sw_hmap_get(&s->map, e->stack_key);

	if (!x) {
		s->misses++;
		return false;
	}
	unlink_site(s, x);
	push_front(s, x);
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
