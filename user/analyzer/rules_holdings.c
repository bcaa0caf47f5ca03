// SPDX-License-Identifier: GPL-2.0
/*
 * rules_holdings.c - the rules about what a process holds or leaves
 * behind: attach-leak (holdings that keep growing), missing-rollback (a
 * segment left half-initialised at exit) and segment-leak (a segment
 * nobody is left to remove).
 */
#include <stdio.h>
#include <string.h>
#include "analyzer/findings.h"
#include "defaults.h"

/* Start the windows over from count; what a pool was seen to reach
 * stays known. */
static void growth_restart(struct analyzer *a, struct growth *g, __u32 count,
			   const struct sw_event *e)
{
	__u32 pool_level = g->pool_level;

	*g = (struct growth){
		.started = true,
		.win_start = e->ts_ns,
		.win_seq = e->seq,
		.win_base = count,
		.lost_snap = a->lost_total,
		.pool_level = pool_level,
	};
}

/* Does the suspect still hold most of what its streak added? */
static bool growth_held(const struct growth *g, __u32 count)
{
	return count > g->streak_base + (g->peak - g->streak_base) / 2;
}

static void growth_report(struct analyzer *a, struct proc *p, const struct sw_event *e,
			  const char *until)
{
	struct mm *mm = p->mm;
	struct growth *g = &mm->growth;
	__u32 count = model_holdings(mm);
	struct sw_finding f;
	char sz[32];

	p->growth_reported = true;
	finding_from_event(&f, SW_RULE_ATTACH_LEAK, e);
	finding_evidence(&f, g->streak_seq);
	finding_evidence(&f, e->seq);
	finding_size(sz, sizeof(sz), mm->bytes);
	finding_publish(a, p, &f, a->lost_total,
		"held attachments and shared mappings grew from %u to %u in %.1f s without release%s (%u SysV attachments, %u shared mappings, %s)",
		g->streak_base, count, (double)(e->ts_ns - g->streak_ts) / 1e9, until,
		mm->n_attach, mm->n_map, sz);
}

/*
 * While a suspect: a return to (near) where the streak began is a pool
 * that filled up and was released, as a process that maps its buffers,
 * then unmaps them all, every round does; tracing slows such a round
 * enough to span the growth windows.  The level it reached is then
 * known as that process's pool, and a later streak up to it is its next
 * round.  Growth still held SW_GROWTH_WINDOWS windows later is a leak.
 */
static void growth_watch_suspect(struct analyzer *a, struct proc *p, const struct sw_event *e,
				 __u64 win, __u32 thr)
{
	struct growth *g = &p->mm->growth;
	__u32 count = model_holdings(p->mm);

	if (count > g->peak)
		g->peak = count;
	if (count <= g->streak_base + thr) {
		if (g->peak > g->pool_level)
			g->pool_level = g->peak;
		growth_restart(a, g, count, e);
		return;
	}
	if (e->ts_ns - g->suspect_ts >= SW_GROWTH_WINDOWS * win && growth_held(g, count))
		growth_report(a, p, e, "");
}

void growth_on_holdings(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	__u64 win = a->opts.growth_window_ns ? a->opts.growth_window_ns : SW_DEFAULT_GROWTH_WINDOW_NS;
	__u32 thr = a->opts.growth_threshold ? a->opts.growth_threshold : SW_DEFAULT_GROWTH_THRESHOLD;
	struct mm *mm = p->mm;
	struct growth *g;
	__u32 count;

	if (!mm || p->growth_reported || p->holdings_unknown)
		return;
	g = &mm->growth;
	count = model_holdings(mm);
	/* After a loss the counts may miss releases: start over. */
	if (!g->started || g->lost_snap != a->lost_total || e->ts_ns < g->win_start) {
		growth_restart(a, g, count, e);
		return;
	}
	if (g->suspect) {
		growth_watch_suspect(a, p, e, win, thr);
		return;
	}
	if (e->ts_ns - g->win_start < win)
		return;
	/* A window closes; an idle gap longer than a window breaks the
	 * streak, as nothing grew in it. */
	if (e->ts_ns - g->win_start < 2 * win && count >= g->win_base + thr) {
		if (!g->streak) {
			g->streak_base = g->win_base;
			g->streak_ts = g->win_start;
			g->streak_seq = g->win_seq;
		}
		g->streak++;
	} else {
		g->streak = 0;
	}
	g->win_start = e->ts_ns;
	g->win_seq = e->seq;
	g->win_base = count;
	if (g->streak < SW_GROWTH_WINDOWS)
		return;
	/* No higher than a pool this process released before: its next
	 * round. */
	if (count <= g->pool_level + thr) {
		g->streak = 0;
		return;
	}
	g->suspect = true;
	g->suspect_ts = e->ts_ns;
	g->peak = count;
}

