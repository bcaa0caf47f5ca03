// SPDX-License-Identifier: GPL-2.0
/*
 * logread_records.c - one JSON object of a log back into the struct
 * out_json.c wrote it from (header, event, stats), field by field in the
 * order of docs/events.md; findings, summaries and usage views are only
 * counted, since analyze recomputes them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/names.h"
#include "log/logread_int.h"

void logread_default_header(struct sw_header *h)
{
	memset(h, 0, sizeof(*h));
	h->schema = SW_SCHEMA_VERSION;
	h->tool_version = "";
	h->mode = "";
	h->max_size = SW_LOG_DEFAULT_MAX_SIZE;
}

static int parse_header(struct logread *r, struct jval *o, struct sw_header *h)
{
	struct jval v, p;
	struct jiter it;
	const char *key;
	__u64 schema, leak_count = 0;
	int ret;

	logread_default_header(h);
	TRY(logread_get_uint(r, o, "", "schema", true, INT32_MAX, &schema));
	if (schema < 1)
		return logread_bad(r, "\"schema\" must be 1 or more");
	h->schema = (int)schema;
	if (schema > SW_SCHEMA_VERSION && !r->warned_schema) {
		r->warned_schema = true;
		logread_diag(
		    r, r->line, true,
		    "schema version %d is newer than %d: reading the fields this shmwatch knows",
		    h->schema, SW_SCHEMA_VERSION);
	}
	ret = logread_get_str(r, o, "", "version", false, r->version, sizeof(r->version));
	if (ret > 0)
		return ret;
	if (!ret)
		h->tool_version = r->version;
	TRY(logread_get_str(r, o, "", "hostname", false, h->hostname, sizeof(h->hostname)));
	TRY(logread_get_str(r, o, "", "kernel", false, h->kernel, sizeof(h->kernel)));
	TRY(logread_get_u64(r, o, "", "ts_ns", false, &h->start_ts_ns));
	TRY(logread_get_int(r, o, "", "wall_offset_ns", false, INT64_MIN, INT64_MAX,
			    &h->wall_offset_ns));
	ret = logread_get_str(r, o, "", "mode", false, r->mode, sizeof(r->mode));
	if (ret > 0)
		return ret;
	if (!ret)
		h->mode = r->mode;
	ret = logread_get_str(r, o, "", "events", false, r->events, sizeof(r->events));
	if (ret > 0)
		return ret;
	if (!ret)
		h->events = r->events;
	TRY(logread_get_u64(r, o, "", "max_size", false, &h->max_size));
	TRY(logread_get_u64(r, o, "", "shmmax", false, &h->shmmax));
	TRY(logread_get_u64(r, o, "", "shmall", false, &h->shmall));
	TRY(logread_get_u64(r, o, "", "shmmni", false, &h->shmmni));
	TRY(logread_get_u32(r, o, "", "ipc_ns", false, &h->ipc_ns));
	TRY(logread_get_u64(r, o, "", "mem_total", false, &h->mem_total));
	TRY(logread_get_u32(r, o, "", "cpus", false, &h->cpus));
	TRY(logread_get_bool(r, o, "", "shm_rmid_forced", false, &h->shm_rmid_forced));
	TRY(logread_get_bool(r, o, "", "all_mmaps", false, &h->all_mmaps));
	TRY(logread_get_u64(r, o, "", "leak_window_ns", false, &h->growth_window_ns));
	TRY(logread_get_u64(r, o, "", "leak_count", false, &leak_count));
	if (leak_count > UINT32_MAX)
		return logread_bad(r, "\"leak_count\" is out of range");
	h->growth_threshold = (__u32)leak_count;

	free(r->command);
	r->command = NULL;
	if (jval_member(o, "command", &v) && jval_type(&v) != JT_NULL) {
		size_t len;

		if (jval_type(&v) != JT_STRING)
			return logread_bad(r, "\"command\" should be a string or null");
		r->command = strdup(jval_str(&v, &len));
		if (!r->command)
			return -ENOMEM;
		h->command = r->command;
	}

	free(r->pids);
	r->pids = NULL;
	ret = logread_member(r, o, "", "pids", JT_ARRAY, false, &v);
	if (ret > 0)
		return ret;
	if (!ret && jval_len(&v)) {
		size_t n = jval_len(&v), i = 0;

		r->pids = calloc(n, sizeof(*r->pids));
		if (!r->pids)
			return -ENOMEM;
		for (jval_iter(&v, &it); i < n && jiter_next(&it, &p, &key); i++) {
			__s64 pid = jval_int64(&p);

			if (jval_type(&p) != JT_INT || pid < 0 || pid > UINT32_MAX)
				return logread_bad(r, "\"pids\" should hold process ids");
			r->pids[i] = (__u32)pid;
		}
		h->pids = r->pids;
		h->n_pids = (int)n;
	}
	return 0;
}

static int get_arg(struct logread *r, struct jval *args, const struct sw_arg_desc *d,
		   struct sw_event *e, __u64 *out)
{
	struct jval flags;
	__s64 s;

	switch (d->type) {
	case SW_ARG_INT:
	case SW_ARG_FD:
		/* The writer keeps only the C int: sign-extend it back. */
		TRY(logread_get_int(r, args, "args", d->name, true, INT32_MIN, INT32_MAX, &s));
		*out = (__u64)s;
		return 0;
	case SW_ARG_KEY: {
		__u32 key = 0;

		TRY(logread_get_u32(r, args, "args", d->name, true, &key));
		*out = key;
		return 0;
	}
	case SW_ARG_STR:
		return logread_get_str(r, args, "args", d->name, true, e->c.name,
				       sizeof(e->c.name));
	case SW_ARG_ULONG:
	case SW_ARG_ADDR:
	case SW_ARG_SIZE:
		return logread_get_u64(r, args, "args", d->name, true, out);
	default: { /* flags: {"value": N, "names": [...]}, the names are derived */
		char where[48];

		TRY(logread_member(r, args, "args", d->name, JT_OBJECT, true, &flags));
		snprintf(where, sizeof(where), "args.%s", d->name);
		return logread_get_u64(r, &flags, where, "value", true, out);
	}
	}
}

