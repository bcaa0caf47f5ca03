// SPDX-License-Identifier: GPL-2.0
/*
 * test_logread.c - the NDJSON log round trip: what out_json.c writes, the
 * reader (logread*.c, linesrc.c) reads back field by field; the emitter's
 * escaping checked against json-c; damaged logs; and docs/events.md
 * checked against the writer so the schema document cannot drift from
 * the output.
 *
 * docs/events.md is found under $SHMWATCH_SRC, default "." (tests run
 * from the repository root).  Temporary files live in one mkdtemp
 * directory per test, removed in teardown even when a test fails.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <zlib.h>
#include "log/jbuf.h"
#include "log/logread.h"
#include "lib/names.h"
#include "out/outfile.h"
#include "out/sink.h"

#define MAX_RECS 64

struct state {
	char dir[64];
	int saved_stderr; /* -1 unless a test redirected stderr */
	/* Diagnostics the reader reported. */
	int n_errors;
	int n_warnings;
	unsigned long last_line;
	char last_msg[512];
	char last_file[256];
};

static int setup(void **pstate)
{
	struct state *st = calloc(1, sizeof(*st));

	if (!st)
		return -1;
	strcpy(st->dir, "/tmp/test_logread.XXXXXX");
	if (!mkdtemp(st->dir)) {
		free(st);
		return -1;
	}
	st->saved_stderr = -1;
	*pstate = st;
	return 0;
}

static int teardown(void **pstate)
{
	struct state *st = *pstate;
	struct dirent *d;
	DIR *dir;

	if (st->saved_stderr >= 0) {
		dup2(st->saved_stderr, STDERR_FILENO);
		close(st->saved_stderr);
	}
	dir = opendir(st->dir);
	while (dir && (d = readdir(dir))) {
		char path[512];

		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", st->dir, d->d_name);
		unlink(path);
	}
	if (dir)
		closedir(dir);
	rmdir(st->dir);
	free(st);
	return 0;
}

static void path_in(const struct state *st, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", st->dir, name);
}

