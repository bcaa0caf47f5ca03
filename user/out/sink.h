/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sink.h - one interface for every output format.  main.c fans each
 * record out to the sinks it opened; adding a format is adding a sink.
 */
#ifndef SHMWATCH_SINK_H
#define SHMWATCH_SINK_H

#include <stdbool.h>
#include "analyzer/analyzer.h"
#include "events.h"
#include "log/schema.h"
#include "out/outfile.h"
#include "sym/symbolize.h"

struct sink;

struct sink_ops {
	void (*header)(struct sink *s, const struct sw_header *h);
	void (*event)(struct sink *s, const struct sw_event *e);
	void (*finding)(struct sink *s, const struct sw_finding *f);
	void (*summary)(struct sink *s, const struct sw_proc_summary *p);
	void (*usage)(struct sink *s, const struct sw_mount_usage *u);
	void (*stats)(struct sink *s, const struct sw_stats *st);
	void (*free)(struct sink *s);
};

struct sink {
	const struct sink_ops *ops;
	struct outfile *out;
	__s64 wall_offset_ns; /* to turn ts_ns into wall-clock time */
	bool color;
	bool events;  /* write events, not only findings and summaries */
	struct symbolizer *sym; /* resolves stack addresses; owned by app */
	int stack_depth;	/* frames per stack in the text view */
};

struct sink *sink_json__new(struct outfile *out, bool events);
struct sink *sink_text__new(struct outfile *out, bool color, bool events);

/* Frees the sink and closes its outfile; returns the outfile's error. */
int sink__close(struct sink *s);

/* "shmwatch: N events: shmget N ...; N failed; N findings; N lost" */
void sw_format_stats_line(char *buf, size_t len, const struct sw_stats *st);

/* ISO-8601 UTC with nanoseconds, e.g. 2026-11-26T17:05:01.123456789Z. */
void sw_format_ts(char *buf, size_t len, __u64 ts_ns, __s64 wall_offset_ns);

#endif