/* A backing by name; one this version cannot name is a newer writer's:
 * guessing would change the findings, so the event is skipped like an
 * unknown call. */
static int get_backing(struct logread *r, struct jval *o, const char *where, __u32 *out)
{
	char backing[32];

	TRY(logread_get_str(r, o, where, "backing", true, backing, sizeof(backing)));
	*out = sw_backing_by_name(backing);
	if (*out == SW_BK_NONE && strcmp(backing, sw_backing_name(SW_BK_NONE)))
		return logread_unknown(r, "backing", backing);
	return 0;
}

static int get_fs(struct logread *r, struct jval *o, const char *where, __u64 *used,
		  __u64 *size)
{
	TRY(logread_get_u64(r, o, where, "fs_used", true, used));
	return logread_get_u64(r, o, where, "fs_size", true, size);
}

static int parse_map(struct logread *r, struct jval *o, struct sw_call_info *c)
{
	struct jval m;
	struct jval *map = &m;
	bool created = false;
	__u32 backing;
	int ret = logread_member(r, o, "", "map", JT_OBJECT, false, &m);

	if (ret)
		return ret > 0 ? ret : 0;
	TRY(get_backing(r, map, "map", &backing));
	c->backing = (__u16)backing;
	TRY(logread_get_u64(r, map, "map", "size", true, &c->map_size));
	TRY(logread_get_u64(r, map, "map", "object_size", true, &c->seg_size));
	TRY(logread_get_u64(r, map, "map", "allocated", false, &c->obj_alloc));
	TRY(logread_get_u64(r, map, "map", "ino", true, &c->ino));
	TRY(logread_get_u32(r, map, "map", "dev", false, &c->dev));
	TRY(logread_get_u32(r, map, "map", "fs_gen", false, &c->fs_gen));
	TRY(logread_get_bool(r, map, "map", "created", false, &created));
	c->created = created;
	TRY(logread_get_s32(r, map, "map", "shmid", true, &c->shmid));
	return logread_get_str(r, map, "map", "name", true, c->name, sizeof(c->name));
}

/* A mount's biggest files, where names the object holding the list:
 * [{"ino": N, "bytes": N[, "nlink": N]}, ...]; nlink is read when the
 * caller keeps it.  A ret > 0 from logread_member is an error already
 * reported; -ENOENT, an optional list that is absent. */
