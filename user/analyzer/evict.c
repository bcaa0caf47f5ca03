// SPDX-License-Identifier: GPL-2.0
/*
 * evict.c - the state cap: what the analyzer forgets when its state
 * passes opts.state_max, and how it makes sure that nothing it forgot is
 * ever judged.
 *
 * The state follows live objects (a process is freed at its exit, a
 * segment once the kernel would destroy it), so it is bounded by what
 * lives on the host, except for what a lost record left behind (a
 * process whose exit was lost stays until its pid comes back) and for a
 * host that simply has very much alive.  Past the cap, in this order:
 *
 *  1. The least recently active processes (not the one of the event just
 *     applied, not one that has had a finding, whose dedup set keeps it
 *     from being reported twice; at most half of them in one pass), until
 *     the state is a quarter below the cap.  Their summaries are not
 *     written.
 *  2. The oldest objects nobody is known to map (files of a memory
 *     filesystem, memfds), if the state is still over.
 *
 * SysV segments are not forgotten: the kernel bounds them (kernel.shmmni
 * per IPC namespace).  Each attachment of a forgotten process stays
 * counted on its segment as a holder nobody will see detach, so that the
 * segment is not taken for destroyed; a new segment with its id replaces
 * it.
 *
 * A forgotten process may still be alive: it may still remove, unlink or
 * unmap what it could reach, have forked descendants that could, and make
 * calls again, when it is a new process to the analyzer.  So:
 *  - what it had mapped is marked forgotten at once, and its remover is
 *    never taken for an outsider (removed-while-in-use);
 *  - a segment or object is never judged a leak while a forgotten process
 *    could reach it: when one of its reachers is as old as the newest
 *    forgotten process (generations only grow) and not known alive, or
 *    its creator is (a forgotten process may be its descendant).  It is
 *    then marked forgotten and counted unjudged;
 *  - a process first seen at anything but an exec once processes were
 *    forgotten, and its children until they exec, may have holdings the
 *    analyzer does not know: attach-leak does not judge it; and if its
 *    parent is not known, that parent may be a forgotten one: it gets
 *    the newest forgotten generation as its ancestor (state.c);
 *  - an unlink of a path the analyzer does not know, once objects were
 *    forgotten, is remembered as nobody's outsider removal, so that an
 *    older one of the same path does not explain a later failed open.
 * The cost is findings missed, never findings made, and the stats say how
 * many segments and objects were left unjudged.
 */
#include <stdlib.h>
#include "analyzer/apply.h"
#include "analyzer/objects.h"
#include "analyzer/state.h"

__u64 model_state_bytes(const struct analyzer *a)
{
	__u64 tables = (a->procs.nbuckets + a->segs.nbuckets + a->objs.nbuckets +
			a->obj_paths.nbuckets + a->exited.nbuckets) * sizeof(struct hnode *);

	return sizeof(*a) + tables + a->cap_idle * sizeof(a->idle[0]) +
	       hmap_count(&a->procs) * (sizeof(struct proc) + sizeof(struct mm)) +
	       hmap_count(&a->segs) * sizeof(struct segment) +
	       hmap_count(&a->objs) * sizeof(struct shmobj) +
	       hmap_count(&a->exited) * sizeof(struct hnode) +
	       a->n_mappings * sizeof(struct mapping) + a->stack_bytes + a->dedup_bytes +
	       a->held.sites.nbuckets * sizeof(struct hnode *) + a->held.site_bytes;
}

void analyzer__state(const struct analyzer *a, struct sw_state *st)
{
	*st = (struct sw_state){
		.bytes = model_state_bytes(a),
		.max = a->opts.state_max,
		.procs = hmap_count(&a->procs),
		.segments = hmap_count(&a->segs),
		.objects = hmap_count(&a->objs),
		.mappings = a->n_mappings,
		.stacks = a->n_stacks,
		.dropped_procs = a->dropped_procs,
		.dropped_objects = a->dropped_objects,
		.unjudged = a->forgotten,
	};
}

bool analyzer__forgot(const struct analyzer *a)
{
	return a->dropped_procs > 0;
}

/* Old enough to be a forgotten process, and not known alive. */
static bool maybe_forgotten(const struct analyzer *a, struct proc_ref r)
{
	return r.gen && r.gen <= a->forgot_gen_hi && !model_ref_live(a, r);
}

bool model_reach_forgotten(const struct analyzer *a, const struct reach *r)
{
	if (!a->forgot_gen_hi)
		return false;
	if (r->creator.gen && r->creator.gen <= a->forgot_gen_hi)
		return true;
	if (maybe_forgotten(a, r->seen))
		return true;
	for (int i = 0; i < r->n_anc; i++)
		if (maybe_forgotten(a, r->anc[i]))
			return true;
	for (int i = 0; i < r->n_users; i++)
		if (maybe_forgotten(a, r->users[i]))
			return true;
	return false;
}

