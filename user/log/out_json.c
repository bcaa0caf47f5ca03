// SPDX-License-Identifier: GPL-2.0
/*
 * out_json.c - the NDJSON sink: one JSON object per line, schema in
 * docs/events.md.  logread.c reads exactly what this writes.
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

static void put_line(struct json_sink *js)
{
	if (!js->b.oom)
		outfile__line(js->base.out, js->b.p, js->b.len);
	jb_reset(&js->b);
}

static void put_time(struct json_sink *js, __u64 ts_ns)
{
	char ts[48];

	sw_format_ts(ts, sizeof(ts), ts_ns, js->base.wall_offset_ns);
	jb_key(&js->b, "ts");
	jb_str(&js->b, ts, sizeof(ts));
	jb_key(&js->b, "ts_ns");
	jb_u64(&js->b, ts_ns);
}

static void add_flag_name(void *ctx, const char *name)
{
	struct jbuf *b = ctx;

	jb_elem(b);
	jb_str(b, name, 64);
}

/* One argument: integers as the kernel saw them, flags as an object with
 * the integer and the names. */
static void put_arg(struct jbuf *b, const struct sw_arg_desc *d, __u64 v, const char *str)
{
	jb_key(b, d->name);
	switch (d->type) {
	case SW_ARG_INT:
	case SW_ARG_FD:
		jb_s64(b, (__s32)v);
		break;
	case SW_ARG_KEY:
		jb_u64(b, (__u32)v);
		break;
	case SW_ARG_STR:
		jb_str(b, str, SW_NAME_LEN);
		break;
	case SW_ARG_ULONG:
	case SW_ARG_ADDR:
	case SW_ARG_SIZE:
		jb_u64(b, v);
		break;
	default: /* flags */
		jb_open(b, '{');
		jb_key(b, "value");
		jb_u64(b, v);
		jb_key(b, "names");
		jb_open(b, '[');
		sw_flag_names(d->type, v, add_flag_name, b);
		jb_close(b, ']');
		jb_close(b, '}');
	}
}

static void put_opt_str(struct jbuf *b, const char *key, const char *s)
{
	jb_key(b, key);
	if (s)
		jb_str(b, s, 4096);
	else
		jb_null(b);
}

/* "key": [{"ip", "module", "function", "offset", "file", "line"}, ...],
 * innermost first; what is unknown is null. */
static void put_stack(struct json_sink *js, const char *key, __u32 pid, const __u64 *ips, __u32 n,
		      bool at_fault)
{
	struct jbuf *b = &js->b;

	jb_key(b, key);
	jb_open(b, '[');
	for (__u32 i = 0; i < n && i < SW_MAX_FRAMES; i++) {
		struct sw_frame f = { .ip = ips[i] };

		symbolizer__resolve(js->base.sym, pid, ips[i], sw_ip_kind_of(at_fault, i), &f);
		jb_elem(b);
		jb_open(b, '{');
		jb_key(b, "ip");
		jb_u64(b, ips[i]);
		put_opt_str(b, "module", f.module);
		put_opt_str(b, "function", f.function);
		jb_key(b, "offset");
		if (f.module)
			jb_u64(b, f.offset);
		else
			jb_null(b);
		put_opt_str(b, "file", f.file);
		jb_key(b, "line");
		if (f.line > 0)
			jb_u64(b, (__u64)f.line);
		else
			jb_null(b);
		jb_close(b, '}');
	}
	jb_close(b, ']');
}

/* A memory filesystem's usage: bytes in use and the limit (0: none). */
static void put_fs(struct jbuf *b, __u64 used, __u64 size)
{
	jb_key(b, "fs_used");
	jb_u64(b, used);
	jb_key(b, "fs_size");
	jb_u64(b, size);
}