static int parse_top(struct logread *r, struct jval *m, const char *where,
		     bool required, struct sw_holder *top, __u32 *nlink)
{
	struct jval arr, h;
	struct jiter it;
	const char *key;
	char at[64];
	int ret = logread_member(r, m, where, "top", JT_ARRAY, required, &arr);

	if (ret)
		return ret > 0 ? ret : 0;
	snprintf(at, sizeof(at), "%s.top", where);
	jval_iter(&arr, &it);
	for (size_t i = 0; i < SW_TOP_HOLDERS && jiter_next(&it, &h, &key); i++) {
		if (jval_type(&h) != JT_OBJECT)
			return logread_bad(r, "\"%s\" should be an array of objects", at);
		TRY(logread_get_u64(r, &h, at, "ino", true, &top[i].ino));
		TRY(logread_get_u64(r, &h, at, "bytes", true, &top[i].bytes));
		if (nlink)
			TRY(logread_get_u32(r, &h, at, "nlink", true, &nlink[i]));
	}
	return 0;
}

static int parse_file_object(struct logread *r, struct jval *o, struct sw_event *e)
{
	struct sw_call_info *c = &e->c;
	struct jval ob;
	struct jval *obj = &ob;
	bool created = false;
	__u32 backing;
	int ret = logread_member(r, o, "", "object", JT_OBJECT, false, &ob);

	if (ret)
		return ret > 0 ? ret : 0;
	TRY(get_backing(r, obj, "object", &backing));
	c->backing = (__u16)backing;
	TRY(logread_get_u64(r, obj, "object", "size", true, &c->seg_size));
	TRY(logread_get_u64(r, obj, "object", "allocated", false, &c->obj_alloc));
	TRY(logread_get_u64(r, obj, "object", "ino", true, &c->ino));
	TRY(logread_get_u32(r, obj, "object", "dev", true, &c->dev));
	TRY(logread_get_u32(r, obj, "object", "fs_gen", false, &c->fs_gen));
	TRY(logread_get_bool(r, obj, "object", "created", true, &created));
	c->created = created;
	TRY(get_fs(r, obj, "object", &c->fs_used, &c->fs_size));
	TRY(logread_get_str(r, obj, "object", "name", true, c->name, sizeof(c->name)));
	/* Only a call refused for want of space has one. */
	return parse_top(r, obj, "object", false, e->space.top, e->space.nlink);
}

static int parse_fault_mapping(struct logread *r, struct jval *args,
			       struct sw_signal_info *s)
{
	struct jval mv;
	struct jval *m = &mv;
	int ret = logread_member(r, args, "args", "mapping", JT_OBJECT, false, &mv);

	if (ret)
		return ret > 0 ? ret : 0;
	TRY(get_backing(r, m, "args.mapping", &s->backing));
	TRY(logread_get_u64(r, m, "args.mapping", "start", true, &s->map_start));
	TRY(logread_get_u64(r, m, "args.mapping", "offset", true, &s->offset));
	TRY(logread_get_u64(r, m, "args.mapping", "object_size", true, &s->obj_size));
	TRY(logread_get_u64(r, m, "args.mapping", "ino", true, &s->ino));
	TRY(logread_get_u32(r, m, "args.mapping", "dev", true, &s->dev));
	TRY(get_fs(r, m, "args.mapping", &s->fs_used, &s->fs_size));
	TRY(logread_get_str(r, m, "args.mapping", "name", true, s->name, sizeof(s->name)));
	return parse_top(r, m, "args.mapping", true, s->top, NULL);
}

static int parse_call(struct logread *r, struct jval *o, struct jval *args,
		      struct sw_event *e)
{
	const struct sw_call_desc *d = &sw_calls[e->call];
	struct sw_call_info *c = &e->c;

	for (int i = 0; i < d->nargs; i++)
		TRY(get_arg(r, args, &d->args[i], e, &c->args[i]));
	TRY(logread_get_int(r, o, "", "ret", true, INT64_MIN, INT64_MAX, &c->ret));
	/* What the kernel fills in when it has no mapping to describe. */
	c->shmid = -1;
	c->backing = e->call == SW_MEMFD_CREATE ? SW_BK_MEMFD : SW_BK_NONE;
	if (sw_call_has_object(e->call))
		return parse_file_object(r, o, e);
	return parse_map(r, o, c);
}

