/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sink.h - the interface every output implements.
 *
 * The pipeline (pipeline.c) prepares each record once and hands it to every
 * sink it opened; a sink only formats and writes it to its outfile.
 * What a sink gets:
 *   header   once, first: the run (log/schema.h); it carries the wall
 *            clock offset that turns ts_ns into a time of day
 *   event    each traced event, with its stack already resolved
 *            (struct sink_event), in sequence order
 *   finding  each finding, its site and origin stacks resolved
 *   usage    a memory filesystem's usage, now and then and at the end
 *   sysv_usage  the same for an IPC namespace's SysV segments
 *   summary  one per process, at the end
 *   stats    the counters, every few seconds and once at the end
 *   free     frees the sink (sink__close closes its outfile after it)
 *   tick     every turn of the live trace's loop, with the analyzer to
 *            read (its views) and the monotonic time: a live view
 *            redraws there; returns 0, SINK_TICK_STOP to ask the trace
 *            to end as Ctrl-C would, or -errno when it failed
 * All of them but tick (NULL: none) are required.  Sinks never fail: a
 * write error is kept by the outfile and reported by the pipeline.  A
 * sink resolves nothing itself: it says in event_frames and
 * finding_frames how many frames of each stack it shows, and the
 * pipeline resolves that many.
 *
 * A new output (a metrics exporter, a live view, a report) is one file
 * with a constructor like sink_text__new(), declared here, and in pipeline.c
 * the small function that builds it from the pipeline's options and the
 * line in open_sinks() that says when it is opened.
 */
#ifndef SHMWATCH_SINK_H
#define SHMWATCH_SINK_H

#include <stdbool.h>
#include "analyzer/analyzer.h"
#include "events.h"
#include "lib/container_cache.h"
#include "log/schema.h"
#include "out/outfile.h"
#include "sym/symbolize.h"

/*
 * A stack as the sinks see it: n frames as captured, innermost first;
 * frames the pipeline was not asked to resolve hold only their ip.
 */
struct sink_stack {
	const struct sw_frame *frames;
	__u32 n;
};

/* One event: the wire record and what the pipeline made of it. */
struct sink_event {
	const struct sw_event *e;
	__u64 seq;
	__u64 stack_from;	  /* seq of the record that sent the stack, 0: its own */
	struct sink_stack stack;  /* e->stack resolved */
	const struct container_info *container; /* NULL: the host, or not known */
};

struct sink_finding {
	const struct sw_finding *f;
	struct sink_stack site;	  /* f->site resolved */
	struct sink_stack origin; /* f->origin resolved */
	const struct container_info *container; /* of f->pid; NULL: the host, or not known */
};

struct sink;

struct sink_ops {
	void (*header)(struct sink *s, const struct sw_header *h);
	void (*event)(struct sink *s, const struct sink_event *e);
	void (*finding)(struct sink *s, const struct sink_finding *f);
	void (*summary)(struct sink *s, const struct sw_proc_summary *p);
	void (*usage)(struct sink *s, const struct sw_mount_usage *u);
	void (*sysv_usage)(struct sink *s, const struct sw_sysv_usage *u);
	void (*stats)(struct sink *s, const struct sw_stats *st);
	void (*free)(struct sink *s);
	int (*tick)(struct sink *s, const struct analyzer *a, __u64 now_ns);
};

#define SINK_TICK_STOP 1

/* What every sink has; set by its constructor, read by the pipeline. */
struct sink {
	const struct sink_ops *ops;
	struct outfile *out;
	__s64 wall_offset_ns; /* to turn ts_ns into wall-clock time */
	bool events;	      /* write events, not only findings and summaries */
	__u32 event_frames;   /* frames of an event's stack it shows */
	__u32 finding_frames; /* ... of a finding's stacks */
};

struct sink *sink_json__new(struct outfile *out, bool events);

struct sink_text_opts {
	bool color;	 /* ANSI colours */
	bool events;	 /* a line per event, not only findings and summaries */
	int stack_depth; /* frames per stack shown, <= 0: SW_DEFAULT_STACK_DEPTH */
};

struct sink *sink_text__new(struct outfile *out, const struct sink_text_opts *o);

/* Prometheus metrics (out_metrics.c): written to file at each stats
 * record, served on addr; either may be NULL.  The sink has no outfile.
 * NULL with one line in err. */
struct sink_metrics_opts {
	const char *file;
	const char *addr;
};

struct sink *sink_metrics__new(const struct sink_metrics_opts *o, char *err, size_t len);

/* The HTML report (report.c): the whole page is written and the file
 * published at the final stats record; what came of it goes to result
 * (err -ENODATA until then), which may be NULL. */
struct sink_report_result {
	int err;	/* 0 once written and published, else -errno */
	bool written;
	bool replaced;	/* an existing file was replaced */
	bool no_input;	/* has_input said no: nothing was written */
	__u64 events, findings;
};

struct sink_report_opts {
	const char *title; /* NULL: "shmwatch report" */
	struct sink_report_result *result;
	/* Did the input hold anything?  When it says no, nothing is
	 * published (an existing file stays) and result->no_input is set.
	 * NULL: always published. */
	bool (*has_input)(void *ctx);
	void *input_ctx;
};

struct sink *sink_report__new(struct outfile *out, const struct sink_report_opts *o);

/* The live full-screen view (out/top_draw.c, shmwatch top) on the
 * terminal of standard output.  From here to its free, what shmwatch and
 * the processes it starts write to stderr is held and written out after
 * the view closes.  The sink has no outfile.  NULL with one line in err. */
struct sink_top_opts {
	bool color;
	/* The read end of a pipe the launched command writes its output to
	 * (the sink drains it into what it holds and closes it); -1: none. */
	int command_fd;
};

struct sink *sink_top__new(const struct sink_top_opts *o, char *err, size_t len);
/* Can the view be drawn here: is standard output a terminal whose type
 * is known?  0, or -ENOTTY/-EINVAL with one line in err. */
int sink_top_check_terminal(char *err, size_t len);

/*
 * What a finding says to do, and whose object it is about: the analyzer's
 * hint and producer, unless the analyzer named no producer and a module
 * in its stacks (origin first) is a known producer's library.  Qt's xcb
 * plugin is known that way only: its segments are IPC_PRIVATE and have no
 * name, and the analyzer sees addresses, not modules.
 */
struct sink_hint {
	const char *hint;     /* NULL only if the analyzer gave none */
	const char *producer; /* NULL: none known */
	bool producer_fix;    /* hint is that producer's fix, not the advice */
};

struct sink_hint sink_finding_hint(const struct sink_finding *sf);

/* Frees the sink and closes its outfile; returns the outfile's error. */
int sink__close(struct sink *s);

/* "shmwatch: N events: shmget N ...; N failed; N findings; N lost" */
void sink_format_stats_line(char *buf, size_t len, const struct sw_stats *st);

/* ISO-8601 UTC with nanoseconds, e.g. 2026-11-26T17:05:01.123456789Z. */
void sink_format_ts(char *buf, size_t len, __u64 ts_ns, __s64 wall_offset_ns);

#endif