/* The file an fd-based call left behind, as the kernel saw it after it. */
static void put_object(struct jbuf *b, const struct sw_call_info *c)
{
	jb_key(b, "object");
	jb_open(b, '{');
	jb_key(b, "backing");
	jb_str(b, sw_backing_name(c->backing), 32);
	jb_key(b, "size");
	jb_u64(b, c->seg_size);
	jb_key(b, "ino");
	jb_u64(b, c->ino);
	jb_key(b, "dev");
	jb_u64(b, c->dev);
	jb_key(b, "created");
	jb_bool(b, c->created);
	put_fs(b, c->fs_used, c->fs_size);
	jb_key(b, "name");
	jb_str(b, c->name, SW_NAME_LEN);
	jb_close(b, '}');
}

static void put_call(struct jbuf *b, const struct sw_event *e)
{
	const struct sw_call_desc *d = &sw_calls[e->call < SW_CALL_MAX ? e->call : 0];
	const struct sw_call_info *c = &e->c;

	jb_key(b, "args");
	jb_open(b, '{');
	for (int i = 0; i < d->nargs; i++)
		put_arg(b, &d->args[i], c->args[i], c->name);
	jb_close(b, '}');
	jb_key(b, "ret");
	jb_s64(b, c->ret);
	jb_key(b, "errno");
	if (sw_ret_is_err(c->ret))
		jb_str(b, sw_errno_name((int)-c->ret), 32);
	else
		jb_null(b);
	if (sw_call_has_object(e->call)) {
		if (c->ino)
			put_object(b, c);
		return;
	}
	if (c->backing == SW_BK_NONE)
		return;
	/* What the kernel says about the mapping the call made. */
	jb_key(b, "map");
	jb_open(b, '{');
	jb_key(b, "backing");
	jb_str(b, sw_backing_name(c->backing), 32);
	jb_key(b, "size");
	jb_u64(b, c->map_size);
	jb_key(b, "object_size");
	jb_u64(b, c->seg_size);
	jb_key(b, "ino");
	jb_u64(b, c->ino);
	jb_key(b, "dev");
	jb_u64(b, c->dev);
	jb_key(b, "created");
	jb_bool(b, c->created);
	jb_key(b, "shmid");
	jb_s64(b, c->shmid);
	jb_key(b, "name");
	jb_str(b, c->name, SW_NAME_LEN);
	jb_close(b, '}');
}

/* What a SIGBUS hit: the mapping and its object at the moment of it. */
static void put_fault_mapping(struct jbuf *b, const struct sw_signal_info *s)
{
	jb_key(b, "mapping");
	jb_open(b, '{');
	jb_key(b, "backing");
	jb_str(b, sw_backing_name(s->backing), 32);
	jb_key(b, "start");
	jb_u64(b, s->map_start);
	jb_key(b, "offset");
	jb_u64(b, s->offset);
	jb_key(b, "object_size");
	jb_u64(b, s->obj_size);
	jb_key(b, "ino");
	jb_u64(b, s->ino);
	jb_key(b, "dev");
	jb_u64(b, s->dev);
	put_fs(b, s->fs_used, s->fs_size);
	jb_key(b, "name");
	jb_str(b, s->name, SW_NAME_LEN);
	jb_key(b, "top");
	jb_open(b, '[');
	for (int i = 0; i < SW_TOP_HOLDERS && s->top[i].ino; i++) {
		jb_elem(b);
		jb_open(b, '{');
		jb_key(b, "ino");
		jb_u64(b, s->top[i].ino);
		jb_key(b, "bytes");
		jb_u64(b, s->top[i].bytes);
		jb_close(b, '}');
	}
	jb_close(b, ']');
	jb_close(b, '}');
}

