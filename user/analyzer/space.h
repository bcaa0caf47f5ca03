/* SPDX-License-Identifier: GPL-2.0 */
/*
 * space.h - the primitives on address spaces (space.c): live ranges in
 * their index, the tombstones of what was detached, the ranges a mapping
 * displaced, and dropping or copying a whole address space.
 */
#ifndef SHMWATCH_SPACE_H
#define SHMWATCH_SPACE_H

#include "analyzer/state.h"

/* The lookups are inline: every call's path makes a few. */
static inline struct mapping *model_range_of(struct range_node *n)
{
	return n ? range_entry(n, struct mapping, rn) : NULL;
}

/* The live range containing addr, or NULL. */
static inline struct mapping *model_range_at(struct mm *mm, __u64 addr)
{
	return model_range_of(range_find(&mm->ranges, addr));
}

/* The first range overlapping [start, end), or NULL. */
static inline struct mapping *model_first_overlap(struct mm *mm, __u64 start, __u64 end)
{
	return model_range_of(range_first_overlap(&mm->ranges, start, end));
}

/* The first range starting at or after addr, or NULL. */
static inline struct mapping *model_range_from(struct mm *mm, __u64 addr)
{
	return model_range_of(range_ceil(&mm->ranges, addr));
}

/* Does any live range overlap [start, end)? */
static inline bool model_range_overlaps(struct mm *mm, __u64 start, __u64 end)
{
	return model_first_overlap(mm, start, end) != NULL;
}

/* A copy of tmpl over [start, end), counted and indexed; NULL when out of
 * memory. */
struct mapping *model_range_add(struct analyzer *a, struct mm *mm, const struct mapping *tmpl,
				__u64 start, __u64 end);
/*
 * Take [start, end) out of the range n: the pieces left and right of the
 * cut stay (a split SysV VMA counts as one more attach, as in the kernel),
 * the cut part is dropped and, when how is non-zero, remembered as
 * detached (by the call seq, whose stack is gone_stack).
 */
void model_range_cut(struct analyzer *a, struct mm *mm, struct mapping *n, __u64 start,
		     __u64 end, enum gone_how how, __u64 seq, struct ustack *gone_stack);
/* Remove whatever overlaps [start, end), remembered as detached by the
 * call seq when how is non-zero; returns how many ranges it hit. */
int model_mm_remove(struct analyzer *a, struct mm *mm, __u64 start, __u64 end,
		    enum gone_how how, __u64 seq, struct ustack *gone_stack);
/* Mark the part of n within [start, end) dontfork or not, split off from
 * the rest as the kernel splits the VMA (one more attach for SysV). */
void model_range_set_dontfork(struct analyzer *a, struct mm *mm, struct mapping *n,
			      __u64 start, __u64 end, bool dontfork);
/* Drop one reference; the last one detaches everything (exec, exit). */
void model_mm_put(struct analyzer *a, struct mm *mm, __u64 seq);
/* Copy src's ranges into dst, but those marked dontfork (fork). */
void model_mm_copy(struct analyzer *a, struct mm *dst, const struct mm *src);

/* The live processes whose shared mappings map the file (dev, ino)
 * now: how many, and the pids of the first max of them (a walk of every
 * address space: for a finding's message, not for every event). */
unsigned int model_mappers(const struct analyzer *a, __u32 dev, __u64 ino, __u32 *pids,
			   unsigned int max);

/* Something is mapped over [start, end) now: older tombstones there no
 * longer describe the address space. */
void model_tombs_forget(struct analyzer *a, struct mm *mm, __u64 start, __u64 end);
/* The tombstone containing [start, end), or NULL. */
struct tomb *model_tomb_covering(struct mm *mm, __u64 start, __u64 end);

/* Is [start, end) inside a range that a mapping by another thread than
 * tid displaced (a late unmap record of tid's, see struct displaced)? */
bool model_displaced(const struct mm *mm, __u64 start, __u64 end, __u32 tid, __u8 kind);
/* A late unmap record of what a mapping displaced: it was applied then. */
bool model_displaced_take(struct mm *mm, __u64 start, __u64 end, __u32 tid, __u8 kind);
/* A mapping that could not replace anything landed on [start, end):
 * whatever the model still has there was unmapped unseen so far. */
void model_displace(struct mm *mm, __u64 start, __u64 end, __u32 tid);

#endif /* SHMWATCH_SPACE_H */
