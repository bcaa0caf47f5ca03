// SPDX-License-Identifier: GPL-2.0
/*
 * pipeline.c - the record pipeline behind pipeline.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "config.h"
#include "pipeline.h"
#include "lib/names.h"
#include "out/folded.h"
#include "trace/stacksites.h"

#define MAX_SINKS 4 /* a log file, standard output, the metrics */

struct pipeline {
	struct sink *sinks[MAX_SINKS];
	int n_sinks;
	struct outfile *log; /* the log file, for publishing and SIGHUP reopen */
	const char *log_path;
	struct symbolizer *sym;
	bool live;
	struct analyzer *analyzer;
	struct sw_stats stats;
	__u64 last_ts;
	bool error_reported;
	struct stack_sites *sites; /* live only: stacks of call sites */
	__u64 usage_every_ns;	   /* pipeline_opts' */
	__u64 usage_ts;		   /* when usage last reached the sinks */
	struct folded *folded;	   /* --folded, NULL: none */
	struct container_cache *containers; /* by cgroup id */
	bool stdout_json;
	bool failed_events; /* pipeline_opts.failed_events */
	bool no_summaries, summaries_findings_only; /* pipeline_opts' */
	/* Losses the analyzer was told of: the larger of what the records'
	 * gaps and the kernel's counters said, each only once. */
	__u64 lost_told;
	__u64 lost_in_gaps;
	__u64 uncertain_findings;
	/* The most frames of a stack that any sink shows. */
	__u32 event_frames;
	__u32 finding_frames;
	bool stop_requested; /* a sink's tick asked the trace to end */
	int tick_error;	     /* the first a sink's tick returned */
};

/*
 * A stack for the sinks: its first need frames resolved, the rest with
 * their ip only.  Returns how many frames there are.
 */
static __u32 resolve_stack(struct pipeline *pl, __u32 pid, const __u64 *ips, __u32 n, bool at_fault,
			   __u32 need, struct sw_frame *frames)
{
	if (n > SW_MAX_FRAMES)
		n = SW_MAX_FRAMES;
	for (__u32 i = 0; i < n; i++) {
		frames[i] = (struct sw_frame){ .ip = ips[i] };
		if (i < need)
			symbolizer__resolve(pl->sym, pid, ips[i], sym_ip_kind_of(at_fault, i),
					    &frames[i]);
	}
	return n;
}

static void fan_finding(void *ctx, const struct sw_finding *f)
{
	struct pipeline *pl = ctx;
	struct sw_frame site[SW_MAX_FRAMES], origin[SW_MAX_FRAMES];
	struct sink_finding sf = {
		.f = f,
		.site.frames = site,
		.origin.frames = origin,
	};

	pl->stats.findings++;
	pl->uncertain_findings += f->uncertain;
	sf.container = container_cache__lookup(pl->containers,
					       analyzer__cgroup_of(pl->analyzer, f->pid), f->pid);
	sf.site.n = resolve_stack(pl, f->site.pid, f->site.ip, f->site.n, f->site.at_fault,
				  pl->finding_frames, site);
	sf.origin.n = resolve_stack(pl, f->origin.pid, f->origin.ip, f->origin.n,
				    f->origin.at_fault, pl->finding_frames, origin);
	for (int i = 0; i < pl->n_sinks; i++)
		pl->sinks[i]->ops->finding(pl->sinks[i], &sf);
}

static bool has_findings(const struct sw_proc_summary *p)
{
	for (size_t i = 0; i < sizeof(p->findings) / sizeof(p->findings[0]); i++)
		if (p->findings[i])
			return true;
	return false;
}

static void fan_summary(void *ctx, const struct sw_proc_summary *p)
{
	struct pipeline *pl = ctx;
	struct sw_proc_summary named = *p;

	if (pl->no_summaries || (pl->summaries_findings_only && !has_findings(p)))
		return;
	named.container = container_cache__lookup(pl->containers, p->cgroup_id, p->pid);
	for (int i = 0; i < pl->n_sinks; i++)
		pl->sinks[i]->ops->summary(pl->sinks[i], &named);
}

static bool same_container(const struct container_info *a, const struct container_info *b)
{
	return a->ref.runtime == b->ref.runtime && !strcmp(a->ref.id, b->ref.id) &&
	       !strcmp(a->ref.pod_uid, b->ref.pod_uid) && !strcmp(a->ref.name, b->ref.name);
}

