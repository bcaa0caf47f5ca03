// SPDX-License-Identifier: GPL-2.0
/*
 * out_text.c - the human view: one strace-like line per call, findings
 * highlighted on a terminal, summaries at the end.  Every byte that a
 * traced process controls (comm, names) is escaped, so no control
 * sequence reaches the terminal.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lib/digits.h"
#include "lib/names.h"
#include "out/sink.h"

#define LINE_MAX_LEN 2048

struct text_sink {
	struct sink base;
	bool color;
	char line[LINE_MAX_LEN];
	size_t len;
	/* The local "HH:MM:SS" of the second last shown: a line's time
	 * costs localtime_r only when the second changes. */
	time_t clock_sec;
	char clock_hms[8];
};

/*
 * A line is built by appending pieces.  The pieces of an event's line go
 * through add_mem and the number writers below, not printf: formatting
 * was most of what a line cost, and the text view is meant to cost no
 * more than the JSON log.  Findings, summaries and usage, a few lines a
 * run, use add().  Either way a line that would pass LINE_MAX_LEN - 1
 * bytes is cut there.
 */
static void add_mem(struct text_sink *t, const char *s, size_t n)
{
	size_t room = t->len < sizeof(t->line) - 1 ? sizeof(t->line) - 1 - t->len : 0;

	if (n > room)
		n = room;
	memcpy(t->line + t->len, s, n);
	t->len += n;
}

static void add_str(struct text_sink *t, const char *s)
{
	add_mem(t, s, strlen(s));
}

static void add_char(struct text_sink *t, char c)
{
	add_mem(t, &c, 1);
}

static void add_u64(struct text_sink *t, __u64 v)
{
	char tmp[DIGITS_MAX], *d = digits_u64(tmp + sizeof(tmp), v);

	add_mem(t, d, tmp + sizeof(tmp) - d);
}

static void add_s64(struct text_sink *t, __s64 v)
{
	if (v < 0)
		add_char(t, '-');
	add_u64(t, v < 0 ? -(__u64)v : (__u64)v);
}

/* "0x1f" */
static void add_hex(struct text_sink *t, __u64 v)
{
	char tmp[2 + DIGITS_MAX], *d = digits_hex(tmp + sizeof(tmp), v);

	*--d = 'x';
	*--d = '0';
	add_mem(t, d, tmp + sizeof(tmp) - d);
}

static void add(struct text_sink *t, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (t->len >= sizeof(t->line))
		return;
	va_start(ap, fmt);
	w = vsnprintf(t->line + t->len, sizeof(t->line) - t->len, fmt, ap);
	va_end(ap);
	if (w > 0)
		t->len += (size_t)w;
	if (t->len >= sizeof(t->line))
		t->len = sizeof(t->line) - 1;
}

/* Anything a traced process (or a log) controls goes through here. */
static void add_escaped(struct text_sink *t, const char *s, size_t max)
{
	if (t->len < sizeof(t->line))
		t->len += text_escape(t->line + t->len, sizeof(t->line) - t->len, s, max);
}

static void put_line(struct text_sink *t)
{
	outfile__line(t->base.out, t->line, t->len);
	t->len = 0;
}

static void add_color(struct text_sink *t, const char *code)
{
	if (!t->color)
		return;
	add_str(t, "\033[");
	add_str(t, code);
	add_char(t, 'm');
}

/* "12:03:44.120311", local time (a zone changes its offset on a second's
 * boundary, so the second's text can be kept). */
static void add_clock(struct text_sink *t, __u64 ts_ns)
{
	__s64 wall = (__s64)ts_ns + t->base.wall_offset_ns;
	time_t sec = (time_t)(wall / 1000000000);
	char usec[7];

	if (wall < 0) /* before 1970: not a clock this runs on */
		wall = sec = 0;
	if (sec != t->clock_sec) {
		struct tm tm;
		char *end = t->clock_hms + sizeof(t->clock_hms);

		localtime_r(&sec, &tm);
		end = digits_fixed(end, (__u64)tm.tm_sec, 2);
		*--end = ':';
		end = digits_fixed(end, (__u64)tm.tm_min, 2);
		*--end = ':';
		digits_fixed(end, (__u64)tm.tm_hour, 2);
		t->clock_sec = sec;
	}
	add_mem(t, t->clock_hms, sizeof(t->clock_hms));
	usec[0] = '.';
	digits_fixed(usec + 7, (__u64)(wall % 1000000000) / 1000, 6);
	add_mem(t, usec, sizeof(usec));
}

