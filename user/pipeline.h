/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pipeline.h - the pipeline every record runs through, one way: counted,
 * its stack completed and resolved (once, here: sinks only format),
 * written to each sink, fed to the analyzer, whose findings and
 * summaries go to the sinks too.  Live tracing (main.c) and `analyze`
 * (analyze.c, reading with logread.c) drive the same pipeline.
 */
#ifndef SHMWATCH_PIPELINE_H
#define SHMWATCH_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include "analyzer/analyzer.h"
#include "out/sink.h"
#include "sym/symbolize.h"

#define SHMWATCH_VERSION "0.1.0"

enum pipeline_color { PIPELINE_COLOR_NEVER, PIPELINE_COLOR_AUTO /* on a terminal */, PIPELINE_COLOR_ALWAYS };

struct pipeline_opts {
	const char *log_path;	    /* NDJSON log file, "-" for stdout, NULL: none */
	bool stdout_json;	    /* standard output carries NDJSON, not text */
	enum pipeline_color color;	    /* of the text view (NO_COLOR already applied) */
	bool quiet;		    /* text view without per-call lines */
	bool no_events;		    /* no sink gets events (analyze) */
	/* Only failed calls and signals reach the sinks (--events failed);
	 * no_events: none.  The analyzer gets every event. */
	bool failed_events;
	const char *metrics_addr;   /* Prometheus endpoint, NULL: none */
	const char *metrics_file;   /* ... and textfile, NULL: none */
	__u64 rotate_size;
	int rotate_keep;
	bool live;		    /* stacks resolve from /proc (not analyze) */
	int stack_depth;	    /* frames per stack in the text view */
	bool keep_exited;	    /* see analyzer_opts (--check-state, not
				       system-wide) */
	__u64 state_max;	    /* see analyzer_opts (--state-max) */
	/* Summaries reach the sinks only of processes with findings
	 * (--summaries findings), or none. */
	bool summaries_findings_only;
	bool no_summaries;
	/* Shared memory held by creating stack, at the peak and at the end,
	 * written there at the end in the folded format (out/folded.h);
	 * NULL: none. */
	const char *folded_path;
	/* The live view (shmwatch top) on the terminal instead of the text
	 * view; standard output carries nothing else. */
	bool top;
	bool color_view; /* ... in colour (--color, NO_COLOR applied) */
	int command_fd;	 /* ... and the launched command's output: see
			    sink_top_opts; -1 (or 0 when not top): none */
	/* The HTML report (shmwatch report) at report_path ("-": standard
	 * output), instead of the text view; NULL: none. */
	const char *report_path;
	const struct sink_report_opts *report;
	/* Usage and SysV usage that changed reach the sinks at most this
	 * often in trace time (for the report's timelines); 0: only at the
	 * end, and live at each stats record. */
	__u64 usage_every_ns;
};

struct pipeline;

/* Opens the outputs and writes the header; the log file appears at its
 * path only with pipeline__publish, pipeline__free removes it before. NULL with one
 * line in err. */
struct pipeline *pipeline__new(const struct pipeline_opts *o, const struct sw_header *h, char *err, size_t len);
/* A record from the ring buffer: its stack is resolved here. */
void pipeline__event(struct pipeline *pl, const struct sw_event *e);
/* A record read from a saved log, with the frames of its stack as the
 * live run resolved them (e->n_frames of them): the sinks get those, and
 * the findings that follow resolve their stacks by them. */
void pipeline__replay_event(struct pipeline *pl, const struct sw_event *e, const struct sw_frame *frames);
/* A saved log says cgroup_id is container ci's: its events and findings
 * name it as the live run did. */
void pipeline__replay_container(struct pipeline *pl, __u64 cgroup_id,
				const struct container_info *ci);
/* The kernel's loss counters (SW_LOST_SLOTS) as last read. */
void pipeline__lost(struct pipeline *pl, const __u64 *lost_slots);
/* The ring buffer's size and the most it held since the previous call. */
void pipeline__ring(struct pipeline *pl, __u64 size, __u64 peak);
void pipeline__stats(struct pipeline *pl, bool final);
/* End of the trace: end-of-trace findings, summaries, final stats. */
void pipeline__finish(struct pipeline *pl);
/* Tracing has started: the log file, kept under a temporary name until
 * now, takes its path.  0, or -errno with one line on stderr. */
int pipeline__publish(struct pipeline *pl);
/* Every turn of the main loop: flush outputs whose data got old, and
 * let a live view redraw and read its keys. */
void pipeline__tick(struct pipeline *pl, __u64 now_ns);
/* Did an output (the live view's q) ask the trace to end since the last
 * call?  Each request is returned once: a second one means a second
 * Ctrl-C. */
bool pipeline__stop_requested(struct pipeline *pl);
void pipeline__reopen(struct pipeline *pl);
/* Does standard output carry the NDJSON log (-o -, --format json)? */
bool pipeline__stdout_is_log(const struct pipeline *pl);
/* Has an output failed?  Nothing is said (pipeline__output_error does). */
bool pipeline__output_failed(const struct pipeline *pl);
/* A write error on an output, reported once on stderr; 0 if none. */
int pipeline__output_error(struct pipeline *pl);
struct analyzer *pipeline__analyzer(struct pipeline *pl);
/* The counters so far (events, findings, ...), as the next stats record
 * would give them. */
const struct sw_stats *pipeline__counts(const struct pipeline *pl);
/* Closes everything; returns the first output error, 0 if none. */
int pipeline__free(struct pipeline *pl);


#endif
