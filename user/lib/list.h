/* SPDX-License-Identifier: GPL-2.0 */
/*
 * list.h - the one doubly linked list of the tree: intrusive and circular,
 * with a head that is a node of its own, as in the kernel.  An empty list
 * is a head pointing at itself; a node that is on no list points at
 * itself too (list_init), so list_del twice is harmless.
 */
#ifndef SW_LIB_LIST_H
#define SW_LIB_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list_node {
	struct list_node *next;
	struct list_node *prev;
};

#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#endif

#define list_entry(node, type, member) container_of(node, type, member)

static inline void list_init(struct list_node *n)
{
	n->next = n;
	n->prev = n;
}

static inline bool list_empty(const struct list_node *head)
{
	return head->next == head;
}

/* Is n on some list?  Only for nodes set up with list_init. */
static inline bool list_linked(const struct list_node *n)
{
	return n->next != n;
}

static inline void list_insert_between(struct list_node *n,
				       struct list_node *prev,
				       struct list_node *next)
{
	n->prev = prev;
	n->next = next;
	prev->next = n;
	next->prev = n;
}

/* At the front: the list's first node. */
static inline void list_add(struct list_node *head, struct list_node *n)
{
	list_insert_between(n, head, head->next);
}

/* At the back: the list's last node. */
static inline void list_add_tail(struct list_node *head, struct list_node *n)
{
	list_insert_between(n, head->prev, head);
}

static inline void list_del(struct list_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	list_init(n);
}

static inline struct list_node *list_first(const struct list_node *head)
{
	return list_empty(head) ? NULL : head->next;
}

static inline struct list_node *list_last(const struct list_node *head)
{
	return list_empty(head) ? NULL : head->prev;
}

/* Iteration that survives deleting the node it is on. */
#define list_for_each_safe(pos, tmp, head) \
	for (pos = (head)->next, tmp = pos->next; pos != (head); \
	     pos = tmp, tmp = pos->next)

#define list_for_each(pos, head) \
	for (pos = (head)->next; pos != (head); pos = pos->next)

#endif