/* A line's leading time. */
static void add_time(struct text_sink *t, __u64 ts_ns)
{
	add_clock(t, ts_ns);
	add_char(t, ' ');
}

static void add_arg(struct text_sink *t, const struct sw_arg_desc *d, __u64 v, const char *str,
		    bool cut)
{
	char buf[256];

	switch (d->type) {
	case SW_ARG_INT:
	case SW_ARG_FD:
		add_s64(t, (int)v);
		break;
	case SW_ARG_ULONG:
		add_u64(t, v);
		break;
	case SW_ARG_ADDR:
		if (v)
			add_hex(t, v);
		else
			add_str(t, "NULL");
		break;
	case SW_ARG_SIZE:
		human_size(buf, sizeof(buf), v);
		add_str(t, buf);
		break;
	case SW_ARG_KEY:
		if ((__u32)v)
			add(t, "0x%08" PRIx32, (__u32)v);
		else
			add_str(t, "IPC_PRIVATE");
		break;
	case SW_ARG_STR:
		add_char(t, '"');
		add_escaped(t, str, SW_NAME_LEN);
		add_char(t, '"');
		if (cut)
			add_str(t, "...");
		break;
	default:
		add_mem(t, buf, sw_format_flags(buf, sizeof(buf), d->type, v));
	}
}

/* " [shmem_file 1.0 MiB ino 42, created: /dev/shm/x; mount 3.0 MiB/4.0 MiB]";
 * a failed call names the object even when it did not create it (what
 * a full mount refused is the point of the line). */
static void add_object(struct text_sink *t, const struct sw_call_info *c, bool failed)
{
	char size[32], used[32], cap[32];

	human_size(size, sizeof(size), c->seg_size);
	add_str(t, " [");
	add_str(t, sw_backing_name(c->backing));
	add_char(t, ' ');
	add_str(t, size);
	add_str(t, " ino ");
	add_u64(t, c->ino);
	if (c->created) {
		add_str(t, ", created: ");
		add_escaped(t, c->name, SW_NAME_LEN);
		if (c->name_cut)
			add_str(t, "... (path cut)");
	} else if (failed && c->name[0]) {
		add_char(t, ' ');
		add_escaped(t, c->name, SW_NAME_LEN);
	}
	if (c->fs_size) {
		human_size(used, sizeof(used), c->fs_used);
		human_size(cap, sizeof(cap), c->fs_size);
		add_str(t, "; mount ");
		add_str(t, used);
		add_char(t, '/');
		add_str(t, cap);
	}
	add_char(t, ']');
}

static void add_call(struct text_sink *t, const struct sw_event *e)
{
	const struct sw_call_desc *d = &sw_calls[e->call < SW_CALL_MAX ? e->call : 0];
	const struct sw_call_info *c = &e->c;
	char size[32];

	add_str(t, d->name);
	add_char(t, '(');
	for (int i = 0; i < d->nargs; i++) {
		if (i)
			add_str(t, ", ");
		add_arg(t, &d->args[i], c->args[i], c->name, c->name_cut);
	}
	add_str(t, ") = ");
	if (sw_ret_is_err(c->ret)) {
		add_color(t, "31");
		add_str(t, "-1 ");
		add_str(t, sw_errno_name((int)-c->ret));
		add_color(t, "0");
		if (sw_call_has_object(e->call) && c->ino)
			add_object(t, c, true);
		return;
	}
	if (d->ret_addr)
		add_hex(t, (__u64)c->ret);
	else
		add_s64(t, c->ret);
	if (sw_call_has_object(e->call)) {
		if (c->ino)
			add_object(t, c, false);
		return;
	}
	if (c->backing == SW_BK_NONE)
		return;
	human_size(size, sizeof(size), c->map_size);
	add_str(t, " [");
	add_str(t, sw_backing_name(c->backing));
	add_char(t, ' ');
	add_str(t, size);
	if (c->shmid >= 0) {
		add_str(t, " shmid ");
		add_s64(t, c->shmid);
	}
	if (c->name[0] && c->backing != SW_BK_SYSV) {
		add_char(t, ' ');
		add_escaped(t, c->name, SW_NAME_LEN);
	}
	add_char(t, ']');
}

