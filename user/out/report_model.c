// SPDX-License-Identifier: GPL-2.0
/*
 * report_model.c - what the report keeps of a trace (report.h): usage
 * over time per memory filesystem and IPC namespace in merged time
 * buckets, attachment and object lifetimes in a bounded set of rows, the
 * findings with copies of their stacks, the most telling summaries.
 * Pure: no I/O, fed by the report sink in the pipeline's order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kabi.h"
#include "lib/names.h"
#include "out/report.h"

/* ---- time buckets -------------------------------------------------- */

void rpt_bucket_add(struct rpt_bucket *b, __u64 v)
{
	if (!b->has || v > b->max)
		b->max = v;
	b->last = v;
	b->has = true;
}

void rpt_buckets_halve(struct rpt_bucket *b, int n)
{
	for (int i = 0; i < n / 2; i++) {
		struct rpt_bucket lo = b[2 * i], hi = b[2 * i + 1], m = lo;

		if (hi.has) {
			m.max = lo.has && lo.max > hi.max ? lo.max : hi.max;
			m.last = hi.last;
			m.has = true;
		}
		b[i] = m;
	}
	memset(&b[n / 2], 0, (size_t)(n - n / 2) * sizeof(*b));
}

int rpt_model_slot(struct rpt_model *m, __u64 ts)
{
	__u64 off;
	int i;

	if (!m->any_event) {
		m->any_event = true;
		m->t0 = ts;
	}
	if (ts > m->t_last)
		m->t_last = ts;
	off = ts > m->t0 ? ts - m->t0 : 0;
	/* Twice the time per bucket until ts fits; at most 64 times. */
	while (off / m->width >= RPT_BUCKETS) {
		for (int s = 0; s < m->n_series; s++) {
			rpt_buckets_halve(m->series[s]->used, RPT_BUCKETS);
			rpt_buckets_halve(m->series[s]->known, RPT_BUCKETS);
		}
		m->width *= 2;
		m->n_buckets = (m->n_buckets + 1) / 2;
	}
	i = (int)(off / m->width);
	if (i + 1 > m->n_buckets)
		m->n_buckets = i + 1;
	return i;
}

struct rpt_series *rpt_model_series(struct rpt_model *m, enum rpt_series_kind kind, __u32 id)
{
	struct rpt_series *s;

	for (int i = 0; i < m->n_series; i++)
		if (m->series[i]->kind == kind && m->series[i]->id == id)
			return m->series[i];
	if (m->n_series == RPT_SERIES) {
		m->series_lost++;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		m->oom = true;
		return NULL;
	}
	s->kind = kind;
	s->id = id;
	m->series[m->n_series++] = s;
	return s;
}

/* ---- rows ---------------------------------------------------------- */

/* How much a row has to say: findings first, then what it still holds
 * (or held at its exit), then bytes.  The least is forgotten first. */
static __u64 proc_worth(const struct rpt_proc *p)
{
	bool open = false;

	for (int i = 0; i < p->n_bars && !open; i++)
		open = !p->bars[i].end;
	return ((__u64) !!p->findings << 62) + ((__u64)open << 61) +
	       (p->peak_bytes < (1ULL << 60) ? p->peak_bytes : (1ULL << 60));
}

static __u64 obj_worth(const struct rpt_obj *o)
{
	return ((__u64)!o->end << 61) + (o->size < (1ULL << 60) ? o->size : (1ULL << 60));
}

static struct rpt_proc *proc_find(struct rpt_model *m, __u32 pid)
{
	struct hnode *n = hmap_get(&m->live_procs, pid);

	return n ? hmap_entry(n, struct rpt_proc, node) : NULL;
}

/* A free row, or the least telling one, least recently active first. */
static struct rpt_proc *proc_slot(struct rpt_model *m)
{
	struct rpt_proc *v = NULL;
	__u64 vw = 0;

	for (int i = 0; i < RPT_ROWS; i++) {
		struct rpt_proc *p = &m->procs[i];
		__u64 w;

		if (!p->used)
			return p;
		w = proc_worth(p);
		if (!v || w < vw || (w == vw && p->last < v->last)) {
			v = p;
			vw = w;
		}
	}
	if (v->live)
		hmap_del(&m->live_procs, &v->node);
	return v;
}

