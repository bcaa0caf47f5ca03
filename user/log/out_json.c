// SPDX-License-Identifier: GPL-2.0
/*
 * out_json.c - the NDJSON sink: one JSON object per line, schema in
 * docs/events.md and log/schema.h.  logread.c reads exactly what this
 * writes; the functions below follow the schema's records in order.
 */
#include <stdlib.h>
#include <string.h>
#include "log/jbuf.h"
#include "lib/names.h"
#include "out/sink.h"

struct json_sink {
	struct sink base;
	struct jbuf b;
};

static const char *const severity_names[] = { "info", "warning", "error" };

static void put_line(struct json_sink *js)
{
	if (!js->b.oom)
		outfile__line(js->base.out, js->b.p, js->b.len);
	jbuf_reset(&js->b);
}

/* '{"type":"..."' that starts every record. */
static void open_record(struct jbuf *b, const char *type)
{
	json_obj_open(b);
	json_str_field(b, "type", type, 16);
}

static void put_time(struct json_sink *js, __u64 ts_ns)
{
	char ts[48];

	sink_format_ts(ts, sizeof(ts), ts_ns, js->base.wall_offset_ns);
	json_str_field(&js->b, "ts", ts, sizeof(ts));
	json_u64_field(&js->b, "ts_ns", ts_ns);
}

static void add_flag_name(void *ctx, const char *name)
{
	json_str_elem(ctx, name, 64);
}

/* One argument: integers as the kernel saw them, flags as an object with
 * the integer and the names. */
static void put_arg(struct jbuf *b, const struct sw_arg_desc *d, __u64 v, const char *str)
{
	switch (d->type) {
	case SW_ARG_INT:
	case SW_ARG_FD:
		json_s64_field(b, d->name, (__s32)v);
		break;
	case SW_ARG_KEY:
		json_u64_field(b, d->name, (__u32)v);
		break;
	case SW_ARG_STR:
		json_str_field(b, d->name, str, SW_NAME_LEN);
		break;
	case SW_ARG_ULONG:
	case SW_ARG_ADDR:
	case SW_ARG_SIZE:
		json_u64_field(b, d->name, v);
		break;
	default: /* flags */
		json_obj_field_open(b, d->name);
		json_u64_field(b, "value", v);
		json_arr_field_open(b, "names");
		sw_flag_names(d->type, v, add_flag_name, b);
		json_arr_close(b);
		json_obj_close(b);
	}
}

/* "key": [{"ip", "module", "function", "offset", "file", "line"}, ...],
 * innermost first; what is unknown is null. */
static void put_stack(struct jbuf *b, const char *key, const struct sw_frame *frames, __u32 n)
{
	json_arr_field_open(b, key);
	for (__u32 i = 0; i < n && i < SW_MAX_FRAMES; i++) {
		const struct sw_frame *f = &frames[i];

		json_obj_open(b);
		json_u64_field(b, "ip", f->ip);
		json_opt_str_field(b, "module", f->module, 4096);
		json_opt_str_field(b, "function", f->function, 4096);
		json_opt_u64_field(b, "offset", f->offset, f->module);
		json_opt_str_field(b, "file", f->file, 4096);
		json_opt_u64_field(b, "line", (__u64)f->line, f->line > 0);
		json_obj_close(b);
	}
	json_arr_close(b);
}

/* A memory filesystem's usage: bytes in use and the limit (0: none). */
static void put_fs(struct jbuf *b, __u64 used, __u64 size)
{
	json_u64_field(b, "fs_used", used);
	json_u64_field(b, "fs_size", size);
}

/* A mount's biggest files: [{"ino": N, "bytes": N[, "nlink": N]}, ...];
 * nlink only where the kernel read it (a call refused for space). */
static void put_top(struct jbuf *b, const struct sw_holder *top, const __u32 *nlink)
{
	json_arr_field_open(b, "top");
	for (int i = 0; i < SW_TOP_HOLDERS && top[i].ino; i++) {
		json_obj_open(b);
		json_u64_field(b, "ino", top[i].ino);
		json_u64_field(b, "bytes", top[i].bytes);
		if (nlink)
			json_u64_field(b, "nlink", nlink[i]);
		json_obj_close(b);
	}
	json_arr_close(b);
}