/* " [shmem_file buffer: offset 1.0 MiB of 4.0 MiB; mount 4.0 MiB/4.0 MiB]" */
static void add_fault_mapping(struct text_sink *t, const struct sw_signal_info *s)
{
	char off[32], size[32], used[32], cap[32];

	human_size(off, sizeof(off), s->offset);
	human_size(size, sizeof(size), s->obj_size);
	add(t, " [%s ", sw_backing_name(s->backing));
	add_escaped(t, s->name, SW_NAME_LEN);
	add(t, ": offset %s of %s", off, size);
	if (s->fs_size) {
		human_size(used, sizeof(used), s->fs_used);
		human_size(cap, sizeof(cap), s->fs_size);
		add(t, "; mount %s/%s", used, cap);
	}
	add(t, "]");
}

/* " argv: python3 -c 'import x'": each argument escaped, quoted when it
 * has a space, "..." when the kernel side cut them. */
static void add_argv(struct text_sink *t, const struct sw_exec_info *x)
{
	__u32 pos = 0;
	const char *arg;
	size_t n;

	if (!x->argv_len)
		return;
	add(t, " argv:");
	while ((arg = sw_argv_next(x, &pos, &n))) {
		bool quote = memchr(arg, ' ', n) != NULL;

		add(t, quote ? " '" : " ");
		add_escaped(t, arg, n);
		add(t, quote ? "'" : "");
	}
	if (x->argv_cut)
		add(t, "...");
}

static void add_lifecycle(struct text_sink *t, const struct sw_event *e)
{
	const char *code;

	switch (e->kind) {
	case SW_EV_FORK:
		add(t, "fork() = %u%s", e->fork.child_pid, e->fork.shares_vm ? " (shares vm)" : "");
		break;
	case SW_EV_EXEC:
		add(t, "exec(\"");
		add_escaped(t, e->exec.filename, SW_NAME_LEN);
		add(t, "\")");
		add_argv(t, &e->exec);
		break;
	case SW_EV_EXIT:
		if (e->exit.exit_code & 0x7f)
			add(t, "exit: killed by %s", sw_signal_name(e->exit.exit_code & 0x7f));
		else
			add(t, "exit(%d)", (e->exit.exit_code >> 8) & 0xff);
		break;
	case SW_EV_SIGNAL:
		code = sw_sigcode_name(e->sig.signo, e->sig.code);
		add_color(t, "31");
		add(t, "--- %s {si_code=%s, si_addr=0x%" PRIx64 "} ---", sw_signal_name(e->sig.signo),
		    code ? code : "?", (uint64_t)e->sig.addr);
		add_color(t, "0");
		if (e->sig.backing != SW_BK_NONE)
			add_fault_mapping(t, &e->sig);
		break;
	}
}

/* "@web-1" after a comm, for a process in a container. */
static void add_container(struct text_sink *t, const struct container_info *c)
{
	char name[512];

	if (c)
		add(t, "@%s", container_info_name(c, name, sizeof(name)));
}

static void text_event(struct sink *s, const struct sink_event *se)
{
	struct text_sink *t = (struct text_sink *)s;
	const struct sw_event *e = se->e;

	if (!s->events)
		return;
	if (e->lost_before) {
		add_time(t, e->ts_ns);
		add_color(t, "31;1");
		add(t, "--- %" PRIu64 " records lost here (ring buffer full): what they did is unknown, and findings that rest on it are marked uncertain ---",
		    (uint64_t)e->lost_before);
		add_color(t, "0");
		put_line(t);
	}
	add_time(t, e->ts_ns);
	add_char(t, '#');
	add_u64(t, se->seq);
	add_char(t, ' ');
	add_u64(t, e->pid);
	add_char(t, '/');
	add_u64(t, e->tid);
	add_char(t, ' ');
	add_escaped(t, e->comm, SW_COMM_LEN);
	add_container(t, se->container);
	add_char(t, ' ');
	if (e->kind == SW_EV_CALL)
		add_call(t, e);
	else
		add_lifecycle(t, e);
	put_line(t);
}

