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
	bool all_mmaps;
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
/* Add a tgid to the traced set (e.g. a launched command before exec). */
int capture__add_pid(struct capture *c, __u32 pid);
/* Wait up to timeout_ms for records, then consume all that are there.
 * Returns the number of records handled or a negative errno. */
int capture__poll(struct capture *c, int timeout_ms);
/* How many processes of the traced set are alive; drops the ones that
 * are gone (one that exited while we attached has no exit record). */
int capture__traced_alive(struct capture *c);
/* Consume what is in the buffer without waiting. */
int capture__drain(struct capture *c);
/* Sum the per-CPU loss counters into lost[SW_LOST_SLOTS]. */
int capture__lost(struct capture *c, __u64 *lost);
void capture__free(struct capture *c);

#endif