/*
 * The file a call left behind: "map", what the kernel says about the
 * mapping the call made, or "object", the file an fd-based call changed,
 * as the kernel saw it after the call.
 */
static void put_call_file(struct jbuf *b, const struct sw_event *e, bool map)
{
	const struct sw_call_info *c = &e->c;

	json_obj_field_open(b, map ? "map" : "object");
	json_str_field(b, "backing", sw_backing_name(c->backing), 32);
	if (map) {
		json_u64_field(b, "size", c->map_size);
		json_u64_field(b, "object_size", c->seg_size);
	} else {
		json_u64_field(b, "size", c->seg_size);
	}
	json_u64_field(b, "allocated", c->obj_alloc);
	json_u64_field(b, "ino", c->ino);
	json_u64_field(b, "dev", c->dev);
	/* Which tmpfs of that dev: only where the kernel told it. */
	if (c->fs_gen)
		json_u64_field(b, "fs_gen", c->fs_gen);
	json_bool_field(b, "created", c->created);
	if (map)
		json_s64_field(b, "shmid", c->shmid);
	else
		put_fs(b, c->fs_used, c->fs_size);
	json_str_field(b, "name", c->name, SW_NAME_LEN);
	if (!map && e->space.top[0].ino)
		put_top(b, e->space.top, e->space.nlink);
	json_obj_close(b);
}

static void put_call(struct jbuf *b, const struct sw_event *e)
{
	const struct sw_call_desc *d = &sw_calls[e->call < SW_CALL_MAX ? e->call : 0];
	const struct sw_call_info *c = &e->c;

	json_obj_field_open(b, "args");
	for (int i = 0; i < d->nargs; i++)
		put_arg(b, &d->args[i], c->args[i], c->name);
	json_obj_close(b);
	json_s64_field(b, "ret", c->ret);
	json_errno_field(b, "errno", c->ret);
	if (sw_call_has_object(e->call)) {
		if (c->ino)
			put_call_file(b, e, false);
	} else if (c->backing != SW_BK_NONE) {
		put_call_file(b, e, true);
	}
}

/* What a SIGBUS hit: the mapping and its object at the moment of it. */
static void put_fault_mapping(struct jbuf *b, const struct sw_signal_info *s)
{
	json_obj_field_open(b, "mapping");
	json_str_field(b, "backing", sw_backing_name(s->backing), 32);
	json_u64_field(b, "start", s->map_start);
	json_u64_field(b, "offset", s->offset);
	json_u64_field(b, "object_size", s->obj_size);
	json_u64_field(b, "ino", s->ino);
	json_u64_field(b, "dev", s->dev);
	put_fs(b, s->fs_used, s->fs_size);
	json_str_field(b, "name", s->name, SW_NAME_LEN);
	put_top(b, s->top, NULL);
	json_obj_close(b);
}

/* "argv": ["python3", "-c", "..."], and "argv_truncated" when cut. */
static void put_argv(struct jbuf *b, const struct sw_exec_info *x)
{
	__u32 pos = 0;
	const char *arg;
	size_t n;

	if (!x->argv_len)
		return;
	json_arr_field_open(b, "argv");
	while ((arg = sw_argv_next(x, &pos, &n)))
		json_str_elem(b, arg, n);
	json_arr_close(b);
	if (x->argv_cut)
		json_bool_field(b, "argv_truncated", true);
}

