// SPDX-License-Identifier: GPL-2.0
/*
 * logread.c - the NDJSON log reader behind logread.h.  The bytes of a log
 * (a file or a pipe, gzip'd or not) are cut into bounded lines; json-c
 * parses each line, and this file maps the objects out_json.c writes back
 * onto the structs, checking every field's type and range on the way.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <json-c/json.h>
#include "log/linesrc.h"
#include "log/logread.h"
#include "lib/names.h"

#define MAX_UNKNOWN_NAMES 32
struct logread {
	struct linesrc *src;
	char *name;
	struct logread_opts opts;
	struct logread_counts counts;
	unsigned long line;
	char *buf; /* the line being parsed, from src */
	struct json_tokener *tok;
	char err[256];
	/* The line holds an integer literal json-c clamped to 2^64-1 (high)
	 * or to -2^63 (low): such a value read from it is out of range. */
	bool clamped_high;
	bool clamped_low;
	bool warned_schema;
	bool reported_empty;
	/* Names already warned about, so each unknown one is reported once. */
	char *unknown[MAX_UNKNOWN_NAMES];
	int n_unknown;
	/* What the last header's pointers point to. */
	char version[32];
	char mode[16];
	char *command;
	__u32 *pids;
	/* Strings of the last event's stack frames. */
	char frame_strs[3 * SW_MAX_FRAMES * 256];
	size_t frame_used;
};

/* Results of parsing one line, besides 0 for a record. */
enum {
	BAD_LINE = 1, /* malformed; r->err says why */
	BAD_JSON,     /* not even JSON: maybe the writer was cut off */
	UNKNOWN_NAME, /* a record type or event this version does not know */
};

void logread_default_header(struct sw_header *h)
{
	memset(h, 0, sizeof(*h));
	h->schema = SW_SCHEMA_VERSION;
	h->tool_version = "";
	h->mode = "";
	h->max_size = SW_LOG_DEFAULT_MAX_SIZE;
}

static void diag(struct logread *r, unsigned long line, bool warning, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->opts.diag)
		r->opts.diag(r->opts.ctx, r->name, line, warning, msg);
	else if (line)
		fprintf(stderr, "%s:%lu: %s\n", r->name, line, msg);
	else
		fprintf(stderr, "%s: %s\n", r->name, msg);
}

static int bad(struct logread *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return BAD_LINE;
}

/*
 * Copy a JSON string into a fixed field, cut at a character boundary so
 * that a long name does not end in half a UTF-8 sequence.
 */
static void copy_str(char *dst, size_t size, struct json_object *v)
{
	const char *s = json_object_get_string(v);
	size_t n = strnlen(s, (size_t)json_object_get_string_len(v));

	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/*
 * The member key of o with type t: 0 when found, -ENOENT when absent and
 * not required, BAD_LINE otherwise.  where names the enclosing object in
 * messages ("args.shmflg").
 */
static int member(struct logread *r, struct json_object *o, const char *where, const char *key,
		  enum json_type t, bool required, struct json_object **out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v)) {
		if (!required)
			return -ENOENT;
		return bad(r, "\"%s%s%s\" is missing", where, *where ? "." : "", key);
	}
	if (!json_object_is_type(v, t))
		return bad(r, "\"%s%s%s\" should be %s, not %s", where, *where ? "." : "", key,
			   t == json_type_int ? "an integer" : json_type_to_name(t),
			   json_type_to_name(json_object_get_type(v)));
	*out = v;
	return 0;
}

/* An unsigned integer no larger than max. */
static int get_uint(struct logread *r, struct json_object *o, const char *where, const char *key,
		    bool required, __u64 max, __u64 *out)
{
	struct json_object *v;
	int ret = member(r, o, where, key, json_type_int, required, &v);
	__u64 u;

	if (ret)
		return ret;
	u = json_object_get_uint64(v);
	if (json_object_get_int64(v) < 0 || u > max || (u == UINT64_MAX && r->clamped_high))
		return bad(r, "\"%s%s%s\" is out of range", where, *where ? "." : "", key);
	*out = u;
	return 0;
}

static int get_u64(struct logread *r, struct json_object *o, const char *where, const char *key,
		   bool required, __u64 *out)
{
	return get_uint(r, o, where, key, required, UINT64_MAX, out);
}

