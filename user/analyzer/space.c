// SPDX-License-Identifier: GPL-2.0
/*
 * space.c - address spaces: each keeps its live attachments and shared
 * mappings in a range index ordered by start (lib/range.h: O(log n)
 * insert, remove and "what is at addr"), a small ring of recently
 * detached ranges for use-after-detach, and the ranges a mapping
 * displaced.  Ranges count their segment's attachments (state.c) and
 * their object's mappings (objects.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "analyzer/objects.h"
#include "analyzer/space.h"

static __u32 next_prio(struct analyzer *a)
{
	/* xorshift32: priorities only need to look random to keep the
	 * index balanced, and a fixed seed keeps runs reproducible. */
	a->rng ^= a->rng << 13;
	a->rng ^= a->rng >> 17;
	a->rng ^= a->rng << 5;
	return a->rng;
}

static void account_add(struct analyzer *a, struct mm *mm, const struct mapping *r)
{
	if (r->kind == SW_RANGE_ATTACH)
		mm->n_attach++;
	else
		mm->n_map++;
	mm->bytes += r->rn.end - r->rn.start;
}

static void account_del(struct analyzer *a, struct mm *mm, const struct mapping *r)
{
	if (r->kind == SW_RANGE_ATTACH)
		mm->n_attach--;
	else
		mm->n_map--;
	mm->bytes -= r->rn.end - r->rn.start;
}

struct mapping *model_range_add(struct analyzer *a, struct mm *mm, const struct mapping *tmpl,
				__u64 start, __u64 end)
{
	struct mapping *n = malloc(sizeof(*n));

	if (!n)
		return NULL;
	*n = *tmpl;
	n->rn.start = start;
	n->rn.end = end;
	model_stack_get(n->stack);
	range_insert(&mm->ranges, &n->rn, next_prio(a));
	a->n_mappings++;
	account_add(a, mm, n);
	model_obj_range(a, n, +1);
	model_seg_attach(a, n);
	return n;
}

static void range_free(struct analyzer *a, struct mapping *n)
{
	model_obj_range(a, n, -1);
	model_stack_put(a, n->stack);
	a->n_mappings--;
	free(n);
}

static void tomb_clear(struct analyzer *a, struct tomb *t)
{
	model_stack_put(a, t->stack);
	model_stack_put(a, t->map_stack);
	t->stack = NULL;
	t->map_stack = NULL;
	t->valid = false;
}

/* Something is mapped over [start, end) now: older tombstones there no
 * longer describe the address space. */
void model_tombs_forget(struct analyzer *a, struct mm *mm, __u64 start, __u64 end)
{
	for (int i = 0; i < SW_TOMBS; i++) {
		struct tomb *t = &mm->tombs[i];

		if (t->valid && t->start < end && start < t->end)
			tomb_clear(a, t);
	}
}

static void tomb_add(struct analyzer *a, struct mm *mm, const struct mapping *r,
		     __u64 start, __u64 end, enum gone_how how, __u64 seq,
		     struct ustack *gone_stack)
{
	struct tomb *t = &mm->tombs[mm->tomb_next++ % SW_TOMBS];

	tomb_clear(a, t);
	*t = (struct tomb){
		.start = start,
		.end = end,
		.seq = seq,
		.map_seq = r->seq,
		.stack = model_stack_get(gone_stack),
		.map_stack = model_stack_get(r->stack),
		.lost_snap = a->lost_total,
		.shmid = r->shmid,
		.ipc_ns = r->ipc_ns,
		.kind = r->kind,
		.how = how,
		.backing = r->backing,
		.valid = true,
	};
}

struct tomb *model_tomb_covering(struct mm *mm, __u64 start, __u64 end)
{
	for (int i = 0; i < SW_TOMBS; i++) {
		struct tomb *t = &mm->tombs[i];

		if (t->valid && t->start <= start && end <= t->end)
			return t;
	}
	return NULL;
}

/*
 * Take [start, end) out of one range: the pieces left and right of the cut
 * stay (a split SysV VMA counts as one more attach, as in the kernel), the
 * cut part is dropped and, when how is non-zero, remembered as detached
 * (by the call seq, whose stack is gone_stack).
 */
void model_range_cut(struct analyzer *a, struct mm *mm, struct mapping *n,
		     __u64 start, __u64 end, enum gone_how how, __u64 seq,
		     struct ustack *gone_stack)
{
	__u64 cut_start = n->rn.start > start ? n->rn.start : start;
	__u64 cut_end = n->rn.end < end ? n->rn.end : end;

	range_remove(&mm->ranges, &n->rn);
	account_del(a, mm, n);
	if (how)
		tomb_add(a, mm, n, cut_start, cut_end, how, seq, gone_stack);
	if (n->rn.start < cut_start)
		model_range_add(a, mm, n, n->rn.start, cut_start);
	if (cut_end < n->rn.end)
		model_range_add(a, mm, n, cut_end, n->rn.end);
	model_seg_detach(a, n, seq);
	range_free(a, n);
}

static struct displaced *displaced_find(const struct mm *mm, __u64 start, __u64 end,
					__u32 tid, __u8 kind)
{
	for (int i = 0; i < SW_DISPLACED; i++) {
		const struct displaced *d = &mm->displaced[i];

		if (d->valid && d->kind == kind && d->by_tid != tid && d->start <= start &&
		    end <= d->end)
			return (struct displaced *)d;
	}
	return NULL;
}