/* "argv" back into NUL-ended arguments; what does not fit is cut, as the
 * kernel side cuts. */
static int parse_argv(struct logread *r, struct jval *args, struct sw_exec_info *x)
{
	struct jval v, a;
	struct jiter it;
	const char *key;
	bool cut = false;
	size_t used = 0;
	int ret = logread_member(r, args, "args", "argv", JT_ARRAY, false, &v);

	if (ret)
		return ret > 0 ? ret : 0;
	TRY(logread_get_bool(r, args, "args", "argv_truncated", false, &cut));
	for (jval_iter(&v, &it); jiter_next(&it, &a, &key);) {
		size_t len;
		const char *s;

		if (jval_type(&a) != JT_STRING)
			return logread_bad(r, "\"args.argv\" should hold strings");
		s = jval_str(&a, &len);
		len = strnlen(s, len);
		if (used + len + 1 > SW_ARGV_LEN) {
			memcpy(x->argv + used, s, SW_ARGV_LEN - used);
			used = SW_ARGV_LEN;
			cut = true;
			break;
		}
		memcpy(x->argv + used, s, len + 1);
		used += len + 1;
	}
	/* A cut last argument has no NUL of its own. */
	if (cut && used && used < SW_ARGV_LEN && !x->argv[used - 1])
		used--;
	x->argv_len = (__u16)used;
	x->argv_cut = cut;
	return 0;
}

static int parse_lifecycle(struct logread *r, struct jval *args, struct sw_event *e)
{
	bool shares_vm = false;

	switch (e->kind) {
	case SW_EV_FORK:
		TRY(logread_get_u32(r, args, "args", "child_pid", true, &e->fork.child_pid));
		TRY(logread_get_bool(r, args, "args", "shares_vm", true, &shares_vm));
		e->fork.shares_vm = shares_vm;
		return 0;
	case SW_EV_EXEC:
		TRY(logread_get_str(r, args, "args", "filename", true, e->exec.filename,
				    sizeof(e->exec.filename)));
		return parse_argv(r, args, &e->exec);
	case SW_EV_EXIT:
		return logread_get_s32(r, args, "args", "exit_code", true, &e->exit.exit_code);
	case SW_EV_SIGNAL:
		/* "signal" and "code_name" are derived from these. */
		TRY(logread_get_s32(r, args, "args", "signo", true, &e->sig.signo));
		TRY(logread_get_s32(r, args, "args", "code", true, &e->sig.code));
		TRY(logread_get_u64(r, args, "args", "addr", true, &e->sig.addr));
		return parse_fault_mapping(r, args, &e->sig);
	}
	return 0;
}

/* A string or null member of a frame, kept in r->frame_strs. */
static int frame_str(struct logread *r, struct jval *fo, const char *key, const char **out)
{
	struct jval v;
	const char *s;
	size_t len;

	*out = NULL;
	if (!jval_member(fo, key, &v) || jval_type(&v) == JT_NULL)
		return 0;
	if (jval_type(&v) != JT_STRING)
		return logread_bad(r, "\"stack[].%s\" should be a string or null", key);
	s = jval_str(&v, &len);
	len = strnlen(s, len < 255 ? len : 255);
	if (r->frame_used + len + 1 > sizeof(r->frame_strs))
		return 0; /* keep the frame, lose the name */
	memcpy(r->frame_strs + r->frame_used, s, len);
	r->frame_strs[r->frame_used + len] = '\0';
	*out = r->frame_strs + r->frame_used;
	r->frame_used += len + 1;
	return 0;
}

/* "stack": [{"ip", "module", "function", "offset", "file", "line"}, ...] */
static int parse_stack(struct logread *r, struct jval *o, struct sw_event *e,
		       struct sw_frame *frames)
{
	struct jval stack, fv;
	struct jval *fo = &fv;
	struct jiter it;
	const char *key;