/* A suspect still held at exit was never released by the program (the
 * kernel's release at exit is not its): the leak a loop that ran until
 * it exited leaves. */
void growth_on_exit(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	struct mm *mm = p->mm;
	struct growth *g = mm ? &mm->growth : NULL;

	if (!g || p->growth_reported || p->holdings_unknown || !g->suspect ||
	    g->lost_snap != a->lost_total)
		return;
	if (growth_held(g, model_holdings(mm)))
		growth_report(a, p, e, " until it exited");
}

static void seg_desc(char *buf, size_t len, const struct segment *s)
{
	char sz[32];

	char key[24] = "IPC_PRIVATE", ns[40] = "";

	finding_size(sz, sizeof(sz), s->size);
	if (s->key != 0)
		snprintf(key, sizeof(key), "key 0x%08x", (__u32)s->key);
	if (s->ipc_ns)
		snprintf(ns, sizeof(ns), ", IPC namespace ipc:[%u]", s->ipc_ns);
	snprintf(buf, len, "segment %d (%s, %s%s)", s->shmid, key, sz, ns);
}

void rollback_on_exit(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	struct list_node *pos;
	char desc[128];

	/* With shm_rmid_forced the kernel removes it at exit. */
	if (a->opts.shm_rmid_forced)
		return;
	list_for_each(pos, &p->created) {
		struct segment *s = list_entry(pos, struct segment, cnode);
		struct sw_finding f;

		if (!s->rb_pending || s->rmid)
			continue;
		/* segment-leak may report the same segment too: one object,
		 * two rules, the cause and its consequence. */
		s->rb_pending = false;
		finding_init(&f, SW_RULE_MISSING_ROLLBACK, p->pid, s->rb_tid, p->comm, e->ts_ns);
		/* The exit decides it; the misuse is the failed shmat. */
		finding_stack_held(&f.origin, s->stack);
		finding_stack_held(&f.site, s->rb_stack);
		finding_evidence(&f, s->create_seq);
		finding_evidence(&f, s->rb_at_seq);
		finding_evidence(&f, e->seq);
		seg_desc(desc, sizeof(desc), s);
		finding_publish(a, p, &f, s->rb_lost_snap,
			"%s from the shmget at seq %llu was never removed after shmat failed with %s at seq %llu",
			desc, (unsigned long long)s->create_seq, finding_err(s->rb_ret),
			(unsigned long long)s->rb_at_seq);
	}
}

/*
 * An orphaned segment (creator gone, no attachment, no IPC_RMID) is a
 * leak once no process that could still remove it by its id or key is
 * left (see struct reach); until then it waits, and every exit queues it
 * here again.  e is the event that let go of the last of them.
 */
void leak_on_idle(struct analyzer *a, struct segment *s, const struct sw_event *e)
{
	struct proc *p = model_proc(a, s->creator_pid);
	struct sw_finding f;
	char desc[128];

	if (!model_seg_orphaned(a, s) || s->leak_reported || s->forgotten) {
		model_seg_unwait(s);
		return;
	}
	if (model_reach_forgotten(a, &s->reach)) {
		model_seg_forget(a, s);
		model_seg_unwait(s);
		return;
	}
	if (model_reach_live(a, &s->reach)) {
		model_seg_wait(a, s);
		return;
	}
	model_seg_unwait(s);
	s->leak_reported = true;
	/* Count it in the creator's summary only if that is the process
	 * exiting now, not a new one that reused its pid. */
	if (p && (!p->exited || p->gen != s->reach.creator.gen))
		p = NULL;
	finding_init(&f, SW_RULE_SEGMENT_LEAK, s->creator_pid, s->creator_tid, s->creator_comm,
		     e->ts_ns);
	if (s->key != 0)
		f.severity = SW_SEV_WARNING;
	finding_stack_held(&f.origin, s->stack);
	/* Usually an exit or a detach, without a stack; an mremap or a
	 * MAP_FIXED over the last attachment has one.  A late shmget that
	 * is leaked at once is its own origin. */
	if (e->seq != s->create_seq)
		finding_stack_event(&f.site, e);
	finding_evidence(&f, s->create_seq);
	finding_evidence(&f, s->last_detach_seq);
	finding_evidence(&f, s->creator_exit_seq);
	finding_evidence(&f, e->seq);
	seg_desc(desc, sizeof(desc), s);
	/* A namespace's segments go with it. */
	finding_publish(a, p, &f, s->lost_snap,
		"%s was left with no attachment and no IPC_RMID, and no process that could still remove it is left: it stays in the kernel%s",
		desc, s->ipc_ns ? " as long as its namespace lives" : "");
}
