/* SPDX-License-Identifier: GPL-2.0 */
/*
 * state.h - the analyzer's state: processes, their address spaces (SysV
 * attachments and shared mappings), SysV segments, shm objects, recent
 * failed results per thread, and what a reported loss may have hidden;
 * and the primitives of state.c on processes, threads, segments and
 * stacks.  space.h and objects.h hold those on address spaces and shm
 * objects.  The model_ functions are the state primitives: they change
 * the state and judge nothing (findings are rules_*.c's), and call
 * nothing above them.
 *
 * Memory follows live objects: a process is freed once it exits and is
 * summarized, a segment once the kernel would have destroyed it.
 *
 * Loss handling: instead of flags that would have to be set on every
 * object, each object remembers the analyzer's lost-event total when the
 * state a rule rests on was established (lost_snap).  A finding is
 * uncertain when a->lost_total has moved on since.
 *
 * Stacks: an object that a finding may later point back to keeps the user
 * stack of the event that made it (struct ustack), allocated only when
 * the event carried one and sized to its frames.  One stack is shared by
 * reference between the objects made from one event: the pieces of a
 * split range, a fork child's copies, the tombstones of one munmap, a
 * failed shmat and the segment it left half-initialised.  Whoever stores
 * the pointer holds a reference and drops it when the object goes.
 */
#ifndef SHMWATCH_STATE_H
#define SHMWATCH_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include "analyzer/analyzer.h"
#include "kabi.h"
#include "lib/hmap.h"
#include "lib/list.h"
#include "lib/range.h"

#define SW_PAGE_SIZE (1ULL << K_PAGE_SHIFT)
#define SW_PAGE_ALIGN(x) (((x) + SW_PAGE_SIZE - 1) & ~(SW_PAGE_SIZE - 1))
/* Pages of a segment of size bytes, as kernel.shmall counts them. */
static inline __u64 model_size_pages(__u64 size)
{
	return size / SW_PAGE_SIZE + (size % SW_PAGE_SIZE != 0);
}
#define SW_MAP_FAILED ((__u64)-1)

#define SW_TOMBS 32	    /* detached ranges remembered per address space */
#define SW_DISPLACED 8	    /* ranges a new mapping landed on, per address space */
#define SW_THREADS 8	    /* threads with failed results per process */
#define SW_DEDUP_MAX 1024   /* distinct findings remembered per process */
#define SW_RECENT_EXITS 64  /* exits remembered to spot late events */
#define SW_ANCESTRY 8	    /* nearest ancestors a process remembers */
#define SW_REACH_USERS 6    /* latest users an object or segment remembers */
#define SW_REMOVALS 64	    /* removed segments and objects remembered */
#define SW_CMDLINE_LEN (SW_ARGV_LEN + 4) /* arguments, "..." and a NUL */

/* ---- shared user stacks --------------------------------------------- */

struct ustack {
	__u32 refs;
	__u32 pid; /* the process whose address space the ips are in */
	__u32 n;   /* 1..SW_MAX_FRAMES */
	__u64 ip[]; /* innermost first */
};

/* The event's stack with one reference, or NULL when it carried none (or
 * on allocation failure: findings then go without it). */
struct ustack *model_stack_new(struct analyzer *a, const struct sw_event *e);
static inline struct ustack *model_stack_get(struct ustack *s)
{
	if (s)
		s->refs++;
	return s;
}
/* Drop one reference; NULL is fine. */
void model_stack_put(struct analyzer *a, struct ustack *s);

/* ---- bytes held by creating stack (held.c) ---------------------------- */

struct held_site;

/* A segment's or object's share: the site its bytes are counted at. */
struct held_ref {
	struct held_site *site; /* NULL iff bytes is 0 */
	__u64 bytes;
};

struct held {
	struct hmap sites; /* of struct held_site */
	__u64 site_bytes;  /* their heap */
	__u64 empty_sites; /* holding nothing now, kept for the peak */
	__u64 epoch;	   /* one per change */
	__u64 total;	   /* bytes held now */
	__u64 peak;	   /* the most total was, at peak_epoch and peak_ts */
	__u64 peak_epoch;
	__u64 peak_ts;
};

