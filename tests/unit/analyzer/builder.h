/* SPDX-License-Identifier: GPL-2.0 */
/*
 * builder.h - what the analyzer's unit tests share: an analyzer that
 * records its findings and summaries (T), builders that feed it one event
 * each and return the seq they used, and assertions on what it found.
 * Header-only, every helper static inline, so that each test file is a
 * program of its own.
 */
#ifndef SHMWATCH_TEST_BUILDER_H
#define SHMWATCH_TEST_BUILDER_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "analyzer/analyzer.h"
#include "analyzer/objects.h"
#include "analyzer/space.h"
#include "lib/names.h"
#include "analyzer/rules.h"

#define MS 1000000ULL
#define SEC 1000000000ULL
#define MAX_FINDINGS 64
#define MAX_SUMMARIES 16

#define IPC_PRIVATE_KEY 0
#define IPC_CREAT_FLAG 01000
#define IPC_RMID_CMD 0
#define MAP_SHARED_FLAG 0x01
#define MAP_PRIVATE_FLAG 0x02
#define MAP_ANON_FLAG 0x20
#define PROT_RW 3
#define PROT_READ_FLAG 1

struct tc {
	struct analyzer *a;
	struct analyzer_opts opts;
	__u64 seq;
	__u64 ts;
	int n_findings;
	struct sw_finding findings[MAX_FINDINGS];
	int n_summaries;
	struct sw_proc_summary summaries[MAX_SUMMARIES];
	__u64 stk_base; /* the next event fed carries stk_n frames */
	__u32 stk_n;
	__u32 ipc_ns;	/* of every event fed (0: the initial namespace) */
	__u32 mnt_ns;	/* of the path calls and creations fed (0: MNT_HOST) */
	__u64 fs_used;	/* the mount's use in the object calls fed */
	__u32 ppid;	/* of every event fed (0: none given) */
	__u64 cgroup;	/* of every event fed (0: none given) */
	__u32 fs_gen;	/* of the tmpfs in the object calls fed (0: not known) */
	/* A comm of its own for one pid (else "prog<pid>"). */
	__u32 comm_pid;
	const char *comm;
};

static struct tc T;

static inline void on_finding(void *ctx, const struct sw_finding *f)
{
	struct tc *t = ctx;

	if (t->n_findings < MAX_FINDINGS)
		t->findings[t->n_findings] = *f;
	t->n_findings++;
}

static inline void on_summary(void *ctx, const struct sw_proc_summary *s)
{
	struct tc *t = ctx;

	if (t->n_summaries < MAX_SUMMARIES)
		t->summaries[t->n_summaries] = *s;
	t->n_summaries++;
}

/* Start an analyzer; opts may tweak T.opts first via start_with(). */
static inline void start(void)
{
	T.opts.on_finding = on_finding;
	T.opts.on_summary = on_summary;
	T.opts.ctx = &T;
	T.a = analyzer__new(&T.opts);
	assert_non_null(T.a);
}

static inline int setup(void **state)
{
	memset(&T, 0, sizeof(T));
	T.ts = 1000 * SEC;
	return 0;
}

static inline int teardown(void **state)
{
	analyzer__free(T.a);
	T.a = NULL;
	return 0;
}

/* The usage views analyzer__usage hands to on_usage (ctx: a usage_rec). */
#define MAX_USAGE 8

struct usage_rec {
	int n;
	struct sw_mount_usage u[MAX_USAGE];
};

static inline void on_usage(void *ctx, const struct sw_mount_usage *u)
{
	struct usage_rec *r = ctx;

	if (r->n < MAX_USAGE)
		r->u[r->n] = *u;
	r->n++;
}

/* The same for analyzer__sysv_usage. */
struct sysv_rec {
	int n;
	struct sw_sysv_usage u[MAX_USAGE];
};

static inline void on_sysv(void *ctx, const struct sw_sysv_usage *u)
{
	struct sysv_rec *r = ctx;

	if (r->n < MAX_USAGE)
		r->u[r->n] = *u;
	r->n++;
}