static void put_lifecycle(struct jbuf *b, const struct sw_event *e)
{
	json_obj_field_open(b, "args");
	switch (e->kind) {
	case SW_EV_FORK:
		json_u64_field(b, "child_pid", e->fork.child_pid);
		json_bool_field(b, "shares_vm", e->fork.shares_vm);
		break;
	case SW_EV_EXEC:
		json_str_field(b, "filename", e->exec.filename, SW_NAME_LEN);
		put_argv(b, &e->exec);
		break;
	case SW_EV_EXIT:
		json_s64_field(b, "exit_code", e->exit.exit_code);
		break;
	case SW_EV_SIGNAL:
		json_s64_field(b, "signo", e->sig.signo);
		json_str_field(b, "signal", sw_signal_name(e->sig.signo), 16);
		json_s64_field(b, "code", e->sig.code);
		json_opt_str_field(b, "code_name", sw_sigcode_name(e->sig.signo, e->sig.code), 32);
		json_u64_field(b, "addr", e->sig.addr);
		if (e->sig.backing != SW_BK_NONE)
			put_fault_mapping(b, &e->sig);
		break;
	}
	json_obj_close(b);
	json_s64_field(b, "ret", 0);
	json_null_field(b, "errno");
}

static void json_event(struct sink *s, const struct sink_event *se)
{
	struct json_sink *js = (struct json_sink *)s;
	const struct sw_event *e = se->e;
	struct jbuf *b = &js->b;

	if (!s->events)
		return;
	open_record(b, SW_LOG_EVENT);
	json_u64_field(b, "seq", e->seq);
	if (e->lost_before)
		json_u64_field(b, "lost_before", e->lost_before);
	put_time(js, e->ts_ns);
	json_u64_field(b, "pid", e->pid);
	json_u64_field(b, "tid", e->tid);
	json_u64_field(b, "ppid", e->ppid);
	json_u64_field(b, "uid", e->uid);
	if (e->ns_pid)
		json_u64_field(b, "ns_pid", e->ns_pid);
	if (e->ipc_ns)
		json_u64_field(b, "ipc_ns", e->ipc_ns);
	json_u64_field(b, "cgroup", e->cgroup_id);
	json_str_field(b, "comm", e->comm, SW_COMM_LEN);
	json_str_field(b, "call", sw_event_name(e), 32);
	if (e->kind == SW_EV_CALL)
		put_call(b, e);
	else
		put_lifecycle(b, e);
	if (e->kind == SW_EV_CALL && e->c.name_cut)
		json_bool_field(b, "name_truncated", true);
	if (e->kind == SW_EV_CALL && e->c.mnt_ns)
		json_u64_field(b, "mnt_ns", e->c.mnt_ns);
	if (se->stack.n)
		put_stack(b, "stack", se->stack.frames, se->stack.n);
	if (se->stack.n && se->stack_from)
		json_u64_field(b, "stack_from", se->stack_from);
	if (se->container)
		json_container_field(b, "container", &se->container->ref, &se->container->names);
	json_obj_close(b);
	put_line(js);
}

static void json_finding(struct sink *s, const struct sink_finding *sf)
{
	struct json_sink *js = (struct json_sink *)s;
	const struct sw_finding *f = sf->f;
	struct sink_hint h = sink_finding_hint(sf);
	struct jbuf *b = &js->b;

	open_record(b, SW_LOG_FINDING);
	put_time(js, f->ts_ns);
	json_str_field(b, "rule", f->rule, 64);
	json_str_field(b, "severity", severity_names[f->severity], 16);
	json_u64_field(b, "pid", f->pid);
	json_u64_field(b, "tid", f->tid);
	json_str_field(b, "comm", f->comm, SW_COMM_LEN);
	json_str_field(b, "message", f->message, SW_MSG_LEN);
	if (h.hint)
		json_str_field(b, "hint", h.hint, SW_MSG_LEN);
	if (h.producer)
		json_str_field(b, "producer", h.producer, 64);
	json_arr_field_open(b, "evidence");
	for (int i = 0; i < f->n_evidence && i < SW_MAX_EVIDENCE; i++)
		json_u64_elem(b, f->evidence[i]);
	json_arr_close(b);
	json_bool_field(b, "uncertain", f->uncertain);
	if (sf->site.n)
		put_stack(b, "stack", sf->site.frames, sf->site.n);
	if (sf->origin.n)
		put_stack(b, "origin_stack", sf->origin.frames, sf->origin.n);
	if (sf->container)
		json_container_field(b, "container", &sf->container->ref, &sf->container->names);
	json_obj_close(b);
	put_line(js);
}