static void write_file(const struct state *st, const char *name, const char *data, size_t len,
		       char *path, size_t plen)
{
	FILE *f;

	path_in(st, name, path, plen);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void on_diag(void *ctx, const char *file, unsigned long line, bool warning, const char *msg)
{
	struct state *st = ctx;

	if (warning)
		st->n_warnings++;
	else
		st->n_errors++;
	st->last_line = line;
	snprintf(st->last_msg, sizeof(st->last_msg), "%s", msg);
	snprintf(st->last_file, sizeof(st->last_file), "%s", file);
}

/*
 * Read a whole log: the records (at most MAX_RECS) into recs, their count
 * into *n; returns logread__next's last result and the counts.
 */
static int read_log(struct state *st, const char *path, bool strict, struct log_record *recs,
		    int *n, struct logread_counts *counts)
{
	struct logread_opts o = { .strict = strict, .diag = on_diag, .ctx = st };
	struct logread *r = logread__open(path, &o);
	struct log_record rec;
	int ret;

	assert_non_null(r);
	*n = 0;
	while ((ret = logread__next(r, &rec)) > 0) {
		if (*n < MAX_RECS)
			recs[*n] = rec;
		(*n)++;
	}
	if (counts)
		*counts = *logread__counts(r);
	logread__free(r);
	return ret;
}

/* A sink writing into a file of the test directory. */
static struct sink *open_sink(struct state *st, const char *name)
{
	char path[512];
	struct outfile_opts oo = { 0 };
	struct outfile *out;
	struct sink *s;

	path_in(st, name, path, sizeof(path));
	oo.path = path;
	out = outfile__open(&oo);
	assert_non_null(out);
	s = sink_json__new(out, true);
	assert_non_null(s);
	return s;
}

/* Records as the pipeline hands them to a sink, stacks left out. */
static void sink_put_event(struct sink *s, const struct sw_event *e)
{
	struct sink_event se = { .e = e, .seq = e->seq, .stack_from = e->stack_from };

	s->ops->event(s, &se);
}

static void sink_put_finding(struct sink *s, const struct sw_finding *f)
{
	struct sink_finding sf = { .f = f };

	s->ops->finding(s, &sf);
}

/* ---- synthetic records ---- */

static void fill_common(struct sw_event *e, __u32 kind, __u32 call, __u64 seq)
{
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->call = call;
	e->seq = seq;
	e->ts_ns = 1000000000ULL * seq + 123456789ULL;
	e->cgroup_id = 0xfedcba9876543210ULL;
	e->pid = 4000000000U; /* past INT32_MAX: pids are unsigned */
	e->tid = 4000000001U;
	e->ppid = 1;
	e->uid = 4294967294U;
	strcpy(e->comm, "comm-15-chars-x");
}

/*
 * Argument values that catch truncation: ints carry garbage in the upper
 * half (the log keeps only the C int), the rest use all 64 bits.
 */
static __u64 arg_value(enum sw_arg_type t, int i, bool negative)
{
	switch (t) {
	case SW_ARG_INT:
	case SW_ARG_FD:
		return negative ? 0xdeadbeeffffffff6ULL : 0x1234567800000007ULL;
	case SW_ARG_KEY:
		return 0xffffffff8badf00dULL;
	case SW_ARG_STR:
		return 0x7fff00001000ULL;
	default:
		return 0xffffffffffffff00ULL | (__u64)i;
	}
}

static void fill_call(struct sw_event *e, __u32 call, __u64 seq, __u32 backing, bool fail)
{
	const struct sw_call_desc *d = &sw_calls[call];
	struct sw_call_info *c = &e->c;

	fill_common(e, SW_EV_CALL, call, seq);
	for (int i = 0; i < d->nargs; i++)
		c->args[i] = arg_value(d->args[i].type, i, fail);
	c->ret = fail ? -ENOMEM : (__s64)0x7f0012345000LL;
	c->shmid = -1;
	c->backing = backing;
	if (call == SW_UNLINK || call == SW_UNLINKAT || call == SW_OPENAT)
		c->mnt_ns = 0xfffffffeU; /* a path's namespace */
	if (call == SW_OPENAT) { /* only ever a refused open: no object */
		c->ret = -ENOENT;
		strcpy(c->name, "/dev/shm/\"gone\"");
		return;
	}
	if (sw_call_has_object(call)) {
		/* The file the call left behind, and the name argument. */
		c->backing = call == SW_MEMFD_CREATE ? SW_BK_MEMFD : SW_BK_SHMEM_FILE;
		strcpy(c->name, "a\"b\\c\nd\x1b[0m é");
		c->seg_size = 0xffffffffffffffffULL;
		c->ino = 0x8000000000000001ULL;
		c->dev = 0xffffffffU;
		c->fs_gen = 0xfffffffeU;
		c->created = call != SW_FTRUNCATE;
		c->fs_used = 1ULL << 62;
		c->fs_size = 0x7fffffffffffffffULL;
		if (fail && (call == SW_FALLOCATE || call == SW_WRITE)) {
			/* Refused for want of space: the mount's biggest. */
			c->ret = -ENOSPC;
			e->space.top[0] = (struct sw_holder){ 2, 3 << 20 };
			e->space.top[1] = (struct sw_holder){ 0xffffffffffffffffULL, 4096 };
			e->space.nlink[0] = 0xffffffffU;
			e->space.nlink[1] = 0; /* deleted, still held */
		}
		return;
	}
	if (call == SW_UNLINK || call == SW_UNLINKAT)
		strcpy(c->name, "/dev/shm/\"x\"");
	if (backing == SW_BK_NONE)
		return;
	c->map_size = 0x200000;
	c->seg_size = 0xffffffffffffffffULL;
	c->ino = 0x8000000000000001ULL;
	c->dev = 0x12345;
	c->fs_gen = call == SW_MMAP ? 0x9abcdefU : 0; /* a tmpfs file's, or none */
	c->shmid = call == SW_SHMAT ? 2147483647 : -1;
	strcpy(c->name, call == SW_SHMAT ? "SYSV00001234" : "memfd:\"odd\"\tname");
}

static void fill_lifecycle(struct sw_event *e, __u32 kind, __u64 seq)
{
	fill_common(e, kind, SW_CALL_NONE, seq);
	switch (kind) {
	case SW_EV_FORK:
		e->fork.child_pid = 4000000002U;
		e->fork.shares_vm = 1;
		break;
	case SW_EV_EXEC: {
		/* Arguments with a quote, an empty one, and the last cut. */
		static const char argv[] = "with\0-c\0say \"hi\"\0\0tail";

		strcpy(e->exec.filename, "/usr/bin/with \"quotes\" and \\");
		memset(e->exec.argv, 'x', SW_ARGV_LEN);
		memcpy(e->exec.argv, argv, sizeof(argv) - 1);
		e->exec.argv_len = SW_ARGV_LEN;
		e->exec.argv_cut = 1;
		break;
	}
	case SW_EV_EXIT:
		e->exit.exit_code = -2147483647 - 1;
		break;
	case SW_EV_SIGNAL:
		e->sig.signo = 7;
		e->sig.code = 2;
		e->sig.addr = 0xffffffffffffffffULL;
		/* What a SIGBUS hit, with two of four top holders. */
		e->sig.backing = SW_BK_SHMEM_FILE;
		e->sig.map_start = 0x7f0000000000ULL;
		e->sig.offset = 1ULL << 63;
		e->sig.obj_size = 4096;
		e->sig.ino = 77;
		e->sig.dev = 0xfffff;
		e->sig.fs_used = 4 << 20;
		e->sig.fs_size = 4 << 20;
		strcpy(e->sig.name, "buf\"fer");
		e->sig.top[0] = (struct sw_holder){ 2, 3 << 20 };
		e->sig.top[1] = (struct sw_holder){ 77, 1 << 20 };
		break;
	}
}

/* Every call, with and without a mapping, failed and not; every kind. */
static int make_events(struct sw_event *ev, int max)
{
	static const __u32 backings[] = { SW_BK_SYSV, SW_BK_ANON_SHARED, SW_BK_MEMFD,
					   SW_BK_HUGETLB, SW_BK_FILE_PRIVATE };
	int n = 0;

	for (__u32 call = 1; call < SW_CALL_MAX; call++) {
		fill_call(&ev[n], call, n + 1, SW_BK_NONE, false);
		n++;
		fill_call(&ev[n], call, n + 1, SW_BK_NONE, true);
		n++;
		if (call == SW_SHMAT || call == SW_MMAP || call == SW_MREMAP) {
			fill_call(&ev[n], call, n + 1, backings[n % 5], false);
			n++;
		}
	}
	for (__u32 kind = SW_EV_FORK; kind < SW_EV_KIND_MAX; kind++) {
		fill_lifecycle(&ev[n], kind, n + 1);
		n++;
	}
	assert_true(n <= max);
	return n;
}

static void fill_header(struct sw_header *h, const __u32 *pids, int n_pids)
{
	memset(h, 0, sizeof(*h));
	h->schema = SW_SCHEMA_VERSION;
	h->tool_version = "9.8.7";
	strcpy(h->hostname, "host \"with\" quotes");
	strcpy(h->kernel, "6.18.0-test");
	h->start_ts_ns = 123456789012ULL;
	h->wall_offset_ns = 1795712340292605422LL;
	h->mode = "command";
	h->command = "./prog --arg \"x\"\n";
	h->pids = pids;
	h->n_pids = n_pids;
	h->max_size = 1ULL << 40;
	h->shmmax = 18446744073692774399ULL;
	h->shmall = 2097152;
	h->shmmni = 32768;
	h->mem_total = 25276502016ULL;
	h->cpus = 96;
	h->shm_rmid_forced = true;
}

static void fill_stats(struct sw_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->ts_ns = 999;
	s->final = true;
	s->events = 12345;
	s->lost = 0;
	for (int i = 1; i < SW_CALL_MAX; i++) {
		s->calls[i] = 100 + i;
		s->failed[i] = i;
	}
	for (int i = 0; i < SW_LOST_SLOTS; i++) {
		/* Only the slots the writer names: calls and lifecycle kinds. */
		bool named = (i >= 1 && i < SW_CALL_MAX) ||
			     (i >= SW_CALL_MAX + SW_EV_FORK && i < SW_LOST_SLOTS);

		s->lost_slots[i] = named ? 1000 + i : 0;
		s->lost += s->lost_slots[i];
	}
	s->findings = 3;
}

static void fill_finding(struct sw_finding *f)
{
	memset(f, 0, sizeof(*f));
	f->rule = "segment-leak";
	f->severity = SW_SEV_ERROR;
	f->pid = 42;
	f->tid = 43;
	strcpy(f->comm, "leaker");
	f->ts_ns = 5000;
	strcpy(f->message, "segment 7 (64 KiB, IPC_PRIVATE) outlives its creator");
	f->hint = "call shmctl(id, IPC_RMID) once every user has attached";
	f->n_evidence = 2;
	f->evidence[0] = 3;
	f->evidence[1] = 9;
	f->uncertain = true;
	f->hint = "call shmctl(id, IPC_RMID) once every user has attached";
}

static void fill_summary(struct sw_proc_summary *p)
{
	memset(p, 0, sizeof(*p));
	p->pid = 42;
	strcpy(p->comm, "leaker");
	p->exited = true;
	p->segs_created = 2;
	p->attaches = 1;
	p->detaches = 1;
	p->peak_shared_bytes = 65536;
	p->findings[0] = 1;
}

/* ---- (1) round trip ---- */

static void assert_event_equal(const struct sw_event *want, const struct sw_event *got)
{
	assert_int_equal(got->kind, want->kind);
	assert_int_equal(got->call, want->call);
	assert_int_equal(got->seq, want->seq);
	assert_int_equal(got->ts_ns, want->ts_ns);
	assert_int_equal(got->cgroup_id, want->cgroup_id);
	assert_int_equal(got->pid, want->pid);
	assert_int_equal(got->tid, want->tid);
	assert_int_equal(got->ppid, want->ppid);
	assert_int_equal(got->uid, want->uid);
	assert_string_equal(got->comm, want->comm);

	switch (want->kind) {
	case SW_EV_CALL: {
		const struct sw_call_desc *d = &sw_calls[want->call];

		for (int i = 0; i < d->nargs; i++) {
			__u64 w = want->c.args[i], g = got->c.args[i];

			switch (d->args[i].type) {
			case SW_ARG_INT:
			case SW_ARG_FD:
				/* The low 32 bits, sign-extended (logread.h). */
				assert_int_equal(g, (__u64)(__s64)(__s32)w);
				break;
			case SW_ARG_KEY:
				assert_int_equal(g, (__u32)w);
				break;
			case SW_ARG_STR:
				break; /* the string itself is in c.name */
			default:
				assert_int_equal(g, w);
			}
		}
		assert_int_equal(got->c.ret, want->c.ret);
		assert_int_equal(got->c.backing, want->c.backing);
		assert_int_equal(got->c.map_size, want->c.map_size);
		assert_int_equal(got->c.seg_size, want->c.seg_size);
		assert_int_equal(got->c.ino, want->c.ino);
		assert_int_equal(got->c.shmid, want->c.shmid);
		assert_string_equal(got->c.name, want->c.name);
		for (int i = 0; i < SW_TOP_HOLDERS; i++) {
			assert_int_equal(got->space.top[i].ino, want->space.top[i].ino);
			assert_int_equal(got->space.top[i].bytes, want->space.top[i].bytes);
			assert_int_equal(got->space.nlink[i], want->space.nlink[i]);
		}
		break;
	}
	case SW_EV_FORK:
		assert_int_equal(got->fork.child_pid, want->fork.child_pid);
		assert_int_equal(got->fork.shares_vm, want->fork.shares_vm);
		break;
	case SW_EV_EXEC:
		assert_string_equal(got->exec.filename, want->exec.filename);
		assert_int_equal(got->exec.argv_len, want->exec.argv_len);
		assert_int_equal(got->exec.argv_cut, want->exec.argv_cut);
		assert_memory_equal(got->exec.argv, want->exec.argv, want->exec.argv_len);
		break;
	case SW_EV_EXIT:
		assert_int_equal(got->exit.exit_code, want->exit.exit_code);
		break;
	case SW_EV_SIGNAL:
		assert_int_equal(got->sig.signo, want->sig.signo);
		assert_int_equal(got->sig.code, want->sig.code);
		assert_int_equal(got->sig.addr, want->sig.addr);
		break;
	default:
		fail_msg("unexpected kind %u", want->kind);
	}
}

static void test_round_trip(void **pstate)
{
	struct state *st = *pstate;
	static const __u32 pids[] = { 1, 4294967295U };
	static struct sw_event ev[48];
	static struct log_record recs[MAX_RECS];
	struct logread_counts counts;
	struct sw_proc_summary sum;
	struct sw_finding fnd;
	struct sw_header h;
	struct sw_stats s;
	struct sink *sink;
	char path[512];
	int n_ev, n, i;

	n_ev = make_events(ev, 48);
	fill_header(&h, pids, 2);
	fill_stats(&s);
	fill_finding(&fnd);
	fill_summary(&sum);

	sink = open_sink(st, "round.json");
	sink->ops->header(sink, &h);
	for (i = 0; i < n_ev; i++)
		sink_put_event(sink, &ev[i]);
	sink_put_finding(sink, &fnd);
	sink->ops->summary(sink, &sum);
	sink->ops->stats(sink, &s);
	assert_int_equal(sink__close(sink), 0);

	path_in(st, "round.json", path, sizeof(path));
	assert_int_equal(read_log(st, path, true, recs, &n, &counts), 0);
	assert_int_equal(st->n_errors + st->n_warnings, 0);
	assert_int_equal(n, 1 + n_ev + 3);
	assert_int_equal(counts.skipped, 0);
	assert_int_equal(counts.findings, 1);
	assert_int_equal(counts.summaries, 1);
	assert_int_equal(counts.records, (unsigned long)n);

	assert_int_equal(recs[0].type, LOG_REC_HEADER);
	assert_int_equal(recs[0].line, 1);
	/* The reader is freed, and with it the header's pointers: those are
	 * checked in test_header_strings. */
	assert_int_equal(recs[0].header.schema, h.schema);
	assert_string_equal(recs[0].header.hostname, h.hostname);
	assert_string_equal(recs[0].header.kernel, h.kernel);
	assert_int_equal(recs[0].header.start_ts_ns, h.start_ts_ns);
	assert_int_equal(recs[0].header.wall_offset_ns, h.wall_offset_ns);
	assert_int_equal(recs[0].header.n_pids, 2);
	assert_int_equal(recs[0].header.max_size, h.max_size);
	assert_int_equal(recs[0].header.shmmax, h.shmmax);
	assert_int_equal(recs[0].header.shmall, h.shmall);
	assert_int_equal(recs[0].header.shmmni, h.shmmni);
	assert_int_equal(recs[0].header.mem_total, h.mem_total);
	assert_int_equal(recs[0].header.cpus, h.cpus);
	assert_int_equal(recs[0].header.shm_rmid_forced, h.shm_rmid_forced);

	for (i = 0; i < n_ev; i++) {
		assert_int_equal(recs[1 + i].type, LOG_REC_EVENT);
		assert_int_equal(recs[1 + i].line, 2 + i);
		assert_event_equal(&ev[i], &recs[1 + i].event);
	}
	assert_int_equal(recs[1 + n_ev].type, LOG_REC_FINDING);
	assert_int_equal(recs[2 + n_ev].type, LOG_REC_SUMMARY);
	assert_int_equal(recs[3 + n_ev].type, LOG_REC_STATS);
	assert_int_equal(recs[3 + n_ev].stats.ts_ns, s.ts_ns);
	assert_int_equal(recs[3 + n_ev].stats.final, s.final);
	assert_int_equal(recs[3 + n_ev].stats.events, s.events);
	assert_int_equal(recs[3 + n_ev].stats.lost, s.lost);
	assert_int_equal(recs[3 + n_ev].stats.findings, s.findings);
	assert_memory_equal(recs[3 + n_ev].stats.calls, s.calls, sizeof(s.calls));
	assert_memory_equal(recs[3 + n_ev].stats.failed, s.failed, sizeof(s.failed));
	assert_memory_equal(recs[3 + n_ev].stats.lost_slots, s.lost_slots, sizeof(s.lost_slots));
}

/* The header's strings and pids stay valid while the reader is open. */
static void test_header_strings(void **pstate)
{
	struct state *st = *pstate;
	static const __u32 pids[] = { 7, 8, 9 };
	struct logread *r;
	struct log_record rec;
	struct sw_header h;
	struct sink *sink;
	char path[512];

	fill_header(&h, pids, 3);
	sink = open_sink(st, "hdr.json");
	sink->ops->header(sink, &h);
	h.command = NULL;
	h.events = "failed";
	sink->ops->header(sink, &h);
	assert_int_equal(sink__close(sink), 0);

	path_in(st, "hdr.json", path, sizeof(path));
	r = logread__open(path, NULL);
	assert_non_null(r);
	assert_int_equal(logread__next(r, &rec), 1);
	assert_int_equal(rec.type, LOG_REC_HEADER);
	assert_string_equal(rec.header.command, "./prog --arg \"x\"\n");
	assert_int_equal(rec.header.n_pids, 3);
	assert_memory_equal(rec.header.pids, pids, sizeof(pids));
	assert_string_equal(rec.header.mode, "command");
	assert_string_equal(rec.header.tool_version, "9.8.7");
	assert_null(rec.header.events); /* all events: not written */
	/* A second header replaces what the first one's pointers showed. */
	assert_int_equal(logread__next(r, &rec), 1);
	assert_null(rec.header.command);
	assert_int_equal(rec.header.n_pids, 3);
	assert_string_equal(rec.header.events, "failed");
	assert_int_equal(logread__next(r, &rec), 0);
	logread__free(r);
}

/* ---- (2) escaping against json-c ---- */

static struct json_object *parse_strict(const char *s, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;

	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, s, (int)len);
	if (o && json_tokener_get_parse_end(tok) != len) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

static void check_escape(const char *in, const char *want)
{
	struct jbuf b = { 0 };
	struct json_object *o;

	json_str_elem(&b, in, 4096);
	assert_false(b.oom);
	for (size_t i = 0; i < b.len; i++) {
		unsigned char c = (unsigned char)b.p[i];

		/* Nothing raw that a terminal or a line reader would act on. */
		assert_true(c >= 0x20 && c != 0x7f);
	}
	o = parse_strict(b.p, b.len);
	if (!o)
		fail_msg("json-c rejects %.*s", (int)b.len, b.p);
	assert_true(json_object_is_type(o, json_type_string));
	assert_int_equal(json_object_get_string_len(o), strlen(want));
	assert_string_equal(json_object_get_string(o), want);
	json_object_put(o);
	jbuf_free(&b);
}

static void test_escaping(void **pstate)
{
	static const struct {
		const char *in;
		const char *want; /* NULL: same as in */
	} cases[] = {
		{ "plain", NULL },
		{ "", NULL },
		{ "say \"hi\"", NULL },
		{ "back\\slash\\\\", NULL },
		{ "line\nbreak\r\n\ttab\f\b", NULL },
		{ "\x1b[31mred\x1b[0m \x1b]0;title\x07", NULL },
		{ "del\x7f", NULL },
		{ "\x01\x02\x1f", NULL },
		{ "h\xc3\xa9llo \xe2\x82\xac \xf0\x9d\x84\x9e", NULL },
		{ "bad\xff\xfe", "bad\xef\xbf\xbd\xef\xbf\xbd" },
		{ "overlong\xc0\xaf", "overlong\xef\xbf\xbd\xef\xbf\xbd" },
		{ "surrogate\xed\xa0\x80", "surrogate\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "cut\xe2\x82", "cut\xef\xbf\xbd\xef\xbf\xbd" },
		{ "big\xf4\x90\x80\x80", "big\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xe2\x82\xac\xff\"\\", "\xe2\x82\xac\xef\xbf\xbd\"\\" },
	};
	char all[256];
	struct jbuf b = { 0 };
	struct json_object *o;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_escape(cases[i].in, cases[i].want ? cases[i].want : cases[i].in);

	/* Every byte value: json-c must accept whatever comes out. */
	for (int i = 1; i < 256; i++)
		all[i - 1] = (char)i;
	all[255] = '\0';
	json_str_elem(&b, all, sizeof(all));
	o = parse_strict(b.p, b.len);
	assert_non_null(o);
	json_object_put(o);

	/* max bounds the input, and a NUL ends it. */
	jbuf_reset(&b);
	json_str_elem(&b, "abcdef", 3);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.p, "\"abc\"", 5);
	jbuf_free(&b);
}

/* ---- (3) damaged logs ---- */

#define HDR "{\"type\":\"header\",\"schema\":1,\"max_size\":4096}\n"
#define EV(seq)                                                                          \
	"{\"type\":\"event\",\"seq\":" #seq ",\"ts_ns\":" #seq "000,\"pid\":10,\"tid\":10," \
	"\"ppid\":1,\"uid\":0,\"cgroup\":1,\"comm\":\"p\",\"call\":\"shmdt\","             \
	"\"args\":{\"shmaddr\":4096},\"ret\":0,\"errno\":null}"

/* A line, and the one diagnostic it must give. */
struct line_diag {
	const char *line;
	const char *msg;
};

/* A log of one line gives no record and one diagnostic, msg. */
static void expect_one_diag(struct state *st, const char *line, bool warning, const char *msg)
{
	struct log_record recs[MAX_RECS];
	char path[512];
	int n;

	write_file(st, "one.json", line, strlen(line), path, sizeof(path));
	st->n_errors = st->n_warnings = 0;
	assert_int_equal(read_log(st, path, false, recs, &n, NULL), 0);
	assert_int_equal(n, 0);
	assert_int_equal(warning ? st->n_warnings : st->n_errors, 1);
	assert_int_equal(st->n_errors + st->n_warnings, 1);
	assert_string_equal(st->last_msg, msg);
}

static void test_malformed_skipped(void **pstate)
{
	struct state *st = *pstate;
	static const char log[] = HDR EV(1) "\n{\"type\":\"event\",\n" EV(2) "\n"
				      "[1,2]\n" EV(3) " trailing\n"
				      "{\"type\":\"event\",\"seq\":4}\n"
				      "{\"type\":\"event\"," EV(5) "\n" /* nested: bad */
				      "{\"type\":\"stats\",\"ts_ns\":1,\"lost_by\":{\"shmget\":-1}}\n"
				      "{\"type\":\"event\",\"call\":\"mmap\",\"map\":{}}\n" EV(6) "\n";
	struct log_record recs[MAX_RECS];
	struct logread_counts c;
	char path[512];
	int n;

	write_file(st, "bad.json", log, sizeof(log) - 1, path, sizeof(path));
	assert_int_equal(read_log(st, path, false, recs, &n, &c), 0);
	assert_int_equal(n, 4); /* header, seq 1, 2, 6 */
	assert_int_equal(recs[1].event.seq, 1);
	assert_int_equal(recs[2].event.seq, 2);
	assert_int_equal(recs[2].line, 4);
	assert_int_equal(recs[3].event.seq, 6);
	assert_int_equal(recs[3].line, 11);
	assert_int_equal(c.lines, 11);
	assert_int_equal(c.malformed, 7);
	assert_int_equal(c.skipped, 7);
	assert_int_equal(st->n_errors, 7);
	assert_int_equal(st->n_warnings, 0);
	assert_string_equal(st->last_file, path);
	assert_int_equal(st->last_line, 10);
	assert_non_null(strstr(st->last_msg, "missing"));
}

static void test_field_types(void **pstate)
{
	struct state *st = *pstate;
	static const char *const lines[] = {
		"{\"type\":\"event\",\"call\":\"shmdt\",\"seq\":1,\"ts_ns\":1,\"pid\":\"10\"}\n",
		"{\"type\":\"event\",\"call\":\"shmdt\",\"seq\":1,\"ts_ns\":1,\"pid\":4294967296}\n",
		"{\"type\":\"event\",\"call\":\"exit\",\"seq\":-1}\n",
		"{\"type\":\"event\",\"call\":\"fork\",\"seq\":1.5}\n",
		"{\"type\":7}\n",
		"{}\n",
		"{\"type\":\"header\",\"schema\":0}\n",
		"{\"type\":\"header\",\"schema\":1,\"pids\":[\"x\"]}\n",
	};
	static const char *const reasons[] = {
		"\"pid\" should be an integer, not string",
		"\"pid\" is out of range",
		"\"seq\" is out of range",
		"\"seq\" should be an integer, not double",
		"\"type\" should be string, not int",
		"\"type\" is missing",
		"\"schema\" must be 1 or more",
		"\"pids\" should hold process ids",
	};

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		expect_one_diag(st, lines[i], false, reasons[i]);
}

/* A shmget event with the given size and ret, and one field to add. */
#define SHMGET(size, ret, more)                                                             \
	"{\"type\":\"event\",\"seq\":1,\"ts_ns\":1,\"pid\":10,\"tid\":10,\"ppid\":1," \
	"\"uid\":0,\"cgroup\":1,\"comm\":\"p\",\"call\":\"shmget\",\"args\":{\"key\":0,"  \
	"\"size\":" size ",\"shmflg\":{\"value\":896}},\"ret\":" ret more "}\n"

/*
 * json-c clamps integers beyond 64 bits to the nearest limit without an
 * error: each must be refused, while the limits themselves, written as
 * they are, still read exactly.
 */
static void test_integer_range(void **pstate)
{
	struct state *st = *pstate;
	static const struct line_diag bad[] = {
		{ "{\"type\":\"event\",\"call\":\"shmdt\",\"seq\":18446744073709551616}\n",
		  "\"seq\" is out of range" },
		{ SHMGET("99999999999999999999999", "-12", ""), "\"args.size\" is out of range" },
		{ SHMGET("4096", "-9223372036854775809", ""), "\"ret\" is out of range" },
		{ SHMGET("4096", "9223372036854775808", ""), "\"ret\" is out of range" },
		{ SHMGET("4096", "-100000000000000000000000000000", ""),
		  "\"ret\" is out of range" },
		{ SHMGET("-1", "0", ""), "\"args.size\" is out of range" },
		{ SHMGET("1e3", "0", ""), "\"args.size\" should be an integer, not double" },
		{ SHMGET("4096.0", "0", ""), "\"args.size\" should be an integer, not double" },
		{ SHMGET("4096", "-01", ""), "not JSON: a number with a leading zero at byte 166" },
		{ SHMGET("00", "0", ""), "not JSON: a number with a leading zero at byte 131" },
		{ SHMGET("4096", "0", ",\"stack\":[{\"ip\":36893488147419103232}]"),
		  "\"stack[].ip\" is out of range" },
		{ "{\"type\":\"header\",\"schema\":1,\"wall_offset_ns\":-9223372036854775809}\n",
		  "\"wall_offset_ns\" is out of range" },
		{ "{\"type\":\"header\",\"schema\":1,\"shmmax\":18446744073709551616}\n",
		  "\"shmmax\" is out of range" },
		{ "{\"type\":\"header\",\"schema\":1,\"shmall\":18446744073709551616}\n",
		  "\"shmall\" is out of range" },
		{ "{\"type\":\"header\",\"schema\":1,\"shmmni\":-1}\n",
		  "\"shmmni\" is out of range" },
		{ "{\"type\":\"stats\",\"ts_ns\":1,\"lost_by\":{\"fork\":18446744073709551617}}\n",
		  "\"lost_by.fork\" is out of range" },
		{ "{\"type\":\"event\",\"call\":\"exit\",\"seq\":1,\"ts_ns\":1,\"pid\":10,"
		  "\"tid\":10,\"ppid\":1,\"uid\":0,\"cgroup\":1,\"comm\":\"p\","
		  "\"args\":{\"exit_code\":-9223372036854775809}}\n",
		  "\"args.exit_code\" is out of range" },
	};
	/* The limits, and a clamped number in a field nobody reads. */
	static const char good[] = SHMGET("18446744073709551615", "-9223372036854775808", "")
		SHMGET("0", "9223372036854775807", ",\"new\":[1e999,-0.0,\"-01 00\"]")
		SHMGET("-0", "0", ",\"stack_from\":1,\"x\":\"18446744073709551616\"");
	struct log_record recs[MAX_RECS];
	char path[512];
	int n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_one_diag(st, bad[i].line, false, bad[i].msg);

	write_file(st, "limits.json", good, sizeof(good) - 1, path, sizeof(path));
	st->n_errors = 0;
	assert_int_equal(read_log(st, path, true, recs, &n, NULL), 0);
	assert_int_equal(st->n_errors, 0);
	assert_int_equal(n, 3);
	assert_int_equal(recs[0].event.c.args[1], UINT64_MAX);
	assert_true(recs[0].event.c.ret == INT64_MIN);
	assert_int_equal(recs[1].event.c.args[1], 0);
	assert_true(recs[1].event.c.ret == INT64_MAX);
	assert_int_equal(recs[2].event.c.args[1], 0);
}

/* The default diagnostic is exactly "file:line: reason" on stderr. */
static void test_default_diag_format(void **pstate)
{
	struct state *st = *pstate;
	static const char log[] = HDR "not json\n";
	char path[512], errpath[512], want[600], got[600] = { 0 };
	struct logread *r;
	struct log_record rec;
	FILE *f;
	int fd;

	write_file(st, "d.json", log, sizeof(log) - 1, path, sizeof(path));
	path_in(st, "stderr.txt", errpath, sizeof(errpath));
	fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	fflush(stderr);
	st->saved_stderr = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);

	r = logread__open(path, NULL);
	assert_non_null(r);
	assert_int_equal(logread__next(r, &rec), 1);
	assert_int_equal(logread__next(r, &rec), 0);
	logread__free(r);

	fflush(stderr);
	dup2(st->saved_stderr, STDERR_FILENO);
	close(st->saved_stderr);
	st->saved_stderr = -1;
	f = fopen(errpath, "r");
	assert_non_null(f);
	assert_non_null(fgets(got, sizeof(got), f));
	assert_null(fgets(want, sizeof(want), f)); /* one line */
	fclose(f);
	snprintf(want, sizeof(want), "%s:2: not JSON: ", path);
	assert_memory_equal(got, want, strlen(want));
}