/* ---- event builders: each returns the seq it used ------------------- */

static inline __u64 feed(struct sw_event *e, __u32 pid, __u32 tid)
{
	e->pid = pid;
	e->tid = tid ? tid : pid;
	e->ts_ns = T.ts;
	e->seq = ++T.seq;
	e->ipc_ns = T.ipc_ns;
	e->cgroup_id = T.cgroup;
	if (T.ppid)
		e->ppid = T.ppid;
	if (T.comm && pid == T.comm_pid)
		snprintf(e->comm, sizeof(e->comm), "%s", T.comm);
	else
		snprintf(e->comm, sizeof(e->comm), "prog%u", pid);
	if (T.stk_n) {
		e->n_frames = T.stk_n;
		for (__u32 i = 0; i < T.stk_n && i < SW_MAX_FRAMES; i++)
			e->stack[i] = T.stk_base + i;
		T.stk_n = 0;
	}
	analyzer__event(T.a, e);
	return e->seq;
}

/* The next event fed carries a user stack of n frames: base, base+1, ... */
static inline void with_stack(__u64 base, __u32 n)
{
	T.stk_base = base;
	T.stk_n = n;
}

static inline __u64 call(__u32 pid, __u32 tid, __u32 c, __s64 ret, __u64 a0, __u64 a1, __u64 a2,
			 __u64 a3)
{
	struct sw_event e = { .kind = SW_EV_CALL, .call = c };

	e.c.ret = ret;
	e.c.args[0] = a0;
	e.c.args[1] = a1;
	e.c.args[2] = a2;
	e.c.args[3] = a3;
	e.c.shmid = -1;
	return feed(&e, pid, tid);
}

static inline __u64 shmget_(__u32 pid, __s32 key, __u64 size, __s64 ret)
{
	return call(pid, 0, SW_SHMGET, ret, (__u64)(__s64)key, size, IPC_CREAT_FLAG | 0600, 0);
}

static inline __u64 shmat_(__u32 pid, __u32 tid, __s32 id, __s64 ret, __u64 segsz)
{
	struct sw_event e = { .kind = SW_EV_CALL, .call = SW_SHMAT };

	e.c.ret = ret;
	e.c.args[0] = (__u64)(__s64)id;
	e.c.shmid = ret < 0 ? -1 : id;
	e.c.seg_size = ret < 0 ? 0 : segsz;
	e.c.map_size = ret < 0 ? 0 : SW_PAGE_ALIGN(segsz);
	e.c.backing = ret < 0 ? SW_BK_NONE : SW_BK_SYSV;
	return feed(&e, pid, tid);
}

static inline __u64 shmdt_(__u32 pid, __u32 tid, __u64 addr, __s64 ret)
{
	return call(pid, tid, SW_SHMDT, ret, addr, 0, 0, 0);
}

static inline __u64 shmctl_(__u32 pid, __s32 id, __u64 cmd, __s64 ret)
{
	return call(pid, 0, SW_SHMCTL, ret, (__u64)(__s64)id, cmd, 0, 0);
}

static inline __u64 mmap_(__u32 pid, __u32 tid, __u64 len, __u64 prot, __u64 flags, __s64 ret,
			  __u32 backing)
{
	struct sw_event e = { .kind = SW_EV_CALL, .call = SW_MMAP };

	e.c.ret = ret;
	e.c.args[0] = 0;
	e.c.args[1] = len;
	e.c.args[2] = prot;
	e.c.args[3] = flags;
	e.c.args[4] = (__u64)-1;
	e.c.shmid = -1;
	e.c.backing = backing;
	e.c.map_size = ret < 0 ? 0 : SW_PAGE_ALIGN(len);
	return feed(&e, pid, tid);
}

static inline __u64 shared_map(__u32 pid, __u64 addr, __u64 len)
{
	return mmap_(pid, 0, len, PROT_RW, MAP_SHARED_FLAG | MAP_ANON_FLAG, (__s64)addr,
		     SW_BK_ANON_SHARED);
}

