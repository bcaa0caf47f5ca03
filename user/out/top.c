// SPDX-License-Identifier: GPL-2.0
/*
 * top.c - the live view's model (see top.h): counters per process from
 * the events and findings, held bytes from the analyzer's view of each
 * live process, a ring of samples per process for growth, the usage of
 * the mounts and namespaces, and the latest findings.  What a process
 * holds is never worked out here from attach and unmap events: the
 * analyzer already does that, and two models would drift apart.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lib/names.h"
#include "out/top.h"

static const char *const sort_names[TOP_SORT_MAX] = {
	[TOP_SORT_HELD] = "held",
	[TOP_SORT_GROWTH] = "growth",
	[TOP_SORT_FAILED] = "failed",
	[TOP_SORT_FINDINGS] = "findings",
	[TOP_SORT_PID] = "pid",
};

const char *top_sort_name(enum top_sort s)
{
	return s < TOP_SORT_MAX ? sort_names[s] : "?";
}

int top_model__init(struct top_model *m)
{
	memset(m, 0, sizeof(*m));
	return hmap_init(&m->procs, 64) ? -ENOMEM : 0;
}

void top_model__fini(struct top_model *m)
{
	struct hmap_iter it;
	struct hnode *n;

	hmap_iter_init(&it, &m->procs);
	while ((n = hmap_iter_next(&it))) {
		hmap_del(&m->procs, n);
		free(hmap_entry(n, struct top_proc, node));
	}
	hmap_fini(&m->procs);
}

static void set_comm(struct top_proc *p, const char *comm)
{
	if (!comm || !comm[0])
		return;
	strncpy(p->comm, comm, sizeof(p->comm) - 1);
	p->comm[sizeof(p->comm) - 1] = '\0';
}

/* pid's entry, made when missing; NULL when out of memory. */
static struct top_proc *proc_of(struct top_model *m, __u32 pid, const char *comm)
{
	struct hnode *n = hmap_get(&m->procs, pid);
	struct top_proc *p;

	if (n) {
		p = hmap_entry(n, struct top_proc, node);
		set_comm(p, comm);
		return p;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		m->oom = true;
		return NULL;
	}
	p->pid = pid;
	p->node.key = pid;
	set_comm(p, comm);
	p->active_ns = m->now_ns;
	/* Held before the view's first sample is no growth the view saw;
	 * a process that turns up later held nothing the sample before. */
	if (m->samples) {
		p->n_hist = 1;
		p->hist_next = 1;
	}
	hmap_put(&m->procs, &p->node);
	return p;
}

void top_model__event(struct top_model *m, const struct sw_event *e,
		      const struct container_info *container)
{
	struct top_proc *p;

	if (e->kind != SW_EV_CALL && e->kind != SW_EV_EXEC)
		return;
	p = proc_of(m, e->pid, e->comm);
	if (!p)
		return;
	p->container = container;
	if (e->ts_ns > p->active_ns)
		p->active_ns = e->ts_ns;
	if (e->kind != SW_EV_CALL)
		return;
	p->calls++;
	if (sw_ret_is_err(e->c.ret))
		p->failed++;
}

void top_model__finding(struct top_model *m, const struct sw_finding *f)
{
	struct top_finding *t = &m->findings[m->findings_next];
	struct top_proc *p;

	m->findings_total++;
	*t = (struct top_finding){
		.ts_ns = f->ts_ns,
		.severity = f->severity,
		.rule = f->rule,
		.pid = f->pid,
		.uncertain = f->uncertain,
	};
	memcpy(t->comm, f->comm, sizeof(t->comm));
	t->comm[sizeof(t->comm) - 1] = '\0';
	memcpy(t->message, f->message, sizeof(t->message));
	t->message[sizeof(t->message) - 1] = '\0';
	m->findings_next = (m->findings_next + 1) % TOP_FINDINGS;
	if (m->n_findings < TOP_FINDINGS)
		m->n_findings++;
	/* A finding about a process the view never saw (pid 0: none, an
	 * end-of-trace verdict on an object) gets no line of its own. */
	if (!f->pid)
		return;
	p = proc_of(m, f->pid, f->comm);
	if (!p)
		return;
	p->findings++;
	p->last_rule = f->rule;
	if (f->ts_ns > p->active_ns)
		p->active_ns = f->ts_ns;
}

const struct top_finding *top_model__finding_at(const struct top_model *m, int i)
{
	if (i < 0 || i >= m->n_findings)
		return NULL;
	return &m->findings[(m->findings_next - 1 - i + 2 * TOP_FINDINGS) % TOP_FINDINGS];
}