/* "function (file:line)", else "function+0x1f (module)" (the module left
 * out when a read log names none), else "module+0x1f", else the bare
 * address. */
static void add_frame(struct text_sink *t, const struct sw_frame *f)
{
	const char *mod = f->module ? strrchr(f->module, '/') : NULL;

	mod = mod ? mod + 1 : f->module;
	if (f->function && f->file && f->line > 0) {
		add_escaped(t, f->function, 256);
		add(t, " (");
		add_escaped(t, f->file, 512);
		add(t, ":%d)", f->line);
	} else if (f->function) {
		add_escaped(t, f->function, 256);
		add(t, "+0x%" PRIx64, (uint64_t)f->offset);
		if (mod) {
			add(t, " (");
			add_escaped(t, mod, 256);
			add(t, ")");
		}
	} else if (mod) {
		add_escaped(t, mod, 256);
		add(t, "+0x%" PRIx64, (uint64_t)f->offset);
	} else {
		add(t, "0x%" PRIx64, (uint64_t)f->ip);
	}
}

/* One site of a finding on its own line, innermost frame first. */
static void add_stack_line(struct text_sink *t, const char *label, const struct sink_stack *st)
{
	__u32 n = st->n < t->base.finding_frames ? st->n : t->base.finding_frames;

	if (!st->n)
		return;
	add(t, "    %s ", label);
	for (__u32 i = 0; i < n; i++) {
		if (i)
			add(t, " <- ");
		add_frame(t, &st->frames[i]);
	}
	/* More frames than shown, or the capture's limit reached (the rest
	 * of the stack, if any, was not recorded). */
	if (n < st->n || st->n == SW_MAX_FRAMES)
		add(t, " <- ...");
	put_line(t);
}

/* What to do, under the stacks, indented like them; a known producer's
 * fix names the producer (its object with the rule's advice does not:
 * the advice is not the producer's word). */
static void add_hint_line(struct text_sink *t, const struct sink_finding *sf)
{
	struct sink_hint h = sink_finding_hint(sf);

	if (!h.hint)
		return;
	add(t, "    hint");
	if (h.producer_fix)
		add(t, " (%s)", h.producer);
	add(t, ": ");
	add_escaped(t, h.hint, SW_MSG_LEN);
	put_line(t);
}

static void text_finding(struct sink *s, const struct sink_finding *sf)
{
	const struct sw_finding *f = sf->f;
	static const char *const sev[] = { "info", "warning", "error" };
	static const char *const colors[] = { "36", "33;1", "31;1" };
	struct text_sink *t = (struct text_sink *)s;

	add_time(t, f->ts_ns);
	/* A finding the lost records may have made up is not shown as one:
	 * no highlight, and its own word. */
	add_color(t, f->uncertain ? "33" : colors[f->severity]);
	add(t, "%s %s %s", f->uncertain ? "UNCERTAIN" : "FINDING", sev[f->severity], f->rule);
	add_color(t, "0");
	add(t, " pid %u (", f->pid);
	add_escaped(t, f->comm, SW_COMM_LEN);
	add_container(t, sf->container);
	add(t, "): ");
	add_escaped(t, f->message, SW_MSG_LEN);
	add(t, " [events");
	for (int i = 0; i < f->n_evidence && i < SW_MAX_EVIDENCE; i++)
		add(t, " #%" PRIu64, (uint64_t)f->evidence[i]);
	add(t, "]");
	put_line(t);
	add_stack_line(t, "at", &sf->site);
	add_stack_line(t, "from", &sf->origin);
	add_hint_line(t, sf);
}

