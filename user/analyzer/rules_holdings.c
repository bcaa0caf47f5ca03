// SPDX-License-Identifier: GPL-2.0
/*
 * rules_holdings.c - the rules about what a process holds or leaves
 * behind: attach-leak (holdings that keep growing), missing-rollback (a
 * segment left half-initialised at exit) and segment-leak (a segment
 * nobody can remove any more).
 */
#include <stdio.h>
#include <string.h>
#include "analyzer/findings.h"
#include "defaults.h"

static void growth_restart(struct analyzer *a, struct growth *g, __u32 count,
			   const struct sw_event *e)
{
	*g = (struct growth){
		.started = true,
		.win_start = e->ts_ns,
		.win_seq = e->seq,
		.win_base = count,
		.lost_snap = a->lost_total,
	};
}

void growth_on_holdings(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	__u64 win = a->opts.growth_window_ns ? a->opts.growth_window_ns : SW_DEFAULT_GROWTH_WINDOW_NS;
	__u32 thr = a->opts.growth_threshold ? a->opts.growth_threshold : SW_DEFAULT_GROWTH_THRESHOLD;
	struct mm *mm = p->mm;
	struct growth *g;
	struct sw_finding f;
	__u32 count;
	char sz[32];

	if (!mm || p->growth_reported)
		return;
	g = &mm->growth;
	count = model_holdings(mm);
	/* After a loss the counts may miss releases: start over. */
	if (!g->started || g->lost_snap != a->lost_total || e->ts_ns < g->win_start) {
		growth_restart(a, g, count, e);
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
	p->growth_reported = true;
	finding_from_event(&f, SW_RULE_ATTACH_LEAK, e);
	finding_evidence(&f, g->streak_seq);
	finding_evidence(&f, e->seq);
	finding_size(sz, sizeof(sz), mm->bytes);
	finding_publish(a, p, &f, a->lost_total,
		"held attachments and shared mappings grew from %u to %u in %.1f s without release (%u SysV attachments, %u shared mappings, %s)",
		g->streak_base, count, (double)(e->ts_ns - g->streak_ts) / 1e9, mm->n_attach,
		mm->n_map, sz);
}

static void seg_desc(char *buf, size_t len, const struct segment *s)
{
	char sz[32];

	finding_size(sz, sizeof(sz), s->size);
	if (s->key == 0)
		snprintf(buf, len, "segment %d (IPC_PRIVATE, %s)", s->shmid, sz);
	else
		snprintf(buf, len, "segment %d (key 0x%08x, %s)", s->shmid, (__u32)s->key, sz);
}

void rollback_on_exit(struct analyzer *a, struct proc *p, const struct sw_event *e)
{
	struct list_node *pos;
	char desc[96];

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

void leak_on_idle(struct analyzer *a, struct segment *s, const struct sw_event *e)
{
	struct proc *p = model_proc(a, s->creator_pid);
	struct sw_finding f;
	char desc[96];

	if (!model_seg_orphaned(a, s) || s->leak_reported)
		return;
	s->leak_reported = true;
	/* Count it in the creator's summary only if that is the process
	 * exiting now, not a new one that reused its pid. */
	if (p && !p->exited)
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
	finding_publish(a, p, &f, s->lost_snap,
		"%s was left with no attachment and no IPC_RMID after its creator exited: it stays in the kernel",
		desc);
}
