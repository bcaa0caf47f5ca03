/* SPDX-License-Identifier: GPL-2.0 */
/*
 * report.h - inside the HTML report (`shmwatch report`): what the report
 * sink (report.c) keeps of a trace, in a fixed amount of memory whatever
 * the log's size (report_model.c), and the HTML and SVG it is written as
 * (report_html.c).  Private to those files and their unit tests.
 *
 * Time is kept in RPT_BUCKETS buckets per series: when the trace outgrows
 * them, neighbouring buckets are merged in pairs and each covers twice
 * the time, so a million events cost what a thousand do.  Lifetimes are
 * rows of bars, at most RPT_ROWS processes and RPT_ROWS objects, the
 * least telling forgotten first; findings and summaries are capped too,
 * and the report says what it left out.
 */
#ifndef SHMWATCH_REPORT_H
#define SHMWATCH_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include "analyzer/analyzer.h"
#include "events.h"
#include "lib/hmap.h"
#include "log/jbuf.h"
#include "log/schema.h"
#include "out/sink.h"

#define RPT_BUCKETS	   1024
#define RPT_FIRST_WIDTH_NS 1000ULL /* a bucket's time span to begin with */
#define RPT_SERIES	   24	   /* timelines: mounts and IPC namespaces */
#define RPT_ROWS	   256	   /* processes, and objects, kept */
#define RPT_BARS	   24	   /* bars kept per process */
#define RPT_FINDINGS                                                                               \
	200		 /* findings kept in full (a page of 32-frame                              \
			    stacks stays under 3 MB) */
#define RPT_SUMMARIES 64 /* per-process summaries kept */

/* ---- the page's text, in the project's growable buffer (log/jbuf.h) */

__attribute__((format(printf, 2, 3))) void rpt_printf(struct jbuf *b, const char *fmt, ...);
void rpt_puts(struct jbuf *b, const char *s);
/* s (at most max bytes, to its NUL) HTML-escaped: & < > " ' as
 * entities, control bytes as the text "\xHH" (as text_escape shows
 * them), so that nothing from a log can open a tag, an attribute or an
 * entity, in text or in a quoted attribute alike. */
void rpt_esc(struct jbuf *b, const char *s, size_t max);

/* ---- time buckets -------------------------------------------------- */

struct rpt_bucket {
	__u64 max;  /* the most seen in the bucket */
	__u64 last; /* the last seen: what holds until the next sample */
	bool has;
};

/* A value seen in bucket b. */
void rpt_bucket_add(struct rpt_bucket *b, __u64 v);
/* Bucket i and i + 1 into i / 2, for all n (even): the same series over
 * twice the time per bucket; the upper half is left empty. */
void rpt_buckets_halve(struct rpt_bucket *b, int n);

enum rpt_series_kind { RPT_MOUNT, RPT_SYSV };

struct rpt_series {
	enum rpt_series_kind kind;
	__u32 id;			      /* dev, or ipc_ns */
	__u64 limit;			      /* fs_size as the latest event showed it; 0: none */
	struct rpt_bucket used[RPT_BUCKETS];  /* fs_used (events), or SysV bytes */
	struct rpt_bucket known[RPT_BUCKETS]; /* mounts: bytes of the objects known */
	bool has_usage;			      /* a final usage record came */
	union {
		struct sw_mount_usage mount;
		struct sw_sysv_usage sysv;
	} u; /* the latest usage record */
};

/* ---- lifetimes ----------------------------------------------------- */

enum rpt_bar_kind { RPT_BAR_SYSV, RPT_BAR_MAP };

struct rpt_bar {
	__u64 start, end; /* end 0: still held */
	__u64 addr, len;
	__u64 bytes;
	__s32 shmid;
	__u32 count;	/* attachments merged into it */
	__u8 kind;	/* enum rpt_bar_kind */
	__u8 backing;	/* enum sw_backing */
	bool inherited; /* copied into a child at fork */
	bool dontfork;	/* MADV_DONTFORK: not inherited */
};

struct rpt_proc {
	struct hnode node; /* in live_procs while live */
	bool used, live;
	__u32 pid;
	char comm[SW_COMM_LEN];
	__u64 first, last;
	__u64 cur_bytes, peak_bytes;
	__u32 findings;
	bool exited;
	int n_bars;
	__u32 bars_lost; /* bars that found no room */
	struct rpt_bar bars[RPT_BARS];
};