static void text_summary(struct sink *s, const struct sw_proc_summary *p)
{
	struct text_sink *t = (struct text_sink *)s;
	char peak[32], held[32];
	bool any = false;

	human_size(peak, sizeof(peak), p->peak_shared_bytes);
	human_size(held, sizeof(held), p->held_bytes);
	add(t, "summary pid %u (", p->pid);
	add_escaped(t, p->comm, SW_COMM_LEN);
	add_container(t, p->container);
	add(t, ")%s: segments %llu created, %llu removed; attaches %llu, detaches %llu; "
	       "shared maps %llu, unmaps %llu; peak %s shared; held %s: %llu (%s)",
	    p->exited ? "" : " (running)", (unsigned long long)p->segs_created,
	    (unsigned long long)p->segs_removed, (unsigned long long)p->attaches,
	    (unsigned long long)p->detaches, (unsigned long long)p->shared_maps,
	    (unsigned long long)p->shared_unmaps, peak, p->exited ? "at exit" : "now",
	    (unsigned long long)p->held_attachments, held);
	for (int i = 0; i < sw_rule_count; i++) {
		if (!p->findings[i])
			continue;
		add(t, "%s %s %llu", any ? "," : "; findings:", sw_rules[i].id,
		    (unsigned long long)p->findings[i]);
		any = true;
	}
	put_line(t);
}

/* The dev as ls -l shows it. */
static void add_dev(struct text_sink *t, __u32 dev)
{
	add(t, "%u:%u", dev >> 20, dev & 0xfffff);
}

/* A size as docker's --shm-size and Kubernetes' quantities spell it:
 * whole GiB as "2g"/"2Gi", else MiB ("96m"/"96Mi"); sizes are whole MiB. */
static void add_k8s_docker(struct text_sink *t, __u64 bytes)
{
	bool gib = bytes && !(bytes % (1ULL << 30));
	unsigned long long n = gib ? bytes >> 30 : bytes >> 20;

	add(t, "--shm-size=%llu%s, sizeLimit: %llu%s", n, gib ? "g" : "m", n, gib ? "Gi" : "Mi");
}

/* "  peak 61 MiB of 64 MiB at 12:03:44.120; ...": the high-water mark and
 * what size would have sufficed. */
static void add_sizing(struct text_sink *t, const struct sw_mount_usage *u)
{
	char a[32], b[32];

	human_size(a, sizeof(a), u->peak_used);
	add(t, "  peak %s", a);
	if (u->fs_size) {
		human_size(b, sizeof(b), u->fs_size);
		add(t, " of %s", b);
	}
	if (u->peak_ts_ns) {
		add(t, " at ");
		add_clock(t, u->peak_ts_ns);
	}
	human_size(a, sizeof(a), u->sufficient_size);
	human_size(b, sizeof(b), u->roomy_size);
	if (u->needed) {
		/* A call refused for want of space, or a SIGBUS: what the
		 * program would have asked for after it is not known, so the
		 * need is a lower bound. */
		add(t, "; it ran out of space: at least %s was needed; try %s (", a, b);
		add_k8s_docker(t, u->roomy_size);
		add(t, ") and run again");
	} else {
		add(t, "; %s would have sufficed, %s leaves room (", a, b);
		add_k8s_docker(t, u->roomy_size);
		add(t, ")");
	}
	put_line(t);
}

/* "  biggest: /dev/shm/x 8 MiB (pid 42 python3, exited; mapped by 1), ...";
 * without maps, no "mapped by" (a peak's holders: the count is of when
 * the peak ended, not of the peak). */
static void add_usage_objects(struct text_sink *t, const char *label,
			      const struct sw_usage_object *rows, int n, bool maps)
{
	char a[32];

	for (int i = 0; i < n; i++) {
		const struct sw_usage_object *o = &rows[i];
		const char *sep = " (";

		human_size(a, sizeof(a), o->size);
		add(t, "%s", i ? ", " : "  ");
		if (!i)
			add(t, "%s: ", label);
		add_escaped(t, o->path, SW_NAME_LEN);
		add(t, " %s", a);
		if (o->unlinked) {
			add(t, "%sunlinked, still mapped", sep);
			sep = "; ";
		}
		if (o->creator_pid) {
			add(t, "%spid %u ", sep, o->creator_pid);
			add_escaped(t, o->creator_comm, SW_COMM_LEN);
			add(t, "%s", o->creator_gone ? ", exited" : "");
			sep = "; ";
		}
		if (maps) {
			add(t, "%smapped by %u", sep, o->mapped_by);
			sep = "; ";
		}
		if (sep[0] == ';')
			add(t, ")");
	}
	if (n)
		put_line(t);
}