static void test_strict_stops(void **pstate)
{
	struct state *st = *pstate;
	static const char log[] = HDR EV(1) "\n{oops\n" EV(2) "\n";
	struct log_record recs[MAX_RECS];
	struct logread_counts c;
	char path[512];
	int n;

	write_file(st, "strict.json", log, sizeof(log) - 1, path, sizeof(path));
	assert_int_equal(read_log(st, path, true, recs, &n, &c), -EBADMSG);
	assert_int_equal(n, 2);
	assert_int_equal(c.malformed, 1);
	assert_int_equal(st->n_errors, 1);
	assert_int_equal(st->last_line, 3);
}

static void test_truncated_last_line(void **pstate)
{
	struct state *st = *pstate;
	static const char log[] = HDR EV(1) "\n{\"type\":\"event\",\"seq\":2,\"ts_ns\":20";
	static const char whole[] = HDR EV(1) "\n" EV(2); /* complete, no newline */
	struct log_record recs[MAX_RECS];
	struct logread_counts c;
	char path[512];
	int n;

	write_file(st, "trunc.json", log, sizeof(log) - 1, path, sizeof(path));
	/* Tolerated even in strict mode: a killed writer is not damage. */
	for (int strict = 0; strict < 2; strict++) {
		st->n_warnings = st->n_errors = 0;
		assert_int_equal(read_log(st, path, strict, recs, &n, &c), 0);
		assert_int_equal(n, 2);
		assert_int_equal(c.truncated, 1);
		assert_int_equal(c.skipped, 1);
		assert_int_equal(c.malformed, 0);
		assert_int_equal(st->n_warnings, 1);
		assert_int_equal(st->n_errors, 0);
		assert_int_equal(st->last_line, 3);
	}

	write_file(st, "whole.json", whole, sizeof(whole) - 1, path, sizeof(path));
	st->n_warnings = 0;
	assert_int_equal(read_log(st, path, true, recs, &n, &c), 0);
	assert_int_equal(n, 3);
	assert_int_equal(recs[2].event.seq, 2);
	assert_int_equal(c.skipped, 0);
	assert_int_equal(st->n_warnings, 0);
}