static void json_summary(struct sink *s, const struct sw_proc_summary *p)
{
	struct json_sink *js = (struct json_sink *)s;
	struct jbuf *b = &js->b;
	const struct {
		const char *key;
		__u64 v;
	} counts[] = {
		{ "segments_created", p->segs_created }, { "segments_removed", p->segs_removed },
		{ "attaches", p->attaches },		 { "detaches", p->detaches },
		{ "shared_maps", p->shared_maps },	 { "shared_unmaps", p->shared_unmaps },
		{ "peak_shared_bytes", p->peak_shared_bytes },
		{ "held_attachments", p->held_attachments },
		{ "held_bytes", p->held_bytes },
	};

	open_record(b, SW_LOG_SUMMARY);
	json_u64_field(b, "pid", p->pid);
	json_str_field(b, "comm", p->comm, SW_COMM_LEN);
	json_bool_field(b, "exited", p->exited);
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		json_u64_field(b, counts[i].key, counts[i].v);
	json_obj_field_open(b, "findings");
	for (int i = 0; i < sw_rule_count; i++) {
		if (p->findings[i])
			json_u64_field(b, sw_rules[i].id, p->findings[i]);
	}
	json_obj_close(b);
	if (p->container)
		json_container_field(b, "container", &p->container->ref, &p->container->names);
	json_obj_close(b);
	put_line(js);
}

/* The rows of biggest, or without mapped_by those of peak_held. */
static void put_usage_objects(struct jbuf *b, const char *key,
			      const struct sw_usage_object *rows, int n, bool maps)
{
	json_arr_field_open(b, key);
	for (int i = 0; i < n; i++) {
		const struct sw_usage_object *o = &rows[i];

		json_obj_open(b);
		json_str_field(b, "path", o->path, SW_NAME_LEN);
		json_u64_field(b, "size", o->size);
		json_u64_field(b, "creator_pid", o->creator_pid);
		json_str_field(b, "creator_comm", o->creator_comm, SW_COMM_LEN);
		json_bool_field(b, "creator_exited", o->creator_gone);
		if (maps)
			json_u64_field(b, "mapped_by", o->mapped_by);
		json_bool_field(b, "unlinked", o->unlinked);
		json_obj_close(b);
	}
	json_arr_close(b);
}

/* One "tmpfs" record: a memory filesystem's usage. */
static void json_usage(struct sink *s, const struct sw_mount_usage *u)
{
	struct json_sink *js = (struct json_sink *)s;
	struct jbuf *b = &js->b;

	open_record(b, SW_LOG_TMPFS);
	put_time(js, u->ts_ns);
	json_u64_field(b, "dev", u->dev);
	json_str_field(b, "mount", u->label, SW_NAME_LEN);
	if (u->container)
		json_container_field(b, "container", &u->container->ref, &u->container->names);
	put_fs(b, u->fs_used, u->fs_size);
	json_u64_field(b, "peak_used", u->peak_used);
	json_u64_field(b, "peak_ts_ns", u->peak_ts_ns);
	json_u64_field(b, "needed", u->needed);
	json_u64_field(b, "sufficient_size", u->sufficient_size);
	json_u64_field(b, "roomy_size", u->roomy_size);
	put_usage_objects(b, "peak_held", u->peak_held, u->n_peak_held, false);
	json_u64_field(b, "objects", u->n_objects);
	json_u64_field(b, "object_bytes", u->object_bytes);
	put_usage_objects(b, "biggest", u->biggest, u->n_biggest, true);
	json_arr_field_open(b, "creators");
	for (int i = 0; i < u->n_creators; i++) {
		const struct sw_usage_creator *c = &u->creators[i];

		json_obj_open(b);
		json_u64_field(b, "pid", c->pid);
		json_str_field(b, "comm", c->comm, SW_COMM_LEN);
		json_bool_field(b, "exited", c->gone);
		json_u64_field(b, "objects", c->objects);
		json_u64_field(b, "bytes", c->bytes);
		json_obj_close(b);
	}
	json_arr_close(b);
	json_arr_field_open(b, "growers");
	for (int i = 0; i < u->n_growers; i++) {
		json_obj_open(b);
		json_str_field(b, "path", u->growers[i].path, SW_NAME_LEN);
		json_u64_field(b, "from", u->growers[i].from);
		json_u64_field(b, "to", u->growers[i].to);
		json_obj_close(b);
	}
	json_arr_close(b);
	json_obj_close(b);
	put_line(js);
}

