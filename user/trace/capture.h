/* SPDX-License-Identifier: GPL-2.0 */
/*
 * capture.h - open, load and attach the BPF side, poll its ring buffer and
 * hand each record to a callback.  Knows nothing about output formats.
 */
#ifndef SHMWATCH_CAPTURE_H
#define SHMWATCH_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include "events.h"

struct capture;

struct capture_opts {
	const __u32 *pids; /* NULL: no pid filter (unless pid_filter is set) */
	int n_pids;
	bool pid_filter;   /* filter on the tgid set even if n_pids is 0 */
	bool follow;	   /* add children to the set at fork */
	bool filter_uid;
	__u32 uid;
	const char *comm;	 /* NULL: any */
	const char *cgroup_path; /* NULL: any; cgroup v2 directory */
	/* Only the cgroups capture__trace_cgroup puts in, and the ones made
	 * while tracing until they are told apart (SW_REC_CGROUP). */
	bool cgroup_set;
	bool all_mmaps;
	/* Attach the write and pwrite64 programs: each costs every write on
	 * the host a BPF dispatch (docs/performance.md), so only on request. */
	bool writes;
	__u64 max_size;
	__u64 ringbuf_size; /* bytes, power of two; 0: default */
	bool no_stacks;	    /* no user stacks */
	bool verbose;	    /* let libbpf print */
};

/* Return non-zero to stop the poll loop. */
typedef int (*capture_event_fn)(void *ctx, const struct sw_event *e);

/*
 * Check the kernel and permissions, load and attach.  On failure returns a
 * negative errno and writes one line (no newline) into err.
 */
int capture__open(struct capture **out, const struct capture_opts *opts,
		  capture_event_fn fn, void *ctx, char *err, size_t errlen);
/*
 * Start recording the opens that fail with ENOENT under /dev/shm/ (the
 * openat program, which every open on the host would pay for, is not
 * attached until then): 0, or -errno.  Once on, it stays on.
 */
int capture__record_opens(struct capture *c);
/* Add a tgid to the traced set (e.g. a launched command before exec). */
int capture__add_pid(struct capture *c, __u32 pid);
/*
 * Wait up to timeout_ms for records, then hand them on for at most
 * budget_ns (0: no limit), so that a flood of records cannot keep the
 * caller from its signals and timers.  Returns the number of records
 * handled or a negative errno.
 */
int capture__poll(struct capture *c, int timeout_ms, __u64 budget_ns);
/* Are records waiting that no poll has handed on yet? */
bool capture__behind(const struct capture *c);
/* The cgroup set (capture_opts.cgroup_set), by cgroup v2 id. */
enum capture_cgroup {
	CAPTURE_CGROUP_ADD,	/* a cgroup that is there: traced */
	CAPTURE_CGROUP_CONFIRM, /* one a SW_REC_CGROUP told of: traced unless gone */
	CAPTURE_CGROUP_DROP,	/* not traced */
};
int capture__trace_cgroup(struct capture *c, __u64 id, enum capture_cgroup how);
/* How many processes of the traced set are alive; drops the ones that
 * are gone (one that exited while we attached has no exit record). */
int capture__traced_alive(struct capture *c);
/* The same, with the first max of their pids in pids. */
int capture__traced_pids(struct capture *c, __u32 *pids, int max);
/* Stop recording: the programs stay attached but record nothing more,
 * so a drain after this ends whatever the host does. */
void capture__stop(struct capture *c);
/*
 * Consume what is in the buffer without waiting for new records (after
 * capture__stop, also the ones still being written when it was called).
 * hurry_ns non-zero: records still there after that long are counted as
 * lost instead of handed on (a reader far behind a flood would otherwise
 * keep a stop waiting), so that logged + lost stays every record.
 */
int capture__drain(struct capture *c, __u64 hurry_ns);
/* Records a hurried drain counted instead of handing on. */
__u64 capture__dropped(const struct capture *c);
/* The most bytes the ring buffer held when a poll began to read it, since
 * the previous call (which it resets). */
__u64 capture__ring_fill(struct capture *c);
/* Sum the per-CPU loss counters, and what a drain dropped, into
 * lost[SW_LOST_SLOTS]. */
int capture__lost(struct capture *c, __u64 *lost);
/* Detach and free; detaching waits for the kernel (~70 ms per syscall
 * tracepoint). */
void capture__free(struct capture *c);
/*
 * Stop recording and leave the detaching to a child process, so that the
 * caller can exit at once: the child holds the last references to the
 * probes (and to nothing else the caller had open), releases them and
 * exits.  For the end of a run, when nothing more is read.
 */
void capture__free_in_background(struct capture *c);

#endif