static void put_lifecycle(struct jbuf *b, const struct sw_event *e)
{
	const char *code;

	jb_key(b, "args");
	jb_open(b, '{');
	switch (e->kind) {
	case SW_EV_FORK:
		jb_key(b, "child_pid");
		jb_u64(b, e->fork.child_pid);
		jb_key(b, "shares_vm");
		jb_bool(b, e->fork.shares_vm);
		break;
	case SW_EV_EXEC:
		jb_key(b, "filename");
		jb_str(b, e->exec.filename, SW_NAME_LEN);
		break;
	case SW_EV_EXIT:
		jb_key(b, "exit_code");
		jb_s64(b, e->exit.exit_code);
		break;
	case SW_EV_SIGNAL:
		jb_key(b, "signo");
		jb_s64(b, e->sig.signo);
		jb_key(b, "signal");
		jb_str(b, sw_signal_name(e->sig.signo), 16);
		jb_key(b, "code");
		jb_s64(b, e->sig.code);
		jb_key(b, "code_name");
		code = sw_sigcode_name(e->sig.signo, e->sig.code);
		if (code)
			jb_str(b, code, 32);
		else
			jb_null(b);
		jb_key(b, "addr");
		jb_u64(b, e->sig.addr);
		if (e->sig.backing != SW_BK_NONE)
			put_fault_mapping(b, &e->sig);
		break;
	}
	jb_close(b, '}');
	jb_key(b, "ret");
	jb_s64(b, 0);
	jb_key(b, "errno");
	jb_null(b);
}

static void json_event(struct sink *s, const struct sw_event *e)
{
	struct json_sink *js = (struct json_sink *)s;
	struct jbuf *b = &js->b;

	if (!s->events)
		return;
	jb_open(b, '{');
	jb_key(b, "type");
	jb_raw(b, "\"event\"", 7);
	jb_key(b, "seq");
	jb_u64(b, e->seq);
	if (e->lost_before) {
		jb_key(b, "lost_before");
		jb_u64(b, e->lost_before);
	}
	put_time(js, e->ts_ns);
	jb_key(b, "pid");
	jb_u64(b, e->pid);
	jb_key(b, "tid");
	jb_u64(b, e->tid);
	jb_key(b, "ppid");
	jb_u64(b, e->ppid);
	jb_key(b, "uid");
	jb_u64(b, e->uid);
	if (e->ns_pid) {
		jb_key(b, "ns_pid");
		jb_u64(b, e->ns_pid);
	}
	jb_key(b, "cgroup");
	jb_u64(b, e->cgroup_id);
	jb_key(b, "comm");
	jb_str(b, e->comm, SW_COMM_LEN);
	jb_key(b, "call");
	jb_str(b, sw_event_name(e), 32);
	if (e->kind == SW_EV_CALL)
		put_call(b, e);
	else
		put_lifecycle(b, e);
	if (e->kind == SW_EV_CALL && e->c.name_cut) {
		jb_key(b, "name_truncated");
		jb_bool(b, true);
	}
	if (e->n_frames)
		put_stack(js, "stack", e->pid, e->stack, e->n_frames, sw_event_stack_at_fault(e));
	if (e->n_frames && e->stack_from) {
		jb_key(&js->b, "stack_from");
		jb_u64(&js->b, e->stack_from);
	}
	jb_close(b, '}');
	put_line(js);
}

static const char *const severity_names[] = { "info", "warning", "error" };