int model_held_init(struct held *h);
void model_held_fini(struct held *h);
/* r's bytes are now bytes, at the site of st (NULL: no stack known). */
void model_held_set(struct analyzer *a, struct held_ref *r, const struct ustack *st,
		    __u64 bytes);

/* ---- address spaces ------------------------------------------------- */

enum range_kind {
	SW_RANGE_ATTACH = 1, /* a SysV attachment (shmat) */
	SW_RANGE_MAP,	     /* a shared mapping (mmap MAP_SHARED, ...) */
};

/* How a range stopped being mapped, for messages. */
enum gone_how {
	SW_GONE_SHMDT = 1,
	SW_GONE_MUNMAP,
	SW_GONE_MREMAP,
};

/* A live attachment or shared mapping, in its address space's index. */
struct mapping {
	struct range_node rn; /* [start, end) */
	__u8 kind;    /* enum range_kind */
	__u8 backing; /* enum sw_backing */
	bool has_base;
	bool dontfork; /* MADV_DONTFORK: a fork leaves it out of the child */
	__s32 shmid;  /* SW_RANGE_ATTACH: the segment, else -1 */
	__u32 ipc_ns; /* SW_RANGE_ATTACH: the namespace of shmid */
	__u32 dev;    /* with ino: the mapped file, see struct shmobj */
	__u64 ino;
	__u64 seq;    /* event that mapped it, 0 when seeded */
	struct ustack *stack; /* of that event */
	/* With has_base: the address of the object's offset 0 (start minus
	 * the file offset), the same for every piece of a split range. */
	__u64 base;
};

/* A range this address space detached or unmapped, and nothing seen
 * mapped over it since. */
struct tomb {
	__u64 start;
	__u64 end;
	__u64 seq;	 /* the shmdt/munmap/mremap */
	__u64 map_seq;	 /* the call that had mapped it */
	struct ustack *stack;     /* of the seq call, if it had one */
	struct ustack *map_stack; /* of the map_seq call */
	__u64 lost_snap;
	__s32 shmid;
	__u32 ipc_ns;
	__u8 kind;	 /* enum range_kind */
	__u8 how;	 /* enum gone_how */
	__u8 backing;
	bool valid;
	bool reported;
};

/*
 * A live range that a new mapping landed on although the call could not
 * replace anything (no MAP_FIXED, no SHM_REMAP): the kernel had unmapped
 * it already, and the record of that unmap, made by another thread that
 * was preempted before its exit tracepoint, is still to come.  That late
 * record is then no double unmap, and must not remove the new mapping.
 */
struct displaced {
	__u64 start;
	__u64 end;
	__u32 by_tid; /* the thread whose mapping landed there */
	__u8 kind;    /* enum range_kind of the range that was there */
	bool valid;
};

/* attach-leak bookkeeping: fixed windows of holdings growth. */
struct growth {
	bool started;
	__u64 win_start;   /* ts_ns the current window opened */
	__u64 win_seq;	   /* event that opened it */
	__u32 win_base;	   /* holdings when it opened */
	__u32 streak;	   /* consecutive windows that grew past the threshold */
	__u32 streak_base; /* holdings when the streak began */
	__u64 streak_ts;
	__u64 streak_seq;
	__u64 lost_snap;   /* a loss resets the streak */
	/* A streak is only a suspect until the holdings stay: a pool
	 * that fills up and is released returns to where it began. */
	bool suspect;
	__u64 suspect_ts;  /* when the streak completed */
	__u32 peak;	   /* the most held since the streak began */
	__u32 pool_level;  /* the most held before a release back down */
};