void model_seg_forget(struct analyzer *a, struct segment *s)
{
	if (s->forgotten)
		return;
	s->forgotten = true;
	if (!s->leak_reported)
		a->forgotten++;
}

void model_obj_forget(struct analyzer *a, struct shmobj *o)
{
	if (o->forgotten)
		return;
	o->forgotten = true;
	if (!o->leak_reported)
		a->forgotten++;
}

struct forget_ctx {
	struct analyzer *a;
	bool last; /* the address space goes with the process (no vfork sharer) */
};

/* What the process has mapped can no longer be judged: its mappings go
 * with it, and whatever it would have done with them is unknown.  Its
 * attachments still hold their segments in the kernel: each keeps one
 * holder nobody will see detach, so the segment is not destroyed as if
 * it were unattached. */
static int forget_mapped(void *ctx, struct range_node *rn)
{
	struct forget_ctx *c = ctx;
	const struct mapping *n = container_of(rn, struct mapping, rn);
	struct segment *s = model_seg_of(c->a, n);
	struct shmobj *o = n->ino ? model_obj(c->a, n->dev, n->ino) : NULL;

	if (s) {
		model_seg_forget(c->a, s);
		if (c->last)
			s->nattch++;
	}
	if (o)
		model_obj_forget(c->a, o);
	return 0;
}

struct by_age {
	__u64 age;
	void *item;
};

static int cmp_age(const void *x, const void *y)
{
	const struct by_age *a = x, *b = y;

	return a->age < b->age ? -1 : a->age > b->age;
}

/* Step 1. */
static void forget_procs(struct analyzer *a, __u64 target)
{
	size_t n = hmap_count(&a->procs), k = 0;
	struct by_age *v = malloc((n ? n : 1) * sizeof(*v));
	struct hmap_iter it;
	struct hnode *hn;

	if (!v)
		return;
	/* Not the process of the event just applied: it is the one most
	 * likely to act next.  Not one that has had findings: its dedup set
	 * is what keeps a finding from being reported twice. */
	hmap_iter_init(&it, &a->procs);
	while ((hn = hmap_iter_next(&it))) {
		struct proc *p = (struct proc *)hn;

		if (p->last_seq != a->now_seq && !p->dedup_n)
			v[k++] = (struct by_age){ p->last_seq, p };
	}
	qsort(v, k, sizeof(*v), cmp_age);
	/* At most half in one pass: when what cannot be forgotten keeps the
	 * state above the target, not every process goes at once. */
	for (size_t i = 0; i < (k + 1) / 2 && model_state_bytes(a) > target; i++) {
		struct proc *p = v[i].item;
		struct forget_ctx c = { a, p->mm && p->mm->refs == 1 };

		if (p->gen > a->forgot_gen_hi)
			a->forgot_gen_hi = p->gen;
		if (p->mm)
			range_foreach(&p->mm->ranges, forget_mapped, &c);
		model_proc_free(a, p);
		a->dropped_procs++;
	}
	free(v);
}

/* Step 2: objects nobody is known to map, oldest first. */
static void forget_objs(struct analyzer *a, __u64 target)
{
	size_t n = hmap_count(&a->objs), k = 0;
	struct by_age *v = malloc((n ? n : 1) * sizeof(*v));
	struct hmap_iter it;
	struct hnode *hn;

	if (!v)
		return;
	hmap_iter_init(&it, &a->objs);
	while ((hn = hmap_iter_next(&it)))
		if (!((struct shmobj *)hn)->n_maps)
			v[k++] = (struct by_age){ ((struct shmobj *)hn)->create_seq, hn };
	qsort(v, k, sizeof(*v), cmp_age);
	for (size_t i = 0; i < k && model_state_bytes(a) > target; i++) {
		model_obj_forget(a, v[i].item);
		model_obj_free(a, v[i].item);
		a->dropped_objects++;
	}
	free(v);
}

void model_evict(struct analyzer *a)
{
	__u64 max = a->opts.state_max, target = max - max / 4, left;

	forget_procs(a, target);
	if (model_state_bytes(a) > target)
		forget_objs(a, target);
	/* The forgotten processes' detachments: nothing to judge. */
	model_end_event(a);
	/* What could not go (segments, mapped objects) does not make every
	 * later event sort the state again: the next eviction waits until
	 * the state has grown by an eighth of the cap (analyzer__event
	 * brings the threshold back to the cap once the state is below). */
	left = model_state_bytes(a);
	a->evict_at = left + max / 8 > max ? left + max / 8 : max;
}