static void json_finding(struct sink *s, const struct sw_finding *f)
{
	struct json_sink *js = (struct json_sink *)s;
	struct jbuf *b = &js->b;

	jb_open(b, '{');
	jb_key(b, "type");
	jb_raw(b, "\"finding\"", 9);
	put_time(js, f->ts_ns);
	jb_key(b, "rule");
	jb_str(b, f->rule, 64);
	jb_key(b, "severity");
	jb_str(b, severity_names[f->severity], 16);
	jb_key(b, "pid");
	jb_u64(b, f->pid);
	jb_key(b, "tid");
	jb_u64(b, f->tid);
	jb_key(b, "comm");
	jb_str(b, f->comm, SW_COMM_LEN);
	jb_key(b, "message");
	jb_str(b, f->message, SW_MSG_LEN);
	jb_key(b, "evidence");
	jb_open(b, '[');
	for (int i = 0; i < f->n_evidence && i < SW_MAX_EVIDENCE; i++) {
		jb_elem(b);
		jb_u64(b, f->evidence[i]);
	}
	jb_close(b, ']');
	jb_key(b, "uncertain");
	jb_bool(b, f->uncertain);
	if (f->site.n)
		put_stack(js, "stack", f->site.pid, f->site.ip, f->site.n, f->site.at_fault);
	if (f->origin.n)
		put_stack(js, "origin_stack", f->origin.pid, f->origin.ip, f->origin.n,
			  f->origin.at_fault);
	jb_close(b, '}');
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

	jb_open(b, '{');
	jb_key(b, "type");
	jb_raw(b, "\"summary\"", 9);
	jb_key(b, "pid");
	jb_u64(b, p->pid);
	jb_key(b, "comm");
	jb_str(b, p->comm, SW_COMM_LEN);
	jb_key(b, "exited");
	jb_bool(b, p->exited);
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		jb_key(b, counts[i].key);
		jb_u64(b, counts[i].v);
	}
	jb_key(b, "findings");
	jb_open(b, '{');
	for (int i = 0; i < sw_rule_count; i++) {
		if (!p->findings[i])
			continue;
		jb_key(b, sw_rules[i].id);
		jb_u64(b, p->findings[i]);
	}
	jb_close(b, '}');
	jb_close(b, '}');
	put_line(js);
}

/* One "tmpfs" record: a memory filesystem's usage, schema in events.md. */
static void json_usage(struct sink *s, const struct sw_mount_usage *u)
{
	struct json_sink *js = (struct json_sink *)s;
	struct jbuf *b = &js->b;

	jb_open(b, '{');
	jb_key(b, "type");
	jb_raw(b, "\"tmpfs\"", 7);
	put_time(js, u->ts_ns);
	jb_key(b, "dev");
	jb_u64(b, u->dev);
	jb_key(b, "mount");
	jb_str(b, u->label, SW_NAME_LEN);
	put_fs(b, u->fs_used, u->fs_size);
	jb_key(b, "objects");
	jb_u64(b, u->n_objects);
	jb_key(b, "object_bytes");
	jb_u64(b, u->object_bytes);
	jb_key(b, "biggest");
	jb_open(b, '[');
	for (int i = 0; i < u->n_biggest; i++) {
		const struct sw_usage_object *o = &u->biggest[i];

		jb_elem(b);
		jb_open(b, '{');
		jb_key(b, "path");
		jb_str(b, o->path, SW_NAME_LEN);
		jb_key(b, "size");
		jb_u64(b, o->size);
		jb_key(b, "creator_pid");
		jb_u64(b, o->creator_pid);
		jb_key(b, "creator_comm");
		jb_str(b, o->creator_comm, SW_COMM_LEN);
		jb_key(b, "creator_exited");
		jb_bool(b, o->creator_gone);
		jb_key(b, "mapped_by");
		jb_u64(b, o->mapped_by);
		jb_close(b, '}');
	}
	jb_close(b, ']');
	jb_key(b, "creators");
	jb_open(b, '[');
	for (int i = 0; i < u->n_creators; i++) {
		const struct sw_usage_creator *c = &u->creators[i];

		jb_elem(b);
		jb_open(b, '{');
		jb_key(b, "pid");
		jb_u64(b, c->pid);
		jb_key(b, "comm");
		jb_str(b, c->comm, SW_COMM_LEN);
		jb_key(b, "exited");
		jb_bool(b, c->gone);
		jb_key(b, "objects");
		jb_u64(b, c->objects);
		jb_key(b, "bytes");
		jb_u64(b, c->bytes);
		jb_close(b, '}');
	}
	jb_close(b, ']');
	jb_key(b, "growers");
	jb_open(b, '[');
	for (int i = 0; i < u->n_growers; i++) {
		jb_elem(b);
		jb_open(b, '{');
		jb_key(b, "path");
		jb_str(b, u->growers[i].path, SW_NAME_LEN);
		jb_key(b, "from");
		jb_u64(b, u->growers[i].from);
		jb_key(b, "to");
		jb_u64(b, u->growers[i].to);
		jb_close(b, '}');
	}
	jb_close(b, ']');
	jb_close(b, '}');
	put_line(js);
}

