/* SPDX-License-Identifier: GPL-2.0 */
/*
 * analyzer.h - the public face of the analyzer (analyzer.c, usage.c).
 *
 * Pure C, no libbpf, no I/O: fed one struct sw_event at a time (live from
 * capture.c or read back from a log by logread.c), it emits findings and
 * per-process summaries through callbacks.  Unit tests drive it with
 * synthetic sequences.
 */
#ifndef SHMWATCH_ANALYZER_H
#define SHMWATCH_ANALYZER_H

#include <stdbool.h>
#include <stddef.h>
#include "events.h"

/* Which container a record is of: the pipeline tells it (lib/container_cache.h)
 * and fills it into the copy it hands to the sinks; the analyzer knows
 * cgroups only. */
struct container_info;

enum sw_severity {
	SW_SEV_INFO = 0,
	SW_SEV_WARNING,
	SW_SEV_ERROR,
};

#define SW_MAX_EVIDENCE 8
#define SW_MSG_LEN 512

/* A user stack, innermost first, in the address space of pid. */
struct sw_stack {
	__u32 pid;
	__u32 n; /* 0: none captured */
	bool at_fault; /* ip[0] is the faulting instruction, not a return address */
	__u64 ip[SW_MAX_FRAMES];
};

/* Whether e's stack starts where a fault happened.  A fault's signal
 * (si_code > 0: the kernel's) carries the faulting thread's stack, taken
 * at the instruction; a call's, or a signal the process sent itself,
 * starts after a syscall instruction, like a return address. */
static inline bool sw_event_stack_at_fault(const struct sw_event *e)
{
	return e->kind == SW_EV_SIGNAL && e->sig.code > 0;
}

struct sw_finding {
	const char *rule; /* rule id from the table, e.g. "segment-leak" */
	enum sw_severity severity;
	__u32 pid;
	__u32 tid;
	char comm[SW_COMM_LEN];
	__u64 ts_ns; /* time of the event that completed the finding */
	char message[SW_MSG_LEN];
	int n_evidence;
	__u64 evidence[SW_MAX_EVIDENCE]; /* sequence numbers of events */
	bool uncertain; /* rests on state a reported loss may have hidden */
	/* What to do, one line: the fix of the object's known producer
	 * (analyzer/producers.c), else the rule's advice.  Both point into
	 * static tables. */
	const char *hint;
	const char *producer; /* that producer, e.g. "PyTorch"; NULL: none */
	bool producer_fix;    /* hint is the producer's fix for this rule */
	/* Where the object (or the failed result) was created, and where the
	 * misuse happened; n == 0 when not known (stacks off, not captured,
	 * or the same as the other). */
	struct sw_stack origin;
	struct sw_stack site;
};

/* One row of the rule table: the single source for docs and the README. */
struct sw_rule_info {
	const char *id;
	enum sw_severity severity; /* default severity */
	const char *summary;	   /* one line: what it means */
	const char *advice;	   /* one line: what to do about it */
};

extern const struct sw_rule_info sw_rules[];
extern const int sw_rule_count;
/* Index of a rule id in sw_rules[], or -ENOENT. */
int sw_rule_index(const char *id);

/* What a process did, reported when it exits and at the end of a trace. */
struct sw_proc_summary {
	__u32 pid;
	char comm[SW_COMM_LEN];
	bool exited;
	__u64 segs_created;
	__u64 segs_removed;
	__u64 attaches;
	__u64 detaches;
	__u64 shared_maps;
	__u64 shared_unmaps;
	__u64 peak_shared_bytes;
	__u64 held_attachments; /* still attached at exit / end */
	__u64 held_bytes;
	__u64 findings[16]; /* by index into sw_rules[] */
	__u64 cgroup_id;    /* of its latest event */
	/* Set by the pipeline from cgroup_id, never by the analyzer: the
	 * container it runs in; NULL: the host, or not known. */
	const struct container_info *container;
};