/* Shared by a vfork child and its parent until exec. */
struct mm {
	int refs;
	struct range_tree ranges; /* of struct mapping, by rn */
	__u32 n_attach;
	__u32 n_map;
	__u64 bytes;
	struct tomb tombs[SW_TOMBS];
	unsigned int tomb_next;
	struct displaced displaced[SW_DISPLACED];
	unsigned int displaced_next;
	struct growth growth;
};

/* ---- processes and threads ------------------------------------------ */

/* The latest failed call of one kind in one thread. */
struct failed {
	bool valid;
	__u64 seq;
	__u64 ts;
	__u64 size; /* bytes requested, 0: unknown */
	__s64 ret;
	__s32 id;   /* shmat: the id it was given */
	__u64 lost_snap;
	struct ustack *stack; /* of the failed call */
};

struct thread {
	__u32 tid;
	__u64 used; /* LRU stamp */
	struct failed shmget;
	struct failed shmat;
	struct failed mmap;
	/* The thread's latest successful shmat, shmdt or shmctl: a -1
	 * passed after it is no longer the result of an older failure. */
	__u64 sysv_ok_seq;
};

struct segment;

/*
 * One process, by pid and by its generation: a number no other process
 * of this analyzer gets, so that a pid reused by a new process is not
 * taken for the old one.
 */
struct proc_ref {
	__u32 pid;
	__u64 gen; /* 0: none */
};

/*
 * Who could still reach a segment or a shm object, find it by its key,
 * id or name and remove it: its creator, the creator's traced ancestors
 * and descendants (a parent passes names to the children it forks and
 * gets them back through pipes), and the processes that used it (mapped,
 * attached, sized or looked it up).  The leak rules wait while one of
 * them lives.  The ancestors are those the creator had when it made the
 * object (its nearest SW_ANCESTRY); the users the latest SW_REACH_USERS,
 * the dead ones replaced first.  A descendant is found by its own
 * ancestry; the one found last is remembered in `seen`, so that a wait
 * costs a walk of the processes only when that one has exited.
 */
struct reach {
	struct proc_ref creator;
	struct proc_ref anc[SW_ANCESTRY];
	struct proc_ref users[SW_REACH_USERS];
	struct proc_ref seen;
	__u8 n_anc;
	__u8 n_users;
};

struct proc {
	struct hnode node; /* key: pid */
	__u32 pid;
	__u64 gen; /* see struct proc_ref */
	/* Its nearest traced ancestors, parent first, as they were when it
	 * was forked (or first seen, from the event's ppid). */
	struct proc_ref anc[SW_ANCESTRY];
	__u8 n_anc;
	char comm[SW_COMM_LEN];
	char exe[SW_NAME_LEN]; /* the file its traced exec ran, "" unknown */
	/* Its traced exec's arguments joined by spaces ("..." at the end
	 * when cut), else exe, else "": how a remover is named. */
	char cmdline[SW_CMDLINE_LEN];
	struct mm *mm;
	struct thread threads[SW_THREADS];
	struct list_node created; /* segments this process created, by cnode */
	struct list_node objs; /* objects it created, by cnode, until it exits */
	struct sw_proc_summary sum;
	__u64 *dedup; /* open addressing set of reported finding keys */
	__u32 dedup_n;
	__u32 dedup_cap;
	bool exited;
	bool growth_reported;
	__u64 last_seq; /* its latest event, for the state cap (evict.c) */
	__u64 cgroup_id; /* of its latest event: whose container it runs in */
	/* First seen at a call after the cap forgot processes: it may be
	 * one of them, come back with holdings the analyzer does not know,
	 * so attach-leak does not judge it (until an exec). */
	bool holdings_unknown;
	/* It held shared memory: a shared mapping of anything but a disk
	 * file (glibc's locale cache, mapped shared and read-only by most
	 * programs, is not shared memory), seeded or traced. */
	bool shared_memory;
};

/* ---- SysV segments ---------------------------------------------------- */