static struct rpt_proc *proc_get(struct rpt_model *m, const struct sw_event *e)
{
	struct rpt_proc *p = proc_find(m, e->pid);

	if (p)
		return p;
	p = proc_slot(m);
	memset(p, 0, sizeof(*p));
	p->used = p->live = true;
	p->pid = e->pid;
	memcpy(p->comm, e->comm, SW_COMM_LEN);
	p->first = p->last = e->ts_ns;
	p->node.key = e->pid;
	hmap_put(&m->live_procs, &p->node);
	m->procs_seen++;
	return p;
}

static void proc_gone(struct rpt_model *m, struct rpt_proc *p)
{
	if (p->live)
		hmap_del(&m->live_procs, &p->node);
	p->live = false;
}

static __u64 obj_key(__u8 kind, __u32 space, __u64 id)
{
	return hash_u64(((__u64)kind << 63) ^ ((__u64)space << 40) ^ id);
}

static struct rpt_obj *obj_find(struct rpt_model *m, __u8 kind, __u32 space, __u64 id)
{
	struct hnode *n = hmap_get(&m->live_objs, obj_key(kind, space, id));

	for (; n; n = hmap_get_next(n)) {
		struct rpt_obj *o = hmap_entry(n, struct rpt_obj, node);

		if (o->kind == kind && o->space == space && o->id == id)
			return o;
	}
	return NULL;
}

static struct rpt_obj *obj_slot(struct rpt_model *m)
{
	struct rpt_obj *v = NULL;
	__u64 vw = 0;

	for (int i = 0; i < RPT_ROWS; i++) {
		struct rpt_obj *o = &m->objs[i];
		__u64 w;

		if (!o->used)
			return o;
		w = obj_worth(o);
		if (!v || w < vw ||
		    (w == vw && (o->end ? o->end : o->start) < (v->end ? v->end : v->start))) {
			v = o;
			vw = w;
		}
	}
	if (v->live)
		hmap_del(&m->live_objs, &v->node);
	return v;
}

/* The object's row, made (first seen at e) when create. */
static struct rpt_obj *obj_get(struct rpt_model *m, const struct sw_event *e, __u8 kind,
			       __u32 space, __u64 id, bool create)
{
	struct rpt_obj *o = obj_find(m, kind, space, id);

	if (o || !create)
		return o;
	o = obj_slot(m);
	memset(o, 0, sizeof(*o));
	o->used = o->live = true;
	o->kind = kind;
	o->space = space;
	o->id = id;
	o->start = e->ts_ns;
	o->creator_pid = e->pid;
	memcpy(o->creator_comm, e->comm, SW_COMM_LEN);
	o->node.key = obj_key(kind, space, id);
	hmap_put(&m->live_objs, &o->node);
	m->objs_seen++;
	return o;
}

static void obj_end(struct rpt_model *m, struct rpt_obj *o, __u64 ts)
{
	o->end = ts ? ts : 1;
	if (o->live)
		hmap_del(&m->live_objs, &o->node);
	o->live = false;
}

/* ---- bars ---------------------------------------------------------- */

/* Room for one more bar: the two closed neighbours closest in time
 * become one.  false if every bar is still open. */
static bool make_room(struct rpt_proc *p)
{
	int best = -1;
	__u64 gap = 0;

	for (int i = 0; i + 1 < p->n_bars; i++) {
		const struct rpt_bar *a = &p->bars[i], *b = &p->bars[i + 1];
		__u64 g;

		if (!a->end || !b->end)
			continue;
		g = b->start > a->end ? b->start - a->end : 0;
		if (best < 0 || g < gap) {
			best = i;
			gap = g;
		}
	}
	if (best < 0)
		return false;
	{
		struct rpt_bar *a = &p->bars[best], *b = &p->bars[best + 1];

		a->end = a->end > b->end ? a->end : b->end;
		a->count += b->count;
		if (b->bytes > a->bytes)
			a->bytes = b->bytes;
		if (a->kind != b->kind || a->shmid != b->shmid)
			a->shmid = -1;
		memmove(b, b + 1, (size_t)(p->n_bars - best - 2) * sizeof(*b));
		p->n_bars--;
	}
	return true;
}

static struct rpt_bar *bar_add(struct rpt_proc *p, __u64 ts)
{
	struct rpt_bar *b;