/*
 * The usage of one memory filesystem (a tmpfs such as /dev/shm, or the
 * internal mount behind memfds) as the traced events show it: its linked
 * objects, who created how much of them, and what grew.
 */
#define SW_USAGE_TOP 5

struct sw_usage_object {
	char path[SW_NAME_LEN];
	__u64 size;
	__u32 creator_pid;   /* 0: not created by a traced process */
	char creator_comm[SW_COMM_LEN];
	bool creator_gone;
	__u32 mapped_by;     /* traced processes mapping it now */
	bool unlinked;	     /* its name is gone; a holder keeps its pages */
};

struct sw_usage_creator {
	__u32 pid;
	char comm[SW_COMM_LEN];
	bool gone;
	__u32 objects;
	__u64 bytes;
};

struct sw_usage_grower {
	char path[SW_NAME_LEN];
	__u64 from;
	__u64 to;
};

struct sw_mount_usage {
	__u64 ts_ns;
	__u32 dev;	      /* kernel encoding, major << 20 | minor */
	char label[SW_NAME_LEN]; /* "/dev/shm", "memfd", or "" when unknown */
	__u64 fs_used;	      /* as the latest event showed it */
	__u64 fs_size;	      /* 0: no limit */
	/* The most fs_used any event showed, and when (0: none). */
	__u64 peak_used;
	__u64 peak_ts_ns;
	/* It ran out of space: a call refused for want of it (used plus
	 * what it asked for) or a SIGBUS (used plus the rest of the object
	 * from the fault on), the most of them (0: it never did). */
	__u64 needed;
	/* Whose mount it is (a container's /dev/shm is a tmpfs of its own):
	 * the cgroup of the first traced call that created or sized an
	 * object on it, and of one more cgroup whose calls did (0: none).
	 * Both 0 for memfd, the kernel's one mount of every memfd, whoever
	 * made them. */
	__u64 cgroup_id;
	__u64 other_cgroup_id;
	/* Set by the pipeline from those, never by the analyzer: the
	 * container whose mount it is; NULL: the host's, or not known. */
	const struct container_info *container;
	/* What size would have sufficed (0: no peak seen): the peak or what
	 * was needed, rounded up to a MiB; and a size that leaves room, the
	 * power of two at or above one and a half times that. */
	__u64 sufficient_size;
	__u64 roomy_size;
	__u32 n_objects;      /* linked objects known on it */
	__u64 object_bytes;   /* the sum of their sizes */
	int n_biggest, n_creators, n_growers, n_peak_held;
	struct sw_usage_object biggest[SW_USAGE_TOP];
	struct sw_usage_creator creators[SW_USAGE_TOP]; /* by bytes */
	struct sw_usage_grower growers[SW_USAGE_TOP];	/* by growth */
	/* What held the peak: the biggest objects known on the mount when
	 * fs_used was at peak_used, unlinked ones still mapped among them
	 * (mapped_by is not counted: 0). */
	struct sw_usage_object peak_held[SW_USAGE_TOP];
};

/*
 * SysV shared memory of one IPC namespace as the traced events show it:
 * the segments known alive (created or seeded, and not yet destroyed:
 * one removed with IPC_RMID counts until its last detach, as in the
 * kernel's kernel.shmall accounting), their high-water mark and what
 * held it, and the limits that would have sufficed.
 */
struct sw_usage_segment {
	__s32 key;
	__s32 shmid;
	__u64 size;
	__u32 creator_pid;   /* 0: not created by a traced or seeded process */
	char creator_comm[SW_COMM_LEN];
	bool creator_gone;
	__u32 nattch;	     /* as far as traced processes show it */
	bool removed;	     /* IPC_RMID done, waiting for the last detach */
};