static int get_u32(struct logread *r, struct json_object *o, const char *where, const char *key,
		   bool required, __u32 *out)
{
	__u64 v = *out; /* kept when an optional member is absent */
	int ret = get_uint(r, o, where, key, required, UINT32_MAX, &v);

	if (!ret)
		*out = (__u32)v;
	return ret;
}

/* A signed integer within [min, max]. */
static int get_int(struct logread *r, struct json_object *o, const char *where, const char *key,
		   bool required, __s64 min, __s64 max, __s64 *out)
{
	struct json_object *v;
	int ret = member(r, o, where, key, json_type_int, required, &v);
	__s64 s;

	if (ret)
		return ret;
	s = json_object_get_int64(v);
	/* json-c keeps values past INT64_MAX as unsigned; get_int64 clamps. */
	if (s < min || s > max || (s == INT64_MAX && json_object_get_uint64(v) > INT64_MAX) ||
	    (s == INT64_MIN && r->clamped_low))
		return bad(r, "\"%s%s%s\" is out of range", where, *where ? "." : "", key);
	*out = s;
	return 0;
}

static int get_s32(struct logread *r, struct json_object *o, const char *where, const char *key,
		   bool required, __s32 *out)
{
	__s64 v = 0;
	int ret = get_int(r, o, where, key, required, INT32_MIN, INT32_MAX, &v);

	if (!ret)
		*out = (__s32)v;
	return ret;
}

static int get_bool(struct logread *r, struct json_object *o, const char *where, const char *key,
		    bool required, bool *out)
{
	struct json_object *v;
	int ret = member(r, o, where, key, json_type_boolean, required, &v);

	if (!ret)
		*out = json_object_get_boolean(v);
	return ret;
}

static int get_str(struct logread *r, struct json_object *o, const char *where, const char *key,
		   bool required, char *buf, size_t size)
{
	struct json_object *v;
	int ret = member(r, o, where, key, json_type_string, required, &v);

	if (!ret)
		copy_str(buf, size, v);
	return ret;
}

/* Getters return 0, -ENOENT for an absent optional field, or BAD_LINE:
 * only the last stops the parse. */
#define TRY(expr)                            \
	do {                                 \
		int _ret = (expr);           \
		if (_ret > 0)                \
			return _ret;         \
	} while (0)

/* Has this unknown name been warned about?  Remembers it if not. */
static bool seen_unknown(struct logread *r, const char *what, const char *name)
{
	char key[96];

	snprintf(key, sizeof(key), "%s %s", what, name);
	for (int i = 0; i < r->n_unknown; i++)
		if (!strcmp(r->unknown[i], key))
			return true;
	/* Past the table's end every further name is reported; a log with
	 * that many unknown names is better told loudly. */
	if (r->n_unknown < MAX_UNKNOWN_NAMES) {
		char *copy = strdup(key);

		if (copy)
			r->unknown[r->n_unknown++] = copy;
	}
	return false;
}

/*
 * At most max bytes of s for a diagnostic: printable ASCII as is, the
 * rest as \xHH, and backslash and quote escaped.  A log is untrusted
 * input, and its text must not reach a terminal as control sequences.
 */
static void escape_text(char *dst, size_t size, const char *s, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < max && s[i] && n + 5 <= size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\' || c == '"')
			n += (size_t)snprintf(dst + n, size - n, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			dst[n++] = (char)c;
		else
			n += (size_t)snprintf(dst + n, size - n, "\\x%02x", c);
	}
	dst[n] = '\0';
}

static int unknown(struct logread *r, const char *what, const char *name)
{
	char shown[4 * 40 + 1];

	if (seen_unknown(r, what, name)) {
		r->err[0] = '\0';
		return UNKNOWN_NAME;
	}
	escape_text(shown, sizeof(shown), name, 40);
	snprintf(r->err, sizeof(r->err),
		 "unknown %s \"%s\" (from a newer shmwatch?), skipped; further ones silently", what,
		 shown);
	return UNKNOWN_NAME;
}