	if (p->n_bars == RPT_BARS && !make_room(p)) {
		p->bars_lost++;
		return NULL;
	}
	b = &p->bars[p->n_bars++];
	memset(b, 0, sizeof(*b));
	b->start = ts;
	b->count = 1;
	b->shmid = -1;
	return b;
}

static void bar_close(struct rpt_proc *p, struct rpt_bar *b, __u64 ts)
{
	b->end = ts > b->start ? ts : b->start + 1;
	p->cur_bytes = p->cur_bytes > b->bytes ? p->cur_bytes - b->bytes : 0;
}

static void bar_held(struct rpt_proc *p, __u64 bytes)
{
	p->cur_bytes += bytes;
	if (p->cur_bytes > p->peak_bytes)
		p->peak_bytes = p->cur_bytes;
}

static void close_all(struct rpt_proc *p, __u64 ts)
{
	for (int i = 0; i < p->n_bars; i++)
		if (!p->bars[i].end)
			bar_close(p, &p->bars[i], ts);
}

/* Open bars starting inside [addr, addr + len). */
static void close_range(struct rpt_proc *p, __u64 addr, __u64 len, bool sysv_only, __u64 ts)
{
	for (int i = 0; i < p->n_bars; i++) {
		struct rpt_bar *b = &p->bars[i];

		if (b->end || (sysv_only && b->kind != RPT_BAR_SYSV))
			continue;
		if (sysv_only ? b->addr == addr : (b->addr >= addr && b->addr - addr < len))
			bar_close(p, b, ts);
	}
}

static bool shared_memory(__u32 backing)
{
	return backing == SW_BK_ANON_SHARED || backing == SW_BK_SYSV || backing == SW_BK_MEMFD ||
	       backing == SW_BK_SHMEM_FILE || backing == SW_BK_HUGETLB;
}

static void on_attach(struct rpt_model *m, const struct sw_event *e)
{
	const struct sw_call_info *c = &e->c;
	bool sysv = e->call == SW_SHMAT;
	struct rpt_proc *p;
	struct rpt_bar *b;

	if (!sysv && (!shared_memory(c->backing) || !(c->args[3] & K_MAP_SHARED)))
		return;
	p = proc_get(m, e);
	p->last = e->ts_ns;
	b = bar_add(p, e->ts_ns);
	if (!b)
		return;
	b->kind = sysv ? RPT_BAR_SYSV : RPT_BAR_MAP;
	b->backing = (__u8)c->backing;
	b->addr = (__u64)c->ret;
	b->len = c->map_size ? c->map_size : (sysv ? c->seg_size : c->args[1]);
	b->bytes = b->len;
	b->shmid = sysv ? c->shmid : -1;
	bar_held(p, b->bytes);
	/* A segment from before the trace still gets its row. */
	if (sysv && c->shmid >= 0) {
		struct rpt_obj *o =
		    obj_get(m, e, RPT_OBJ_SEGMENT, e->ipc_ns, (__u32)c->shmid, true);

		if (o && !o->size)
			o->size = c->seg_size;
	}
}

static void on_madvise(struct rpt_model *m, const struct sw_event *e)
{
	struct rpt_proc *p = proc_find(m, e->pid);
	__u64 addr = e->c.args[0], len = e->c.args[1];

	if (!p || sw_ret_is_err(e->c.ret))
		return;
	for (int i = 0; i < p->n_bars; i++) {
		struct rpt_bar *b = &p->bars[i];

		if (!b->end && b->addr >= addr && b->addr - addr < len)
			b->dontfork = e->c.args[2] == SW_MADV_DONTFORK;
	}
}

static void on_mremap(struct rpt_model *m, const struct sw_event *e)
{
	struct rpt_proc *p = proc_find(m, e->pid);

	if (!p)
		return;
	for (int i = 0; i < p->n_bars; i++) {
		struct rpt_bar *b = &p->bars[i];

		if (b->end || b->addr != e->c.args[0])
			continue;
		p->cur_bytes -= p->cur_bytes > b->bytes ? b->bytes : p->cur_bytes;
		b->addr = (__u64)e->c.ret;
		b->len = b->bytes = e->c.map_size ? e->c.map_size : e->c.args[2];
		bar_held(p, b->bytes);
	}
}

