// SPDX-License-Identifier: GPL-2.0
/*
 * analyzer.c - the analyzer's public API (analyzer.h): construction and
 * teardown, seeding, the event entry points, summaries and the read-only
 * views.
 *
 * One event runs one way: dispatch, the rules that judge the state the
 * event met (on_call), apply.c's change, the rules that judge the result
 * (on_applied, on_holdings, on_release, on_idle), each publishing through findings.c.
 * checks[] gives each rule its hooks, called in rule order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "analyzer/apply.h"
#include "analyzer/objects.h"
#include "analyzer/rules.h"
#include "analyzer/space.h"
#include "lib/names.h"

struct rule_check {
	void (*on_call)(struct analyzer *a, struct proc *p, const struct sw_event *e);
	/* after the model took the call in (an object it announced is known) */
	void (*on_applied)(struct analyzer *a, struct proc *p, const struct sw_event *e);
	void (*on_holdings)(struct analyzer *a, struct proc *p, const struct sw_event *e);
	void (*on_signal)(struct analyzer *a, struct proc *p, const struct sw_event *e);
	void (*on_exit)(struct analyzer *a, struct proc *p, const struct sw_event *e);
	void (*on_idle)(struct analyzer *a, struct segment *s, const struct sw_event *e);
	/* after an event that may have let go of a shm object's last holder */
	void (*on_release)(struct analyzer *a, const struct sw_event *e);
};

static const struct rule_check checks[] = {
	[SW_RULE_SEGMENT_LEAK] = { .on_idle = leak_on_idle },
	[SW_RULE_ATTACH_LEAK] = { .on_holdings = growth_on_holdings, .on_exit = growth_on_exit },
	[SW_RULE_FAILED_THEN_USED] = { .on_call = ftu_on_call, .on_signal = ftu_on_signal },
	[SW_RULE_OVERSIZED_REQUEST] = { .on_call = oversized_on_call },
	[SW_RULE_MISSING_ROLLBACK] = { .on_exit = rollback_on_exit },
	[SW_RULE_INVALID_DETACH] = { .on_call = invalid_on_call },
	[SW_RULE_USE_AFTER_DETACH] = { .on_signal = uad_on_signal },
	[SW_RULE_SHM_OBJECT_LEAK] = { .on_release = objleak_on_release },
	[SW_RULE_SIGBUS_EXPLAINED] = { .on_signal = sigbus_on_signal },
	[SW_RULE_SHM_LIMIT_REACHED] = { .on_call = limit_on_call },
	[SW_RULE_SHM_SPACE_EXHAUSTED] = { .on_applied = space_on_applied },
	[SW_RULE_REMOVED_WHILE_IN_USE] = { .on_call = removed_on_call },
	[SW_RULE_IPC_NAMESPACE_MISMATCH] = { .on_call = nsx_on_call },
};

_Static_assert(sizeof(checks) / sizeof(checks[0]) == SW_RULE_COUNT, "a rule without its hooks");

#define RUN_CHECKS(hook, ...)                                     \
	do {                                                      \
		for (int i_ = 0; i_ < SW_RULE_COUNT; i_++)        \
			if (checks[i_].hook)                      \
				checks[i_].hook(__VA_ARGS__);     \
	} while (0)

static bool changes_holdings(const struct sw_event *e)
{
	switch (e->call) {
	case SW_SHMAT:
	case SW_SHMDT:
	case SW_MMAP:
	case SW_MUNMAP:
	case SW_MREMAP:
		return !sw_ret_is_err(e->c.ret);
	}
	return false;
}

static void handle_call(struct analyzer *a, const struct sw_event *e)
{
	struct proc *p = model_proc_for_event(a, e);

	RUN_CHECKS(on_call, a, p, e);
	apply_call(a, p, e);
	model_seg_note_user(a, p, e);
	RUN_CHECKS(on_applied, a, p, e);
	if (p && changes_holdings(e))
		RUN_CHECKS(on_holdings, a, p, e);
	if (e->call == SW_MUNMAP || e->call == SW_MREMAP || e->call == SW_MMAP)
		RUN_CHECKS(on_release, a, e);
}

/* Processes that never touched shared memory get no summary: on a whole
 * host that is most of them, and most map a file or two shared. */
static bool summary_worth(const struct proc *p)
{
	const struct sw_proc_summary *s = &p->sum;

	if (s->segs_created || s->segs_removed || s->attaches || s->detaches ||
	    p->shared_memory)
		return true;
	for (int i = 0; i < SW_RULE_COUNT; i++)
		if (s->findings[i])
			return true;
	return false;
}