static int parse_header(struct logread *r, struct json_object *o, struct sw_header *h)
{
	struct json_object *v;
	__u64 schema, leak_count = 0;
	int ret;

	logread_default_header(h);
	TRY(get_uint(r, o, "", "schema", true, INT32_MAX, &schema));
	if (schema < 1)
		return bad(r, "\"schema\" must be 1 or more");
	h->schema = (int)schema;
	if (schema > SW_SCHEMA_VERSION && !r->warned_schema) {
		r->warned_schema = true;
		diag(r, r->line, true,
		     "schema version %d is newer than %d: reading the fields this shmwatch knows",
		     h->schema, SW_SCHEMA_VERSION);
	}
	ret = get_str(r, o, "", "version", false, r->version, sizeof(r->version));
	if (ret > 0)
		return ret;
	if (!ret)
		h->tool_version = r->version;
	TRY(get_str(r, o, "", "hostname", false, h->hostname, sizeof(h->hostname)));
	TRY(get_str(r, o, "", "kernel", false, h->kernel, sizeof(h->kernel)));
	TRY(get_u64(r, o, "", "ts_ns", false, &h->start_ts_ns));
	TRY(get_int(r, o, "", "wall_offset_ns", false, INT64_MIN, INT64_MAX, &h->wall_offset_ns));
	ret = get_str(r, o, "", "mode", false, r->mode, sizeof(r->mode));
	if (ret > 0)
		return ret;
	if (!ret)
		h->mode = r->mode;
	TRY(get_u64(r, o, "", "max_size", false, &h->max_size));
	TRY(get_u64(r, o, "", "shmmax", false, &h->shmmax));
	TRY(get_u64(r, o, "", "mem_total", false, &h->mem_total));
	TRY(get_bool(r, o, "", "shm_rmid_forced", false, &h->shm_rmid_forced));
	TRY(get_bool(r, o, "", "all_mmaps", false, &h->all_mmaps));
	TRY(get_u64(r, o, "", "leak_window_ns", false, &h->growth_window_ns));
	TRY(get_u64(r, o, "", "leak_count", false, &leak_count));
	if (leak_count > UINT32_MAX)
		return bad(r, "\"leak_count\" is out of range");
	h->growth_threshold = (__u32)leak_count;

	free(r->command);
	r->command = NULL;
	if (json_object_object_get_ex(o, "command", &v) && !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_string))
			return bad(r, "\"command\" should be a string or null");
		r->command = strdup(json_object_get_string(v));
		if (!r->command)
			return -ENOMEM;
		h->command = r->command;
	}

	free(r->pids);
	r->pids = NULL;
	ret = member(r, o, "", "pids", json_type_array, false, &v);
	if (ret > 0)
		return ret;
	if (!ret && json_object_array_length(v)) {
		size_t n = json_object_array_length(v);

		r->pids = calloc(n, sizeof(*r->pids));
		if (!r->pids)
			return -ENOMEM;
		for (size_t i = 0; i < n; i++) {
			struct json_object *p = json_object_array_get_idx(v, i);
			__s64 pid = json_object_get_int64(p);

			if (!json_object_is_type(p, json_type_int) || pid < 0 || pid > UINT32_MAX)
				return bad(r, "\"pids\" should hold process ids");
			r->pids[i] = (__u32)pid;
		}
		h->pids = r->pids;
		h->n_pids = (int)n;
	}
	return 0;
}

static int get_arg(struct logread *r, struct json_object *args, const struct sw_arg_desc *d,
		   struct sw_event *e, __u64 *out)
{
	struct json_object *flags;
	__s64 s;

	switch (d->type) {
	case SW_ARG_INT:
	case SW_ARG_FD:
		/* The writer keeps only the C int: sign-extend it back. */
		TRY(get_int(r, args, "args", d->name, true, INT32_MIN, INT32_MAX, &s));
		*out = (__u64)s;
		return 0;
	case SW_ARG_KEY: {
		__u32 key = 0;

		TRY(get_u32(r, args, "args", d->name, true, &key));
		*out = key;
		return 0;
	}
	case SW_ARG_STR:
		return get_str(r, args, "args", d->name, true, e->c.name, sizeof(e->c.name));
	case SW_ARG_ULONG:
	case SW_ARG_ADDR:
	case SW_ARG_SIZE:
		return get_u64(r, args, "args", d->name, true, out);
	default: { /* flags: {"value": N, "names": [...]}, the names are derived */
		char where[48];

		TRY(member(r, args, "args", d->name, json_type_object, true, &flags));
		snprintf(where, sizeof(where), "args.%s", d->name);
		return get_u64(r, flags, where, "value", true, out);
	}
	}
}