void top_model__usage(struct top_model *m, const struct sw_mount_usage *u)
{
	struct top_mount *t = NULL;

	for (int i = 0; i < m->n_mounts && !t; i++)
		if (m->mounts[i].dev == u->dev)
			t = &m->mounts[i];
	if (!t) {
		if (m->n_mounts == TOP_MOUNTS)
			return;
		t = &m->mounts[m->n_mounts++];
	}
	t->dev = u->dev;
	memcpy(t->label, u->label, sizeof(t->label));
	t->label[sizeof(t->label) - 1] = '\0';
	t->used = u->fs_used;
	t->size = u->fs_size;
	t->peak = u->peak_used;
	t->objects = u->n_objects;
	t->object_bytes = u->object_bytes;
}

void top_model__sysv_usage(struct top_model *m, const struct sw_sysv_usage *u)
{
	struct top_ns *t = NULL;

	for (int i = 0; i < m->n_nses && !t; i++)
		if (m->nses[i].ipc_ns == u->ipc_ns)
			t = &m->nses[i];
	if (!t) {
		if (m->n_nses == TOP_NSES)
			return;
		t = &m->nses[m->n_nses++];
	}
	*t = (struct top_ns){
		.ipc_ns = u->ipc_ns,
		.segments = u->segments,
		.bytes = u->bytes,
		.peak_bytes = u->peak_bytes,
		.shmall = u->shmall,
		.shmmax = u->shmmax,
		.shmmni = u->shmmni,
	};
}

void top_model__stats(struct top_model *m, const struct sw_stats *st)
{
	m->stats_events_before = m->stats.events;
	m->stats_ts_before = m->stats.ts_ns;
	m->stats = *st;
}

double top_model__event_rate(const struct top_model *m)
{
	if (!m->stats_ts_before || m->stats.ts_ns <= m->stats_ts_before)
		return 0;
	return (double)(m->stats.events - m->stats_events_before) * 1e9 /
	       (double)(m->stats.ts_ns - m->stats_ts_before);
}

static int refresh_one(void *ctx, const struct sw_holding_view *h)
{
	struct top_model *m = ctx;
	struct hnode *n = hmap_get(&m->procs, h->pid);
	struct top_proc *p;

	/* One that holds nothing and did nothing the view saw is no line;
	 * system-wide, most processes are that. */
	if (!n && !h->bytes)
		return 0;
	p = n ? hmap_entry(n, struct top_proc, node) : proc_of(m, h->pid, h->comm);
	if (!p)
		return 0;
	set_comm(p, h->comm);
	p->live = true;
	p->refreshed = m->refreshes;
	if (h->bytes != p->held)
		p->active_ns = m->now_ns;
	p->held = h->bytes;
	p->attachments = h->attachments;
	p->mappings = h->mappings;
	if (p->held > p->peak)
		p->peak = p->held;
	return 0;
}

void top_model__refresh(struct top_model *m, const struct analyzer *a, __u64 now_ns)
{
	struct hmap_iter it;
	struct hnode *n;

	m->now_ns = now_ns;
	m->refreshes++;
	analyzer__foreach_holding(a, refresh_one, m);
	/* Not in the analyzer's live processes: exited (or forgotten under
	 * the state cap); it holds nothing any more. */
	hmap_iter_init(&it, &m->procs);
	while ((n = hmap_iter_next(&it))) {
		struct top_proc *p = hmap_entry(n, struct top_proc, node);

		if (p->refreshed == m->refreshes)
			continue;
		p->live = false;
		p->held = 0;
		p->attachments = p->mappings = 0;
	}
}

/* Gone quiet: holds nothing, did nothing for TOP_IDLE_NS, and is either
 * gone or has nothing (failures, findings) worth keeping on screen. */
static bool idle(const struct top_model *m, const struct top_proc *p)
{
	return !p->held && m->now_ns > p->active_ns + TOP_IDLE_NS &&
	       (!p->live || (!p->failed && !p->findings));
}

void top_model__sample(struct top_model *m, __u64 now_ns)
{
	double secs = m->sampled_ns && now_ns > m->sampled_ns ?
			      (double)(now_ns - m->sampled_ns) / 1e9 : 0;
	struct hmap_iter it;
	struct hnode *n;

	m->now_ns = now_ns;
	hmap_iter_init(&it, &m->procs);
	while ((n = hmap_iter_next(&it))) {
		struct top_proc *p = hmap_entry(n, struct top_proc, node);

		if (idle(m, p)) {
			hmap_del(&m->procs, n);
			free(p);
			continue;
		}
		p->hist[p->hist_next] = p->held;
		p->hist_next = (p->hist_next + 1) % TOP_GROWTH_SAMPLES;
		if (p->n_hist < TOP_GROWTH_SAMPLES)
			p->n_hist++;
		p->rate = secs > 0 ? (double)(p->calls - p->calls_sampled) / secs : 0;
		p->calls_sampled = p->calls;
	}
	m->samples++;
	m->sampled_ns = now_ns;
}

/* Held now minus the oldest sample kept: TOP_GROWTH_SAMPLES - 1 seconds
 * ago once the ring is full.  A process that turned up after the first
 * sample counts from 0 (its slot was zeroed at creation). */