/* A child gets what fork copies: the parent's open attachments and
 * shared mappings, but those marked MADV_DONTFORK. */
static void on_fork(struct rpt_model *m, const struct sw_event *e)
{
	struct rpt_proc *parent = proc_find(m, e->pid), *child;
	struct sw_event ce;
	bool any = false;

	if (!parent || e->fork.shares_vm)
		return;
	for (int i = 0; i < parent->n_bars && !any; i++)
		any = !parent->bars[i].end && !parent->bars[i].dontfork;
	if (!any)
		return;
	ce = *e;
	ce.pid = e->fork.child_pid;
	child = proc_get(m, &ce);
	/* proc_get may have given the parent's row away. */
	parent = proc_find(m, e->pid);
	if (!parent || child == parent)
		return;
	for (int i = 0; i < parent->n_bars; i++) {
		const struct rpt_bar *pb = &parent->bars[i];
		struct rpt_bar *b;

		if (pb->end || pb->dontfork)
			continue;
		b = bar_add(child, e->ts_ns);
		if (!b)
			break;
		*b = *pb;
		b->start = e->ts_ns;
		b->count = 1;
		b->inherited = true;
		bar_held(child, b->bytes);
	}
}

static void on_call(struct rpt_model *m, const struct sw_event *e)
{
	const struct sw_call_info *c = &e->c;
	struct rpt_proc *p;
	struct rpt_obj *o;

	if (sw_ret_is_err(c->ret))
		return;
	switch (e->call) {
	case SW_SHMGET:
		o = obj_get(m, e, RPT_OBJ_SEGMENT, e->ipc_ns, (__u64)c->ret, true);
		if (o && !o->size) {
			o->size = c->args[1];
			o->key = (__s32)c->args[0];
			/* Made by this call for sure, not opened: as the analyzer
			 * tells a new segment (IPC_CREAT with IPC_PRIVATE or
			 * IPC_EXCL). */
			o->created = o->start == e->ts_ns && (c->args[2] & K_IPC_CREAT) &&
				     (o->key == K_IPC_PRIVATE || (c->args[2] & K_IPC_EXCL));
		}
		break;
	case SW_SHMCTL:
		if ((c->args[1] & ~(__u64)K_IPC_64) == K_IPC_RMID &&
		    (o = obj_get(m, e, RPT_OBJ_SEGMENT, e->ipc_ns, (__u32)c->args[0], false)))
			obj_end(m, o, e->ts_ns);
		break;
	case SW_SHMAT:
	case SW_MMAP:
		on_attach(m, e);
		break;
	case SW_SHMDT:
	case SW_MUNMAP:
		p = proc_find(m, e->pid);
		if (p) {
			close_range(p, c->args[0], c->args[1], e->call == SW_SHMDT, e->ts_ns);
			p->last = e->ts_ns;
		}
		break;
	case SW_MREMAP:
		on_mremap(m, e);
		break;
	case SW_MADVISE:
		on_madvise(m, e);
		break;
	case SW_UNLINK:
	case SW_UNLINKAT:
		if (c->ino && (o = obj_get(m, e, RPT_OBJ_FILE, c->dev, c->ino, false)))
			obj_end(m, o, e->ts_ns);
		break;
	default:
		break;
	}
}

/* A file object's row, from a call that describes it. */
static void note_file(struct rpt_model *m, const struct sw_event *e)
{
	const struct sw_call_info *c = &e->c;
	struct rpt_obj *o;

	if (!c->ino || !c->dev || sw_ret_is_err(c->ret) ||
	    (c->backing != SW_BK_MEMFD && c->backing != SW_BK_SHMEM_FILE &&
	     c->backing != SW_BK_HUGETLB))
		return;
	o = obj_get(m, e, RPT_OBJ_FILE, c->dev, c->ino,
		    c->created || e->call == SW_MEMFD_CREATE || e->call == SW_FTRUNCATE ||
			e->call == SW_FALLOCATE);
	if (!o)
		return;
	if (c->created || e->call == SW_MEMFD_CREATE)
		o->created = true;
	o->backing = (__u8)c->backing;
	if (!o->name[0] || c->created) {
		memcpy(o->name, c->name, SW_NAME_LEN - 1);
		o->name[SW_NAME_LEN - 1] = '\0';
	}
	if (e->call != SW_MMAP || c->seg_size > o->size)
		o->size = c->seg_size;
}

