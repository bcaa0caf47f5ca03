// SPDX-License-Identifier: GPL-2.0
/*
 * range.c - the treap behind range.h: split and merge keep it balanced
 * in expectation, O(log n) for every operation but the walks.
 */
#include <stdbool.h>
#include "lib/range.h"

static struct range_node *merge(struct range_node *l, struct range_node *r)
{
	if (!l)
		return r;
	if (!r)
		return l;
	if (l->prio > r->prio) {
		l->right = merge(l->right, r);
		return l;
	}
	r->left = merge(l, r->left);
	return r;
}

/* Split t into nodes starting before key and the rest. */
static void split(struct range_node *t, __u64 key, struct range_node **l, struct range_node **r)
{
	if (!t) {
		*l = *r = NULL;
	} else if (t->start < key) {
		split(t->right, key, &t->right, r);
		*l = t;
	} else {
		split(t->left, key, l, &t->left);
		*r = t;
	}
}

void range_insert(struct range_tree *t, struct range_node *n, __u32 prio)
{
	struct range_node *l, *r;

	n->left = n->right = NULL;
	n->prio = prio;
	split(t->root, n->start, &l, &r);
	t->root = merge(merge(l, n), r);
}

void range_remove(struct range_tree *t, struct range_node *n)
{
	struct range_node **pp = &t->root;

	while (*pp && *pp != n)
		pp = n->start < (*pp)->start ? &(*pp)->left : &(*pp)->right;
	if (*pp)
		*pp = merge(n->left, n->right);
}

static int walk(struct range_node *n, range_fn fn, void *ctx)
{
	int ret;

	if (!n)
		return 0;
	ret = walk(n->left, fn, ctx);
	if (!ret)
		ret = fn(ctx, n);
	return ret ? ret : walk(n->right, fn, ctx);
}

int range_foreach(const struct range_tree *t, range_fn fn, void *ctx)
{
	return walk(t->root, fn, ctx);
}

static void clear(struct range_node *n, void (*fn)(void *ctx, struct range_node *n), void *ctx)
{
	if (!n)
		return;
	clear(n->left, fn, ctx);
	clear(n->right, fn, ctx);
	fn(ctx, n);
}

void range_clear(struct range_tree *t, void (*fn)(void *ctx, struct range_node *n), void *ctx)
{
	struct range_node *root = t->root;

	t->root = NULL;
	clear(root, fn, ctx);
}