static void emit_summary(struct analyzer *a, struct proc *p)
{
	memcpy(p->sum.comm, p->comm, SW_COMM_LEN);
	p->sum.cgroup_id = p->cgroup_id;
	if (a->opts.on_summary && summary_worth(p))
		a->opts.on_summary(a->opts.ctx, &p->sum);
}

/* Segments whose last attachment or creator went away in this event. */
static void check_idle(struct analyzer *a, const struct sw_event *e)
{
	for (size_t i = 0; i < a->n_idle; i++)
		RUN_CHECKS(on_idle, a, a->idle[i], e);
	model_end_event(a);
}

/* The process is gone: exit checks, segment decisions, summary, free.
 * It may have been the last that could reach a waiting segment or
 * object: the leak rules look at every one again. */
static void retire(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	RUN_CHECKS(on_exit, a, p, e);
	model_exit(a, p, e);
	model_seg_queue_waiting(a);
	check_idle(a, e);
	model_obj_creator_exit(a, p, e);
	RUN_CHECKS(on_release, a, e);
	model_obj_collect(a);
	emit_summary(a, p);
	model_proc_free(a, p);
}

static void handle_fork(struct analyzer *a, const struct sw_event *e)
{
	struct proc *parent = model_proc_for_event(a, e);
	struct proc *stale = model_proc(a, e->fork.child_pid);
	struct proc *child;

	/* The pid is back: the old process's exit was lost. */
	if (stale && stale != parent)
		retire(a, stale, e);
	if (stale == parent)
		return;
	child = model_fork(a, parent, e);
	if (child && parent)
		model_proc_set_parent(child, parent);
}

void analyzer__event(struct analyzer *a, const struct sw_event *e)
{
	struct proc *p;

	a->now = e->ts_ns;
	a->now_seq = e->seq;
	switch (e->kind) {
	case SW_EV_CALL:
		handle_call(a, e);
		break;
	case SW_EV_FORK:
		handle_fork(a, e);
		break;
	case SW_EV_EXEC:
		p = model_proc_for_event(a, e);
		if (p) {
			model_exec(a, p, e);
			RUN_CHECKS(on_release, a, e);
		}
		break;
	case SW_EV_EXIT:
		p = model_proc(a, e->pid);
		if (p) {
			retire(a, p, e);
			return;
		}
		model_note_exit(a, e->pid, e->ts_ns);
		break;
	case SW_EV_SIGNAL:
		if (e->sig.signo == K_SIGBUS)
			model_mount_fault(a, e);
		/* A process not seen before still gets its SIGBUS explained:
		 * the event carries what that needs. */
		p = model_proc_for_event(a, e);
		if (p)
			RUN_CHECKS(on_signal, a, p, e);
		break;
	}
	check_idle(a, e);
	if (a->opts.state_max) {
		__u64 bytes = model_state_bytes(a);

		if (bytes > a->evict_at)
			model_evict(a);
		else if (bytes < a->opts.state_max)
			a->evict_at = a->opts.state_max; /* what held it up is gone */
	}
}

void analyzer__lost(struct analyzer *a, __u64 ts_ns, __u64 n)
{
	model_lost(a, n);
}

/*
 * The end of the trace: what still waits for its reachers is judged as
 * they stand.  One with none left is a leak (its last reacher's exit went
 * unseen, or it was never linked to a live process); one a live process
 * can still reach is in use, not a finding, and the usage lists it.
 */
static void judge_waiting(struct analyzer *a, __u64 ts_ns)
{
	struct sw_event end = { .ts_ns = ts_ns };

	model_seg_queue_waiting(a);
	check_idle(a, &end);
	RUN_CHECKS(on_release, a, &end);
}

bool analyzer__wants_opens(const struct analyzer *a)
{
	return a->wants_opens;
}

void analyzer__finish(struct analyzer *a, __u64 ts_ns)
{
	struct hmap_iter it;
	struct hnode *n;

	if (a->finished)
		return;
	a->finished = true;
	judge_waiting(a, ts_ns);
	if (a->opts.on_usage)
		analyzer__usage(a, ts_ns, false, a->opts.on_usage, a->opts.ctx);
	if (a->opts.on_sysv_usage)
		analyzer__sysv_usage(a, ts_ns, false, a->opts.on_sysv_usage, a->opts.ctx);
	hmap_iter_init(&it, &a->procs);
	while ((n = hmap_iter_next(&it))) {
		struct proc *p = (struct proc *)n;

		p->sum.exited = false;
		if (p->mm && p->mm->refs == 1) {
			p->sum.held_attachments = model_holdings(p->mm);
			p->sum.held_bytes = p->mm->bytes;
		}
		emit_summary(a, p);
	}
}