/* The mount's use after the call, from the same events as the
 * analyzer's high-water mark (objects.c: note_mount), so that the chart
 * peaks where the usage record says. */
static void note_mount_use(struct rpt_model *m, const struct sw_event *e, int slot)
{
	const struct sw_call_info *c = &e->c;
	bool counts;
	struct rpt_series *s;

	if (!c->ino)
		return;
	if (e->call == SW_MMAP)
		counts = c->created && c->dev &&
			 (c->backing == SW_BK_SHMEM_FILE || c->backing == SW_BK_MEMFD);
	else
		counts = sw_call_has_object(e->call) && e->call != SW_UNLINK &&
			 e->call != SW_UNLINKAT && e->call != SW_OPENAT;
	if (!counts || !(s = rpt_model_series(m, RPT_MOUNT, c->dev)))
		return;
	rpt_bucket_add(&s->used[slot], c->fs_used);
	s->limit = c->fs_size;
}

void rpt_model_event(struct rpt_model *m, const struct sw_event *e)
{
	int slot = rpt_model_slot(m, e->ts_ns);
	struct rpt_proc *p;

	m->events++;
	switch (e->kind) {
	case SW_EV_CALL:
		note_mount_use(m, e, slot);
		if (sw_call_has_object(e->call) || e->call == SW_MMAP)
			note_file(m, e);
		on_call(m, e);
		break;
	case SW_EV_FORK:
		on_fork(m, e);
		break;
	case SW_EV_EXEC:
	case SW_EV_EXIT:
		p = proc_find(m, e->pid);
		if (!p)
			break;
		close_all(p, e->ts_ns);
		p->last = e->ts_ns;
		if (e->kind == SW_EV_EXIT) {
			p->exited = true;
			proc_gone(m, p);
		} else {
			memcpy(p->comm, e->comm, SW_COMM_LEN);
		}
		break;
	default:
		break;
	}
}

/* ---- findings, summaries, usage ------------------------------------ */

static char *dup_or_null(struct rpt_model *m, const char *s)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		m->oom = true;
	return d;
}

static void copy_stack(struct rpt_model *m, struct rpt_stack *to, const struct sink_stack *st)
{
	to->n = st->n;
	to->shown = 0;
	if (!st->n)
		return;
	to->frames = calloc(st->n, sizeof(*to->frames));
	if (!to->frames) {
		m->oom = true;
		return;
	}
	for (__u32 i = 0; i < st->n; i++) {
		const struct sw_frame *f = &st->frames[i];
		struct rpt_frame *t = &to->frames[i];

		t->ip = f->ip;
		t->offset = f->offset;
		t->line = f->line;
		t->function = dup_or_null(m, f->function);
		t->file = dup_or_null(m, f->file);
		t->module = dup_or_null(m, f->module);
	}
	to->shown = st->n;
}

static void free_stack(struct rpt_stack *st)
{
	for (__u32 i = 0; i < st->shown; i++) {
		free(st->frames[i].function);
		free(st->frames[i].file);
		free(st->frames[i].module);
	}
	free(st->frames);
}

void rpt_model_finding(struct rpt_model *m, const struct sink_finding *sf)
{
	const struct sw_finding *f = sf->f;
	int ri = sw_rule_index(f->rule);
	struct rpt_finding *r;
	struct rpt_proc *p;

	rpt_model_slot(m, f->ts_ns);
	m->findings_total++;
	if (f->severity <= SW_SEV_ERROR)
		m->findings_by_sev[f->severity]++;
	if (ri >= 0 && ri < 64)
		m->findings_by_rule[ri]++;
	m->findings_uncertain += f->uncertain;
	/* The process's row is kept for its finding. */
	p = proc_find(m, f->pid);
	if (!p)
		for (int i = 0; i < RPT_ROWS && !p; i++)
			if (m->procs[i].used && m->procs[i].pid == f->pid)
				p = &m->procs[i];
	if (p)
		p->findings++;
	if (m->n_findings == RPT_FINDINGS) {
		m->findings_dropped++;
		return;
	}
	r = &m->findings[m->n_findings++];
	memset(r, 0, sizeof(*r));
	r->rule = ri >= 0 ? sw_rules[ri].id : "?";
	r->rule_index = ri;
	r->severity = f->severity;
	r->pid = f->pid;
	r->tid = f->tid;
	memcpy(r->comm, f->comm, SW_COMM_LEN);
	r->ts_ns = f->ts_ns;
	memcpy(r->message, f->message, SW_MSG_LEN);
	r->message[SW_MSG_LEN - 1] = '\0';
	r->hint = sink_finding_hint(sf);
	r->n_evidence = f->n_evidence < SW_MAX_EVIDENCE ? f->n_evidence : SW_MAX_EVIDENCE;
	memcpy(r->evidence, f->evidence, sizeof(r->evidence));
	r->uncertain = f->uncertain;
	copy_stack(m, &r->site, &sf->site);
	copy_stack(m, &r->origin, &sf->origin);
}