/*
 * The container whose mount u is: that of the cgroups whose calls made
 * objects on it, when they are one container's.  A mount the host's
 * processes used too is the host's, shared in (--ipc=host, a bind
 * mount); one that two containers share (a pod's, --ipc=container:) is
 * not named after either.  Only what the cache already knows (pid 0):
 * every event's cgroup was looked up as it came, live, and set from the
 * events' own "container" in a replay, so analyze names it alike.
 */
static const struct container_info *mount_container(struct pipeline *pl,
						    const struct sw_mount_usage *u)
{
	const struct container_info *c = container_cache__lookup(pl->containers, u->cgroup_id, 0);
	const struct container_info *o;

	if (!c || !u->other_cgroup_id)
		return c;
	o = container_cache__lookup(pl->containers, u->other_cgroup_id, 0);
	return o && same_container(c, o) ? c : NULL;
}

static void fan_usage(void *ctx, const struct sw_mount_usage *u)
{
	struct pipeline *pl = ctx;
	struct sw_mount_usage named = *u;

	named.container = mount_container(pl, u);
	for (int i = 0; i < pl->n_sinks; i++)
		pl->sinks[i]->ops->usage(pl->sinks[i], &named);
}

static void fan_sysv_usage(void *ctx, const struct sw_sysv_usage *u)
{
	struct pipeline *pl = ctx;

	for (int i = 0; i < pl->n_sinks; i++)
		pl->sinks[i]->ops->sysv_usage(pl->sinks[i], u);
}

/* The outputs: each one's constructor from the pipeline's options.  A new
 * output is a file in out/ (or log/), a function here, and the line in
 * open_sinks() that says when it is opened. */
typedef struct sink *(*sink_new_fn)(struct outfile *out, const struct pipeline_opts *o);

static struct sink *new_json(struct outfile *out, const struct pipeline_opts *o)
{
	return sink_json__new(out, !o->no_events);
}

static struct sink *new_text(struct outfile *out, const struct pipeline_opts *o)
{
	struct sink_text_opts to = {
		.color = o->color == PIPELINE_COLOR_ALWAYS ||
			 (o->color == PIPELINE_COLOR_AUTO && outfile__is_tty(out)),
		.events = !o->quiet && !o->no_events,
		.stack_depth = o->stack_depth,
	};

	return sink_text__new(out, &to);
}

static struct sink *new_report(struct outfile *out, const struct pipeline_opts *o)
{
	static const struct sink_report_opts none;

	return sink_report__new(out, o->report ? o->report : &none);
}