bool model_displaced(const struct mm *mm, __u64 start, __u64 end, __u32 tid, __u8 kind)
{
	return mm && displaced_find(mm, start, end, tid, kind);
}

/* A late unmap record of what a mapping displaced: it was applied then. */
bool model_displaced_take(struct mm *mm, __u64 start, __u64 end, __u32 tid, __u8 kind)
{
	struct displaced *d = displaced_find(mm, start, end, tid, kind);

	if (d)
		d->valid = false;
	return d != NULL;
}

/* A mapping that could not replace anything landed on [start, end):
 * whatever the model still has there was unmapped unseen so far. */
void model_displace(struct mm *mm, __u64 start, __u64 end, __u32 tid)
{
	struct mapping *n = model_first_overlap(mm, start, end);

	for (; n && n->rn.start < end; n = model_range_from(mm, n->rn.end)) {
		struct displaced *d = &mm->displaced[mm->displaced_next++ % SW_DISPLACED];

		*d = (struct displaced){ .start = n->rn.start, .end = n->rn.end, .by_tid = tid,
					    .kind = n->kind, .valid = true };
	}
}

struct file_ctx {
	__u32 dev;
	__u64 ino;
};

static int maps_file(void *ctx, struct range_node *rn)
{
	const struct file_ctx *c = ctx;
	const struct mapping *r = model_range_of(rn);

	return r->kind == SW_RANGE_MAP && r->ino == c->ino && r->dev == c->dev;
}

unsigned int model_mappers(const struct analyzer *a, __u32 dev, __u64 ino, __u32 *pids,
			   unsigned int max)
{
	struct file_ctx c = { .dev = dev, .ino = ino };
	struct hmap_iter it;
	struct hnode *n;
	unsigned int count = 0;

	hmap_iter_init(&it, &a->procs);
	while ((n = hmap_iter_next(&it))) {
		const struct proc *p = (const struct proc *)n;

		if (p->exited || !p->mm || !range_foreach(&p->mm->ranges, maps_file, &c))
			continue;
		count++;
		/* The max lowest pids, in order: the same list whatever
		 * order the processes are walked in. */
		for (unsigned int i = 0, pid = p->pid; i < max && i < count; i++) {
			if (i == count - 1 || pid < pids[i]) {
				unsigned int keep = pids[i];

				pids[i] = pid;
				pid = keep;
			}
		}
	}
	return count;
}

/* Remove whatever overlaps [start, end); returns how many ranges it hit. */
int model_mm_remove(struct analyzer *a, struct mm *mm, __u64 start, __u64 end,
		    enum gone_how how, __u64 seq, struct ustack *gone_stack)
{
	struct mapping *n = model_first_overlap(mm, start, end);
	int hit = 0;

	while (n) {
		__u64 resume = n->rn.end;

		model_range_cut(a, mm, n, start, end, how, seq, gone_stack);
		hit++;
		n = resume < end ? model_first_overlap(mm, resume, end) : NULL;
	}
	return hit;
}

struct free_ctx {
	struct analyzer *a;
	__u64 seq;
};

static void free_one(void *ctx, struct range_node *rn)
{
	struct free_ctx *c = ctx;
	struct mapping *n = model_range_of(rn);

	model_seg_detach(c->a, n, c->seq);
	range_free(c->a, n);
}

/* Drop one reference; the last one detaches everything (exec, exit). */
void model_mm_put(struct analyzer *a, struct mm *mm, __u64 seq)
{
	if (!mm || --mm->refs > 0)
		return;
	struct free_ctx c = { .a = a, .seq = seq };

	range_clear(&mm->ranges, free_one, &c);
	for (int i = 0; i < SW_TOMBS; i++)
		tomb_clear(a, &mm->tombs[i]);
	free(mm);
}

struct copy_ctx {
	struct analyzer *a;
	struct mm *dst;
};

static int copy_one(void *ctx, struct range_node *rn)
{
	struct copy_ctx *c = ctx;
	struct mapping *n = model_range_of(rn);

	if (!n->dontfork)
		model_range_add(c->a, c->dst, n, rn->start, rn->end);
	return 0;
}

void model_mm_copy(struct analyzer *a, struct mm *dst, const struct mm *src)
{
	struct copy_ctx c = { .a = a, .dst = dst };

	range_foreach(&src->ranges, copy_one, &c);
}

/* Mark the part of n within [start, end) dontfork or not, split off from
 * the rest as the kernel splits the VMA (one more attach for SysV). */
void model_range_set_dontfork(struct analyzer *a, struct mm *mm, struct mapping *n,
			      __u64 start, __u64 end, bool dontfork)
{
	__u64 from = n->rn.start > start ? n->rn.start : start;
	__u64 to = n->rn.end < end ? n->rn.end : end;
	struct mapping part = *n;

	part.dontfork = dontfork;
	range_remove(&mm->ranges, &n->rn);
	account_del(a, mm, n);
	if (n->rn.start < from)
		model_range_add(a, mm, n, n->rn.start, from);
	model_range_add(a, mm, &part, from, to);
	if (to < n->rn.end)
		model_range_add(a, mm, n, to, n->rn.end);
	model_seg_detach(a, n, 0);
	range_free(a, n);
}