static __s64 growth_of(const struct top_proc *p)
{
	int oldest;

	if (!p->n_hist)
		return 0;
	oldest = p->n_hist < TOP_GROWTH_SAMPLES ? (p->hist_next - p->n_hist + TOP_GROWTH_SAMPLES) %
							  TOP_GROWTH_SAMPLES :
						  p->hist_next;
	return (__s64)p->held - (__s64)p->hist[oldest];
}

/* It holds, or held (an exited one stays, dimmed, until idle), or did
 * something the view counts. */
static bool worth_a_line(const struct top_proc *p)
{
	return p->held || p->peak || p->calls || p->failed || p->findings;
}

static bool comm_matches(const char *comm, const char *filter)
{
	return !filter || !filter[0] || strstr(comm, filter);
}

static int cmp_u64_desc(__u64 a, __u64 b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

static int cmp_rows(const void *pa, const void *pb, void *ctx)
{
	const struct top_row *a = pa, *b = pb;
	const enum top_sort *sort = ctx;
	int c = 0;

	switch (*sort) {
	case TOP_SORT_HELD:
		c = cmp_u64_desc(a->held, b->held);
		break;
	case TOP_SORT_GROWTH:
		c = a->growth < b->growth ? 1 : a->growth > b->growth ? -1 : 0;
		break;
	case TOP_SORT_FAILED:
		c = cmp_u64_desc(a->failed, b->failed);
		break;
	case TOP_SORT_FINDINGS:
		c = cmp_u64_desc(a->findings, b->findings);
		break;
	default:
		break;
	}
	/* Then by pid, so that equal rows keep their places from one redraw
	 * to the next. */
	return c ? c : a->pid < b->pid ? -1 : a->pid > b->pid;
}

size_t top_model__rows(const struct top_model *m, enum top_sort sort, const char *filter,
		       struct top_row *rows, size_t max)
{
	size_t cap = hmap_count(&m->procs), n = 0;
	struct top_row *all;
	struct hmap_iter it;
	struct hnode *hn;

	if (!cap)
		return 0;
	all = malloc(cap * sizeof(*all));
	if (!all)
		return 0;
	hmap_iter_init(&it, &m->procs);
	while ((hn = hmap_iter_next(&it)) && n < cap) {
		const struct top_proc *p = hmap_entry(hn, struct top_proc, node);
		struct top_row *r = &all[n];

		if (!worth_a_line(p) || !comm_matches(p->comm, filter))
			continue;
		*r = (struct top_row){
			.pid = p->pid,
			.live = p->live,
			.held = p->held,
			.peak = p->peak,
			.growth = growth_of(p),
			.attachments = p->attachments,
			.mappings = p->mappings,
			.rate = p->rate,
			.calls = p->calls,
			.failed = p->failed,
			.findings = p->findings,
			.last_rule = p->last_rule,
		};
		memcpy(r->comm, p->comm, sizeof(r->comm));
		n++;
	}
	qsort_r(all, n, sizeof(*all), cmp_rows, &sort);
	memcpy(rows, all, (n < max ? n : max) * sizeof(*rows));
	free(all);
	return n;
}

static int cmp_containers(const void *pa, const void *pb)
{
	const struct top_container_row *a = pa, *b = pb;
	int c = cmp_u64_desc(a->held, b->held);

	/* Then the host first, then by id, so that rows keep their places. */
	if (c || a->container == b->container)
		return c;
	if (!a->container || !b->container)
		return a->container ? 1 : -1;
	return strcmp(a->container->ref.id, b->container->ref.id);
}

size_t top_model__containers(const struct top_model *m, struct top_container_row *rows,
			     size_t max)
{
	size_t cap = hmap_count(&m->procs), n = 0;
	struct top_container_row *all;
	struct hmap_iter it;
	struct hnode *hn;

	if (!cap)
		return 0;
	all = calloc(cap, sizeof(*all));
	if (!all)
		return 0;
	hmap_iter_init(&it, &m->procs);
	while ((hn = hmap_iter_next(&it))) {
		const struct top_proc *p = hmap_entry(hn, struct top_proc, node);
		struct top_container_row *r = NULL;

		if (!worth_a_line(p))
			continue;
		/* Few containers: a walk of the rows made so far. */
		for (size_t i = 0; i < n && !r; i++)
			if (all[i].container == p->container)
				r = &all[i];
		if (!r) {
			r = &all[n++];
			r->container = p->container;
		}
		r->procs++;
		r->held += p->held;
		r->calls += p->calls;
		r->failed += p->failed;
		r->findings += p->findings;
	}
	qsort(all, n, sizeof(*all), cmp_containers);
	memcpy(rows, all, (n < max ? n : max) * sizeof(*rows));
	free(all);
	return n;
}