static __u64 summary_worth(const struct sw_proc_summary *p)
{
	__u64 n = 0;

	for (size_t i = 0; i < sizeof(p->findings) / sizeof(p->findings[0]); i++)
		n += p->findings[i];
	return ((n < 1000 ? n : 1000) << 50) + (p->held_bytes >> 14) + (p->peak_shared_bytes >> 20);
}

void rpt_model_summary(struct rpt_model *m, const struct sw_proc_summary *p)
{
	int v = 0;

	m->summaries_total++;
	if (m->n_summaries < RPT_SUMMARIES) {
		m->summaries[m->n_summaries++] = *p;
		return;
	}
	for (int i = 1; i < m->n_summaries; i++)
		if (summary_worth(&m->summaries[i]) < summary_worth(&m->summaries[v]))
			v = i;
	if (summary_worth(p) > summary_worth(&m->summaries[v]))
		m->summaries[v] = *p;
}

void rpt_model_usage(struct rpt_model *m, const struct sw_mount_usage *u)
{
	struct rpt_series *s = rpt_model_series(m, RPT_MOUNT, u->dev);

	if (!s)
		return;
	rpt_bucket_add(&s->known[rpt_model_slot(m, u->ts_ns)], u->object_bytes);
	s->u.mount = *u;
	s->has_usage = true;
	if (!s->limit)
		s->limit = u->fs_size;
}

void rpt_model_sysv_usage(struct rpt_model *m, const struct sw_sysv_usage *u)
{
	struct rpt_series *s = rpt_model_series(m, RPT_SYSV, u->ipc_ns);

	if (!s)
		return;
	/* Sampled now and then: the peak in between goes in at its time. */
	if (u->peak_ts_ns && (!s->has_usage || u->peak_bytes > s->u.sysv.peak_bytes))
		rpt_bucket_add(&s->used[rpt_model_slot(m, u->peak_ts_ns)], u->peak_bytes);
	rpt_bucket_add(&s->used[rpt_model_slot(m, u->ts_ns)], u->bytes);
	s->u.sysv = *u;
	s->has_usage = true;
}

void rpt_model_header(struct rpt_model *m, const struct sw_header *h)
{
	snprintf(m->hostname, sizeof(m->hostname), "%s", h->hostname);
	snprintf(m->kernel, sizeof(m->kernel), "%s", h->kernel);
	free(m->mode);
	free(m->command);
	m->mode = dup_or_null(m, h->mode);
	m->command = dup_or_null(m, h->command);
	m->start_ts = h->start_ts_ns;
	m->wall_offset_ns = h->wall_offset_ns;
}

int rpt_model_init(struct rpt_model *m)
{
	memset(m, 0, sizeof(*m));
	m->width = RPT_FIRST_WIDTH_NS;
	if (hmap_init(&m->live_procs, RPT_ROWS * 2) || hmap_init(&m->live_objs, RPT_ROWS * 2)) {
		hmap_fini(&m->live_procs);
		return -ENOMEM;
	}
	return 0;
}

void rpt_model_fini(struct rpt_model *m)
{
	for (int i = 0; i < m->n_series; i++)
		free(m->series[i]);
	for (int i = 0; i < m->n_findings; i++) {
		free_stack(&m->findings[i].site);
		free_stack(&m->findings[i].origin);
	}
	free(m->mode);
	free(m->command);
	hmap_fini(&m->live_procs);
	hmap_fini(&m->live_objs);
}