/* A backing by name; one this version cannot name is a newer writer's:
 * guessing would change the findings, so the event is skipped like an
 * unknown call. */
static int get_backing(struct logread *r, struct json_object *o, const char *where, __u32 *out)
{
	char backing[32];

	TRY(get_str(r, o, where, "backing", true, backing, sizeof(backing)));
	*out = sw_backing_by_name(backing);
	if (*out == SW_BK_NONE && strcmp(backing, sw_backing_name(SW_BK_NONE)))
		return unknown(r, "backing", backing);
	return 0;
}

static int get_fs(struct logread *r, struct json_object *o, const char *where, __u64 *used,
		  __u64 *size)
{
	TRY(get_u64(r, o, where, "fs_used", true, used));
	return get_u64(r, o, where, "fs_size", true, size);
}

static int parse_map(struct logread *r, struct json_object *o, struct sw_call_info *c)
{
	struct json_object *map;
	bool created = false;
	int ret = member(r, o, "", "map", json_type_object, false, &map);

	if (ret)
		return ret > 0 ? ret : 0;
	TRY(get_backing(r, map, "map", &c->backing));
	TRY(get_u64(r, map, "map", "size", true, &c->map_size));
	TRY(get_u64(r, map, "map", "object_size", true, &c->seg_size));
	TRY(get_u64(r, map, "map", "ino", true, &c->ino));
	TRY(get_u32(r, map, "map", "dev", false, &c->dev));
	TRY(get_bool(r, map, "map", "created", false, &created));
	c->created = created;
	TRY(get_s32(r, map, "map", "shmid", true, &c->shmid));
	return get_str(r, map, "map", "name", true, c->name, sizeof(c->name));
}

static int parse_file_object(struct logread *r, struct json_object *o, struct sw_call_info *c)
{
	struct json_object *obj;
	bool created = false;
	int ret = member(r, o, "", "object", json_type_object, false, &obj);

	if (ret)
		return ret > 0 ? ret : 0;
	TRY(get_backing(r, obj, "object", &c->backing));
	TRY(get_u64(r, obj, "object", "size", true, &c->seg_size));
	TRY(get_u64(r, obj, "object", "ino", true, &c->ino));
	TRY(get_u32(r, obj, "object", "dev", true, &c->dev));
	TRY(get_bool(r, obj, "object", "created", true, &created));
	c->created = created;
	TRY(get_fs(r, obj, "object", &c->fs_used, &c->fs_size));
	return get_str(r, obj, "object", "name", true, c->name, sizeof(c->name));
}

/* The mount's biggest files at a fault: [{"ino": N, "bytes": N}, ...]. */
static int parse_top(struct logread *r, struct json_object *m, struct sw_signal_info *s)
{
	struct json_object *top;
	size_t n;

	TRY(member(r, m, "args.mapping", "top", json_type_array, true, &top));
	n = json_object_array_length(top);
	for (size_t i = 0; i < n && i < SW_TOP_HOLDERS; i++) {
		struct json_object *h = json_object_array_get_idx(top, i);

		if (!json_object_is_type(h, json_type_object))
			return bad(r, "\"args.mapping.top\" should be an array of objects");
		TRY(get_u64(r, h, "args.mapping.top", "ino", true, &s->top[i].ino));
		TRY(get_u64(r, h, "args.mapping.top", "bytes", true, &s->top[i].bytes));
	}
	return 0;
}

static int parse_fault_mapping(struct logread *r, struct json_object *args,
			       struct sw_signal_info *s)
{
	struct json_object *m;
	int ret = member(r, args, "args", "mapping", json_type_object, false, &m);

	if (ret)
		return ret > 0 ? ret : 0;
	TRY(get_backing(r, m, "args.mapping", &s->backing));
	TRY(get_u64(r, m, "args.mapping", "start", true, &s->map_start));
	TRY(get_u64(r, m, "args.mapping", "offset", true, &s->offset));
	TRY(get_u64(r, m, "args.mapping", "object_size", true, &s->obj_size));
	TRY(get_u64(r, m, "args.mapping", "ino", true, &s->ino));
	TRY(get_u32(r, m, "args.mapping", "dev", true, &s->dev));
	TRY(get_fs(r, m, "args.mapping", &s->fs_used, &s->fs_size));
	TRY(get_str(r, m, "args.mapping", "name", true, s->name, sizeof(s->name)));
	return parse_top(r, m, s);
}