	r->frame_used = 0;
	if (!jval_member(o, "stack", &stack))
		return 0;
	if (jval_type(&stack) != JT_ARRAY)
		return logread_bad(r, "\"stack\" should be an array");
	jval_iter(&stack, &it);
	for (size_t i = 0; i < SW_MAX_FRAMES && jiter_next(&it, &fv, &key); i++) {
		struct sw_frame *f = &frames[i];
		__s64 line = 0;

		memset(f, 0, sizeof(*f));
		if (jval_type(fo) != JT_OBJECT)
			return logread_bad(r, "\"stack[]\" should hold objects");
		TRY(logread_get_u64(r, fo, "stack[]", "ip", true, &f->ip));
		if (!logread_null_member(fo, "offset"))
			TRY(logread_get_u64(r, fo, "stack[]", "offset", false, &f->offset));
		if (!logread_null_member(fo, "line"))
			TRY(logread_get_int(r, fo, "stack[]", "line", false, 0, INT32_MAX, &line));
		f->line = (int)line;
		TRY(frame_str(r, fo, "module", &f->module));
		TRY(frame_str(r, fo, "function", &f->function));
		TRY(frame_str(r, fo, "file", &f->file));
		e->stack[i] = f->ip;
		e->n_frames = (__u32)i + 1;
	}
	return 0;
}

/* "container": {"runtime", "id", names...}; an unknown runtime is a
 * newer version's, and the container is then left out. */
static int parse_container(struct logread *r, struct jval *o, struct log_record *rec)
{
	struct container_info *ci = &rec->container;
	struct container_names *n = &ci->names;
	struct jval cv;
	struct jval *c = &cv;
	char runtime[32], qos[32] = "";
	int rt, q, ret = logread_member(r, o, "", "container", JT_OBJECT, false, &cv);

	if (ret)
		return ret > 0 ? ret : 0;
	TRY(logread_get_str(r, c, "container", "runtime", true, runtime, sizeof(runtime)));
	TRY(logread_get_str(r, c, "container", "id", false, ci->ref.id, sizeof(ci->ref.id)));
	TRY(logread_get_str(r, c, "container", "name", false, n->name, sizeof(n->name)));
	TRY(logread_get_str(r, c, "container", "image", false, n->image, sizeof(n->image)));
	TRY(logread_get_str(r, c, "container", "pod_uid", false, ci->ref.pod_uid,
			    sizeof(ci->ref.pod_uid)));
	TRY(logread_get_str(r, c, "container", "qos", false, qos, sizeof(qos)));
	TRY(logread_get_str(r, c, "container", "pod_name", false, n->pod_name,
			    sizeof(n->pod_name)));
	TRY(logread_get_str(r, c, "container", "pod_namespace", false, n->pod_namespace,
			    sizeof(n->pod_namespace)));
	TRY(logread_get_str(r, c, "container", "pod_container", false, n->k8s_container,
			    sizeof(n->k8s_container)));
	rt = container_runtime_by_name(runtime);
	q = qos[0] ? container_qos_by_name(qos) : CONTAINER_QOS_NONE;
	if (rt <= CONTAINER_RT_NONE || q < 0)
		return 0;
	ci->ref.runtime = (enum container_runtime)rt;
	ci->ref.qos = (enum container_qos)q;
	ci->ref.kubernetes = ci->ref.pod_uid[0] != '\0';
	rec->has_container = true;
	return 0;
}

static int parse_event(struct logread *r, struct jval *o, struct sw_event *e,
		       struct sw_frame *frames)
{
	struct jval av;
	struct jval *args = &av;
	char name[32];

