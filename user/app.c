// SPDX-License-Identifier: GPL-2.0
/*
 * app.c - the record pipeline behind app.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "app.h"
#include "lib/names.h"
#include "trace/stacksites.h"

#define MAX_SINKS 4 /* today a log file and standard output */

struct app {
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
	bool stdout_json;
	/* Losses the analyzer was told of: the larger of what the records'
	 * gaps and the kernel's counters said, each only once. */
	__u64 lost_told;
	__u64 lost_in_gaps;
	__u64 uncertain_findings;
	/* The most frames of a stack that any sink shows. */
	__u32 event_frames;
	__u32 finding_frames;
};

/*
 * A stack for the sinks: its first need frames resolved, the rest with
 * their ip only.  Returns how many frames there are.
 */
static __u32 resolve_stack(struct app *app, __u32 pid, const __u64 *ips, __u32 n, bool at_fault,
			   __u32 need, struct sw_frame *frames)
{
	if (n > SW_MAX_FRAMES)
		n = SW_MAX_FRAMES;
	for (__u32 i = 0; i < n; i++) {
		frames[i] = (struct sw_frame){ .ip = ips[i] };
		if (i < need)
			symbolizer__resolve(app->sym, pid, ips[i], sw_ip_kind_of(at_fault, i),
					    &frames[i]);
	}
	return n;
}

static void fan_finding(void *ctx, const struct sw_finding *f)
{
	struct app *app = ctx;
	struct sw_frame site[SW_MAX_FRAMES], origin[SW_MAX_FRAMES];
	struct sink_finding sf = {
		.f = f,
		.site.frames = site,
		.origin.frames = origin,
	};

	app->stats.findings++;
	app->uncertain_findings += f->uncertain;
	sf.site.n = resolve_stack(app, f->site.pid, f->site.ip, f->site.n, f->site.at_fault,
				  app->finding_frames, site);
	sf.origin.n = resolve_stack(app, f->origin.pid, f->origin.ip, f->origin.n,
				    f->origin.at_fault, app->finding_frames, origin);
	for (int i = 0; i < app->n_sinks; i++)
		app->sinks[i]->ops->finding(app->sinks[i], &sf);
}

static void fan_summary(void *ctx, const struct sw_proc_summary *p)
{
	struct app *app = ctx;

	for (int i = 0; i < app->n_sinks; i++)
		app->sinks[i]->ops->summary(app->sinks[i], p);
}

static void fan_usage(void *ctx, const struct sw_mount_usage *u)
{
	struct app *app = ctx;

	for (int i = 0; i < app->n_sinks; i++)
		app->sinks[i]->ops->usage(app->sinks[i], u);
}

/* The outputs: each one's constructor from the pipeline's options.  A new
 * output is a file in out/ (or log/), a function here, and the line in
 * open_sinks() that says when it is opened. */
typedef struct sink *(*sink_new_fn)(struct outfile *out, const struct app_opts *o);

static struct sink *new_json(struct outfile *out, const struct app_opts *o)
{
	return sink_json__new(out, !o->no_events);
}

static struct sink *new_text(struct outfile *out, const struct app_opts *o)
{
	struct sink_text_opts to = {
		.color = o->color == APP_COLOR_ALWAYS ||
			 (o->color == APP_COLOR_AUTO && outfile__is_tty(out)),
		.events = !o->quiet && !o->no_events,
		.stack_depth = o->stack_depth,
	};

	return sink_text__new(out, &to);
}