struct segment {
	struct hnode node; /* key: seg_key(ipc_ns, shmid) */
	__s32 shmid;
	__u32 ipc_ns;	    /* the IPC namespace it lives in (sw_event.ipc_ns) */
	__s32 key;
	__u64 size;
	__u32 nattch;	    /* as far as traced processes show it */
	bool rmid;	    /* IPC_RMID done: destroyed at nattch 0 */
	bool creator_known; /* a traced (or seeded) process created it */
	bool attached_ever;
	bool queued;	    /* in a->idle for the end-of-event check */
	bool destroyed;	    /* freed at the end of the event */
	bool traced;	    /* a call touched it, not only seeding */
	bool counted;	    /* in its namespace's use (struct ipcns_use) */
	__u32 creator_pid;
	__u32 creator_tid;
	char creator_comm[SW_COMM_LEN];
	struct proc *creator; /* while it lives */
	struct list_node cnode; /* in creator->created */
	__u64 create_seq;
	struct ustack *stack; /* of the creating shmget */
	__u64 lost_snap;
	__u64 last_detach_seq;
	__u64 creator_exit_seq;
	/* missing-rollback: the creator's first shmat of it failed */
	bool rb_pending;
	__u64 rb_at_seq;
	__s64 rb_ret;
	__u64 rb_lost_snap;
	__u32 rb_tid;
	struct ustack *rb_stack; /* of the failed shmat */
	bool leak_reported;
	/* What a judgment of it rests on was dropped under the state cap
	 * (evict.c): never judged again. */
	bool forgotten;
	struct held_ref held; /* its size while alive, at stack's site */
	/* segment-leak: who could still remove it, and the wait for the
	 * last of them (a->segs_wait) once it is orphaned */
	struct reach reach;
	struct list_node wnode;
};

/* ---- shm objects: POSIX shm and other tmpfs files, memfds ------------ */

/*
 * A file of a memory filesystem that a traced process created, sized or
 * mapped, identified by (dev, ino): a process that maps an fd it
 * received over a socket is tied to the object its creator made.
 */
struct shmobj {
	struct hnode node; /* key: obj_key(dev, ino) */
	struct hnode pnode; /* in a->obj_paths while linked and created:
				  key: a hash of path */
	struct list_node wnode; /* in a->objs_wait: creator gone, still linked,
				   not judged yet */
	struct list_node cnode; /* in its creator's objs while it lives */
	struct list_node knode; /* in a->objs_collect: may be forgotten now */
	__u32 n_maps;	      /* live ranges (any process) that map it */
	bool in_paths;
	__u32 dev;
	__u8 backing;	      /* SW_BK_SHMEM_FILE, SW_BK_MEMFD, SW_BK_HUGETLB */
	bool created;	      /* a traced process created it: creator_* valid */
	bool unlinked;
	bool creator_gone;
	bool mapped_ever;     /* some traced process mapped it shared */
	bool path_cut;	      /* the kernel side could not build its whole
				 path: it ends in "...", matches no unlink,
				 and its leak cannot be judged */
	bool leak_reported;
	bool space_reported;  /* shm-space-exhausted: once per object */
	bool refused;	      /* its latest sizing call failed with ENOSPC */
	bool seeded;	      /* it was there before the trace: creator unknown */
	bool forgotten;	      /* see struct segment */
	__u64 ino;
	__u32 mnt_ns;	      /* its creator's mount namespace, where path
				 names it; 0: not known */
	char path[SW_NAME_LEN]; /* as created ("/dev/shm/x", "memfd:x"), else
				   the file's name */
	__u64 size;
	__u64 first_size;     /* when first seen, for the growers */
	__u64 peak_size;
	__u32 creator_pid;
	__u32 creator_tid;
	char creator_comm[SW_COMM_LEN];
	__u64 create_seq;
	__u64 creator_exit_seq;
	struct ustack *stack; /* of the creating call */
	/* The latest size change: who, from what, and where. */
	__u64 resize_seq;
	__u64 resize_from;
	__u32 resize_pid;
	char resize_comm[SW_COMM_LEN];
	struct ustack *resize_stack;
	__u64 first_map_seq;
	__u64 unlink_seq;
	__u64 lost_snap;
	/* Bytes the kernel had allocated to it at the latest event that
	 * described it (i_blocks; 0 also in logs from before it was
	 * recorded).  Only a traced ftruncate or fallocate gives pages
	 * back, so it is a lower bound of what the object holds since. */
	__u64 alloc;
	struct reach reach; /* shm-object-leak: who could still unlink it */
	struct held_ref held; /* its size, at stack's site */
};