static void test_unknown_types(void **pstate)
{
	struct state *st = *pstate;
	static const char log[] =
		"{\"type\":\"header\",\"schema\":2,\"new\":{\"x\":[1]}}\n"
		"{\"type\":\"future\",\"a\":1}\n" EV(1) "\n"
		"{\"type\":\"future\",\"a\":2}\n"
		"{\"type\":\"other\"}\n"
		"{\"type\":\"future\"}\n"
		"{\"type\":\"event\",\"call\":\"shm_open\",\"seq\":2}\n"
		"{\"type\":\"event\",\"call\":\"shm_open\",\"seq\":3}\n"
		"{\"type\":\"event\",\"seq\":3,\"ts_ns\":3,\"pid\":10,\"tid\":10,\"ppid\":1,"
		"\"uid\":0,\"cgroup\":1,\"comm\":\"p\",\"call\":\"shmat\",\"args\":{\"shmid\":1,"
		"\"shmaddr\":0,\"shmflg\":{\"value\":0}},\"ret\":4096,\"map\":{\"backing\":\"cxl\"}}\n"
		"{\"type\":\"finding\",\"rule\":\"x\"}\n"
		"{\"type\":\"summary\",\"pid\":1}\n"
		/* Unknown fields anywhere are ignored. */
		"{\"extra\":true,\"type\":\"event\",\"seq\":4,\"ts_ns\":4,\"pid\":10,\"tid\":10,"
		"\"ppid\":1,\"uid\":0,\"cgroup\":1,\"comm\":\"p\",\"call\":\"mmap\","
		"\"args\":{\"addr\":0,\"length\":4096,\"prot\":{\"value\":3,\"names\":[],\"z\":1},"
		"\"flags\":{\"value\":1},\"fd\":-1,\"offset\":0,\"new_arg\":5},\"ret\":4096,"
		"\"map\":{\"backing\":\"anon_shared\",\"size\":4096,\"object_size\":4096,"
		"\"ino\":6,\"shmid\":-1,\"name\":\"dev/zero\",\"more\":null}}\n";
	struct log_record recs[MAX_RECS];
	struct logread_counts c;
	char path[512];
	int n;

	write_file(st, "unknown.json", log, sizeof(log) - 1, path, sizeof(path));
	assert_int_equal(read_log(st, path, true, recs, &n, &c), 0);
	/* header, event 1, finding, summary, event 4 */
	assert_int_equal(n, 5);
	assert_int_equal(recs[0].header.schema, 2);
	assert_int_equal(recs[0].header.max_size, 256ULL << 20); /* the default */
	assert_int_equal(recs[1].event.seq, 1);
	assert_int_equal(recs[2].type, LOG_REC_FINDING);
	assert_int_equal(recs[3].type, LOG_REC_SUMMARY);
	assert_int_equal(recs[4].event.call, SW_MMAP);
	assert_int_equal(recs[4].event.c.args[2], 3);
	assert_int_equal(recs[4].event.c.args[4], (__u64)-1);
	assert_int_equal(recs[4].event.c.backing, SW_BK_ANON_SHARED);
	assert_string_equal(recs[4].event.c.name, "dev/zero");
	assert_int_equal(c.unknown, 7);
	assert_int_equal(c.skipped, 7);
	assert_int_equal(c.malformed, 0);
	assert_int_equal(c.findings, 1);
	assert_int_equal(c.summaries, 1);
	/* schema, "future", "other", "shm_open", "cxl": once each */
	assert_int_equal(st->n_warnings, 5);
	assert_int_equal(st->n_errors, 0);
}