/* One output at path; a log (rotated, published, reopened) when is_log. */
static int add_sink(struct app *app, sink_new_fn new_sink, const char *path, bool is_log,
		    const struct app_opts *o, char *err, size_t len)
{
	char why[128];
	struct outfile_opts oo = {
		.path = path,
		.rotate_size = is_log ? o->rotate_size : 0,
		.rotate_keep = o->rotate_keep,
		.held = true, /* until app_publish: tracing may still fail to start */
		.why = why,
		.why_len = sizeof(why),
	};
	struct outfile *out;
	struct sink *s;
	int e;

	if (app->n_sinks == MAX_SINKS) {
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
	if (s->event_frames > app->event_frames)
		app->event_frames = s->event_frames;
	if (s->finding_frames > app->finding_frames)
		app->finding_frames = s->finding_frames;
	if (is_log && path && strcmp(path, "-")) {
		app->log = out;
		app->log_path = path;
	}
	app->sinks[app->n_sinks++] = s;
	return 0;
}

static int open_sinks(struct app *app, const struct app_opts *o, char *err, size_t len)
{
	bool log_to_stdout = o->log_path && !strcmp(o->log_path, "-");
	int ret;

	/* A log file is opened first: if it cannot be created, nothing else
	 * has been started. */
	if (o->log_path && !log_to_stdout) {
		ret = add_sink(app, new_json, o->log_path, true, o, err, len);
		if (ret)
			return ret;
	}
	app->stdout_json = log_to_stdout || o->stdout_json;
	if (app->stdout_json)
		return add_sink(app, new_json, "-", true, o, err, len);
	return add_sink(app, new_text, "-", false, o, err, len);
}

struct app *app_new(const struct app_opts *o, const struct sw_header *h, char *err, size_t len)
{
	struct app *app = calloc(1, sizeof(*app));
	struct analyzer_opts ao = {
		.max_size = h->max_size,
		.shmmax = h->shmmax,
		.mem_total = h->mem_total,
		.shm_rmid_forced = h->shm_rmid_forced,
		.all_mmaps = h->all_mmaps,
		.growth_window_ns = h->growth_window_ns,
		.growth_threshold = h->growth_threshold,
		.keep_exited = o->keep_exited,
		.on_finding = fan_finding,
		.on_summary = fan_summary,
		.on_usage = fan_usage,
	};

	if (!app) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	ao.ctx = app;
	app->live = o->live;
	app->sym = symbolizer__new(o->live ? "/proc" : NULL);
	/* Twice the kernel's map of sent sites (bpf/shmwatch.bpf.c). */
	app->sites = o->live ? stack_sites__new(32768) : NULL;
	if (!app->sym || (o->live && !app->sites)) {
		snprintf(err, len, "out of memory");
		goto fail;
	}
	if (open_sinks(app, o, err, len))
		goto fail;
	app->analyzer = analyzer__new(&ao);
	if (!app->analyzer) {
		snprintf(err, len, "out of memory");
		goto fail;
	}
	app->last_ts = h->start_ts_ns;
	for (int i = 0; i < app->n_sinks; i++)
		app->sinks[i]->ops->header(app->sinks[i], h);
	return app;
fail:
	app_free(app);
	return NULL;
}

/*
 * Frame-pointer unwinding from inside a frameless leaf (glibc's syscall
 * wrappers) skips the leaf's caller: its return address sits at the stack
 * pointer, not behind a frame.  The kernel side sends that word; put it
 * in as the second frame when it points into code and is not there yet.
 */
static const struct sw_event *with_leaf_caller(struct app *app, const struct sw_event *e,
					       struct sw_event *fixed)
{
	struct sw_frame f;

	if (!e->leaf_ret || e->n_frames >= SW_MAX_FRAMES ||
	    (e->n_frames > 1 && e->stack[1] == e->leaf_ret))
		return e;
	symbolizer__note(app->sym, e->pid, &e->leaf_ret, 1);
	if (symbolizer__resolve(app->sym, e->pid, e->leaf_ret, SW_IP_RETURN, &f) || !f.module)
		return e;
	*fixed = *e;
	memmove(&fixed->stack[2], &fixed->stack[1], (e->n_frames - 1) * sizeof(e->stack[0]));
	fixed->stack[1] = e->leaf_ret;
	fixed->n_frames++;
	return fixed;
}

/* A record sent without the stack its call site already sent: a copy
 * with it, or e itself. */
static const struct sw_event *with_site_stack(struct app *app, const struct sw_event *e,
					      struct sw_event *filled)
{
	if (!app->sites || !e->stack_key)
		return e;
	if (!(e->stack_flags & SW_STACK_SAME_SITE)) {
		stack_sites__remember(app->sites, e);
		return e;
	}
	*filled = *e;
	return stack_sites__fill(app->sites, filled) ? filled : e;
}

/* Losses up to total (a running count) reach the analyzer once, in order
 * with the events, so no finding rests unmarked on state a gap hid. */
static void tell_lost(struct app *app, __u64 total, __u64 ts_ns)
{
	if (total <= app->lost_told)
		return;
	analyzer__lost(app->analyzer, ts_ns, total - app->lost_told);
	app->lost_told = total;
}

/* A mapping the kernel described ahead of a process image's first
 * stack: for the symbolizer only. */
static void add_mapping(struct app *app, const struct sw_event *e)
{
	char path[SW_NAME_LEN + 1];
	struct sw_code_mapping m = {
		.start = e->map.start,
		.end = e->map.end,
		.offset = e->map.offset,
		.dev = makedev(e->map.dev >> 20, e->map.dev & 0xfffff),
		.ino = e->map.ino,
		.path = path,
	};

	memcpy(path, e->map.path, SW_NAME_LEN);
	path[SW_NAME_LEN] = '\0';
	symbolizer__add_mapping(app->sym, e->pid, &m);
}

/* The record for the sinks: e's stack resolved live, or as a log gave it. */
static void fan_event(struct app *app, const struct sw_event *e, const struct sw_frame *logged)
{
	struct sw_frame frames[SW_MAX_FRAMES];
	struct sink_event se = {
		.e = e,
		.seq = e->seq,
		.stack_from = e->stack_from,
		.frames = logged,
		.n_frames = e->n_frames < SW_MAX_FRAMES ? e->n_frames : SW_MAX_FRAMES,
	};

	if (!logged && app->event_frames)
		se.n_frames = resolve_stack(app, e->pid, e->stack, e->n_frames,
					    sw_event_stack_at_fault(e), app->event_frames, frames);
	if (!logged)
		se.frames = frames;
	for (int i = 0; i < app->n_sinks; i++)
		app->sinks[i]->ops->event(app->sinks[i], &se);
}

static void on_event(struct app *app, const struct sw_event *e, const struct sw_frame *logged)
{
	struct sw_event fixed, filled;

	if (e->lost_before) {
		app->lost_in_gaps += e->lost_before;
		tell_lost(app, app->lost_in_gaps, e->ts_ns);
	}
	if (e->kind == SW_REC_MAPPING) {
		if (app->live)
			add_mapping(app, e);
		return;
	}
	/* Until it execs, a child resolves through its parent's mappings,
	 * even if it is gone before its own are read. */
	if (app->live && e->kind == SW_EV_FORK)
		symbolizer__fork(app->sym, e->pid, e->fork.child_pid);
	app->stats.events++;
	if (e->kind == SW_EV_CALL && e->call < SW_CALL_MAX) {
		app->stats.calls[e->call]++;
		if (sw_ret_is_err(e->c.ret))
			app->stats.failed[e->call]++;
	}
	app->last_ts = e->ts_ns;
	e = with_site_stack(app, e, &filled);
	/* Read the process's module map now, while it is sure to live. */
	if (app->live && e->n_frames) {
		symbolizer__note(app->sym, e->pid, e->stack, (int)e->n_frames);
		e = with_leaf_caller(app, e, &fixed);
	}
	fan_event(app, e, logged);
	analyzer__event(app->analyzer, e);
	/* After the analyzer: its exit findings still resolve this pid. */
	if (e->kind == SW_EV_EXIT || e->kind == SW_EV_EXEC)
		symbolizer__exit(app->sym, e->pid);
}

void app_event(struct app *app, const struct sw_event *e)
{
	on_event(app, e, NULL);
}

void app_replay_event(struct app *app, const struct sw_event *e, const struct sw_frame *frames)
{
	bool at_fault = sw_event_stack_at_fault(e);

	/* The symbolizer keeps them for the stacks of the findings to come,
	 * which name this record's stack by its addresses. */
	for (__u32 i = 0; i < e->n_frames && i < SW_MAX_FRAMES; i++)
		symbolizer__add_frame(app->sym, e->pid, sw_ip_kind_of(at_fault, i), &frames[i]);
	on_event(app, e, frames);
}

void app_lost(struct app *app, const __u64 *lost_slots)
{
	__u64 total = 0;

	for (int i = 0; i < SW_LOST_SLOTS; i++)
		total += lost_slots[i];
	memcpy(app->stats.lost_slots, lost_slots, sizeof(app->stats.lost_slots));
	/* Losses no record has shown yet: the next one after them is still
	 * to come, or there is none. */
	tell_lost(app, total, app->last_ts);
	app->stats.lost = total;
}

void app_stats(struct app *app, bool final)
{
	/* The live view: mounts whose objects changed since the last
	 * stats (the final view comes with the summaries). */
	if (!final)
		analyzer__usage(app->analyzer, app->last_ts, true, fan_usage, app);
	app->stats.ts_ns = app->last_ts;
	app->stats.final = final;
	for (int i = 0; i < app->n_sinks; i++)
		app->sinks[i]->ops->stats(app->sinks[i], &app->stats);
	for (int i = 0; i < app->n_sinks; i++)
		outfile__flush(app->sinks[i]->out);
}

void app_finish(struct app *app)
{
	char line[1024];

	analyzer__finish(app->analyzer, app->last_ts);
	app_stats(app, true);
	sink_format_stats_line(line, sizeof(line), &app->stats);
	fprintf(stderr, "%s\n", line);
	if (app->stats.lost)
		fprintf(stderr, "shmwatch: %llu records were lost (the ring buffer was full; see --ringbuf-size); "
			"%llu of the %llu findings rest on state the gaps may have changed and are marked uncertain\n",
			(unsigned long long)app->stats.lost,
			(unsigned long long)app->uncertain_findings,
			(unsigned long long)app->stats.findings);
	if (app->sites && stack_sites__misses(app->sites))
		fprintf(stderr, "shmwatch: %llu records went without a stack: their call site's first record was lost\n",
			stack_sites__misses(app->sites));
}

int app_publish(struct app *app)
{
	int ret;

	if (!app->log)
		return 0;
	ret = outfile__publish(app->log);
	if (ret) {
		fprintf(stderr, "shmwatch: can't create %s: %s\n", app->log_path,
			outfile__strerror(app->log));
		app->error_reported = true;
		return ret;
	}
	if (outfile__replaced(app->log))
		fprintf(stderr, "shmwatch: replaced the existing file %s\n", app->log_path);
	return 0;
}

void app_tick(struct app *app, __u64 now_ns)
{
	for (int i = 0; i < app->n_sinks; i++)
		outfile__tick(app->sinks[i]->out, now_ns);
}

void app_reopen(struct app *app)
{
	if (!app->log || !outfile__reopen(app->log) || app->error_reported)
		return;
	fprintf(stderr, "shmwatch: can't reopen %s: %s\n", app->log_path,
		outfile__strerror(app->log));
	app->error_reported = true;
}

bool app_stdout_is_log(const struct app *app)
{
	return app->stdout_json;
}

int app_output_error(struct app *app)
{
	for (int i = 0; i < app->n_sinks; i++) {
		int err = outfile__error(app->sinks[i]->out);

		if (!err)
			continue;
		if (!app->error_reported)
			fprintf(stderr, "shmwatch: can't write %s: %s\n",
				app->sinks[i]->out == app->log ? "the log" : "standard output",
				strerror(-err));
		app->error_reported = true;
		return err;
	}
	return 0;
}

struct analyzer *app_analyzer(struct app *app)
{
	return app->analyzer;
}

int app_free(struct app *app)
{
	int ret = 0;

	if (!app)
		return 0;
	analyzer__free(app->analyzer);
	for (int i = 0; i < app->n_sinks; i++) {
		int err = sink__close(app->sinks[i]);

		if (err && !ret) {
			if (!app->error_reported)
				fprintf(stderr, "shmwatch: can't write output: %s\n", strerror(-err));
			ret = err;
		}
	}
	symbolizer__free(app->sym);
	stack_sites__free(app->sites);
	free(app);
	return ret;
}

static __u64 read_u64_file(const char *path)
{
	unsigned long long v = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	if (fscanf(f, "%llu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

void app_read_kernel_limits(struct sw_header *h)
{
	char line[256];
	unsigned long long kb, total = 0;
	FILE *f;

	h->shmmax = read_u64_file("/proc/sys/kernel/shmmax");
	h->shm_rmid_forced = read_u64_file("/proc/sys/kernel/shm_rmid_forced") != 0;
	f = fopen("/proc/meminfo", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "MemTotal: %llu kB", &kb) == 1 ||
		    sscanf(line, "SwapTotal: %llu kB", &kb) == 1)
			total += kb * 1024;
	}
	fclose(f);
	h->mem_total = total;
}