struct analyzer *analyzer__new(const struct analyzer_opts *opts)
{
	struct analyzer *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->opts = *opts;
	a->evict_at = opts->state_max;
	a->rng = 2463534242u;
	list_init(&a->objs_wait);
	list_init(&a->objs_collect);
	list_init(&a->segs_wait);
	if (hmap_init(&a->procs, 64) || hmap_init(&a->segs, 64) ||
	    hmap_init(&a->objs, 64) || hmap_init(&a->obj_paths, 64) ||
	    hmap_init(&a->exited, 64) || model_held_init(&a->held)) {
		hmap_fini(&a->procs);
		hmap_fini(&a->segs);
		hmap_fini(&a->objs);
		hmap_fini(&a->obj_paths);
		hmap_fini(&a->exited);
		model_held_fini(&a->held);
		free(a);
		return NULL;
	}
	return a;
}

void analyzer__free(struct analyzer *a)
{
	struct hmap_iter it;
	struct hnode *n;

	if (!a)
		return;
	a->n_idle = 0;
	hmap_iter_init(&it, &a->procs);
	while ((n = hmap_iter_next(&it)))
		model_proc_free(a, (struct proc *)n);
	/* Segments queued by the frees above need no check any more. */
	for (size_t i = 0; i < a->n_idle; i++)
		a->idle[i]->queued = false;
	hmap_iter_init(&it, &a->segs);
	while ((n = hmap_iter_next(&it)))
		model_seg_free(a, (struct segment *)n);
	hmap_iter_init(&it, &a->objs);
	while ((n = hmap_iter_next(&it)))
		model_obj_free(a, (struct shmobj *)n);
	hmap_iter_init(&it, &a->exited);
	while ((n = hmap_iter_next(&it)))
		free(n);
	hmap_fini(&a->exited);
	hmap_fini(&a->procs);
	hmap_fini(&a->segs);
	hmap_fini(&a->objs);
	model_held_fini(&a->held);
	hmap_fini(&a->obj_paths);
	free(a->idle);
	free(a);
}

/* Segments seeded before their creator was known join its list now. */
static void adopt_segments(struct analyzer *a, struct proc *p)
{
	struct hmap_iter it;
	struct hnode *n;

	hmap_iter_init(&it, &a->segs);
	while ((n = hmap_iter_next(&it))) {
		struct segment *s = (struct segment *)n;

		if (s->creator_pid == p->pid && !s->creator && !s->creator_exit_seq &&
		    !s->destroyed) {
			s->creator_known = true;
			memcpy(s->creator_comm, p->comm, SW_COMM_LEN);
			model_seg_link_creator(s, p);
		}
	}
}

void analyzer__seed_process(struct analyzer *a, __u32 pid, const char *comm)
{
	struct proc *p = model_proc(a, pid);

	if (!p)
		p = model_proc_new(a, pid, comm);
	else
		model_set_comm(p->comm, comm);
	if (p)
		adopt_segments(a, p);
}

void analyzer__seed_segment(struct analyzer *a, const struct sw_seed_segment *ss)
{
	struct segment *s = model_seg(a, ss->ipc_ns, ss->shmid);
	struct proc *creator;

	if (!s)
		s = model_seg_new(a, ss->ipc_ns, ss->shmid, ss->key, ss->size);
	if (!s)
		return;
	s->key = ss->key;
	model_seg_set_size(a, s, ss->size);
	/* The kernel's count includes processes we do not trace. */
	s->nattch = ss->nattch;
	s->rmid = ss->removed;
	s->attached_ever = ss->nattch > 0;
	s->creator_pid = ss->cpid;
	creator = model_proc(a, ss->cpid);
	if (creator && !s->creator) {
		s->creator_known = true;
		memcpy(s->creator_comm, creator->comm, SW_COMM_LEN);
		model_seg_link_creator(s, creator);
	}
}