struct sw_sysv_usage {
	__u64 ts_ns;
	__u32 ipc_ns;	      /* sw_event.ipc_ns */
	__u32 segments;	      /* known alive now */
	__u64 bytes;	      /* their sizes */
	/* The most bytes alive at once, when, and in how many segments
	 * (peak_ts_ns 0: at the start, from the segments seeded). */
	__u64 peak_bytes;
	__u64 peak_ts_ns;
	__u32 peak_bytes_segments;
	__u32 peak_segments;  /* the most segments alive at once */
	__u64 biggest_size;   /* the biggest segment seen */
	/* The namespace's limits as shmwatch read them at start; 0 when
	 * unknown (another namespace's, which shmwatch cannot read). */
	__u64 shmmax;
	__u64 shmall;	      /* pages */
	__u64 shmmni;
	/* The limits that would have sufficed: the peaks (shmall in pages
	 * of SW_PAGE_SIZE) and the biggest segment. */
	__u64 sufficient_shmall;
	__u64 sufficient_shmmni;
	__u64 sufficient_shmmax;
	int n_biggest, n_peak_held;
	struct sw_usage_segment biggest[SW_USAGE_TOP];	 /* alive now */
	struct sw_usage_segment peak_held[SW_USAGE_TOP]; /* at peak_bytes */
};

typedef void (*sw_finding_fn)(void *ctx, const struct sw_finding *f);
typedef void (*sw_summary_fn)(void *ctx, const struct sw_proc_summary *s);
typedef void (*sw_usage_fn)(void *ctx, const struct sw_mount_usage *u);
typedef void (*sw_sysv_usage_fn)(void *ctx, const struct sw_sysv_usage *u);

struct analyzer_opts {
	__u64 max_size;		 /* oversized threshold, bytes (default 256 MiB) */
	__u64 shmmax;		 /* kernel.shmmax, 0: unknown */
	__u64 shmall;		 /* kernel.shmall in pages, 0: unknown */
	__u64 shmmni;		 /* kernel.shmmni, 0: unknown */
	__u32 ipc_ns;		 /* the IPC namespace those three are of
				    (sw_event.ipc_ns) */
	__u64 mem_total;	 /* RAM + swap in bytes, 0: unknown */
	__u32 cpus;		 /* online CPUs of the traced machine, 0: unknown */
	bool shm_rmid_forced;	 /* kernel.shm_rmid_forced */
	__u64 growth_window_ns;	 /* attach-leak: observation window */
	__u32 growth_threshold;	 /* attach-leak: net new holdings in window */
	bool all_mmaps;		 /* capture saw every mmap (--all-mmaps): a
				    munmap inside a range already unmapped is
				    then known to be a double unmap; without
				    it, never (invalid-detach) */
	bool keep_exited;	 /* remember the pids of exited processes that
				    used SysV shared memory, for comparing the
				    segments they made with the kernel's
				    (analyzer__exited_sysv) */
	__u64 state_max;	 /* the state cap in bytes, 0: none (evict.c) */
	sw_finding_fn on_finding;
	sw_summary_fn on_summary;
	sw_usage_fn on_usage;	 /* every mount's usage at the end; may be NULL */
	sw_sysv_usage_fn on_sysv_usage; /* every IPC namespace's SysV usage at
					   the end; may be NULL */
	void *ctx;
};

struct analyzer;

struct analyzer *analyzer__new(const struct analyzer_opts *opts);
void analyzer__free(struct analyzer *a);

/* Feed one event, in order of seq. */
void analyzer__event(struct analyzer *a, const struct sw_event *e);
/* The capture reported n lost records up to time ts_ns. */
void analyzer__lost(struct analyzer *a, __u64 ts_ns, __u64 n);
/* End of trace: emit end-of-trace findings and every summary. */
void analyzer__finish(struct analyzer *a, __u64 ts_ns);
/* Has a tmpfs object been unlinked by an outsider (removed-while-in-use),
 * so that an open failing on its name now means something?  The capture
 * records such opens only from then on. */