/* Names from a log reach stderr escaped: no control byte, no raw quote. */
static void test_unknown_names_escaped(void **pstate)
{
	struct state *st = *pstate;
	static const struct line_diag cases[] = {
		{ "{\"type\":\"\\u001b]0;pwned\\u0007\\u001b[2J\"}\n",
		  "unknown record type \"\\x1b]0;pwned\\x07\\x1b[2J\" (from a newer shmwatch?), "
		  "skipped; further ones silently" },
		{ "{\"type\":\"event\",\"call\":\"a\\nb\\\"c\\\\d\\u007f\\u00e9\"}\n",
		  "unknown event \"a\\x0ab\\\"c\\\\d\\x7f\\xc3\\xa9\" (from a newer shmwatch?), "
		  "skipped; further ones silently" },
		{ "{\"type\":\"event\",\"seq\":3,\"ts_ns\":3,\"pid\":10,\"tid\":10,\"ppid\":1,"
		  "\"uid\":0,\"cgroup\":1,\"comm\":\"p\",\"call\":\"shmat\",\"args\":{\"shmid\":1,"
		  "\"shmaddr\":0,\"shmflg\":{\"value\":0}},\"ret\":4096,"
		  "\"map\":{\"backing\":\"\\r\\u0008x\"}}\n",
		  "unknown backing \"\\x0d\\x08x\" (from a newer shmwatch?), skipped; further ones "
		  "silently" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_one_diag(st, cases[i].line, true, cases[i].msg);
}

static void test_oversized_line(void **pstate)
{
	struct state *st = *pstate;
	size_t big = 1 << 20, len = 0;
	char path[512], *log = malloc(big + big / 2 + 1024);
	struct log_record recs[MAX_RECS];
	struct logread_counts c;
	int n;

	assert_non_null(log);
	len += (size_t)sprintf(log + len, "%s{\"type\":\"event\",\"pad\":\"", HDR);
	memset(log + len, 'a', big);
	len += big;
	len += (size_t)sprintf(log + len, "\"}\n%s\n", EV(1));
	memset(log + len, '{', big / 2); /* and one at the end, unterminated */
	len += big / 2;
	write_file(st, "big.json", log, len, path, sizeof(path));
	free(log);

	assert_int_equal(read_log(st, path, false, recs, &n, &c), 0);
	assert_int_equal(n, 2);
	assert_int_equal(recs[1].event.seq, 1);
	assert_int_equal(recs[1].line, 3);
	assert_int_equal(c.oversized, 2);
	assert_int_equal(c.skipped, 2);
	assert_int_equal(st->n_errors, 2);
	assert_non_null(strstr(st->last_msg, "longer than"));

	st->n_errors = 0;
	assert_int_equal(read_log(st, path, true, recs, &n, &c), -EBADMSG);
	assert_int_equal(n, 1);
	assert_int_equal(st->n_errors, 1);

	/* Exactly at the limit is still a line. */
	log = malloc(LOGREAD_MAX_LINE + 2);
	assert_non_null(log);
	memset(log, ' ', LOGREAD_MAX_LINE);
	memcpy(log, EV(1), strlen(EV(1)));
	log[LOGREAD_MAX_LINE] = '\n';
	write_file(st, "limit.json", log, LOGREAD_MAX_LINE + 1, path, sizeof(path));
	free(log);
	assert_int_equal(read_log(st, path, true, recs, &n, &c), 0);
	assert_int_equal(n, 1);
	assert_int_equal(c.oversized, 0);
}

/* A stream of len bytes of c and then tail, read to its end. */
static int read_run(struct state *st, char c, size_t len, const char *tail,
		    struct logread_counts *counts, int *n)
{
	size_t tail_len = strlen(tail);
	char *data = malloc(len + tail_len);
	struct logread_opts o = { .diag = on_diag, .ctx = st };
	struct log_record rec;
	struct logread *r;
	FILE *f;
	int ret;

	assert_non_null(data);
	memset(data, c, len);
	memcpy(data + len, tail, tail_len);
	f = fmemopen(data, len + tail_len, "r");
	assert_non_null(f);
	r = logread__open_stream(f, "run", &o);
	assert_non_null(r);
	*n = 0;
	while ((ret = logread__next(r, &rec)) > 0)
		(*n)++;
	*counts = *logread__counts(r);
	logread__free(r);
	fclose(f);
	free(data);
	return ret;
}

/*
 * A "line" that does not end within LOGREAD_MAX_RUN bytes is no log:
 * reading stops there instead of running through the rest, which from a
 * pipe of /dev/zero never comes.  One within the bound is skipped.
 */
static void test_endless_line(void **pstate)
{
	struct state *st = *pstate;
	struct logread_counts c;
	int n;

	assert_int_equal(read_run(st, '\0', LOGREAD_MAX_RUN + 1, "\n" EV(1) "\n", &c, &n),
			 -EBADMSG);
	assert_int_equal(n, 0);
	assert_int_equal(c.lines, 1);
	assert_int_equal(st->n_errors, 1);
	assert_int_equal(st->last_line, 1);
	assert_string_equal(st->last_msg, "not an NDJSON log: no newline in 16 MiB");

	st->n_errors = 0;
	assert_int_equal(read_run(st, 'x', LOGREAD_MAX_RUN, "\n" EV(1) "\n", &c, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(c.oversized, 1);
	assert_int_equal(st->n_errors, 1);
	assert_non_null(strstr(st->last_msg, "longer than"));
}

/* Devices and terminals are refused when opened, with the reason; FIFOs
 * are logs. */
static void test_devices_refused(void **pstate)
{
	struct state *st = *pstate;
	struct logread_opts o = { .diag = on_diag, .ctx = st };
	static const char *const devices[] = { "/dev/zero", "/dev/null", "/dev/urandom" };
	static const char line[] = EV(1) "\n";
	struct log_record rec;
	struct logread *r;
	char path[512];
	int wfd;

	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
		st->n_errors = 0;
		errno = 0;
		assert_null(logread__open(devices[i], &o));
		assert_int_equal(errno, EBADMSG);
		assert_int_equal(st->n_errors, 1);
		assert_int_equal(st->last_line, 0);
		assert_string_equal(st->last_file, devices[i]);
		assert_string_equal(st->last_msg, "not an NDJSON log: a character device");
	}

	/* A terminal, as "-" is when nothing is piped in. */
	wfd = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(wfd >= 0);
	assert_int_equal(grantpt(wfd), 0);
	assert_int_equal(unlockpt(wfd), 0);
	st->n_errors = 0;
	errno = 0;
	assert_null(logread__open(ptsname(wfd), &o));
	assert_int_equal(errno, EBADMSG);
	close(wfd);
	assert_int_equal(st->n_errors, 1);
	assert_string_equal(st->last_msg, "not an NDJSON log: a terminal");

	/* Held open for writing here, so that opening it to read does not
	 * wait; the line is in the FIFO before the reader looks. */
	path_in(st, "fifo", path, sizeof(path));
	assert_int_equal(mkfifo(path, 0600), 0);
	wfd = open(path, O_RDWR);
	assert_true(wfd >= 0);
	assert_int_equal(write(wfd, line, sizeof(line) - 1), sizeof(line) - 1);
	r = logread__open(path, &o);
	close(wfd);
	assert_non_null(r);
	assert_int_equal(logread__next(r, &rec), 1);
	assert_int_equal(rec.event.seq, 1);
	assert_int_equal(logread__next(r, &rec), 0);
	logread__free(r);
}

/* len bytes of in as one gzip member; *out_len its size.  Free it. */
static unsigned char *gzip_buf(const char *in, size_t len, size_t *out_len)
{
	z_stream z = { 0 };
	size_t cap = len + 1024;
	unsigned char *out = malloc(cap);

	assert_non_null(out);
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*out_len = cap - z.avail_out;
	deflateEnd(&z);
	return out;
}

/* The records of a gzip'd log: its events' seq, in order, into seqs. */
static int read_gzip(struct state *st, const char *name, const unsigned char *data, size_t len,
		     __u64 *seqs, int max, struct logread_counts *c)
{
	struct log_record recs[MAX_RECS];
	char path[512];
	int n, ret, k = 0;

	write_file(st, name, (const char *)data, len, path, sizeof(path));
	ret = read_log(st, path, false, recs, &n, c);
	for (int i = 0; i < n && i < MAX_RECS; i++)
		if (recs[i].type == LOG_REC_EVENT && k < max)
			seqs[k++] = recs[i].event.seq;
	return ret < 0 ? ret : k;
}

/*
 * logrotate gzips the logs it rotates: read as they are, members one after
 * the other as gzip -d does; a cut file gives what it holds and a warning,
 * damaged data stops the reading with an error.
 */
static void test_gzip(void **pstate)
{
	struct state *st = *pstate;
	static const char log[] = HDR EV(1) "\n" EV(2) "\n";
	static const char more[] = EV(3) "\n";
	unsigned char *a, *b, *cat;
	size_t a_len, b_len;
	struct logread_counts c;
	__u64 seqs[8];

	a = gzip_buf(log, sizeof(log) - 1, &a_len);
	b = gzip_buf(more, sizeof(more) - 1, &b_len);
	assert_int_equal(read_gzip(st, "a.gz", a, a_len, seqs, 8, &c), 2);
	assert_int_equal(seqs[1], 2);
	assert_int_equal(c.skipped, 0);
	assert_int_equal(st->n_errors + st->n_warnings, 0);

	cat = malloc(a_len + b_len + 8);
	assert_non_null(cat);
	memcpy(cat, a, a_len);
	memcpy(cat + a_len, b, b_len);
	assert_int_equal(read_gzip(st, "ab.gz", cat, a_len + b_len, seqs, 8, &c), 3);
	assert_int_equal(seqs[2], 3);
	assert_int_equal(st->n_errors + st->n_warnings, 0);

	/* What follows the last member is not read, and said so. */
	memcpy(cat + a_len, "garbage", 7);
	assert_int_equal(read_gzip(st, "trail.gz", cat, a_len + 7, seqs, 8, &c), 2);
	assert_int_equal(st->n_warnings, 1);
	assert_int_equal(st->last_line, 0);
	assert_string_equal(st->last_msg, "data after the end of the compressed log, ignored");

	/* Cut in its trailer: every line is there, the end is not. */
	st->n_warnings = 0;
	assert_int_equal(read_gzip(st, "cut.gz", a, a_len - 4, seqs, 8, &c), 2);
	assert_int_equal(c.truncated, 1);
	assert_int_equal(c.skipped, 1);
	assert_int_equal(st->n_warnings, 1);
	assert_int_equal(st->last_line, 4);
	assert_string_equal(st->last_msg, "the compressed log ends early (cut short?)");

	/* A damaged block: an error, and nothing after it is made up. */
	st->n_warnings = 0;
	memcpy(cat, a, a_len);
	memset(cat + 12, 0xff, 4);
	assert_int_equal(read_gzip(st, "bad.gz", cat, a_len, seqs, 8, &c), -EBADMSG);
	assert_int_equal(st->n_errors, 1);
	assert_int_equal(st->last_line, 1);
	assert_non_null(strstr(st->last_msg, "corrupt compressed data: "));

	free(a);
	free(b);
	free(cat);
}

/* A gzip'd log through a stream (a pipe) as well; the bytes come one by one. */
static void test_gzip_stream(void **pstate)
{
	struct state *st = *pstate;
	static const char log[] = HDR EV(1) "\n" EV(2) "\n";
	struct logread_opts o = { .diag = on_diag, .ctx = st };
	struct log_record rec;
	struct logread *r;
	unsigned char *gz;
	size_t len;
	int fds[2], n = 0;
	FILE *f;

	gz = gzip_buf(log, sizeof(log) - 1, &len);
	assert_int_equal(pipe(fds), 0);
	assert_true(len < 4096); /* fits the pipe before anyone reads */
	assert_int_equal(write(fds[1], gz, len), (ssize_t)len);
	close(fds[1]);
	f = fdopen(fds[0], "r");
	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	r = logread__open_stream(f, "pipe", &o);
	assert_non_null(r);
	while (logread__next(r, &rec) > 0)
		n++;
	assert_int_equal(n, 3);
	assert_int_equal(rec.event.seq, 2);
	assert_int_equal(st->n_errors + st->n_warnings, 0);
	logread__free(r);
	fclose(f);
	free(gz);
}

/* Other compressions are named, with the command that reads them. */
static void test_other_compressions(void **pstate)
{
	struct state *st = *pstate;
	static const struct {
		const char *name;
		const char *magic;
		size_t len;
		const char *format;
	} files[] = {
		{ "log.xz", "\xfd" "7zXZ\0\0\x04", 8, "xz" },
		{ "log.zst", "\x28\xb5\x2f\xfd\x24", 5, "zstd" },
		{ "log.bz2", "BZh91AY&SY", 10, "bzip2" },
		{ "it's.lz4", "\x04\x22\x4d\x18\x64", 5, "lz4" },
	};
	struct logread_opts o = { .diag = on_diag, .ctx = st };
	char path[512], want[1024], quoted[600];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		write_file(st, files[i].name, files[i].magic, files[i].len, path, sizeof(path));
		st->n_errors = 0;
		errno = 0;
		assert_null(logread__open(path, &o));
		assert_int_equal(errno, EBADMSG);
		assert_int_equal(st->n_errors, 1);
		assert_int_equal(st->last_line, 0);
		if (strchr(path, '\''))
			snprintf(quoted, sizeof(quoted), "'%s/it'\\''s.lz4'", st->dir);
		else
			snprintf(quoted, sizeof(quoted), "%s", path);
		snprintf(want, sizeof(want),
			 "compressed with %s, which analyze does not read: run \"%s -dc %s | "
			 "shmwatch analyze -\"",
			 files[i].format, files[i].format, quoted);
		assert_string_equal(st->last_msg, want);
	}
}

/* A header from before shmall and shmmni were written reads, with both
 * unknown (0), and the fields it has. */
static void test_header_without_sysv_limits(void **pstate)
{
	struct state *st = *pstate;
	static const char old[] = "{\"type\":\"header\",\"schema\":1,\"tool\":\"shmwatch\","
				  "\"mode\":\"command\",\"pids\":[],\"shmmax\":33554432,"
				  "\"mem_total\":1024}\n";
	struct log_record recs[MAX_RECS];
	char path[512];
	int n;

	write_file(st, "old.json", old, sizeof(old) - 1, path, sizeof(path));
	st->n_errors = 0;
	assert_int_equal(read_log(st, path, true, recs, &n, NULL), 0);
	assert_int_equal(st->n_errors, 0);
	assert_int_equal(n, 1);
	assert_int_equal(recs[0].type, LOG_REC_HEADER);
	assert_int_equal(recs[0].header.shmmax, 33554432);
	assert_int_equal(recs[0].header.shmall, 0);
	assert_int_equal(recs[0].header.shmmni, 0);
	assert_int_equal(recs[0].header.mem_total, 1024);
	assert_int_equal(recs[0].header.cpus, 0);
}

/* A log without records says so, once; blank lines are no records. */
static void test_empty_and_blank(void **pstate)
{
	struct state *st = *pstate;
	static const char *const empty[] = { "", "\n\n  \r\n", "\n \t" };
	static const char blank[] = "\n  \r\n" EV(1) "\r\n\n";
	struct log_record recs[MAX_RECS];
	struct logread_counts c;
	char path[512];
	int n;

	for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		write_file(st, "empty.json", empty[i], strlen(empty[i]), path, sizeof(path));
		st->n_warnings = 0;
		assert_int_equal(read_log(st, path, true, recs, &n, &c), 0);
		assert_int_equal(n, 0);
		assert_int_equal(c.skipped, 0);
		assert_int_equal(st->n_errors, 0);
		assert_int_equal(st->n_warnings, 1);
		assert_int_equal(st->last_line, 0);
		assert_string_equal(st->last_msg, "empty log: no records");
	}
	assert_int_equal(c.lines, 2);

	/* Lines that were all skipped have said why already. */
	write_file(st, "skipped.json", "{oops\n", 6, path, sizeof(path));
	st->n_warnings = st->n_errors = 0;
	assert_int_equal(read_log(st, path, false, recs, &n, &c), 0);
	assert_int_equal(st->n_errors, 1);
	assert_int_equal(st->n_warnings, 0);

	write_file(st, "blank.json", blank, sizeof(blank) - 1, path, sizeof(path));
	st->n_warnings = st->n_errors = 0;
	assert_int_equal(read_log(st, path, true, recs, &n, &c), 0);
	assert_int_equal(n, 1);
	assert_int_equal(recs[0].line, 3);
	assert_int_equal(c.skipped, 0);
	assert_int_equal(st->n_errors + st->n_warnings, 0);
}

static void test_nul_byte(void **pstate)
{
	struct state *st = *pstate;
	static const char log[] = "{\"type\":\"header\",\"schema\":1}\0garbage\n" EV(1) "\n";
	struct log_record recs[MAX_RECS];
	struct logread_counts c;
	char path[512];
	int n;

	write_file(st, "nul.json", log, sizeof(log) - 1, path, sizeof(path));
	assert_int_equal(read_log(st, path, false, recs, &n, &c), 0);
	assert_int_equal(n, 1);
	assert_int_equal(c.malformed, 1);
	assert_int_equal(st->last_line, 1);
}

static void test_open_errors(void **pstate)
{
	struct state *st = *pstate;
	char path[512];

	path_in(st, "missing.json", path, sizeof(path));
	errno = 0;
	assert_null(logread__open(path, NULL));
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(logread__open(st->dir, NULL));
	assert_int_equal(errno, EISDIR);
}

/* ---- (4) docs/events.md against the writer ---- */

/* The container a live run knew, as the pipeline hands it to the sinks. */
static const struct container_info web1 = {
	.ref = { .runtime = CONTAINER_RT_PODMAN,
		 .id = "9f7e0129c3a4e1b2c3d4e5f60718293a4b5c6d7e8f9012345678901234567890" },
	.names = { .name = "web-1", .image = "localhost/web:1" },
};


/* The "findings" of a summary is keyed by rule id: a map, not a layout. */
static bool is_map_key(const char *type, const char *key)
{
	return !strcmp(type, "summary") && !strcmp(key, "findings");
}

/* Same keys, recursively through objects; where names the place. */
static void compare_keys(const char *type, const char *where, struct json_object *doc,
			 struct json_object *real)
{
	json_object_object_foreach(doc, key, dv) {
		struct json_object *rv;
		char sub[256];

		if (!json_object_object_get_ex(real, key, &rv))
			fail_msg("docs/events.md %s example: \"%s%s\" is not written", type, where,
				 key);
		snprintf(sub, sizeof(sub), "%s%s.", where, key);
		if (json_object_is_type(dv, json_type_object) != json_object_is_type(rv, json_type_object))
			fail_msg("docs/events.md %s example: \"%s%s\" object-ness differs", type,
				 where, key);
		if (json_object_is_type(dv, json_type_object) && !(!*where && is_map_key(type, key)))
			compare_keys(type, sub, dv, rv);
	}
	json_object_object_foreach(real, rkey, rv2) {
		(void)rv2;
		if (!json_object_object_get_ex(doc, rkey, NULL))
			fail_msg("docs/events.md %s example: \"%s%s\" is missing", type, where, rkey);
	}
}

/* Write one record shaped like the example and parse the line back. */
static struct json_object *writer_twin(struct state *st, struct json_object *ex, const char *type)
{
	static const __u32 pids[] = { 1234 };
	struct json_object *v, *out;
	struct sink *s = open_sink(st, "twin.json");
	char path[512], line[8192];
	FILE *f;

	if (!strcmp(type, "header")) {
		struct sw_header h;

		fill_header(&h, pids, 1);
		s->ops->header(s, &h);
	} else if (!strcmp(type, "event")) {
		const char *name;
		struct sw_event e;
		__u32 kind, call;

		assert_true(json_object_object_get_ex(ex, "call", &v));
		name = json_object_get_string(v);
		kind = sw_kind_by_name(name);
		call = sw_call_by_name(name);
		if (!kind && !call)
			fail_msg("docs/events.md: unknown call \"%s\"", name);
		if (kind) {
			struct json_object *args, *m;

			fill_lifecycle(&e, kind, 1);
			if (kind == SW_EV_EXEC &&
			    !(json_object_object_get_ex(ex, "args", &args) &&
			      json_object_object_get_ex(args, "argv_truncated", &m)))
				e.exec.argv_cut = 0; /* whole arguments */
			if (kind == SW_EV_SIGNAL &&
			    !(json_object_object_get_ex(ex, "args", &args) &&
			      json_object_object_get_ex(args, "mapping", &m)))
				e.sig.backing = SW_BK_NONE; /* a SIGSEGV: no mapping */
		} else {
			struct json_object *map, *b;
			__u32 backing = SW_BK_NONE;

			if (json_object_object_get_ex(ex, "map", &map) &&
			    json_object_object_get_ex(map, "backing", &b))
				backing = sw_backing_by_name(json_object_get_string(b));
			fill_call(&e, call, 1, backing, false);
			/* fs_gen is written where the kernel told it. */
			if (!((json_object_object_get_ex(ex, "map", &map) ||
			       json_object_object_get_ex(ex, "object", &map)) &&
			      json_object_object_get_ex(map, "fs_gen", NULL)))
				e.c.fs_gen = 0;
			/* A call refused for space carries the mount's top. */
			if (json_object_object_get_ex(ex, "object", &map) &&
			    json_object_object_get_ex(map, "top", &b))
				e.space.top[0] = (struct sw_holder){ .ino = 2, .bytes = 4096 };
		}
		sink_put_event(s, &e);
	} else if (!strcmp(type, "finding")) {
		struct sw_finding f;

		fill_finding(&f);
		sink_put_finding(s, &f);
	} else if (!strcmp(type, "summary")) {
		struct sw_proc_summary p;

		fill_summary(&p);
		p.container = json_object_object_get_ex(ex, "container", NULL) ? &web1 : NULL;
		s->ops->summary(s, &p);
	} else if (!strcmp(type, "tmpfs")) {
		struct sw_mount_usage u = { .dev = 27, .label = "/dev/shm", .n_biggest = 1,
					    .n_creators = 1, .n_growers = 1, .n_peak_held = 1 };

		/* An example of a container's mount names it. */
		if (json_object_object_get_ex(ex, "container", NULL))
			u.container = &web1;
		s->ops->usage(s, &u);
	} else if (!strcmp(type, "sysv")) {
		struct sw_sysv_usage u = { .peak_segments = 1, .n_peak_held = 1, .n_biggest = 1 };

		s->ops->sysv_usage(s, &u);
	} else if (!strcmp(type, "stats")) {
		struct sw_stats sst;

		fill_stats(&sst);
		sst.ring_size = 8 << 20; /* live: the ring buffer too */
		s->ops->stats(s, &sst);
	} else {
		fail_msg("docs/events.md: example of unknown type \"%s\"", type);
	}
	assert_int_equal(sink__close(s), 0);
	path_in(st, "twin.json", path, sizeof(path));
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	out = json_tokener_parse(line);
	assert_non_null(out);
	return out;
}

static char *read_docs(void)
{
	const char *src = getenv("SHMWATCH_SRC");
	char path[1024];
	char *text = NULL;
	size_t cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/docs/events.md", src && *src ? src : ".");
	f = fopen(path, "r");
	if (!f)
		fail_msg("can't open %s: %s (set SHMWATCH_SRC to the source tree)", path,
			 strerror(errno));
	if (getdelim(&text, &cap, '\0', f) < 0)
		fail_msg("can't read %s", path);
	fclose(f);
	return text;
}

static void test_docs_examples(void **pstate)
{
	struct state *st = *pstate;
	static const char *const types[] = { "header", "event", "finding", "summary", "stats",
					     "tmpfs", "sysv" };
	enum { N_TYPES = sizeof(types) / sizeof(types[0]) };
	bool type_seen[N_TYPES] = { 0 }, call_seen[SW_CALL_MAX] = { 0 }, kind_seen[SW_EV_KIND_MAX] = { 0 };
	char *text = read_docs(), *p = text;
	int examples = 0;

	while ((p = strstr(p, "```json\n"))) {
		char *end, *line;

		p += strlen("```json\n");
		end = strstr(p, "```");
		assert_non_null(end);
		*end = '\0';
		for (line = strtok(p, "\n"); line; line = strtok(NULL, "\n")) {
			struct json_object *ex, *v, *real;
			const char *type;

			ex = parse_strict(line, strlen(line));
			if (!ex)
				fail_msg("docs/events.md: example is not valid JSON: %.60s", line);
			assert_true(json_object_object_get_ex(ex, "type", &v));
			type = json_object_get_string(v);
			for (int i = 0; i < N_TYPES; i++)
				type_seen[i] |= !strcmp(type, types[i]);
			if (!strcmp(type, "event")) {
				assert_true(json_object_object_get_ex(ex, "call", &v));
				call_seen[sw_call_by_name(json_object_get_string(v))] = true;
				kind_seen[sw_kind_by_name(json_object_get_string(v))] = true;
			}
			real = writer_twin(st, ex, type);
			compare_keys(type, "", ex, real);
			json_object_put(real);
			json_object_put(ex);
			examples++;
		}
		p = end + 3;
	}
	free(text);

	assert_true(examples > 0);
	for (int i = 0; i < N_TYPES; i++)
		if (!type_seen[i])
			fail_msg("docs/events.md has no %s example", types[i]);
	for (__u32 c = 1; c < SW_CALL_MAX; c++)
		if (!call_seen[c])
			fail_msg("docs/events.md has no %s example", sw_call_name(c));
	for (__u32 k = SW_EV_FORK; k < SW_EV_KIND_MAX; k++) {
		struct sw_event e = { .kind = k };

		if (!kind_seen[k])
			fail_msg("docs/events.md has no %s example", sw_event_name(&e));
	}
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

/* An event's "container" comes back as the live run wrote it; one of a
 * runtime this version does not know is left out, not a bad line. */
static void test_container(void **state)
{
	struct state *st = *state;
	static const char log[] =
		SHMGET("4096", "7", ",\"container\":{\"runtime\":\"podman\",\"id\":"
		       "\"9f7e0129c3a4e1b2c3d4e5f60718293a4b5c6d7e8f9012345678901234567890\","
		       "\"name\":\"web-1\",\"image\":\"localhost/web:1\"}")
		SHMGET("4096", "8", ",\"container\":{\"runtime\":\"kubernetes\",\"pod_uid\":"
		       "\"1a2b3c4d-0000-1111-2222-333344445555\",\"qos\":\"burstable\","
		       "\"pod_name\":\"web-7d9\",\"pod_namespace\":\"shop\"}")
		SHMGET("4096", "9", ",\"container\":{\"runtime\":\"future-rt\"}")
		SHMGET("4096", "10", "");
	struct log_record recs[MAX_RECS];
	char path[512];
	int n;

	write_file(st, "containers.json", log, sizeof(log) - 1, path, sizeof(path));
	assert_int_equal(read_log(st, path, true, recs, &n, NULL), 0);
	assert_int_equal(st->n_errors, 0);
	assert_int_equal(n, 4);
	assert_true(recs[0].has_container);
	assert_int_equal(recs[0].container.ref.runtime, CONTAINER_RT_PODMAN);
	assert_string_equal(recs[0].container.names.name, "web-1");
	assert_string_equal(recs[0].container.names.image, "localhost/web:1");
	assert_int_equal(strlen(recs[0].container.ref.id), 64);
	assert_true(recs[1].has_container);
	assert_true(recs[1].container.ref.kubernetes);
	assert_int_equal(recs[1].container.ref.qos, CONTAINER_QOS_BURSTABLE);
	assert_string_equal(recs[1].container.names.pod_namespace, "shop");
	assert_false(recs[2].has_container);
	assert_false(recs[3].has_container);
}

/* Line i (from 0) of the file at path, parsed. */
static struct json_object *line_of(const char *path, int i)
{
	char line[8192];
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	for (int k = 0; k <= i; k++)
		assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	return json_tokener_parse(line);
}

/* A container's tmpfs usage and a summary of one of its processes name
 * it as its events do; the host's have no "container".  The reader
 * takes both kinds, which analyze recomputes, without a complaint. */
static void test_container_on_usage_and_summary(void **pstate)
{
	struct state *st = *pstate;
	struct sw_event e;
	struct sink_event se = { .e = &e, .container = &web1 };
	struct sw_mount_usage u = { .dev = 63, .label = "/dev/shm", .container = &web1 };
	struct sw_proc_summary sum;
	struct log_record recs[MAX_RECS];
	struct json_object *ev, *o, *c, *want;
	struct sink *sink = open_sink(st, "ctr.json");
	const char *types[] = { "event", "tmpfs", "summary", "tmpfs", "summary" };
	char path[512];
	int n;

	fill_call(&e, SW_FTRUNCATE, 1, SW_BK_SHMEM_FILE, false);
	se.seq = e.seq;
	fill_summary(&sum);
	sum.container = &web1;
	sink->ops->event(sink, &se);
	sink->ops->usage(sink, &u);
	sink->ops->summary(sink, &sum);
	u.container = NULL;
	sum.container = NULL;
	sink->ops->usage(sink, &u);
	sink->ops->summary(sink, &sum);
	assert_int_equal(sink__close(sink), 0);

	path_in(st, "ctr.json", path, sizeof(path));
	ev = line_of(path, 0);
	assert_non_null(ev);
	assert_true(json_object_object_get_ex(ev, "container", &want));
	for (int i = 1; i < 5; i++) {
		o = line_of(path, i);
		assert_non_null(o);
		assert_true(json_object_object_get_ex(o, "type", &c));
		assert_string_equal(json_object_get_string(c), types[i]);
		if (i < 3) {
			assert_true(json_object_object_get_ex(o, "container", &c));
			assert_true(json_object_equal(c, want));
		} else {
			assert_false(json_object_object_get_ex(o, "container", NULL));
		}
		json_object_put(o);
	}
	json_object_put(ev);

	assert_int_equal(read_log(st, path, true, recs, &n, NULL), 0);
	assert_int_equal(st->n_errors + st->n_warnings, 0);
	assert_int_equal(n, 5);
	assert_true(recs[0].has_container);
	for (int i = 1; i < 5; i++)
		assert_int_equal(recs[i].type, LOG_REC_SUMMARY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_round_trip),
		T(test_header_strings),
		T(test_escaping),
		T(test_malformed_skipped),
		T(test_field_types),
		T(test_integer_range),
		T(test_container),
		T(test_container_on_usage_and_summary),
		T(test_default_diag_format),
		T(test_strict_stops),
		T(test_truncated_last_line),
		T(test_unknown_types),
		T(test_unknown_names_escaped),
		T(test_oversized_line),
		T(test_endless_line),
		T(test_devices_refused),
		T(test_gzip),
		T(test_gzip_stream),
		T(test_other_compressions),
		T(test_header_without_sysv_limits),
		T(test_empty_and_blank),
		T(test_nul_byte),
		T(test_open_errors),
		T(test_docs_examples),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