void analyzer__seed_mapping(struct analyzer *a, const struct sw_seed_mapping *m)
{
	struct proc *p = model_proc(a, m->pid);
	struct mapping tmpl = {
		.kind = m->backing == SW_BK_SYSV ? SW_RANGE_ATTACH : SW_RANGE_MAP,
		.backing = (__u8)m->backing,
		.shmid = m->backing == SW_BK_SYSV ? m->shmid : -1,
		.ipc_ns = m->backing == SW_BK_SYSV ? m->ipc_ns : 0,
		.dev = m->dev,
		.ino = m->ino,
		.has_base = true,
		.base = m->start - m->offset,
	};
	struct mapping *n;

	if (!p)
		p = model_proc_new(a, m->pid, NULL);
	if (!p || m->end <= m->start)
		return;
	model_mm_remove(a, p->mm, m->start, m->end, 0, 0, NULL);
	n = model_range_add(a, p->mm, &tmpl, m->start, m->end);
	model_note_shared_memory(p, m->backing);
	/* A seeded segment's nattch, from the kernel, already counts this
	 * attachment; one seeded later will be set from the kernel too. */
	if (n && n->kind == SW_RANGE_ATTACH) {
		struct segment *s = model_seg_of(a, n);

		if (s && s->nattch)
			s->nattch--;
	}
	model_note_peak(p);
}

void analyzer__foreach_segment(const struct analyzer *a, analyzer_segment_fn fn, void *ctx)
{
	struct hmap_iter it;
	struct hnode *n;

	hmap_iter_init(&it, &a->segs);
	while ((n = hmap_iter_next(&it))) {
		const struct segment *s = (const struct segment *)n;
		struct sw_segment_view v = {
			.shmid = s->shmid,
			.ipc_ns = s->ipc_ns,
			.key = s->key,
			.size = s->size,
			.nattch = s->nattch,
			.creator_pid = s->creator_pid,
			.creator_known = s->creator_known,
			.rmid = s->rmid,
			.uncertain = s->lost_snap != a->lost_total,
			.traced = s->traced,
		};

		if (!s->destroyed && fn(ctx, &v))
			return;
	}
}

void analyzer__foreach_process(const struct analyzer *a, analyzer_process_fn fn, void *ctx)
{
	struct hmap_iter it;
	struct hnode *n;

	hmap_iter_init(&it, &a->procs);
	while ((n = hmap_iter_next(&it))) {
		const struct proc *p = (const struct proc *)n;

		if (!p->exited && p->mm && fn(ctx, p->pid, p->comm))
			return;
	}
}

void analyzer__foreach_holding(const struct analyzer *a, analyzer_holding_fn fn, void *ctx)
{
	struct hmap_iter it;
	struct hnode *n;

	hmap_iter_init(&it, &a->procs);
	while ((n = hmap_iter_next(&it))) {
		const struct proc *p = (const struct proc *)n;
		struct sw_holding_view v;

		if (p->exited || !p->mm)
			continue;
		v = (struct sw_holding_view){
			.pid = p->pid,
			.comm = p->comm,
			.attachments = p->mm->n_attach,
			.mappings = p->mm->n_map,
			.bytes = p->mm->bytes,
		};
		if (fn(ctx, &v))
			return;
	}
}

struct view_ctx {
	__u32 pid;
	analyzer_range_fn fn;
	void *ctx;
};

/* In order of start; non-zero from fn stops the walk. */
static int view_one(void *ctx, struct range_node *rn)
{
	struct view_ctx *c = ctx;
	const struct mapping *r = model_range_of(rn);
	struct sw_range_view v = {
		.pid = c->pid,
		.start = rn->start,
		.end = rn->end,
		.sysv = r->kind == SW_RANGE_ATTACH,
		.shmid = r->shmid,
		.ipc_ns = r->ipc_ns,
		.backing = r->backing,
	};

	return c->fn(c->ctx, &v);
}

int analyzer__foreach_range(const struct analyzer *a, __u32 pid, analyzer_range_fn fn, void *ctx)
{
	const struct proc *p = (const struct proc *)hmap_get(&a->procs, pid);
	struct view_ctx c = { .pid = pid, .fn = fn, .ctx = ctx };

	if (!p || p->exited || !p->mm)
		return -ENOENT;
	range_foreach(&p->mm->ranges, view_one, &c);
	return 0;
}

bool analyzer__exited_sysv(const struct analyzer *a, __u32 pid)
{
	return hmap_get(&a->exited, pid) != NULL;
}

__u64 analyzer__cgroup_of(const struct analyzer *a, __u32 pid)
{
	struct hnode *n = hmap_get(&a->procs, pid);

	return n ? hmap_entry(n, struct proc, node)->cgroup_id : 0;
}

__u64 analyzer__lost_total(const struct analyzer *a)
{
	return a->lost_total;
}