/*
 * tmpfs /dev/shm in container web-1 (0:27): 2 objects, 3.0 MiB; mount 3.0 MiB/64 MiB used ...
 *   peak 3.0 MiB of 64 MiB at 12:03:44.120; 3.0 MiB would have sufficed, ...
 *   biggest: /dev/shm/a 2.0 MiB (pid 12 python3, exited; mapped by 0), ...
 *   by creator: pid 12 (python3, exited) 2.0 MiB in 1, ...
 *   growing: /dev/shm/a 0 B -> 2.0 MiB
 */
static void text_usage(struct sink *s, const struct sw_mount_usage *u)
{
	struct text_sink *t = (struct text_sink *)s;
	char a[32], b[32], name[512];

	human_size(a, sizeof(a), u->object_bytes);
	add(t, "tmpfs ");
	add_escaped(t, u->label[0] ? u->label : "?", SW_NAME_LEN);
	/* Its path is as the container sees it: the host's /dev/shm is
	 * another mount. */
	if (u->container)
		add(t, " in container %s", container_info_name(u->container, name, sizeof(name)));
	add(t, " (");
	add_dev(t, u->dev);
	add(t, "): %u objects, %s", u->n_objects, a);
	if (u->fs_size) {
		human_size(a, sizeof(a), u->fs_used);
		human_size(b, sizeof(b), u->fs_size);
		add(t, "; mount %s/%s used when last seen", a, b);
	}
	put_line(t);
	if (u->sufficient_size)
		add_sizing(t, u);
	add_usage_objects(t, "at the peak", u->peak_held, u->n_peak_held, false);
	add_usage_objects(t, "biggest", u->biggest, u->n_biggest, true);
	for (int i = 0; i < u->n_creators; i++) {
		const struct sw_usage_creator *c = &u->creators[i];

		human_size(a, sizeof(a), c->bytes);
		add(t, "%spid %u (", i ? ", " : "  by creator: ", c->pid);
		add_escaped(t, c->comm, SW_COMM_LEN);
		add(t, "%s) %s in %u", c->gone ? ", exited" : "", a, c->objects);
	}
	if (u->n_creators)
		put_line(t);
	for (int i = 0; i < u->n_growers; i++) {
		const struct sw_usage_grower *g = &u->growers[i];

		human_size(a, sizeof(a), g->from);
		human_size(b, sizeof(b), g->to);
		add(t, i ? ", " : "  growing: ");
		add_escaped(t, g->path, SW_NAME_LEN);
		add(t, " %s -> %s", a, b);
	}
	if (u->n_growers)
		put_line(t);
}

/* "  biggest: key 0x0000abcd id 5 32 MiB (pid 42 postgres; attached 1), ...";
 * without state, no attachments and removal (as add_usage_objects). */
static void add_usage_segments(struct text_sink *t, const char *label,
			       const struct sw_usage_segment *rows, int n, bool state)
{
	char a[32];

	for (int i = 0; i < n; i++) {
		const struct sw_usage_segment *g = &rows[i];

		human_size(a, sizeof(a), g->size);
		add(t, "%s", i ? ", " : "  ");
		if (!i)
			add(t, "%s: ", label);
		add(t, (__u32)g->key ? "key 0x%08" PRIx32 : "IPC_PRIVATE", (__u32)g->key);
		add(t, " id %d %s", g->shmid, a);
		if (g->creator_pid) {
			add(t, " (pid %u ", g->creator_pid);
			add_escaped(t, g->creator_comm, SW_COMM_LEN);
			add(t, "%s", g->creator_gone ? ", exited" : "");
		}
		if (state)
			add(t, "%s%sattached %u", g->creator_pid ? "; " : " (",
			    g->removed ? "removed, " : "", g->nattch);
		if (state || g->creator_pid)
			add(t, ")");
	}
	if (n)
		put_line(t);
}

/*
 * sysv, initial IPC namespace: 2 segments, 24 MiB
 *   peak 48 MiB in 5 segments at 12:03:44.120; most segments at once 6, biggest 32 MiB
 *   kernel.shmall=12288 kernel.shmmni=6 kernel.shmmax=33554432 would have sufficed (set: ...)
 */