enum rpt_obj_kind { RPT_OBJ_SEGMENT, RPT_OBJ_FILE };

struct rpt_obj {
	struct hnode node; /* in live_objs while live */
	bool used, live;
	__u8 kind; /* enum rpt_obj_kind */
	__u8 backing;
	__u32 space; /* ipc_ns, or dev */
	__u64 id;    /* shmid, or ino */
	__s32 key;
	char name[SW_NAME_LEN];
	__u64 size;
	__u64 start, end; /* end 0: still there at the end */
	bool created;	  /* seen created (else first seen in use) */
	__u32 creator_pid;
	char creator_comm[SW_COMM_LEN];
};

/* ---- findings and the rest ----------------------------------------- */

struct rpt_frame {
	__u64 ip, offset;
	char *function, *file, *module; /* copies, NULL: unknown */
	int line;
};

struct rpt_stack {
	__u32 n, shown;
	struct rpt_frame *frames;
};

struct rpt_finding {
	const char *rule; /* static, from the rule table */
	int rule_index;
	enum sw_severity severity;
	__u32 pid, tid;
	char comm[SW_COMM_LEN];
	__u64 ts_ns;
	char message[SW_MSG_LEN];
	struct sink_hint hint;
	int n_evidence;
	__u64 evidence[SW_MAX_EVIDENCE];
	bool uncertain;
	struct rpt_stack site, origin;
};

struct rpt_model {
	/* The header's. */
	char hostname[256], kernel[128];
	char *mode, *command;
	__u64 start_ts;
	__s64 wall_offset_ns;
	/* Time: bucket i covers t0 + i * width .. + width. */
	bool any_event;
	__u64 t0, width, t_last;
	int n_buckets; /* buckets used so far */
	int n_series;
	__u32 series_lost;
	struct rpt_series *series[RPT_SERIES];
	/* Lifetimes. */
	struct hmap live_procs, live_objs;
	struct rpt_proc procs[RPT_ROWS];
	struct rpt_obj objs[RPT_ROWS];
	__u64 procs_seen, objs_seen; /* rows ever made */
	/* Findings: the first RPT_FINDINGS in full, the rest counted. */
	int n_findings;
	struct rpt_finding findings[RPT_FINDINGS];
	__u64 findings_total, findings_by_sev[3], findings_dropped, findings_uncertain;
	__u64 findings_by_rule[64];
	/* Summaries: the RPT_SUMMARIES most telling. */
	int n_summaries;
	struct sw_proc_summary summaries[RPT_SUMMARIES];
	__u64 summaries_total;
	bool has_stats;
	struct sw_stats stats;
	__u64 events;
	bool oom;
};

int rpt_model_init(struct rpt_model *m);
void rpt_model_fini(struct rpt_model *m);
void rpt_model_header(struct rpt_model *m, const struct sw_header *h);
void rpt_model_event(struct rpt_model *m, const struct sw_event *e);
void rpt_model_finding(struct rpt_model *m, const struct sink_finding *sf);
void rpt_model_summary(struct rpt_model *m, const struct sw_proc_summary *p);
void rpt_model_usage(struct rpt_model *m, const struct sw_mount_usage *u);
void rpt_model_sysv_usage(struct rpt_model *m, const struct sw_sysv_usage *u);
/* The bucket of ts, merging buckets first if ts lies past them. */
int rpt_model_slot(struct rpt_model *m, __u64 ts);
/* The series of a mount or namespace, made on first use; NULL when
 * there are RPT_SERIES already. */
struct rpt_series *rpt_model_series(struct rpt_model *m, enum rpt_series_kind kind, __u32 id);

/* ---- drawing ------------------------------------------------------- */

/* A step for about n ticks over range: 1, 2 or 5 times a power of 10. */
double rpt_nice_step(double range, int n);
/* The same for bytes: 1, 2 or 5 times a power of 10 of the largest
 * binary unit (B, KiB, MiB, ...) that range reaches. */
__u64 rpt_nice_bytes(__u64 range, int n);

/* The whole page. */
void rpt_html_write(struct jbuf *b, const struct rpt_model *m, const char *title);

#endif