/* A memory filesystem as its objects' events last showed it. */
struct mount {
	__u32 dev;
	__u32 fs_gen; /* which tmpfs of that dev (sw_call_info); 0: not known */
	bool has_label;
	char label[SW_NAME_LEN]; /* the directory of an object's path */
	__u64 fs_used;
	__u64 fs_size;
	/* The high-water mark of fs_used in the events, and when. */
	__u64 peak_used;
	__u64 peak_ts;
	/* Ran out of space: see sw_mount_usage.needed. */
	__u64 needed;
	/* Whose it is: see sw_mount_usage.cgroup_id. */
	__u64 cgroup_id;
	__u64 other_cgroup_id;
	bool changed; /* since the last analyzer__usage(changed_only) */
	bool evented; /* an event showed it, not only the seeding */
	/* What held the peak (see model_mount_peak_take). */
	bool peak_pending;
	int n_peak_held;
	struct sw_usage_object peak_held[SW_USAGE_TOP];
};

#define SW_MOUNTS 32

/*
 * SysV shared memory of one IPC namespace: the segments known alive and
 * their high-water mark.  What held the peak is taken when the peak is
 * over (peak_pending: the first drop after a new peak, or a report),
 * so that a climb costs one look at the segments, not one per step.
 */
struct ipcns_use {
	__u32 ipc_ns;
	__u32 segments;
	__u64 bytes;
	__u64 pages;	 /* as kernel.shmall counts: each segment's rounded up */
	__u64 peak_bytes;
	__u64 peak_ts;
	__u64 peak_pages;
	__u32 peak_bytes_segments;
	__u32 peak_segments;
	__u64 biggest_size;
	bool changed; /* since the last analyzer__sysv_usage(changed_only) */
	bool peak_pending;
	int n_peak_held;
	struct sw_usage_segment peak_held[SW_USAGE_TOP];
};

#define SW_IPC_NSES 32

static inline __u64 obj_key(__u32 dev, __u64 ino)
{
	return ino * 0x9e3779b97f4a7c15ULL ^ dev;
}

struct exit_rec {
	__u32 pid;
	__u64 ts;
};

/*
 * A SysV segment removed with IPC_RMID, or a tmpfs object unlinked,
 * remembered after it is gone: a later call that fails on its id, key or
 * path is explained by it (removed-while-in-use, failed-then-used), and
 * an id that was the caller's namespace's is not taken for another
 * namespace's (ipc-namespace-mismatch).
 */
struct removal {
	bool valid;
	bool object; /* an unlinked object (path, mnt_ns), else a segment */
	/* The remover neither created it nor had it attached or mapped:
	 * someone else's cleanup (ipcrm, logind's RemoveIPC, a script,
	 * another program's resource tracker). */
	bool outsider;
	__u32 ipc_ns;
	__s32 shmid;
	__s32 key;
	__u32 mnt_ns;
	char path[SW_NAME_LEN];
	__u64 size;	/* 0: unknown */
	__u64 seq;	/* the IPC_RMID or unlink */
	__u64 ts;
	__u32 remover_pid;
	__u32 remover_uid;
	char remover_comm[SW_COMM_LEN];
	char remover_cmd[SW_CMDLINE_LEN]; /* see proc.cmdline, "" unknown */
	__u32 creator_pid; /* 0: unknown */
	char creator_comm[SW_COMM_LEN];
	/* An object that was there before the trace: no creator is known,
	 * so what makes the remover an outsider is that another process
	 * mapped it when it was unlinked (that one, the first found). */
	bool seeded;
	__u32 holder_pid;
	char holder_comm[SW_COMM_LEN];
};