static inline __u64 munmap_(__u32 pid, __u64 addr, __u64 len, __s64 ret)
{
	return call(pid, 0, SW_MUNMAP, ret, addr, len, 0, 0);
}

static inline __u64 madvise_(__u32 pid, __u64 addr, __u64 len, __u64 advice, __s64 ret)
{
	return call(pid, 0, SW_MADVISE, ret, addr, len, advice, 0);
}

static inline __u64 mremap_(__u32 pid, __u64 old, __u64 old_size, __u64 new_size, __s64 ret)
{
	struct sw_event e = { .kind = SW_EV_CALL, .call = SW_MREMAP };

	e.c.ret = ret;
	e.c.args[0] = old;
	e.c.args[1] = old_size;
	e.c.args[2] = new_size;
	e.c.args[3] = 1; /* MREMAP_MAYMOVE */
	e.c.shmid = -1;
	e.c.backing = SW_BK_ANON_SHARED;
	return feed(&e, pid, 0);
}

static inline __u64 fork_(__u32 parent, __u32 child, bool shares_vm)
{
	struct sw_event e = { .kind = SW_EV_FORK };

	e.fork.child_pid = child;
	e.fork.shares_vm = shares_vm;
	return feed(&e, parent, 0);
}

static inline __u64 exec_(__u32 pid)
{
	struct sw_event e = { .kind = SW_EV_EXEC };

	return feed(&e, pid, 0);
}

/* An exec with arguments: argv holds them NUL-separated, len bytes. */
static inline __u64 exec_argv(__u32 pid, const char *file, const char *argv, __u16 len)
{
	struct sw_event e = { .kind = SW_EV_EXEC };

	snprintf(e.exec.filename, sizeof(e.exec.filename), "%s", file);
	memcpy(e.exec.argv, argv, len);
	e.exec.argv_len = len;
	return feed(&e, pid, 0);
}

static inline __u64 exit_(__u32 pid)
{
	struct sw_event e = { .kind = SW_EV_EXIT };

	return feed(&e, pid, 0);
}

static inline __u64 signal_(__u32 pid, __u32 tid, int signo, int code, __u64 addr)
{
	struct sw_event e = { .kind = SW_EV_SIGNAL };

	e.sig.signo = signo;
	e.sig.code = code;
	e.sig.addr = addr;
	return feed(&e, pid, tid);
}

/* ---- shm objects: tmpfs files and memfds --------------------------- */

/* Filesystems, as kernel dev_t: the /dev/shm tmpfs, the kernel's
 * internal shmem mount (memfds), a hugetlbfs, another tmpfs on /run. */
#define SHM_DEV 0x1a
#define MEMFD_DEV 0x1
#define HUGE_DEV 0x2c
#define RUN_DEV 0x19
#define AT_FDCWD_ARG ((__u64)-100)
#define OBJ_FD 5
#define BUS_ADRERR_CODE 2
#define SI_TKILL_CODE (-6)
#define KiB 1024ULL
#define MiB (1024ULL * 1024)

#define MNT_HOST 4026531841U

/* A call on a tmpfs file or memfd: the object fields as the kernel
 * reads them after the call (backing, dev, ino, size in seg_size). */
static inline __u64 obj_call(__u32 pid, __u32 c, __s64 ret, const char *name, __u32 dev, __u64 ino,
			     __u32 backing, __u64 size)
{
	struct sw_event e = { .kind = SW_EV_CALL, .call = c };

	e.c.ret = ret;
	e.c.shmid = -1;
	e.c.dev = dev;
	e.c.ino = ino;
	e.c.backing = backing;
	e.c.seg_size = size;
	e.c.fs_used = T.fs_used;
	e.c.fs_gen = T.fs_gen;
	if (name)
		snprintf(e.c.name, sizeof(e.c.name), "%s", name);
	return feed(&e, pid, 0);
}

