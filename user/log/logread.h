/* SPDX-License-Identifier: GPL-2.0 */
/*
 * logread.h - reading an NDJSON log (docs/events.md, schema 1) back into
 * the structs out_json.c wrote it from, so that `analyze` feeds the
 * analyzer exactly what live tracing fed it.
 *
 * A log is read one bounded line at a time, inflated on the way when it
 * is gzip'd; a bad line is reported as "file:line: reason" and skipped
 * (or, with strict, ends the reading), so one damaged record never costs
 * the rest of the log.
 */
#ifndef SHMWATCH_LOGREAD_H
#define SHMWATCH_LOGREAD_H

#include <stdbool.h>
#include <stdio.h>
#include "events.h"
#include "log/schema.h"
#include "lib/container_cache.h"
#include "sym/symbolize.h"

/* Longer lines are skipped without being buffered.  The writer's longest
 * record, a header with a 4 KiB command of escaped bytes, stays under it. */
#define LOGREAD_MAX_LINE (64 * 1024)
/* A "line" that runs on this far is no NDJSON at all: reading ends. */
#define LOGREAD_MAX_RUN (16 * 1024 * 1024)

enum log_rec_type {
	LOG_REC_HEADER = 1,
	LOG_REC_EVENT,
	LOG_REC_STATS,
	LOG_REC_FINDING, /* returned without content: analyze recomputes them */
	LOG_REC_SUMMARY, /* likewise, and "tmpfs" usage views */
};

struct log_record {
	enum log_rec_type type;
	unsigned long line; /* 1-based line number in the file */
	/*
	 * LOG_REC_HEADER.  Fields the log lacks keep the defaults of
	 * logread_default_header().  The strings and pids point into the
	 * reader: valid until the next header or logread__free().
	 */
	struct sw_header header;
	/*
	 * LOG_REC_EVENT, seq as logged.  Arguments of int and fd type come
	 * back sign-extended to 64 bits (the log keeps only the C int the
	 * kernel used, so the upper half of the register is lost); IPC keys
	 * come back zero-extended from 32 bits; flag arguments take the
	 * object's "value".  A call without a "map" object gets
	 * backing SW_BK_NONE and shmid -1, except memfd_create, whose backing
	 * is always SW_BK_MEMFD.
	 */
	struct sw_event event;
	/*
	 * LOG_REC_EVENT: the stack's frames as the live run resolved them,
	 * event.n_frames of them.  Strings point into the reader and are
	 * valid until the next record.
	 */
	struct sw_frame frames[SW_MAX_FRAMES];
	/* LOG_REC_EVENT of a process in a container: which one, as the live
	 * run told it from the event's cgroup. */
	bool has_container;
	struct container_info container;
	/* LOG_REC_STATS: lost_slots holds the cumulative "lost_by" counters. */
	struct sw_stats stats;
};

/*
 * One diagnostic about a line: line is 0 for one about the whole file
 * (it is not a log, or holds no record at all).  warning is false for
 * lines that were malformed (strict stops at them).
 */
typedef void (*logread_diag_fn)(void *ctx, const char *file, unsigned long line,
				bool warning, const char *msg);

struct logread_opts {
	bool strict;	       /* a malformed or oversized line ends reading */
	logread_diag_fn diag;  /* NULL: "file:line: msg" on stderr */
	void *ctx;
};

struct logread_counts {
	unsigned long lines;	   /* lines read, blank ones included */
	unsigned long records;	   /* records returned */
	unsigned long skipped;	   /* lines skipped, for any reason below */
	unsigned long malformed;   /* not JSON, wrong field types, missing fields */
	unsigned long oversized;   /* longer than LOGREAD_MAX_LINE */
	unsigned long unknown;	   /* unknown record type or event name */
	unsigned long truncated;   /* an unparsable last line without newline */
	unsigned long findings;	   /* finding records seen */
	unsigned long summaries;   /* summary records seen */
};

struct logread;

/*
 * Open path ("-": standard input).  NULL with errno set; a directory is
 * refused with EISDIR rather than failing on the first read, and what
 * cannot hold a log (a device, a terminal) with EBADMSG, once the
 * diagnostic has said why.
 */
struct logread *logread__open(const char *path, const struct logread_opts *opts);
/*
 * Read an already open stream (a file, an fmemopen buffer in the fuzzer)
 * under name; logread__free() leaves f open.  NULL with errno set, as
 * logread__open().
 */
struct logread *logread__open_stream(FILE *f, const char *name,
				     const struct logread_opts *opts);
/*
 * The next record: 1 with rec filled, 0 at the end, -EBADMSG when strict
 * stopped at a bad line or the input turned out not to be a log (both
 * reported), another negative errno on a read error.
 */
int logread__next(struct logread *r, struct log_record *rec);
const struct logread_counts *logread__counts(const struct logread *r);
/* Bytes of the input read so far and its size (0: unknown, e.g. a pipe),
 * as stored (compressed when gzip'd): for a progress line. */
void logread__progress(const struct logread *r, __u64 *bytes_read, __u64 *size);
/* The name used in diagnostics: the path, or "<stdin>". */
const char *logread__name(const struct logread *r);
void logread__free(struct logread *r);

/* What a header says when a log has none, or lacks a field: schema 1,
 * the default 256 MiB oversized threshold, unknown kernel limits. */
void logread_default_header(struct sw_header *h);

#endif