static void put_usage_segments(struct jbuf *b, const char *key,
			       const struct sw_usage_segment *rows, int n)
{
	json_arr_field_open(b, key);
	for (int i = 0; i < n; i++) {
		const struct sw_usage_segment *g = &rows[i];

		json_obj_open(b);
		json_u64_field(b, "key", (__u32)g->key);
		json_s64_field(b, "shmid", g->shmid);
		json_u64_field(b, "size", g->size);
		json_u64_field(b, "creator_pid", g->creator_pid);
		json_str_field(b, "creator_comm", g->creator_comm, SW_COMM_LEN);
		json_bool_field(b, "creator_exited", g->creator_gone);
		json_u64_field(b, "nattch", g->nattch);
		json_bool_field(b, "removed", g->removed);
		json_obj_close(b);
	}
	json_arr_close(b);
}

/* One "sysv" record: an IPC namespace's SysV shared memory. */
static void json_sysv_usage(struct sink *s, const struct sw_sysv_usage *u)
{
	struct json_sink *js = (struct json_sink *)s;
	struct jbuf *b = &js->b;

	open_record(b, SW_LOG_SYSV);
	put_time(js, u->ts_ns);
	json_u64_field(b, "ipc_ns", u->ipc_ns);
	json_u64_field(b, "segments", u->segments);
	json_u64_field(b, "bytes", u->bytes);
	json_u64_field(b, "peak_bytes", u->peak_bytes);
	json_u64_field(b, "peak_ts_ns", u->peak_ts_ns);
	json_u64_field(b, "peak_bytes_segments", u->peak_bytes_segments);
	json_u64_field(b, "peak_segments", u->peak_segments);
	json_u64_field(b, "biggest_size", u->biggest_size);
	json_u64_field(b, "shmmax", u->shmmax);
	json_u64_field(b, "shmall", u->shmall);
	json_u64_field(b, "shmmni", u->shmmni);
	json_u64_field(b, "sufficient_shmall", u->sufficient_shmall);
	json_u64_field(b, "sufficient_shmmni", u->sufficient_shmmni);
	json_u64_field(b, "sufficient_shmmax", u->sufficient_shmmax);
	put_usage_segments(b, "peak_held", u->peak_held, u->n_peak_held);
	put_usage_segments(b, "biggest", u->biggest, u->n_biggest);
	json_obj_close(b);
	put_line(js);
}

/* {"shmget":N,...} for the calls, then the lifecycle kinds if asked. */
static void put_counts(struct jbuf *b, const char *key, const __u64 *calls,
		       const __u64 *kinds)
{
	json_obj_field_open(b, key);
	for (__u32 i = 1; i < SW_CALL_MAX; i++)
		json_u64_field(b, sw_calls[i].name, calls[i]);
	for (__u32 k = SW_EV_FORK; kinds && k < SW_EV_KIND_MAX; k++) {
		struct sw_event e = { .kind = k };

		json_u64_field(b, sw_event_name(&e), kinds[k]);
	}
	json_obj_close(b);
}