/* The record that announces a tmpfs file created by pid (as shm_open
 * does): its first ftruncate through the creating fd, here to size 0;
 * backing SW_BK_HUGETLB for a hugetlbfs file.  With its creator's mount
 * namespace, as the kernel side gives it. */
static inline __u64 create_file(__u32 pid, const char *path, __u32 dev, __u64 ino, __u32 backing)
{
	struct sw_event e = { .kind = SW_EV_CALL, .call = SW_FTRUNCATE };

	e.c.ret = 0;
	e.c.args[0] = OBJ_FD;
	e.c.shmid = -1;
	e.c.dev = dev;
	e.c.ino = ino;
	e.c.backing = backing;
	e.c.created = 1;
	e.c.fs_used = T.fs_used;
	e.c.fs_gen = T.fs_gen;
	e.c.mnt_ns = T.mnt_ns ? T.mnt_ns : MNT_HOST;
	snprintf(e.c.name, sizeof(e.c.name), "%s", path);
	return feed(&e, pid, 0);
}

static inline __u64 shm_open_(__u32 pid, const char *path, __u64 ino)
{
	return create_file(pid, path, SHM_DEV, ino, SW_BK_SHMEM_FILE);
}

static inline __u64 memfd_(__u32 pid, const char *name, __u64 ino)
{
	return obj_call(pid, SW_MEMFD_CREATE, OBJ_FD, name, MEMFD_DEV, ino, SW_BK_MEMFD, 0);
}

static inline __u64 ftruncate_(__u32 pid, __u32 dev, __u64 ino, __u32 backing, __u64 size)
{
	return obj_call(pid, SW_FTRUNCATE, 0, "", dev, ino, backing, size);
}

static inline __u64 shm_truncate(__u32 pid, __u64 ino, __u64 size)
{
	return ftruncate_(pid, SHM_DEV, ino, SW_BK_SHMEM_FILE, size);
}

/* A call that names a path: unlink, unlinkat, openat (with the caller's
 * mount namespace, as the kernel side gives it). */
static inline __u64 path_call(__u32 pid, __u32 c, __s64 ret, const char *path)
{
	struct sw_event e = { .kind = SW_EV_CALL, .call = c };

	e.c.ret = ret;
	e.c.args[0] = c == SW_UNLINK ? 0 : AT_FDCWD_ARG;
	e.c.shmid = -1;
	e.c.mnt_ns = T.mnt_ns ? T.mnt_ns : MNT_HOST;
	snprintf(e.c.name, sizeof(e.c.name), "%s", path);
	return feed(&e, pid, 0);
}

static inline __u64 unlink_(__u32 pid, const char *path, __s64 ret)
{
	return path_call(pid, SW_UNLINK, ret, path);
}

static inline __u64 unlinkat_(__u32 pid, const char *path, __s64 ret)
{
	return path_call(pid, SW_UNLINKAT, ret, path);
}

/* shm_open of a name that is not there. */
static inline __u64 open_gone(__u32 pid, const char *path)
{
	return path_call(pid, SW_OPENAT, -ENOENT, path);
}

/* mmap(NULL, len, RW, MAP_SHARED, fd, 0) of an object of obj_size. */
static inline __u64 obj_map(__u32 pid, __u64 addr, __u64 len, __u32 dev, __u64 ino, __u32 backing,
			    __u64 obj_size)
{
	struct sw_event e = { .kind = SW_EV_CALL, .call = SW_MMAP };

	e.c.ret = (__s64)addr;
	e.c.args[1] = len;
	e.c.args[2] = PROT_RW;
	e.c.args[3] = MAP_SHARED_FLAG;
	e.c.args[4] = OBJ_FD;
	e.c.shmid = -1;
	e.c.backing = backing;
	e.c.map_size = SW_PAGE_ALIGN(len);
	e.c.seg_size = obj_size;
	e.c.dev = dev;
	e.c.ino = ino;
	e.c.fs_gen = T.fs_gen;
	return feed(&e, pid, 0);
}

