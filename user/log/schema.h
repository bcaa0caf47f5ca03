/* SPDX-License-Identifier: GPL-2.0 */
/*
 * schema.h - the log format's own types and names (docs/events.md): the
 * header and stats records, the record type names as the log spells
 * them, the schema version and the defaults a header stands for.  The
 * writer (log/out_json.c) and the reader (log/logread.c) both build on
 * this header and on events.h, and on nothing of each other's.
 */
#ifndef SHMWATCH_SCHEMA_H
#define SHMWATCH_SCHEMA_H

#include <stdbool.h>
#include "defaults.h"
#include "events.h"
#include "analyzer/analyzer.h"

/* Raised only when a record changes in a way an old reader would get
 * wrong; fields added at the end of a record do not raise it. */
#define SW_SCHEMA_VERSION 1

/* The "tool" member of every header. */
#define SW_LOG_TOOL "shmwatch"

/* The "type" member of each record. */
#define SW_LOG_HEADER "header"
#define SW_LOG_EVENT "event"
#define SW_LOG_FINDING "finding"
#define SW_LOG_SUMMARY "summary"
#define SW_LOG_TMPFS "tmpfs"
#define SW_LOG_SYSV "sysv"
#define SW_LOG_STATS "stats"

/* What a header that lacks a field stands for.  A zero growth window or
 * threshold in a header means the analyzer's defaults
 * (SW_DEFAULT_GROWTH_*), so it is written as 0, not as the value. */
#define SW_LOG_DEFAULT_MAX_SIZE SW_DEFAULT_MAX_SIZE

/* The first record of a log: what was traced, where and when. */
struct sw_header {
	int schema;
	const char *tool_version;
	char hostname[256];
	char kernel[128];
	__u64 start_ts_ns;  /* CLOCK_MONOTONIC at start */
	__s64 wall_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC at start */
	const char *mode;   /* "pid", "command", "system", "analyze" */
	const char *command; /* the launched command line, or NULL */
	const __u32 *pids;
	int n_pids;
	__u64 max_size;
	/* The kernel's limits, so that a log analysed elsewhere later gives
	 * the same findings as the live run. */
	__u64 shmmax;
	__u64 shmall; /* pages; 0: unknown (also in logs from before it) */
	__u64 shmmni; /* 0: unknown */
	/* The IPC namespace the limits above are of: shmwatch's own (as in
	 * sw_event.ipc_ns, 0: the initial one). */
	__u32 ipc_ns;
	__u64 mem_total; /* RAM + swap */
	/* Online CPUs at the start, 0: unknown: they bound how far behind a
	 * tmpfs's used-blocks count may run (analyzer/objects.c). */
	__u32 cpus;
	bool shm_rmid_forced;
	bool all_mmaps; /* every mmap was recorded (--all-mmaps) */
	__u64 growth_window_ns; /* attach-leak settings, 0: the defaults */
	__u32 growth_threshold;
	/* Which events the outputs got (--events): "failed" or "none", NULL
	 * for all.  A log of fewer events holds its findings but cannot be
	 * analysed again to the same ones. */
	const char *events;
};

/* Counters, sent every few seconds and once at the end. */
struct sw_stats {
	__u64 ts_ns;
	bool final;
	__u64 events;		     /* records received */
	__u64 lost;		     /* records the kernel could not queue */
	__u64 calls[SW_CALL_MAX];    /* received SW_EV_CALL records by call */
	__u64 failed[SW_CALL_MAX];   /* ... of which failed */
	__u64 lost_slots[SW_LOST_SLOTS]; /* lost by kind/call, see events.h */
	__u64 findings;
	struct sw_state state;	     /* the analyzer's, when it was written */
	/* The kernel ring buffer (live only, 0 in analyze): its size, and the
	 * most bytes it held at a wake-up of the reader since the previous
	 * stats. */
	__u64 ring_size;
	__u64 ring_peak;
};

#endif