	memset(e, 0, sizeof(*e));
	TRY(logread_get_str(r, o, "", "call", true, name, sizeof(name)));
	e->kind = sw_kind_by_name(name);
	if (!e->kind) {
		e->call = sw_call_by_name(name);
		if (e->call == SW_CALL_NONE)
			return logread_unknown(r, "event", name);
		e->kind = SW_EV_CALL;
	}
	TRY(logread_get_u64(r, o, "", "seq", true, &e->seq));
	TRY(logread_get_u64(r, o, "", "lost_before", false, &e->lost_before));
	TRY(logread_get_u64(r, o, "", "ts_ns", true, &e->ts_ns));
	TRY(logread_get_u32(r, o, "", "pid", true, &e->pid));
	TRY(logread_get_u32(r, o, "", "tid", true, &e->tid));
	TRY(logread_get_u32(r, o, "", "ppid", true, &e->ppid));
	TRY(logread_get_u32(r, o, "", "uid", true, &e->uid));
	TRY(logread_get_u32(r, o, "", "ns_pid", false, &e->ns_pid));
	TRY(logread_get_u32(r, o, "", "ipc_ns", false, &e->ipc_ns));
	TRY(logread_get_u64(r, o, "", "cgroup", true, &e->cgroup_id));
	TRY(logread_get_str(r, o, "", "comm", true, e->comm, sizeof(e->comm)));
	TRY(logread_member(r, o, "", "args", JT_OBJECT, true, &av));
	TRY(parse_stack(r, o, e, frames));
	if (e->kind == SW_EV_CALL) {
		bool cut = false;

		TRY(logread_get_bool(r, o, "", "name_truncated", false, &cut));
		e->c.name_cut = cut;
		TRY(logread_get_u32(r, o, "", "mnt_ns", false, &e->c.mnt_ns));
		return parse_call(r, o, args, e);
	}
	return parse_lifecycle(r, args, e);
}

/* {"shmget": N, ..., "fork": N, ...} into a slot array; unknown names are
 * a newer version's and ignored.  kinds: NULL when only calls belong. */
static int parse_counts(struct logread *r, struct jval *o, const char *key, __u64 *calls,
			__u64 *kinds)
{
	struct jval counts, v;
	struct jiter it;
	const char *name;
	int ret = logread_member(r, o, "", key, JT_OBJECT, kinds != NULL, &counts);

	if (ret)
		return ret > 0 ? ret : 0;
	for (jval_iter(&counts, &it); jiter_next(&it, &v, &name);) {
		__u32 call = sw_call_by_name(name), kind = sw_kind_by_name(name);
		__u64 *slot = call ? &calls[call] : kind && kinds ? &kinds[kind] : NULL;

		if (slot)
			TRY(logread_get_u64(r, &counts, key, name, true, slot));
	}
	return 0;
}

static int parse_stats(struct logread *r, struct jval *o, struct sw_stats *st)
{
	memset(st, 0, sizeof(*st));
	TRY(logread_get_u64(r, o, "", "ts_ns", true, &st->ts_ns));
	TRY(logread_get_bool(r, o, "", "final", false, &st->final));
	TRY(logread_get_u64(r, o, "", "events", false, &st->events));
	TRY(logread_get_u64(r, o, "", "lost", false, &st->lost));
	TRY(parse_counts(r, o, "calls", st->calls, NULL));
	TRY(parse_counts(r, o, "failed", st->failed, NULL));
	/* The one part analyze uses: where losses happened, cumulatively. */
	TRY(parse_counts(r, o, "lost_by", st->lost_slots, st->lost_slots + SW_CALL_MAX));
	TRY(logread_get_u64(r, o, "", "findings", false, &st->findings));
	return 0;
}

int logread_parse_record(struct logread *r, struct jval *o, struct log_record *rec)
{
	char type[32];

	TRY(logread_get_str(r, o, "", "type", true, type, sizeof(type)));
	if (!strcmp(type, SW_LOG_EVENT)) {
		rec->type = LOG_REC_EVENT;
		TRY(parse_event(r, o, &rec->event, rec->frames));
		return parse_container(r, o, rec);
	} else if (!strcmp(type, SW_LOG_STATS)) {
		rec->type = LOG_REC_STATS;
		return parse_stats(r, o, &rec->stats);
	} else if (!strcmp(type, SW_LOG_HEADER)) {
		rec->type = LOG_REC_HEADER;
		return parse_header(r, o, &rec->header);
	} else if (!strcmp(type, SW_LOG_FINDING)) {
		rec->type = LOG_REC_FINDING;
		r->counts.findings++;
		return 0;
	} else if (!strcmp(type, SW_LOG_SUMMARY) || !strcmp(type, SW_LOG_TMPFS) ||
		   !strcmp(type, SW_LOG_SYSV)) {
		rec->type = LOG_REC_SUMMARY;
		r->counts.summaries++;
		return 0;
	}
	return logread_unknown(r, "record type", type);
}