bool analyzer__wants_opens(const struct analyzer *a);

/*
 * Seeding from /proc for processes that were already running (analyzer/seed.c).
 * A segment as /proc/sysvipc/shm shows it, and an existing mapping or
 * attachment of a process as /proc/PID/maps shows it.
 */
struct sw_seed_segment {
	__s32 shmid;
	__u32 ipc_ns;	/* whose /proc/sysvipc/shm showed it (sw_event.ipc_ns) */
	__s32 key;
	__u64 size;
	__u32 cpid;
	__u32 lpid;
	__u32 nattch;
	bool removed; /* SHM_DEST in the mode: IPC_RMID done, still attached */
};

struct sw_seed_mapping {
	__u32 pid;
	__u64 start;
	__u64 end;
	__u32 backing;	/* enum sw_backing */
	__s32 shmid;	/* SW_BK_SYSV: the id from the inode column */
	__u32 ipc_ns;	/* SW_BK_SYSV: the process's IPC namespace */
	__u32 dev;	/* kernel encoding, major << 20 | minor */
	__u64 ino;
	__u64 offset;	/* file offset of start */
	char name[SW_NAME_LEN];
};

/* A file of a memory filesystem as the inventory found it at the start
 * (a /dev/shm or hugetlbfs file of shmwatch's mount namespace), with its
 * mount's usage then.  Its creator is not known. */
struct sw_seed_object {
	__u32 dev;	/* kernel encoding, major << 20 | minor */
	__u64 ino;
	__u32 backing;	/* SW_BK_SHMEM_FILE or SW_BK_HUGETLB */
	char path[SW_NAME_LEN];
	bool path_cut;	/* path is longer than path[] holds */
	__u64 size;
	__u64 alloc;	/* bytes allocated (st_blocks) */
	__u64 fs_used;	/* its mount's */
	__u64 fs_size;
};

void analyzer__seed_segment(struct analyzer *a, const struct sw_seed_segment *s);
void analyzer__seed_object(struct analyzer *a, const struct sw_seed_object *o);
void analyzer__seed_mapping(struct analyzer *a, const struct sw_seed_mapping *m);
/* A running process, known even if it holds nothing yet; comm may be NULL. */
void analyzer__seed_process(struct analyzer *a, __u32 pid, const char *comm);

/*
 * Read-only views of the current state, for comparing it with the
 * kernel's (--check-state, checkstate.c).  Callbacks return non-zero to
 * stop the walk; they must not feed the analyzer.
 */
struct sw_segment_view {
	__s32 shmid;
	__u32 ipc_ns;
	__s32 key;
	__u64 size;
	__u32 nattch;	    /* as far as traced processes show it */
	__u32 creator_pid;  /* 0: not known */
	bool creator_known;
	bool rmid;	    /* IPC_RMID done, waiting for the last detach */
	bool uncertain;	    /* a loss was reported since it was created */
	bool traced;	    /* a traced call created, attached, detached or
			       removed it (else it is only seeded) */
};

struct sw_range_view {
	__u32 pid;
	__u64 start;
	__u64 end;
	bool sysv;	/* a SysV attachment (else a shared mapping) */
	__s32 shmid;	/* sysv: the segment, else -1 */
	__u32 ipc_ns;	/* sysv: the namespace of shmid */
	__u32 backing;	/* enum sw_backing */
};

typedef int (*analyzer_segment_fn)(void *ctx, const struct sw_segment_view *s);
typedef int (*analyzer_process_fn)(void *ctx, __u32 pid, const char *comm);
typedef int (*analyzer_range_fn)(void *ctx, const struct sw_range_view *r);

/* Every segment the analyzer believes alive, in no order. */
void analyzer__foreach_segment(const struct analyzer *a, analyzer_segment_fn fn, void *ctx);
/* Every process not known to have exited that has an address space. */
void analyzer__foreach_process(const struct analyzer *a, analyzer_process_fn fn, void *ctx);
/* pid's attachments and shared mappings in address order; -ENOENT if
 * the analyzer has no live process pid. */
