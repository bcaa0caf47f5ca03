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
 *  1. The least recently active processes (but the one of the event just
 *     applied), until the state is a quarter below the cap.  A process forgotten is as if it had not been seen
 *     yet: if it makes a call later, it is a new process to the analyzer,
 *     like one that ran before the trace began.  Its summary is not
 *     written.
 *  2. The oldest objects nobody is known to map (files of a memory
 *     filesystem, memfds), if the state is still over.
 *
 * SysV segments are never forgotten: the kernel bounds them (at most
 * kernel.shmmni per IPC namespace), and the usage views count them.
 *
 * What a forgotten process could still have done cannot be known, so
 * every segment and object it could reach (it made, mapped or used it,
 * or is an ancestor of whoever made it: struct reach) is marked
 * forgotten, and a forgotten one is never judged again: no leak, and its
 * remover is never taken for an outsider.  The cost is findings missed,
 * never findings made; the stats say how many were left unjudged.
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
	       a->n_mappings * sizeof(struct mapping) + a->stack_bytes + a->dedup_bytes;
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

/* Forgotten processes of one eviction, by generation, sorted. */
struct gens {
	__u64 *v;
	size_t n;
};

static int cmp_u64(const void *x, const void *y)
{
	__u64 a = *(const __u64 *)x, b = *(const __u64 *)y;

	return a < b ? -1 : a > b;
}

static bool gens_has(const struct gens *g, struct proc_ref r)
{
	return r.gen && bsearch(&r.gen, g->v, g->n, sizeof(g->v[0]), cmp_u64);
}

static bool reach_names(const struct reach *r, const struct gens *g)
{
	if (gens_has(g, r->creator) || gens_has(g, r->seen))
		return true;
	for (int i = 0; i < r->n_anc; i++)
		if (gens_has(g, r->anc[i]))
			return true;
	for (int i = 0; i < r->n_users; i++)
		if (gens_has(g, r->users[i]))
			return true;
	return false;
}

static void forget_seg(struct analyzer *a, struct segment *s)
{
	if (s->forgotten)
		return;
	s->forgotten = true;
	if (!s->leak_reported)
		a->forgotten++;
}

static void forget_obj(struct analyzer *a, struct shmobj *o)
{
	if (o->forgotten)
		return;
	o->forgotten = true;
	if (!o->leak_reported)
		a->forgotten++;
}

/* What the process has mapped can no longer be judged: its mappings go
 * with it, and whatever it would have done with them is unknown. */
static int forget_mapped(void *ctx, struct range_node *rn)
{
	struct analyzer *a = ctx;
	const struct mapping *n = container_of(rn, struct mapping, rn);
	struct segment *s = model_seg_of(a, n);
	struct shmobj *o = n->ino ? model_obj(a, n->dev, n->ino) : NULL;

	if (s)
		forget_seg(a, s);
	if (o)
		forget_obj(a, o);
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

/* Step 1; returns how many processes were forgotten. */
static size_t forget_procs(struct analyzer *a, __u64 target)
{
	size_t n = hmap_count(&a->procs), k = 0, i = 0;
	struct by_age *v = malloc(n * sizeof(*v));
	struct gens g = { .v = malloc(n * sizeof(__u64)) };
	struct hmap_iter it;
	struct hnode *hn;

	if (!v || !g.v)
		goto out;
	/* Not the process of the event just applied: it is the one most
	 * likely to act next. */
	hmap_iter_init(&it, &a->procs);
	while ((hn = hmap_iter_next(&it)))
		if (((struct proc *)hn)->last_seq != a->now_seq)
			v[k++] = (struct by_age){ ((struct proc *)hn)->last_seq, hn };
	qsort(v, k, sizeof(*v), cmp_age);
	for (i = 0; i < k && model_state_bytes(a) > target; i++) {
		struct proc *p = v[i].item;

		g.v[g.n++] = p->gen;
		/* What it created is found by the walk below (its reach). */
		if (p->mm)
			range_foreach(&p->mm->ranges, forget_mapped, a);
		model_proc_free(a, p);
		a->dropped_procs++;
	}
	if (!g.n)
		goto out;
	qsort(g.v, g.n, sizeof(g.v[0]), cmp_u64);
	hmap_iter_init(&it, &a->segs);
	while ((hn = hmap_iter_next(&it)))
		if (reach_names(&((struct segment *)hn)->reach, &g))
			forget_seg(a, (struct segment *)hn);
	hmap_iter_init(&it, &a->objs);
	while ((hn = hmap_iter_next(&it)))
		if (reach_names(&((struct shmobj *)hn)->reach, &g))
			forget_obj(a, (struct shmobj *)hn);
out:
	free(v);
	free(g.v);
	return g.n;
}

/* Step 2: objects nobody is known to map, oldest first. */
static void forget_objs(struct analyzer *a, __u64 target)
{
	size_t n = hmap_count(&a->objs), k = 0;
	struct by_age *v = malloc(n * sizeof(*v));
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
		forget_obj(a, v[i].item);
		model_obj_free(a, v[i].item);
		a->dropped_objects++;
	}
	free(v);
}

void model_evict(struct analyzer *a)
{
	__u64 max = a->opts.state_max, target = max - max / 4, left;

	a->evictions++;
	forget_procs(a, target);
	if (model_state_bytes(a) > target)
		forget_objs(a, target);
	/* The forgotten processes' detachments: nothing to judge. */
	model_end_event(a);
	/* What could not go (segments, mapped objects) does not make every
	 * later event sort the state again: the next eviction waits until
	 * the state has grown by an eighth of the cap. */
	left = model_state_bytes(a);
	a->evict_at = left + max / 8 > max ? left + max / 8 : max;
}