static void text_sysv_usage(struct sink *s, const struct sw_sysv_usage *u)
{
	struct text_sink *t = (struct text_sink *)s;
	char a[32];

	human_size(a, sizeof(a), u->bytes);
	if (u->ipc_ns)
		add(t, "sysv, IPC namespace ipc:[%u]", u->ipc_ns);
	else
		add(t, "sysv, initial IPC namespace");
	add(t, ": %u segment%s, %s", u->segments, u->segments == 1 ? "" : "s", a);
	put_line(t);
	if (u->peak_segments) {
		human_size(a, sizeof(a), u->peak_bytes);
		add(t, "  peak %s in %u segment%s", a, u->peak_bytes_segments,
		    u->peak_bytes_segments == 1 ? "" : "s");
		if (u->peak_ts_ns) {
			add(t, " at ");
			add_clock(t, u->peak_ts_ns);
		}
		human_size(a, sizeof(a), u->biggest_size);
		add(t, "; most segments at once %u, biggest %s", u->peak_segments, a);
		put_line(t);
		add(t, "  kernel.shmall=%llu kernel.shmmni=%llu kernel.shmmax=%llu would have sufficed",
		    (unsigned long long)u->sufficient_shmall,
		    (unsigned long long)u->sufficient_shmmni,
		    (unsigned long long)u->sufficient_shmmax);
		if (u->shmmni)
			add(t, " (set: kernel.shmall=%llu kernel.shmmni=%llu kernel.shmmax=%llu)",
			    (unsigned long long)u->shmall, (unsigned long long)u->shmmni,
			    (unsigned long long)u->shmmax);
		put_line(t);
	}
	add_usage_segments(t, "at the peak", u->peak_held, u->n_peak_held, false);
	add_usage_segments(t, "biggest", u->biggest, u->n_biggest, true);
}

void sink_format_stats_line(char *buf, size_t len, const struct sw_stats *st)
{
	struct text_sink t = { .len = 0 };
	__u64 failed = 0;

	add(&t, "shmwatch: %llu events", (unsigned long long)st->events);
	for (__u32 i = 1, n = 0; i < SW_CALL_MAX; i++) {
		failed += st->failed[i];
		if (st->calls[i])
			add(&t, "%s %s %llu", n++ ? "" : ":", sw_calls[i].name,
			    (unsigned long long)st->calls[i]);
	}
	add(&t, "; %llu failed; %llu findings; %llu lost", (unsigned long long)failed,
	    (unsigned long long)st->findings, (unsigned long long)st->lost);
	snprintf(buf, len, "%.*s", (int)t.len, t.line);
}

/* The final counters go to stderr (pipeline.c), where they are seen even when
 * standard output is a pipe or /dev/null; here only a running warning. */
static void text_stats(struct sink *s, const struct sw_stats *st)
{
	struct text_sink *t = (struct text_sink *)s;

	if (st->final || !st->lost)
		return;
	add_color(t, "31;1");
	add(t, "shmwatch: %llu events lost so far (ring buffer full)", (unsigned long long)st->lost);
	add_color(t, "0");
	put_line(t);
}

static void text_header(struct sink *s, const struct sw_header *h)
{
	s->wall_offset_ns = h->wall_offset_ns;
}

static void text_free(struct sink *s)
{
	free(s);
}

static const struct sink_ops text_ops = {
	.header = text_header,
	.event = text_event,
	.finding = text_finding,
	.summary = text_summary,
	.usage = text_usage,
	.sysv_usage = text_sysv_usage,
	.stats = text_stats,
	.free = text_free,
};

struct sink *sink_text__new(struct outfile *out, const struct sink_text_opts *o)
{
	struct text_sink *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->base.ops = &text_ops;
	t->base.out = out;
	t->base.events = o->events;
	/* Event lines show no stack. */
	t->base.finding_frames = (__u32)(o->stack_depth > 0 ? o->stack_depth :
							       SW_DEFAULT_STACK_DEPTH);
	t->color = o->color;
	t->clock_sec = -1;
	return &t->base;
}