struct analyzer {
	struct analyzer_opts opts;
	struct hmap procs;
	struct hmap segs;
	__u64 lost_total;
	__u32 rng;
	__u64 lru_clock;
	struct exit_rec exits[SW_RECENT_EXITS];
	unsigned int exit_next;
	struct removal removals[SW_REMOVALS];
	unsigned int removal_next;
	/* segments whose nattch hit 0 or whose creator went away during
	 * the current event; rules look at them, then model_end_event(). */
	struct segment **idle;
	size_t n_idle;
	size_t cap_idle;
	bool finished;
	__u64 n_stacks; /* struct ustack allocated and not yet freed */
	bool wants_opens; /* see analyzer__wants_opens */
	struct hmap objs;
	struct hmap obj_paths; /* linked created objects by path */
	struct mount mounts[SW_MOUNTS];
	unsigned int n_mounts;
	/* SysV use per IPC namespace; namespaces beyond SW_IPC_NSES are
	 * left out of the usage view (their segments are still judged). */
	struct ipcns_use ipcnses[SW_IPC_NSES];
	unsigned int n_ipcnses;
	__u64 now; /* ts_ns of the event being applied */
	__u64 now_seq; /* and its seq */
	/* objects whose creator exited while they were linked: the leak
	 * check looks at them again when a mapping goes */
	struct list_node objs_wait; /* of struct shmobj, by wnode */
	/* Objects that may have become free to forget (unlinked, unmapped,
	 * their creator gone) since model_obj_collect last looked, by knode. */
	struct list_node objs_collect;
	/* orphaned segments whose reachers are not all gone yet: looked at
	 * again when a process exits */
	struct list_node segs_wait; /* of struct segment, by wnode */
	__u64 proc_gen; /* the latest struct proc.gen given */
	/* opts.keep_exited: pids of exited SysV users, struct hnode
	 * alone.  Unlike the rest, it grows with every such process, which
	 * is why it is kept only on request. */
	struct hmap exited;
	/* What the state holds beyond its hash tables' entries, and what
	 * the cap (opts.state_max) dropped: see evict.c. */
	__u64 n_mappings;
	__u64 stack_bytes;
	__u64 dedup_bytes;
	__u64 dropped_procs;
	__u64 dropped_objects;
	__u64 forgotten;
	/* The newest generation the cap forgot (see model_reach_forgotten). */
	__u64 forgot_gen_hi;
	/* The state size the next eviction waits for: state_max, or more
	 * while what could not be forgotten holds the state above it. */
	__u64 evict_at;
	struct held held; /* bytes held by creating stack */
};

/* ---- processes and threads (state.c) ---------------------------------- */

/* Lookups are inline: every event makes a few. */
static inline struct proc *model_proc(struct analyzer *a, __u32 pid)
{
	struct hnode *n = hmap_get(&a->procs, pid);

	return n ? hmap_entry(n, struct proc, node) : NULL;
}

/*
 * The process an event belongs to, created on first sight.  NULL for a
 * late event: one from a process whose exit was already seen, stamped
 * before that exit (another thread's last call can come after the exit).
 */
struct proc *model_proc_for_event(struct analyzer *a, const struct sw_event *e);
struct proc *model_proc_new(struct analyzer *a, __u32 pid, const char *comm);
/* c was forked by parent: its ancestry is parent's, behind parent. */
void model_proc_set_parent(struct proc *c, const struct proc *parent);
static inline struct proc_ref model_proc_ref(const struct proc *p)
{
	return (struct proc_ref){ .pid = p->pid, .gen = p->gen };
}
/* The live process r names, or NULL (exited, or its pid reused). */
struct proc *model_ref_live(const struct analyzer *a, struct proc_ref r);

/* ---- who can still reach an object (state.c) --------------------------- */