static void json_stats(struct sink *s, const struct sw_stats *st)
{
	struct json_sink *js = (struct json_sink *)s;
	struct jbuf *b = &js->b;

	open_record(b, SW_LOG_STATS);
	put_time(js, st->ts_ns);
	json_bool_field(b, "final", st->final);
	json_u64_field(b, "events", st->events);
	json_u64_field(b, "lost", st->lost);
	put_counts(b, "calls", st->calls, NULL);
	put_counts(b, "failed", st->failed, NULL);
	put_counts(b, "lost_by", st->lost_slots, st->lost_slots + SW_CALL_MAX);
	json_u64_field(b, "findings", st->findings);
	json_obj_field_open(b, "state");
	json_u64_field(b, "bytes", st->state.bytes);
	json_u64_field(b, "max", st->state.max);
	json_u64_field(b, "procs", st->state.procs);
	json_u64_field(b, "segments", st->state.segments);
	json_u64_field(b, "objects", st->state.objects);
	json_u64_field(b, "mappings", st->state.mappings);
	json_u64_field(b, "stacks", st->state.stacks);
	json_u64_field(b, "dropped_procs", st->state.dropped_procs);
	json_u64_field(b, "dropped_objects", st->state.dropped_objects);
	json_u64_field(b, "unjudged", st->state.unjudged);
	json_obj_close(b);
	if (st->ring_size) {
		json_obj_field_open(b, "ring");
		json_u64_field(b, "size", st->ring_size);
		json_u64_field(b, "peak", st->ring_peak);
		json_obj_close(b);
	}
	json_obj_close(b);
	put_line(js);
}

static void json_header(struct sink *s, const struct sw_header *h)
{
	struct json_sink *js = (struct json_sink *)s;
	struct jbuf *b = &js->b;

	s->wall_offset_ns = h->wall_offset_ns;
	open_record(b, SW_LOG_HEADER);
	json_u64_field(b, "schema", h->schema);
	json_str_field(b, "tool", SW_LOG_TOOL, 16);
	json_str_field(b, "version", h->tool_version, 32);
	json_str_field(b, "hostname", h->hostname, sizeof(h->hostname));
	json_str_field(b, "kernel", h->kernel, sizeof(h->kernel));
	put_time(js, h->start_ts_ns);
	json_s64_field(b, "wall_offset_ns", h->wall_offset_ns);
	json_str_field(b, "mode", h->mode, 16);
	json_arr_field_open(b, "pids");
	for (int i = 0; i < h->n_pids; i++)
		json_u64_elem(b, h->pids[i]);
	json_arr_close(b);
	json_opt_str_field(b, "command", h->command, 4096);
	json_u64_field(b, "max_size", h->max_size);
	json_u64_field(b, "shmmax", h->shmmax);
	json_u64_field(b, "shmall", h->shmall);
	json_u64_field(b, "shmmni", h->shmmni);
	if (h->ipc_ns)
		json_u64_field(b, "ipc_ns", h->ipc_ns);
	json_u64_field(b, "mem_total", h->mem_total);
	if (h->cpus)
		json_u64_field(b, "cpus", h->cpus);
	json_bool_field(b, "shm_rmid_forced", h->shm_rmid_forced);
	json_bool_field(b, "all_mmaps", h->all_mmaps);
	json_u64_field(b, "leak_window_ns", h->growth_window_ns);
	json_u64_field(b, "leak_count", h->growth_threshold);
	if (h->events)
		json_str_field(b, "events", h->events, 16);
	json_obj_close(b);
	put_line(js);
}

static void json_free(struct sink *s)
{
	struct json_sink *js = (struct json_sink *)s;

	jbuf_free(&js->b);
	free(js);
}

static const struct sink_ops json_ops = {
	.header = json_header,
	.event = json_event,
	.finding = json_finding,
	.summary = json_summary,
	.usage = json_usage,
	.sysv_usage = json_sysv_usage,
	.stats = json_stats,
	.free = json_free,
};

struct sink *sink_json__new(struct outfile *out, bool events)
{
	struct json_sink *js = calloc(1, sizeof(*js));

	if (!js)
		return NULL;
	js->base.ops = &json_ops;
	js->base.out = out;
	js->base.events = events;
	js->base.event_frames = events ? SW_MAX_FRAMES : 0;
	js->base.finding_frames = SW_MAX_FRAMES;
	return &js->base;
}