static int parse_call(struct logread *r, struct json_object *o, struct json_object *args,
		      struct sw_event *e)
{
	const struct sw_call_desc *d = &sw_calls[e->call];
	struct sw_call_info *c = &e->c;

	for (int i = 0; i < d->nargs; i++)
		TRY(get_arg(r, args, &d->args[i], e, &c->args[i]));
	TRY(get_int(r, o, "", "ret", true, INT64_MIN, INT64_MAX, &c->ret));
	/* What the kernel fills in when it has no mapping to describe. */
	c->shmid = -1;
	c->backing = e->call == SW_MEMFD_CREATE ? SW_BK_MEMFD : SW_BK_NONE;
	if (sw_call_has_object(e->call))
		return parse_file_object(r, o, c);
	return parse_map(r, o, c);
}

static int parse_lifecycle(struct logread *r, struct json_object *args, struct sw_event *e)
{
	bool shares_vm = false;

	switch (e->kind) {
	case SW_EV_FORK:
		TRY(get_u32(r, args, "args", "child_pid", true, &e->fork.child_pid));
		TRY(get_bool(r, args, "args", "shares_vm", true, &shares_vm));
		e->fork.shares_vm = shares_vm;
		return 0;
	case SW_EV_EXEC:
		return get_str(r, args, "args", "filename", true, e->exec.filename,
			       sizeof(e->exec.filename));
	case SW_EV_EXIT:
		return get_s32(r, args, "args", "exit_code", true, &e->exit.exit_code);
	case SW_EV_SIGNAL:
		/* "signal" and "code_name" are derived from these. */
		TRY(get_s32(r, args, "args", "signo", true, &e->sig.signo));
		TRY(get_s32(r, args, "args", "code", true, &e->sig.code));
		TRY(get_u64(r, args, "args", "addr", true, &e->sig.addr));
		return parse_fault_mapping(r, args, &e->sig);
	}
	return 0;
}

static bool null_member(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_null);
}