/* Made by creator (NULL: a process already gone, a late event). */
void model_reach_init(struct reach *r, const struct proc *creator);
/* p used it: mapped, attached, sized or looked it up. */
void model_reach_use(const struct analyzer *a, struct reach *r, const struct proc *p);
/* A live process that could still reach it, or NULL when none is left. */
const struct proc *model_reach_live(struct analyzer *a, struct reach *r);
/* src is an event's comm (not always terminated) or a C string. */
void model_set_comm(char *dst, const char *src);
/* An empty address space with one reference. */
struct mm *model_mm_new(void);
void model_note_peak(struct proc *p);
/* A shared mapping of anything but a disk file is shared memory; what
 * decides whether the process gets a summary (proc.shared_memory). */
void model_note_shared_memory(struct proc *p, __u32 backing);
struct thread *model_thread(struct analyzer *a, struct proc *p, __u32 tid);
/* A thread's record if it exists, without creating one. */
struct thread *model_thread_find(struct proc *p, __u32 tid);
void model_threads_clear(struct analyzer *a, struct proc *p);
/* A failed result no longer stands (a later success, a new image). */
void model_failed_clear(struct analyzer *a, struct failed *f);
void model_record_failure(struct analyzer *a, struct failed *f, const struct sw_event *e,
			  __u64 size, __s32 id);
/* Remember an exit, so later events stamped before it are known late. */
void model_note_exit(struct analyzer *a, __u32 pid, __u64 ts);
void model_lost(struct analyzer *a, __u64 n);

/* ---- SysV segments (state.c) -------------------------------------------- */

/* A SysV id means something only in its IPC namespace: a new namespace
 * numbers its segments from 0 again. */
static inline __u64 seg_key(__u32 ipc_ns, __s32 shmid)
{
	return (__u64)ipc_ns << 32 | (__u32)shmid;
}

static inline struct segment *model_seg(struct analyzer *a, __u32 ipc_ns, __s32 shmid)
{
	struct hnode *n = hmap_get(&a->segs, seg_key(ipc_ns, shmid));
	struct segment *s = n ? hmap_entry(n, struct segment, node) : NULL;

	return s && !s->destroyed ? s : NULL;
}

struct segment *model_seg_new(struct analyzer *a, __u32 ipc_ns, __s32 shmid, __s32 key,
			       __u64 size);
void model_seg_free(struct analyzer *a, struct segment *s);
/* The segment's size became known or changed: its namespace's use follows. */
void model_seg_set_size(struct analyzer *a, struct segment *s, __u64 size);
/* The biggest segments alive in ipc_ns into rows (SW_USAGE_TOP of
 * them), biggest first; returns how many. */
int model_sysv_biggest(const struct analyzer *a, __u32 ipc_ns, struct sw_usage_segment *rows);
/* u's use is at a new peak that is about to end: remember what holds it.
 * Does nothing when no new peak is pending. */
void model_sysv_peak_take(struct analyzer *a, struct ipcns_use *u);
/* Insert key into a list of at most SW_USAGE_TOP kept in descending key
 * order, with items of item_size beside: the slot to fill, or -1 when it
 * does not make the list. */
int model_top_slot(__u64 *keys, int *n, __u64 key, void *items, size_t item_size);
/* Gone from the kernel: forget it now, or at the end of the event when
 * rules may still hold a pointer from a->idle. */
void model_seg_destroy(struct analyzer *a, struct segment *s);
/* Links s to its creator p and takes p's family as its reachers. */
void model_seg_link_creator(struct segment *s, struct proc *p);
void model_seg_unlink_creator(struct segment *s);
/* A segment whose nattch may have reached 0, or whose creator left:
 * rules look at it once the event is applied. */