int analyzer__foreach_range(const struct analyzer *a, __u32 pid, analyzer_range_fn fn, void *ctx);
/* What a live process holds now, as its summary would count it: its
 * SysV attachments and shared mappings and the bytes they cover (the
 * live view, shmwatch top, reads it at each redraw). */
struct sw_holding_view {
	__u32 pid;
	const char *comm;
	__u32 attachments;
	__u32 mappings;
	__u64 bytes;
};

typedef int (*analyzer_holding_fn)(void *ctx, const struct sw_holding_view *h);

/* What each process of analyzer__foreach_process holds, in no order. */
void analyzer__foreach_holding(const struct analyzer *a, analyzer_holding_fn fn, void *ctx);
/* The usage of each memory filesystem that events showed and that still
 * holds objects, at ts_ns; changed_only: instead, those whose objects or
 * usage changed since the last call, emptied or not (a live view). */
void analyzer__usage(struct analyzer *a, __u64 ts_ns, bool changed_only, sw_usage_fn fn,
		     void *ctx);
/* The same for SysV shared memory, per IPC namespace that held segments. */
void analyzer__sysv_usage(struct analyzer *a, __u64 ts_ns, bool changed_only,
			  sw_sysv_usage_fn fn, void *ctx);

/* Did process pid exit after it used SysV shared memory (created,
 * attached, detached, removed or held a segment)?  Always false without
 * opts.keep_exited. */
bool analyzer__exited_sysv(const struct analyzer *a, __u32 pid);

/* The cgroup of pid's latest event while the process is known, else 0:
 * whose container a finding about it is in. */
__u64 analyzer__cgroup_of(const struct analyzer *a, __u32 pid);

/* Records reported lost so far (analyzer__lost). */
__u64 analyzer__lost_total(const struct analyzer *a);

/*
 * Shared memory held by the stack that created it (held.c): SysV
 * segments alive and shm objects known, by their size, at the site of
 * the creating call (pid 0 and n 0: no creating stack known, e.g. made
 * before the trace), now and at the peak of the total.
 */
struct sw_held_site {
	__u32 pid;	  /* whose address space ip[] is in */
	__u32 n;
	const __u64 *ip;  /* innermost first */
	__u64 now;	  /* bytes */
	__u64 at_peak;
};

struct sw_held_total {
	__u64 now;
	__u64 peak;
	__u64 peak_ts_ns; /* 0: no peak (nothing held) */
};

typedef int (*analyzer_held_fn)(void *ctx, const struct sw_held_site *s);

/* Each site that holds bytes now or did at the peak, in no order. */
void analyzer__foreach_held(const struct analyzer *a, analyzer_held_fn fn, void *ctx);
void analyzer__held_total(const struct analyzer *a, struct sw_held_total *t);

/* What the analyzer's state holds, and what the cap (opts.state_max)
 * made it forget since the start. */
struct sw_state {
	__u64 bytes;	       /* an estimate of the heap it holds */
	__u64 max;	       /* opts.state_max, 0: no cap */
	__u64 procs;	       /* processes known (live, or exit not seen) */
	__u64 segments;	       /* SysV segments known alive */
	__u64 objects;	       /* shm objects known */
	__u64 mappings;	       /* live attachments and shared mappings */
	__u64 stacks;	       /* user stacks kept as evidence */
	__u64 dropped_procs;   /* processes forgotten under the cap */
	__u64 dropped_objects; /* objects forgotten under the cap */
	__u64 unjudged;	       /* segments and objects whose leak verdict
				  was withheld: a forgotten process could
				  still reach them */
};
void analyzer__state(const struct analyzer *a, struct sw_state *st);
/* Has the cap made it forget a process? */
bool analyzer__forgot(const struct analyzer *a);

#endif