/* {"shmget":N,...} for the calls, then the lifecycle kinds if asked. */
static void put_counts(struct jbuf *b, const char *key, const __u64 *calls,
		       const __u64 *kinds)
{
	jb_key(b, key);
	jb_open(b, '{');
	for (__u32 i = 1; i < SW_CALL_MAX; i++) {
		jb_key(b, sw_calls[i].name);
		jb_u64(b, calls[i]);
	}
	for (__u32 k = SW_EV_FORK; kinds && k < SW_EV_KIND_MAX; k++) {
		struct sw_event e = { .kind = k };

		jb_key(b, sw_event_name(&e));
		jb_u64(b, kinds[k]);
	}
	jb_close(b, '}');
}

static void json_stats(struct sink *s, const struct sw_stats *st)
{
	struct json_sink *js = (struct json_sink *)s;
	struct jbuf *b = &js->b;

	jb_open(b, '{');
	jb_key(b, "type");
	jb_raw(b, "\"stats\"", 7);
	put_time(js, st->ts_ns);
	jb_key(b, "final");
	jb_bool(b, st->final);
	jb_key(b, "events");
	jb_u64(b, st->events);
	jb_key(b, "lost");
	jb_u64(b, st->lost);
	put_counts(b, "calls", st->calls, NULL);
	put_counts(b, "failed", st->failed, NULL);
	put_counts(b, "lost_by", st->lost_slots, st->lost_slots + SW_CALL_MAX);
	jb_key(b, "findings");
	jb_u64(b, st->findings);
	jb_close(b, '}');
	put_line(js);
}

static void json_header(struct sink *s, const struct sw_header *h)
{
	struct json_sink *js = (struct json_sink *)s;
	struct jbuf *b = &js->b;

	s->wall_offset_ns = h->wall_offset_ns;
	jb_open(b, '{');
	jb_key(b, "type");
	jb_raw(b, "\"header\"", 8);
	jb_key(b, "schema");
	jb_u64(b, h->schema);
	jb_key(b, "tool");
	jb_raw(b, "\"shmwatch\"", 10);
	jb_key(b, "version");
	jb_str(b, h->tool_version, 32);
	jb_key(b, "hostname");
	jb_str(b, h->hostname, sizeof(h->hostname));
	jb_key(b, "kernel");
	jb_str(b, h->kernel, sizeof(h->kernel));
	put_time(js, h->start_ts_ns);
	jb_key(b, "wall_offset_ns");
	jb_s64(b, h->wall_offset_ns);
	jb_key(b, "mode");
	jb_str(b, h->mode, 16);
	jb_key(b, "pids");
	jb_open(b, '[');
	for (int i = 0; i < h->n_pids; i++) {
		jb_elem(b);
		jb_u64(b, h->pids[i]);
	}
	jb_close(b, ']');
	jb_key(b, "command");
	if (h->command)
		jb_str(b, h->command, 4096);
	else
		jb_null(b);
	jb_key(b, "max_size");
	jb_u64(b, h->max_size);
	jb_key(b, "shmmax");
	jb_u64(b, h->shmmax);
	jb_key(b, "mem_total");
	jb_u64(b, h->mem_total);
	jb_key(b, "shm_rmid_forced");
	jb_bool(b, h->shm_rmid_forced);
	jb_key(b, "all_mmaps");
	jb_bool(b, h->all_mmaps);
	jb_key(b, "leak_window_ns");
	jb_u64(b, h->growth_window_ns);
	jb_key(b, "leak_count");
	jb_u64(b, h->growth_threshold);
	jb_close(b, '}');
	put_line(js);
}

static void json_free(struct sink *s)
{
	struct json_sink *js = (struct json_sink *)s;

	jb_free(&js->b);
	free(js);
}

static const struct sink_ops json_ops = {
	.header = json_header,
	.event = json_event,
	.finding = json_finding,
	.summary = json_summary,
	.usage = json_usage,
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
	return &js->base;
}