void model_seg_queue(struct analyzer *a, struct segment *s);
/* The segment an attachment is of, or NULL. */
static inline struct segment *model_seg_of(struct analyzer *a, const struct mapping *n)
{
	return n->kind == SW_RANGE_ATTACH ? model_seg(a, n->ipc_ns, n->shmid) : NULL;
}
void model_seg_attach(struct analyzer *a, const struct mapping *n);
void model_seg_detach(struct analyzer *a, const struct mapping *n, __u64 seq);
/* Is a segment of this key alive in the namespace, and not made private
 * by IPC_RMID? */
bool model_seg_key_alive(const struct analyzer *a, __u32 ipc_ns, __s32 key);
/* p removed s (or the segment id, when s is NULL: not known) with the
 * IPC_RMID e: remembered for the calls that fail on it later. */
void model_removal_add(struct analyzer *a, struct proc *p, const struct sw_event *e,
		       const struct segment *s);
/* The latest removal of this id, or of this key (IPC_PRIVATE: none), in
 * the namespace; NULL if none is remembered. */
const struct removal *model_removal_of_id(const struct analyzer *a, __u32 ipc_ns, __s32 shmid);
const struct removal *model_removal_of_key(const struct analyzer *a, __u32 ipc_ns, __s32 key);
/* p unlinked o with e: remembered for the opens that fail on its path.
 * holder: for a seeded object, a live process (not p) that maps it. */
void model_removal_add_obj(struct analyzer *a, struct proc *p, const struct sw_event *e,
			   const struct shmobj *o, const struct proc *holder);
/* p unlinked a path the analyzer does not know (the cap forgot its
 * object): no outsider's, but it hides older removals of the path. */
void model_removal_add_path(struct analyzer *a, struct proc *p, const struct sw_event *e);
/* The latest unlink of this path in the mount namespace, or NULL. */
const struct removal *model_removal_of_path(const struct analyzer *a, __u32 mnt_ns,
					    const char *path);
/* Would the kernel keep this segment forever (nobody attached, creator
 * gone, no IPC_RMID, and shm_rmid_forced off)? */
bool model_seg_orphaned(const struct analyzer *a, const struct segment *s);
/* After a shmget, shmat or shmctl by p: p knows the segment's id. */
void model_seg_note_user(struct analyzer *a, struct proc *p, const struct sw_event *e);
/* segment-leak waits for the last process that could remove s. */
void model_seg_wait(struct analyzer *a, struct segment *s);
void model_seg_unwait(struct segment *s);
/* Queue every waiting segment for the end-of-event check (a process
 * exited: it may have been the last reacher). */
void model_seg_queue_waiting(struct analyzer *a);
/* Count s (its size while alive) and o at their creating stacks' sites
 * (held.c); call after a change of size, stack or life. */
void model_held_seg(struct analyzer *a, struct segment *s);
void model_held_obj(struct analyzer *a, struct shmobj *o);
/* Destroy what the kernel would have destroyed, and empty a->idle. */
void model_end_event(struct analyzer *a);

/* ---- the state cap (evict.c) --------------------------------------------- */

/* An estimate of the heap the state holds, in bytes. */
__u64 model_state_bytes(const struct analyzer *a);
/* Could a process the cap forgot still reach it: one of its reachers,
 * or a descendant of its creator (which is younger than the creator)? */
bool model_reach_forgotten(const struct analyzer *a, const struct reach *r);
/* Never to be judged again; counted as unjudged the first time. */
void model_seg_forget(struct analyzer *a, struct segment *s);
void model_obj_forget(struct analyzer *a, struct shmobj *o);
/* Over opts.state_max: forget the least recently active processes (at
 * most half of them in one pass), then the oldest unmapped objects,
 * until the state is a quarter below it.  Called between events, when
 * no rule holds a pointer into the state. */
void model_evict(struct analyzer *a);

static inline __u32 model_holdings(const struct mm *mm)
{
	return mm->n_attach + mm->n_map;
}

/* Is this a shared (not private) mapping request? */
static inline bool model_mmap_shared(__u64 flags)
{
	return flags & K_MAP_SHARED; /* MAP_SHARED, MAP_SHARED_VALIDATE */
}

#endif /* SHMWATCH_STATE_H */