/* One output at path; a log (rotated, published, reopened) when is_log. */
static int add_sink(struct pipeline *pl, sink_new_fn new_sink, const char *path, bool is_log,
		    const struct pipeline_opts *o, char *err, size_t len)
{
	char why[128];
	struct outfile_opts oo = {
		.path = path,
		.rotate_size = is_log ? o->rotate_size : 0,
		.rotate_keep = o->rotate_keep,
		.held = true, /* until pipeline__publish: tracing may still fail to start */
		.why = why,
		.why_len = sizeof(why),
	};
	struct outfile *out;
	struct sink *s;
	int e;

	if (pl->n_sinks == MAX_SINKS) {
		snprintf(err, len, "too many outputs");
		return -EINVAL;
	}
	out = outfile__open(&oo);
	e = errno;
	if (!out) {
		snprintf(err, len, "can't create %s: %s", path, why);
		return -e;
	}
	s = new_sink(out, o);
	if (!s) {
		outfile__close(out);
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	if (s->event_frames > pl->event_frames)
		pl->event_frames = s->event_frames;
	if (s->finding_frames > pl->finding_frames)
		pl->finding_frames = s->finding_frames;
	if (is_log && path && strcmp(path, "-")) {
		pl->log = out;
		pl->log_path = path;
	}
	pl->sinks[pl->n_sinks++] = s;
	return 0;
}

/* The live view: no outfile, standard output is the terminal it draws. */
static int add_top(struct pipeline *pl, const struct pipeline_opts *o, char *err, size_t len)
{
	struct sink_top_opts to = { .color = o->color_view, .command_fd = o->command_fd };
	struct sink *s;

	if (pl->n_sinks == MAX_SINKS) {
		snprintf(err, len, "too many outputs");
		return -EINVAL;
	}
	s = sink_top__new(&to, err, len);
	if (!s)
		return -EINVAL;
	pl->sinks[pl->n_sinks++] = s;
	return 0;
}

static int open_sinks(struct pipeline *pl, const struct pipeline_opts *o, char *err, size_t len)
{
	bool log_to_stdout = o->log_path && !strcmp(o->log_path, "-");
	int ret;

	/* A log file is opened first: if it cannot be created, nothing else
	 * has been started. */
	if (o->log_path && !log_to_stdout) {
		ret = add_sink(pl, new_json, o->log_path, true, o, err, len);
		if (ret)
			return ret;
	}
	if (o->metrics_addr || o->metrics_file) {
		struct sink_metrics_opts mo = { .file = o->metrics_file, .addr = o->metrics_addr };
		struct sink *s = sink_metrics__new(&mo, err, len);

		if (!s)
			return -EINVAL;
		pl->sinks[pl->n_sinks++] = s;
	}
	/* The report is all that is written: no text view beside it. */
	if (o->report_path)
		return add_sink(pl, new_report, o->report_path, false, o, err, len);
	pl->stdout_json = log_to_stdout || o->stdout_json;
	if (o->top && !pl->stdout_json)
		return add_top(pl, o, err, len);
	if (pl->stdout_json)
		return add_sink(pl, new_json, "-", true, o, err, len);
	return add_sink(pl, new_text, "-", false, o, err, len);
}

struct pipeline *pipeline__new(const struct pipeline_opts *o, const struct sw_header *h, char *err, size_t len)
{
	struct pipeline *pl = calloc(1, sizeof(*pl));
	struct analyzer_opts ao;

	if (!pl) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	/* The analyzer judges by what the header says, live or from a log. */
	config_analyzer_opts(h, o->keep_exited, &ao);
	ao.state_max = o->state_max;
	ao.on_finding = fan_finding;
	ao.on_summary = fan_summary;
	ao.on_usage = fan_usage;
	ao.on_sysv_usage = fan_sysv_usage;
	ao.ctx = pl;
	pl->live = o->live;
	pl->usage_every_ns = o->usage_every_ns;
	pl->failed_events = o->failed_events;
	pl->no_summaries = o->no_summaries;
	pl->summaries_findings_only = o->summaries_findings_only;
	pl->sym = symbolizer__new(o->live ? "/proc" : NULL);
	pl->containers = container_cache__new(o->live ? "/proc" : NULL, "");
	/* Twice the kernel's map of sent sites (bpf/shmwatch.bpf.c). */
	pl->sites = o->live ? stack_sites__new(32768) : NULL;
	if (!pl->sym || !pl->containers || (o->live && !pl->sites)) {
		snprintf(err, len, "out of memory");
		goto fail;
	}
	if (open_sinks(pl, o, err, len))
		goto fail;
	if (o->folded_path && !(pl->folded = folded__open(o->folded_path, err, len)))
		goto fail;
	pl->analyzer = analyzer__new(&ao);
	if (!pl->analyzer) {
		snprintf(err, len, "out of memory");
		goto fail;
	}
	pl->last_ts = h->start_ts_ns;
	for (int i = 0; i < pl->n_sinks; i++)
		pl->sinks[i]->ops->header(pl->sinks[i], h);
	return pl;
fail:
	pipeline__free(pl);
	return NULL;
}

/*
 * Frame-pointer unwinding from inside a frameless leaf (glibc's syscall
 * wrappers) skips the leaf's caller: its return address sits at the stack
 * pointer, not behind a frame.  The kernel side sends that word; put it
 * in as the second frame when it points into code and is not there yet.
 */
static const struct sw_event *with_leaf_caller(struct pipeline *pl, const struct sw_event *e,
					       struct sw_event *fixed)
{
	struct sw_frame f;

	if (!e->leaf_ret || e->n_frames >= SW_MAX_FRAMES ||
	    (e->n_frames > 1 && e->stack[1] == e->leaf_ret))
		return e;
	symbolizer__note(pl->sym, e->pid, &e->leaf_ret, 1);
	if (symbolizer__resolve(pl->sym, e->pid, e->leaf_ret, SYM_IP_RETURN, &f) || !f.module)
		return e;
	*fixed = *e;
	memmove(&fixed->stack[2], &fixed->stack[1], (e->n_frames - 1) * sizeof(e->stack[0]));
	fixed->stack[1] = e->leaf_ret;
	fixed->n_frames++;
	return fixed;
}

/* A record sent without the stack its call site already sent: a copy
 * with it, or e itself. */
static const struct sw_event *with_site_stack(struct pipeline *pl, const struct sw_event *e,
					      struct sw_event *filled)
{
	if (!pl->sites || !e->stack_key)
		return e;
	if (!(e->stack_flags & SW_STACK_SAME_SITE)) {
		stack_sites__remember(pl->sites, e);
		return e;
	}
	*filled = *e;
	return stack_sites__fill(pl->sites, filled) ? filled : e;
}

/* Losses up to total (a running count) reach the analyzer once, in order
 * with the events, so no finding rests unmarked on state a gap hid. */
static void tell_lost(struct pipeline *pl, __u64 total, __u64 ts_ns)
{
	if (total <= pl->lost_told)
		return;
	analyzer__lost(pl->analyzer, ts_ns, total - pl->lost_told);
	pl->lost_told = total;
}

/* A mapping the kernel described ahead of a process image's first
 * stack: for the symbolizer only. */
static void add_mapping(struct pipeline *pl, const struct sw_event *e)
{
	char path[SW_NAME_LEN + 1];
	struct sym_mapping m = {
		.start = e->map.start,
		.end = e->map.end,
		.offset = e->map.offset,
		.dev = makedev(e->map.dev >> 20, e->map.dev & 0xfffff),
		.ino = e->map.ino,
		.path = path,
	};

	memcpy(path, e->map.path, SW_NAME_LEN);
	path[SW_NAME_LEN] = '\0';
	symbolizer__add_mapping(pl->sym, e->pid, &m);
}

/* The record for the sinks: e's stack resolved live, or as a log gave it. */
static void fan_event(struct pipeline *pl, const struct sw_event *e, const struct sw_frame *logged,
		      const struct container_info *container)
{
	struct sw_frame frames[SW_MAX_FRAMES];
	struct sink_event se = {
		.e = e,
		.seq = e->seq,
		.stack_from = e->stack_from,
		.stack.frames = logged,
		.stack.n = e->n_frames < SW_MAX_FRAMES ? e->n_frames : SW_MAX_FRAMES,
		.container = container,
	};

	/* No sink shows an event's stack: it gets none, rather than frames
	 * nobody filled in. */
	if (!logged) {
		se.stack.frames = frames;
		se.stack.n = pl->event_frames ?
			resolve_stack(pl, e->pid, e->stack, e->n_frames,
				      sw_event_stack_at_fault(e), pl->event_frames, frames) : 0;
	}
	for (int i = 0; i < pl->n_sinks; i++)
		pl->sinks[i]->ops->event(pl->sinks[i], &se);
}

static void on_event(struct pipeline *pl, const struct sw_event *e, const struct sw_frame *logged)
{
	const struct container_info *container;
	struct sw_event fixed, filled;

	if (e->lost_before) {
		pl->lost_in_gaps += e->lost_before;
		tell_lost(pl, pl->lost_in_gaps, e->ts_ns);
	}
	if (e->kind == SW_REC_MAPPING) {
		if (pl->live)
			add_mapping(pl, e);
		return;
	}
	if (e->kind >= SW_EV_KIND_MAX)
		return; /* no event (SW_REC_CGROUP is the container filter's) */
	/* Until it execs, a child resolves through its parent's mappings,
	 * even if it is gone before its own are read. */
	if (pl->live && e->kind == SW_EV_FORK)
		symbolizer__fork(pl->sym, e->pid, e->fork.child_pid);
	pl->stats.events++;
	if (e->kind == SW_EV_CALL && e->call < SW_CALL_MAX) {
		pl->stats.calls[e->call]++;
		if (sw_ret_is_err(e->c.ret))
			pl->stats.failed[e->call]++;
	}
	/* Usage as it was after the previous event, stamped with its time:
	 * a change just before a quiet spell is shown when it happened. */
	if (pl->usage_every_ns && e->ts_ns < pl->usage_ts)
		pl->usage_ts = e->ts_ns; /* logs out of order: time went back */
	if (pl->usage_every_ns && e->ts_ns - pl->usage_ts >= pl->usage_every_ns &&
	    e->ts_ns > pl->last_ts) {
		analyzer__usage(pl->analyzer, pl->last_ts, true, fan_usage, pl);
		analyzer__sysv_usage(pl->analyzer, pl->last_ts, true, fan_sysv_usage, pl);
		pl->usage_ts = pl->last_ts;
	}
	pl->last_ts = e->ts_ns;
	e = with_site_stack(pl, e, &filled);
	/* Read the process's module map now, while it is sure to live. */
	if (pl->live && e->n_frames) {
		symbolizer__note(pl->sym, e->pid, e->stack, (int)e->n_frames);
		e = with_leaf_caller(pl, e, &fixed);
	}
	/* Looked up for every event, also those the sinks do not get: a
	 * mount's usage names its container by what the cache learnt here
	 * (mount_container). */
	container = container_cache__lookup(pl->containers, e->cgroup_id, e->pid);
	if (!pl->failed_events || e->kind == SW_EV_SIGNAL ||
	    (e->kind == SW_EV_CALL && sw_ret_is_err(e->c.ret)))
		fan_event(pl, e, logged, container);
	analyzer__event(pl->analyzer, e);
	/* After the analyzer: its exit findings still resolve this pid. */
	if (e->kind == SW_EV_EXIT || e->kind == SW_EV_EXEC)
		symbolizer__exit(pl->sym, e->pid);
}

void pipeline__event(struct pipeline *pl, const struct sw_event *e)
{
	on_event(pl, e, NULL);
}

void pipeline__replay_event(struct pipeline *pl, const struct sw_event *e, const struct sw_frame *frames)
{
	bool at_fault = sw_event_stack_at_fault(e);

	/* The symbolizer keeps them for the stacks of the findings to come,
	 * which name this record's stack by its addresses. */
	for (__u32 i = 0; i < e->n_frames && i < SW_MAX_FRAMES; i++)
		symbolizer__add_frame(pl->sym, e->pid, sym_ip_kind_of(at_fault, i), &frames[i]);
	on_event(pl, e, frames);
}

void pipeline__replay_container(struct pipeline *pl, __u64 cgroup_id,
				 const struct container_info *ci)
{
	container_cache__set(pl->containers, cgroup_id, ci);
}

void pipeline__lost(struct pipeline *pl, const __u64 *lost_slots)
{
	__u64 total = 0;

	for (int i = 0; i < SW_LOST_SLOTS; i++)
		total += lost_slots[i];
	memcpy(pl->stats.lost_slots, lost_slots, sizeof(pl->stats.lost_slots));
	/* Losses no record has shown yet: the next one after them is still
	 * to come, or there is none. */
	tell_lost(pl, total, pl->last_ts);
	pl->stats.lost = total;
}

void pipeline__ring(struct pipeline *pl, __u64 size, __u64 peak)
{
	pl->stats.ring_size = size;
	pl->stats.ring_peak = peak;
}

void pipeline__stats(struct pipeline *pl, bool final)
{
	/* The live view: mounts whose objects and namespaces whose
	 * segments changed since the last stats (the final view comes with
	 * the summaries). */
	if (!final) {
		analyzer__usage(pl->analyzer, pl->last_ts, true, fan_usage, pl);
		analyzer__sysv_usage(pl->analyzer, pl->last_ts, true, fan_sysv_usage, pl);
	}
	pl->stats.ts_ns = pl->last_ts;
	pl->stats.final = final;
	analyzer__state(pl->analyzer, &pl->stats.state);
	for (int i = 0; i < pl->n_sinks; i++)
		pl->sinks[i]->ops->stats(pl->sinks[i], &pl->stats);
	for (int i = 0; i < pl->n_sinks; i++)
		if (pl->sinks[i]->out)
			outfile__flush(pl->sinks[i]->out);
}

void pipeline__finish(struct pipeline *pl)
{
	char line[1024];
	int err;

	/* What is held at the end, before the end-of-trace findings. */
	if (pl->folded && (err = folded__write(pl->folded, pl->analyzer, pl->sym))) {
		fprintf(stderr, "shmwatch: can't write the folded stacks: %s\n", strerror(-err));
		pl->error_reported = true;
	}
	analyzer__finish(pl->analyzer, pl->last_ts);
	pipeline__stats(pl, true);
	sink_format_stats_line(line, sizeof(line), &pl->stats);
	fprintf(stderr, "%s\n", line);
	if (pl->stats.lost)
		fprintf(stderr, "shmwatch: %llu records were lost (the ring buffer was full; see --ringbuf-size); "
			"%llu of the %llu findings rest on state the gaps may have changed and are marked uncertain\n",
			(unsigned long long)pl->stats.lost,
			(unsigned long long)pl->uncertain_findings,
			(unsigned long long)pl->stats.findings);
	if (pl->stats.state.dropped_procs || pl->stats.state.dropped_objects) {
		char max[32];

		human_size(max, sizeof(max), pl->stats.state.max);
		fprintf(stderr, "shmwatch: the state cap (%s, --state-max) made the analyzer forget %llu processes and %llu objects; "
			"%llu leak verdicts on what they could reach were withheld\n",
			max, (unsigned long long)pl->stats.state.dropped_procs,
			(unsigned long long)pl->stats.state.dropped_objects,
			(unsigned long long)pl->stats.state.unjudged);
	}
	if (pl->sites && stack_sites__misses(pl->sites))
		fprintf(stderr, "shmwatch: %llu records went without a stack: their call site's first record was lost\n",
			stack_sites__misses(pl->sites));
}

int pipeline__publish(struct pipeline *pl)
{
	int ret;

	if (!pl->log)
		return 0;
	ret = outfile__publish(pl->log);
	if (ret) {
		fprintf(stderr, "shmwatch: can't create %s: %s\n", pl->log_path,
			outfile__strerror(pl->log));
		pl->error_reported = true;
		return ret;
	}
	if (outfile__replaced(pl->log))
		fprintf(stderr, "shmwatch: replaced the existing file %s\n", pl->log_path);
	return 0;
}

void pipeline__tick(struct pipeline *pl, __u64 now_ns)
{
	for (int i = 0; i < pl->n_sinks; i++) {
		struct sink *s = pl->sinks[i];
		int ret;

		if (s->out)
			outfile__tick(s->out, now_ns);
		if (!s->ops->tick)
			continue;
		ret = s->ops->tick(s, pl->analyzer, now_ns);
		if (ret == SINK_TICK_STOP)
			pl->stop_requested = true;
		else if (ret < 0 && !pl->tick_error)
			pl->tick_error = ret;
	}
}

bool pipeline__stop_requested(struct pipeline *pl)
{
	bool asked = pl->stop_requested;

	pl->stop_requested = false;
	return asked;
}

void pipeline__reopen(struct pipeline *pl)
{
	if (!pl->log || !outfile__reopen(pl->log) || pl->error_reported)
		return;
	fprintf(stderr, "shmwatch: can't reopen %s: %s\n", pl->log_path,
		outfile__strerror(pl->log));
	pl->error_reported = true;
}

bool pipeline__stdout_is_log(const struct pipeline *pl)
{
	return pl->stdout_json;
}

bool pipeline__output_failed(const struct pipeline *pl)
{
	if (pl->tick_error)
		return true;
	for (int i = 0; i < pl->n_sinks; i++)
		if (pl->sinks[i]->out && outfile__error(pl->sinks[i]->out))
			return true;
	return false;
}

int pipeline__output_error(struct pipeline *pl)
{
	if (pl->tick_error) {
		if (!pl->error_reported)
			fprintf(stderr, "shmwatch: can't draw the live view: %s\n",
				strerror(-pl->tick_error));
		pl->error_reported = true;
		return pl->tick_error;
	}
	for (int i = 0; i < pl->n_sinks; i++) {
		int err = pl->sinks[i]->out ? outfile__error(pl->sinks[i]->out) : 0;

		if (!err)
			continue;
		if (!pl->error_reported)
			fprintf(stderr, "shmwatch: can't write %s: %s\n",
				pl->sinks[i]->out == pl->log ? "the log" : "standard output",
				strerror(-err));
		pl->error_reported = true;
		return err;
	}
	return 0;
}

struct analyzer *pipeline__analyzer(struct pipeline *pl)
{
	return pl->analyzer;
}

const struct sw_stats *pipeline__counts(const struct pipeline *pl)
{
	return &pl->stats;
}

int pipeline__free(struct pipeline *pl)
{
	int ret = 0;

	if (!pl)
		return 0;
	analyzer__free(pl->analyzer);
	for (int i = 0; i < pl->n_sinks; i++) {
		int err = sink__close(pl->sinks[i]);

		if (err && !ret) {
			if (!pl->error_reported)
				fprintf(stderr, "shmwatch: can't write output: %s\n", strerror(-err));
			ret = err;
		}
	}
	if (folded__close(pl->folded) && !ret)
		ret = -EIO;
	symbolizer__free(pl->sym);
	container_cache__free(pl->containers);
	stack_sites__free(pl->sites);
	free(pl);
	return ret;
}