/* A string or null member of a frame, kept in r->frame_strs. */
static int frame_str(struct logread *r, struct json_object *fo, const char *key, const char **out)
{
	struct json_object *v;
	const char *s;
	size_t len;

	*out = NULL;
	if (!json_object_object_get_ex(fo, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return bad(r, "\"stack[].%s\" should be a string or null", key);
	s = json_object_get_string(v);
	len = strnlen(s, 255);
	if (r->frame_used + len + 1 > sizeof(r->frame_strs))
		return 0; /* keep the frame, lose the name */
	memcpy(r->frame_strs + r->frame_used, s, len);
	r->frame_strs[r->frame_used + len] = '\0';
	*out = r->frame_strs + r->frame_used;
	r->frame_used += len + 1;
	return 0;
}

/* "stack": [{"ip", "module", "function", "offset", "file", "line"}, ...] */
static int parse_stack(struct logread *r, struct json_object *o, struct sw_event *e,
		       struct sw_frame *frames)
{
	struct json_object *stack;
	size_t n;

	r->frame_used = 0;
	if (!json_object_object_get_ex(o, "stack", &stack))
		return 0;
	if (!json_object_is_type(stack, json_type_array))
		return bad(r, "\"stack\" should be an array");
	n = json_object_array_length(stack);
	for (size_t i = 0; i < n && i < SW_MAX_FRAMES; i++) {
		struct json_object *fo = json_object_array_get_idx(stack, i);
		struct sw_frame *f = &frames[i];
		__s64 line = 0;

		memset(f, 0, sizeof(*f));
		if (!json_object_is_type(fo, json_type_object))
			return bad(r, "\"stack[]\" should hold objects");
		TRY(get_u64(r, fo, "stack[]", "ip", true, &f->ip));
		if (!null_member(fo, "offset"))
			TRY(get_u64(r, fo, "stack[]", "offset", false, &f->offset));
		if (!null_member(fo, "line"))
			TRY(get_int(r, fo, "stack[]", "line", false, 0, INT32_MAX, &line));
		f->line = (int)line;
		TRY(frame_str(r, fo, "module", &f->module));
		TRY(frame_str(r, fo, "function", &f->function));
		TRY(frame_str(r, fo, "file", &f->file));
		e->stack[i] = f->ip;
		e->n_frames = (__u32)i + 1;
	}
	return 0;
}

static int parse_event(struct logread *r, struct json_object *o, struct sw_event *e,
		       struct sw_frame *frames)
{
	struct json_object *args;
	char name[32];

	memset(e, 0, sizeof(*e));
	TRY(get_str(r, o, "", "call", true, name, sizeof(name)));
	e->kind = sw_kind_by_name(name);
	if (!e->kind) {
		e->call = sw_call_by_name(name);
		if (e->call == SW_CALL_NONE)
			return unknown(r, "event", name);
		e->kind = SW_EV_CALL;
	}
	TRY(get_u64(r, o, "", "seq", true, &e->seq));
	TRY(get_u64(r, o, "", "lost_before", false, &e->lost_before));
	TRY(get_u64(r, o, "", "ts_ns", true, &e->ts_ns));
	TRY(get_u32(r, o, "", "pid", true, &e->pid));
	TRY(get_u32(r, o, "", "tid", true, &e->tid));
	TRY(get_u32(r, o, "", "ppid", true, &e->ppid));
	TRY(get_u32(r, o, "", "uid", true, &e->uid));
	TRY(get_u64(r, o, "", "cgroup", true, &e->cgroup_id));
	TRY(get_str(r, o, "", "comm", true, e->comm, sizeof(e->comm)));
	TRY(member(r, o, "", "args", json_type_object, true, &args));
	TRY(parse_stack(r, o, e, frames));
	if (e->kind == SW_EV_CALL) {
		bool cut = false;

		TRY(get_bool(r, o, "", "name_truncated", false, &cut));
		e->c.name_cut = cut;
		return parse_call(r, o, args, e);
	}
	return parse_lifecycle(r, args, e);
}

/* {"shmget": N, ..., "fork": N, ...} into a slot array; unknown names are
 * a newer version's and ignored.  kinds: NULL when only calls belong. */
static int parse_counts(struct logread *r, struct json_object *o, const char *key, __u64 *calls,
			__u64 *kinds)
{
	struct json_object *counts;
	int ret = member(r, o, "", key, json_type_object, kinds != NULL, &counts);

	if (ret)
		return ret > 0 ? ret : 0;
	json_object_object_foreach(counts, name, v) {
		__u32 call = sw_call_by_name(name), kind = sw_kind_by_name(name);
		__u64 *slot = call ? &calls[call] : kind && kinds ? &kinds[kind] : NULL;

		(void)v;
		if (slot)
			TRY(get_u64(r, counts, key, name, true, slot));
	}
	return 0;
}

static int parse_stats(struct logread *r, struct json_object *o, struct sw_stats *st)
{
	memset(st, 0, sizeof(*st));
	TRY(get_u64(r, o, "", "ts_ns", true, &st->ts_ns));
	TRY(get_bool(r, o, "", "final", false, &st->final));
	TRY(get_u64(r, o, "", "events", false, &st->events));
	TRY(get_u64(r, o, "", "lost", false, &st->lost));
	TRY(parse_counts(r, o, "calls", st->calls, NULL));
	TRY(parse_counts(r, o, "failed", st->failed, NULL));
	/* The one part analyze uses: where losses happened, cumulatively. */
	TRY(parse_counts(r, o, "lost_by", st->lost_slots, st->lost_slots + SW_CALL_MAX));
	TRY(get_u64(r, o, "", "findings", false, &st->findings));
	return 0;
}

static int parse_object(struct logread *r, struct json_object *o, struct log_record *rec)
{
	char type[32];

	TRY(get_str(r, o, "", "type", true, type, sizeof(type)));
	if (!strcmp(type, SW_LOG_EVENT)) {
		rec->type = LOG_REC_EVENT;
		return parse_event(r, o, &rec->event, rec->frames);
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
	} else if (!strcmp(type, SW_LOG_SUMMARY) || !strcmp(type, SW_LOG_TMPFS)) {
		rec->type = LOG_REC_SUMMARY;
		r->counts.summaries++;
		return 0;
	}
	return unknown(r, "record type", type);
}

static bool is_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Does the integer literal of n digits (no sign, no leading zero) fit a
 * 64-bit integer: unsigned, or signed when it is negative? */
static bool fits_64_bits(const char *digits, size_t n, bool negative)
{
	const char *limit = negative ? "9223372036854775808" : "18446744073709551615";
	size_t len = strlen(limit);

	return n < len || (n == len && memcmp(digits, limit, len) <= 0);
}

/* The index of the closing quote of the string that opens at s[i]. */
static size_t string_end(const char *s, size_t len, size_t i)
{
	for (i++; i < len && s[i] != '"'; i++)
		if (s[i] == '\\')
			i++;
	return i;
}

/*
 * json-c reads an integer with strtoll/strtoull and keeps the clamped
 * value without an error, and it takes "-01" and "00", which JSON does
 * not allow.  So the numbers of a line json-c accepted are looked at in
 * its text: a leading zero makes the line malformed, and an integer
 * beyond 64 bits sets clamped_high or clamped_low for the getters.
 */
static int check_numbers(struct logread *r, const char *s, size_t len)
{
	r->clamped_high = r->clamped_low = false;
	for (size_t i = 0; i < len; i++) {
		size_t start = i, digits, n;
		bool negative;

		if (s[i] == '"') {
			i = string_end(s, len, i);
			continue;
		}
		if (s[i] != '-' && !is_digit(s[i]))
			continue;
		negative = s[i] == '-';
		if (negative)
			i++;
		digits = i;
		while (i < len && is_digit(s[i]))
			i++;
		n = i - digits;
		if (n > 1 && s[digits] == '0')
			return bad(r, "not JSON: a number with a leading zero at byte %zu",
				   start + 1);
		if (i < len && (s[i] == '.' || s[i] == 'e' || s[i] == 'E')) {
			/* A double: integer fields refuse it by its type. */
			while (i < len && (is_digit(s[i]) || strchr(".eE+-", s[i])))
				i++;
		} else if (n && !fits_64_bits(s + digits, n, negative)) {
			if (negative)
				r->clamped_low = true;
			else
				r->clamped_high = true;
		}
		i--;
	}
	return 0;
}

/* Parse one line into rec: 0, or one of the BAD_* / UNKNOWN_NAME results,
 * or a negative errno. */
static int parse_line(struct logread *r, size_t len, struct log_record *rec)
{
	enum json_tokener_error jerr;
	struct json_object *o;
	size_t end;
	int ret;

	if (memchr(r->buf, '\0', len)) {
		snprintf(r->err, sizeof(r->err), "NUL byte in the line");
		return BAD_JSON;
	}
	json_tokener_reset(r->tok);
	o = json_tokener_parse_ex(r->tok, r->buf, (int)len);
	jerr = json_tokener_get_error(r->tok);
	if (!o) {
		snprintf(r->err, sizeof(r->err), "not JSON: %s at byte %zu",
			 jerr == json_tokener_continue ? "unexpected end of line" :
							 json_tokener_error_desc(jerr),
			 json_tokener_get_parse_end(r->tok) + 1);
		return BAD_JSON;
	}
	end = json_tokener_get_parse_end(r->tok);
	if (!is_blank(r->buf + end, len - end)) {
		ret = bad(r, "text after the JSON object at byte %zu", end + 1);
	} else if (!json_object_is_type(o, json_type_object)) {
		ret = bad(r, "a record must be a JSON object, not %s",
			  json_type_to_name(json_object_get_type(o)));
	} else if (!(ret = check_numbers(r, r->buf, end))) {
		memset(rec, 0, sizeof(*rec));
		ret = parse_object(r, o, rec);
	}
	json_object_put(o);
	return ret;
}

/* A bad line: reported, counted; true when reading must stop. */
static bool skip_bad(struct logread *r)
{
	r->counts.skipped++;
	r->counts.malformed++;
	diag(r, r->line, false, "%s", r->err);
	return r->opts.strict;
}

/* At the end: a log with nothing in it is worth a word, once. */
static void report_empty(struct logread *r)
{
	if (r->counts.records || r->counts.skipped || r->reported_empty)
		return;
	r->reported_empty = true;
	diag(r, 0, true, "empty log: no records");
}

int logread__next(struct logread *r, struct log_record *rec)
{
	bool newline;
	size_t len = 0;
	int ret;

	for (;;) {
		ret = linesrc__read(r->src, &r->buf, &len, &newline);
		if (ret == LINESRC_EOF) {
			report_empty(r);
			return 0;
		}
		if (ret < 0)
			return ret;
		r->line++;
		r->counts.lines++;
		if (ret == LINESRC_ENDLESS) {
			r->counts.skipped++;
			r->counts.oversized++;
			diag(r, r->line, false, "not an NDJSON log: no newline in %d MiB",
			     LOGREAD_MAX_RUN >> 20);
			return -EBADMSG;
		}
		if (ret == LINESRC_TOO_LONG) {
			r->counts.skipped++;
			r->counts.oversized++;
			diag(r, r->line, false, "line longer than %d bytes, skipped",
			     LOGREAD_MAX_LINE);
			if (r->opts.strict)
				return -EBADMSG;
			continue;
		}
		if (is_blank(r->buf, len))
			continue;
		ret = parse_line(r, len, rec);
		if (ret < 0)
			return ret;
		switch (ret) {
		case 0:
			rec->line = r->line;
			r->counts.records++;
			return 1;
		case BAD_JSON:
			/* What a writer killed mid-line leaves: expected, not damage. */
			if (!newline) {
				r->counts.skipped++;
				r->counts.truncated++;
				diag(r, r->line, true, "truncated last line (writer stopped?), ignored");
				return 0;
			}
			/* fallthrough */
		case BAD_LINE:
			if (skip_bad(r))
				return -EBADMSG;
			break;
		case UNKNOWN_NAME:
			r->counts.skipped++;
			r->counts.unknown++;
			if (r->err[0])
				diag(r, r->line, true, "%s", r->err);
			break;
		}
	}
}

/* Everything but the input: NULL with errno set. */
static struct logread *logread_alloc(const char *name, const struct logread_opts *opts)
{
	struct logread *r = calloc(1, sizeof(*r));

	if (!r)
		goto nomem;
	if (opts)
		r->opts = *opts;
	r->tok = json_tokener_new();
	r->name = strdup(name);
	if (!r->tok || !r->name)
		goto nomem;
	json_tokener_set_flags(r->tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	return r;
nomem:
	logread__free(r);
	errno = ENOMEM;
	return NULL;
}

/* What the line source says goes out as the reader's diagnostics. */
static void on_report(void *ctx, enum linesrc_report what, unsigned long line, const char *msg)
{
	struct logread *r = ctx;

	if (what == LINESRC_CUT) {
		r->counts.skipped++;
		r->counts.truncated++;
	}
	diag(r, line, what != LINESRC_ERROR, "%s", msg);
}

/* Take r with the input open, or free it: r, or NULL with errno set. */
static struct logread *opened(struct logread *r, FILE *f, int fd, bool is_path)
{
	struct linesrc_opts lo = {
		.name = r->name,
		.is_path = is_path,
		.report = on_report,
		.ctx = r,
	};
	int ret = fd < 0 && !f ? fd : linesrc__open(&r->src, f, fd, is_path, &lo);

	if (!ret)
		return r;
	logread__free(r);
	errno = -ret;
	return NULL;
}

struct logread *logread__open_stream(FILE *f, const char *name, const struct logread_opts *opts)
{
	struct logread *r = logread_alloc(name, opts);

	if (!r)
		return NULL;
	return opened(r, f, -1, false);
}

struct logread *logread__open(const char *path, const struct logread_opts *opts)
{
	bool is_stdin = !strcmp(path, "-");
	struct logread *r = logread_alloc(is_stdin ? "<stdin>" : path, opts);
	int fd;

	if (!r)
		return NULL;
	if (is_stdin)
		return opened(r, NULL, STDIN_FILENO, false);
	/* O_NOCTTY: a terminal named here is refused, not adopted. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	return opened(r, NULL, fd < 0 ? -errno : fd, true);
}

const struct logread_counts *logread__counts(const struct logread *r)
{
	return &r->counts;
}

const char *logread__name(const struct logread *r)
{
	return r->name;
}

void logread__free(struct logread *r)
{
	if (!r)
		return;
	linesrc__free(r->src);
	if (r->tok)
		json_tokener_free(r->tok);
	for (int i = 0; i < r->n_unknown; i++)
		free(r->unknown[i]);
	free(r->name);
	free(r->command);
	free(r->pids);
	free(r);
}
