/* SPDX-License-Identifier: GPL-2.0 */
/*
 * top.h - what the live view (shmwatch top) shows, apart from how it is
 * drawn: the model (top.c) keeps what the analyzer does not (calls,
 * failures and findings per process, the history that growth is taken
 * from, the mounts' and namespaces' latest usage, the latest findings)
 * and turns it, with what the analyzer says each process holds now, into
 * rows.  It knows no terminal: top_draw.c draws it, the unit tests
 * (tests/unit/out/test_top.c) feed it.  Shared by those two files only.
 */
#ifndef SHMWATCH_OUT_TOP_H
#define SHMWATCH_OUT_TOP_H

#include <stdbool.h>
#include <stddef.h>
#include "analyzer/analyzer.h"
#include "lib/container_cache.h"
#include "lib/hmap.h"
#include "log/schema.h"

/* Columns the process rows sort by, in the order the keys step through. */
enum top_sort {
	TOP_SORT_HELD,	   /* most held first */
	TOP_SORT_GROWTH,   /* most grown first */
	TOP_SORT_FAILED,   /* most failed calls first */
	TOP_SORT_FINDINGS, /* most findings first */
	TOP_SORT_PID,	   /* lowest pid first */
	TOP_SORT_MAX,
};

const char *top_sort_name(enum top_sort s);

/* Growth is held now minus held TOP_GROWTH_SAMPLES - 1 samples ago, one
 * sample a second. */
#define TOP_GROWTH_SAMPLES 11
/* A process that holds nothing and did nothing for this long leaves the
 * view (an exited one, or one done with shared memory). */
#define TOP_IDLE_NS 10000000000ULL
#define TOP_MOUNTS 32
#define TOP_NSES 16
#define TOP_FINDINGS 64 /* kept for the findings pane, newest last */

struct top_proc {
	struct hnode node; /* key: pid */
	__u32 pid;
	char comm[SW_COMM_LEN];
	/* Of its latest event: the pipeline's, which lives as long as the
	 * trace; NULL: the host. */
	const struct container_info *container;
	bool live;	   /* the analyzer holds it as live now */
	__u64 held;	   /* bytes, as the analyzer said at the latest refresh */
	__u32 attachments, mappings;
	__u64 peak;	   /* the most held seen by the view */
	__u64 calls, failed, findings;
	const char *last_rule; /* of its latest finding, NULL: none */
	__u64 calls_sampled; /* calls at the latest sample */
	double rate;	   /* calls per second between the last two samples */
	__u64 hist[TOP_GROWTH_SAMPLES]; /* held at each sample, a ring */
	int n_hist, hist_next;
	__u64 active_ns;   /* the latest event, finding or holding seen */
	__u64 refreshed;   /* the refresh that saw it live */
};

/* A process as a line of the view shows it. */
struct top_row {
	__u32 pid;
	char comm[SW_COMM_LEN];
	bool live;
	__u64 held, peak;
	__s64 growth;
	__u32 attachments, mappings;
	double rate;
	__u64 calls, failed, findings;
	const char *last_rule;
};

/* A container (or the host) as a line of the containers pane: its
 * processes added up. */
struct top_container_row {
	const struct container_info *container; /* NULL: the host */
	__u32 procs;	 /* with a line in the processes pane */
	__u64 held, calls, failed, findings;
};

struct top_mount {
	__u32 dev;
	char label[SW_NAME_LEN];
	__u64 used, size, peak, objects, object_bytes;
};

struct top_ns {
	__u32 ipc_ns;
	__u64 segments, bytes, peak_bytes, shmall, shmmax, shmmni;
};

struct top_finding {
	__u64 ts_ns;
	enum sw_severity severity;
	const char *rule; /* points into the rule table */
	__u32 pid;
	char comm[SW_COMM_LEN];
	char message[SW_MSG_LEN];
	bool uncertain;
};

struct top_model {
	struct hmap procs; /* struct top_proc */
	__u64 refreshes;   /* refreshes so far */
	__u64 samples;	   /* samples so far */
	__u64 sampled_ns;  /* time of the latest sample */
	__u64 now_ns;	   /* the latest time given, for idleness */
	struct top_mount mounts[TOP_MOUNTS];
	int n_mounts;
	struct top_ns nses[TOP_NSES];
	int n_nses;
	struct top_finding findings[TOP_FINDINGS]; /* a ring */
	int n_findings, findings_next;
	__u64 findings_total;
	struct sw_stats stats; /* the latest stats record */
	__u64 stats_events_before, stats_ts_before; /* the one before it */
	bool oom; /* a process could not be added: the view is short of it */
};

int top_model__init(struct top_model *m);
void top_model__fini(struct top_model *m);

/* What the sink callbacks hand over; container: the event's (NULL: the
 * host), kept by pointer. */
void top_model__event(struct top_model *m, const struct sw_event *e,
		      const struct container_info *container);
void top_model__finding(struct top_model *m, const struct sw_finding *f);
void top_model__usage(struct top_model *m, const struct sw_mount_usage *u);
void top_model__sysv_usage(struct top_model *m, const struct sw_sysv_usage *u);
void top_model__stats(struct top_model *m, const struct sw_stats *st);

/* Read what each live process holds now from the analyzer (at every
 * redraw). */
void top_model__refresh(struct top_model *m, const struct analyzer *a, __u64 now_ns);
/* Once a second, after a refresh: one growth sample per process, the
 * call rates, and the idle processes dropped. */
void top_model__sample(struct top_model *m, __u64 now_ns);

/* The processes worth a line (holding, or active lately), those whose
 * comm contains filter ("" or NULL: all), sorted by sort, into rows (at
 * most max).  Returns how many there are in all, which may be more than
 * max. */
size_t top_model__rows(const struct top_model *m, enum top_sort sort, const char *filter,
		       struct top_row *rows, size_t max);
/* The processes of those rows added up by container (the host one row),
 * the most held first, into rows (at most max); returns how many there
 * are in all. */
size_t top_model__containers(const struct top_model *m, struct top_container_row *rows,
			     size_t max);
/* The i-th latest finding (0: the newest), NULL past the last kept. */
const struct top_finding *top_model__finding_at(const struct top_model *m, int i);
/* Events per second between the last two stats records; 0 before two. */
double top_model__event_rate(const struct top_model *m);

#endif
