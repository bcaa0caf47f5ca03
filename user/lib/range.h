/* SPDX-License-Identifier: GPL-2.0 */
/*
 * range.h - an index of disjoint address ranges [start, end), ordered by
 * start: insert, remove, the range containing an address, the first one
 * overlapping an interval, and in-order walks.  Intrusive: the caller
 * embeds struct range_node and owns the memory.
 *
 * A treap: each node carries a priority that the caller supplies (any
 * random-looking value), so that the tree's shape, and with it the order
 * of range_clear, is the same from one run to the next.
 */
#ifndef SW_LIB_RANGE_H
#define SW_LIB_RANGE_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include "lib/list.h" /* container_of */

struct range_node {
	__u64 start;
	__u64 end;
	struct range_node *left;
	struct range_node *right;
	__u32 prio;
};

struct range_tree {
	struct range_node *root;
};

#define range_entry(node, type, member) container_of(node, type, member)

static inline void range_tree_init(struct range_tree *t)
{
	t->root = NULL;
}

static inline bool range_tree_empty(const struct range_tree *t)
{
	return !t->root;
}

/* n->start, n->end set; no range in t may start where n does. */
void range_insert(struct range_tree *t, struct range_node *n, __u32 prio);
/* Removes n, which must be in t. */
void range_remove(struct range_tree *t, struct range_node *n);
/* The lookups are inline: they are on every event's path. */

/* The range with the greatest start <= addr, or NULL. */
static inline struct range_node *range_floor(const struct range_tree *t, __u64 addr)
{
	struct range_node *n = t->root, *best = NULL;

	while (n) {
		if (n->start <= addr) {
			best = n;
			n = n->right;
		} else {
			n = n->left;
		}
	}
	return best;
}

/* The range with the smallest start >= addr, or NULL. */
static inline struct range_node *range_ceil(const struct range_tree *t, __u64 addr)
{
	struct range_node *n = t->root, *best = NULL;

	while (n) {
		if (n->start >= addr) {
			best = n;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return best;
}

/* The range containing addr, or NULL. */
static inline struct range_node *range_find(const struct range_tree *t, __u64 addr)
{
	struct range_node *n = range_floor(t, addr);

	return n && addr < n->end ? n : NULL;
}

/* The lowest range overlapping [start, end), or NULL. */
static inline struct range_node *range_first_overlap(const struct range_tree *t, __u64 start,
						     __u64 end)
{
	struct range_node *n = range_floor(t, start);

	if (!n || n->end <= start)
		n = range_ceil(t, start);
	return n && n->start < end ? n : NULL;
}

/* Calls fn on each range in order of start; a non-zero return stops the
 * walk and is returned.  fn must not change t. */
typedef int (*range_fn)(void *ctx, struct range_node *n);
int range_foreach(const struct range_tree *t, range_fn fn, void *ctx);
/* Empties t, calling fn on each node after its subtrees (fn may free
 * it). */
void range_clear(struct range_tree *t, void (*fn)(void *ctx, struct range_node *n), void *ctx);

#endif