static inline __u64 shm_map(__u32 pid, __u64 addr, __u64 len, __u64 ino, __u64 obj_size)
{
	return obj_map(pid, addr, len, SHM_DEV, ino, SW_BK_SHMEM_FILE, obj_size);
}

/* A SIGBUS fault (BUS_ADRERR) at map_start + offset in the object, as the
 * kernel describes it; callers fill in the mount's usage and top[]. */
static inline struct sw_signal_info bus_info(__u64 map_start, __u64 offset, __u32 dev, __u64 ino,
					     __u32 backing, __u64 obj_size)
{
	struct sw_signal_info s = {
		.signo = 7, .code = BUS_ADRERR_CODE, .addr = map_start + offset,
		.map_start = map_start, .offset = offset, .obj_size = obj_size,
		.ino = ino, .dev = dev, .backing = backing,
	};

	return s;
}

static inline __u64 sigbus_(__u32 pid, const struct sw_signal_info *s)
{
	struct sw_event e = { .kind = SW_EV_SIGNAL };

	e.sig = *s;
	return feed(&e, pid, 0);
}

/* ---- assertions ------------------------------------------------------- */

static inline int count_rule(const char *rule)
{
	int n = 0;

	for (int i = 0; i < T.n_findings && i < MAX_FINDINGS; i++)
		if (!strcmp(T.findings[i].rule, rule))
			n++;
	return n;
}

static inline const struct sw_finding *find_rule(const char *rule)
{
	for (int i = 0; i < T.n_findings && i < MAX_FINDINGS; i++)
		if (!strcmp(T.findings[i].rule, rule))
			return &T.findings[i];
	return NULL;
}

static inline const struct sw_finding *find_message(const char *part)
{
	for (int i = 0; i < T.n_findings && i < MAX_FINDINGS; i++)
		if (strstr(T.findings[i].message, part))
			return &T.findings[i];
	return NULL;
}

static inline bool has_evidence(const struct sw_finding *f, __u64 seq)
{
	for (int i = 0; i < f->n_evidence; i++)
		if (f->evidence[i] == seq)
			return true;
	return false;
}

static inline const struct sw_proc_summary *summary_of(__u32 pid)
{
	for (int i = 0; i < T.n_summaries && i < MAX_SUMMARIES; i++)
		if (T.summaries[i].pid == pid)
			return &T.summaries[i];
	return NULL;
}

static inline void assert_contains(const char *s, const char *part)
{
	if (!strstr(s, part))
		fail_msg("\"%s\" does not contain \"%s\"", s, part);
}

static inline void assert_lacks(const char *s, const char *part)
{
	if (strstr(s, part))
		fail_msg("\"%s\" contains \"%s\"", s, part);
}

/* Sizes in messages are written by names.c, whatever its format. */
static inline void assert_contains_size(const char *s, __u64 bytes)
{
	char buf[32];

	human_size(buf, sizeof(buf), bytes);
	assert_contains(s, buf);
}

#define SEG_ADDR 0x7f0000000000ULL
#define MAP_ADDR 0x7f1000000000ULL

/* s holds n frames base, base+1, ... captured in pid; n 0: none. */
static inline void assert_stack(const struct sw_stack *s, __u32 pid, __u64 base, __u32 n)
{
	assert_int_equal(s->n, n);
	if (!n)
		return;
	assert_int_equal(s->pid, pid);
	for (__u32 i = 0; i < n; i++)
		assert_int_equal(s->ip[i], base + i);
}

/*
 * Thread 11 unmaps X and is preempted before its exit tracepoint; thread
 * 12 maps X (the kernel hands the freed range out again) and unmaps it,
 * and their records arrive before 11's.  11's late munmap is no double
 * unmap, and a late one must not remove what 12 holds there now.
 */
static inline int count_ranges(void *ctx, const struct sw_range_view *r)
{
	(*(int *)ctx)++;
	return 0;
}

#endif /* SHMWATCH_TEST_BUILDER_H */
