// SPDX-License-Identifier: GPL-2.0
/*
 * test_analyzer.c - drive the analyzer (model.c + rules.c) with synthetic
 * event sequences: every rule firing, clean twins staying silent, once per
 * object, the process lifecycle, awkward orders and a lost-event gap;
 * the origin and site stacks findings carry, and that stacks kept with
 * objects are freed with them.
 */
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
};

static struct tc T;

static void on_finding(void *ctx, const struct sw_finding *f)
{
	struct tc *t = ctx;

	if (t->n_findings < MAX_FINDINGS)
		t->findings[t->n_findings] = *f;
	t->n_findings++;
}

static void on_summary(void *ctx, const struct sw_proc_summary *s)
{
	struct tc *t = ctx;

	if (t->n_summaries < MAX_SUMMARIES)
		t->summaries[t->n_summaries] = *s;
	t->n_summaries++;
}

/* Start an analyzer; opts may tweak T.opts first via start_with(). */
static void start(void)
{
	T.opts.on_finding = on_finding;
	T.opts.on_summary = on_summary;
	T.opts.ctx = &T;
	T.a = analyzer__new(&T.opts);
	assert_non_null(T.a);
}

static int setup(void **state)
{
	memset(&T, 0, sizeof(T));
	T.ts = 1000 * SEC;
	return 0;
}

static int teardown(void **state)
{
	analyzer__free(T.a);
	T.a = NULL;
	return 0;
}

/* ---- event builders: each returns the seq it used ------------------- */

static __u64 feed(struct sw_event *e, __u32 pid, __u32 tid)
{
	e->pid = pid;
	e->tid = tid ? tid : pid;
	e->ts_ns = T.ts;
	e->seq = ++T.seq;
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
static void with_stack(__u64 base, __u32 n)
{
	T.stk_base = base;
	T.stk_n = n;
}

static __u64 call(__u32 pid, __u32 tid, __u32 c, __s64 ret, __u64 a0, __u64 a1, __u64 a2,
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

static __u64 shmget_(__u32 pid, __s32 key, __u64 size, __s64 ret)
{
	return call(pid, 0, SW_SHMGET, ret, (__u64)(__s64)key, size, IPC_CREAT_FLAG | 0600, 0);
}

static __u64 shmat_(__u32 pid, __u32 tid, __s32 id, __s64 ret, __u64 segsz)
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

static __u64 shmdt_(__u32 pid, __u32 tid, __u64 addr, __s64 ret)
{
	return call(pid, tid, SW_SHMDT, ret, addr, 0, 0, 0);
}

static __u64 shmctl_(__u32 pid, __s32 id, __u64 cmd, __s64 ret)
{
	return call(pid, 0, SW_SHMCTL, ret, (__u64)(__s64)id, cmd, 0, 0);
}

static __u64 mmap_(__u32 pid, __u32 tid, __u64 len, __u64 prot, __u64 flags, __s64 ret,
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

static __u64 shared_map(__u32 pid, __u64 addr, __u64 len)
{
	return mmap_(pid, 0, len, PROT_RW, MAP_SHARED_FLAG | MAP_ANON_FLAG, (__s64)addr,
		     SW_BK_ANON_SHARED);
}

static __u64 munmap_(__u32 pid, __u64 addr, __u64 len, __s64 ret)
{
	return call(pid, 0, SW_MUNMAP, ret, addr, len, 0, 0);
}

static __u64 madvise_(__u32 pid, __u64 addr, __u64 len, __u64 advice, __s64 ret)
{
	return call(pid, 0, SW_MADVISE, ret, addr, len, advice, 0);
}

static __u64 mremap_(__u32 pid, __u64 old, __u64 old_size, __u64 new_size, __s64 ret)
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

static __u64 fork_(__u32 parent, __u32 child, bool shares_vm)
{
	struct sw_event e = { .kind = SW_EV_FORK };

	e.fork.child_pid = child;
	e.fork.shares_vm = shares_vm;
	return feed(&e, parent, 0);
}

static __u64 exec_(__u32 pid)
{
	struct sw_event e = { .kind = SW_EV_EXEC };

	return feed(&e, pid, 0);
}

static __u64 exit_(__u32 pid)
{
	struct sw_event e = { .kind = SW_EV_EXIT };

	return feed(&e, pid, 0);
}

static __u64 signal_(__u32 pid, __u32 tid, int signo, int code, __u64 addr)
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

/* A call on a tmpfs file or memfd: the object fields as the kernel
 * reads them after the call (backing, dev, ino, size in seg_size). */
static __u64 obj_call(__u32 pid, __u32 c, __s64 ret, const char *name, __u32 dev, __u64 ino,
		      __u32 backing, __u64 size)
{
	struct sw_event e = { .kind = SW_EV_CALL, .call = c };

	e.c.ret = ret;
	e.c.shmid = -1;
	e.c.dev = dev;
	e.c.ino = ino;
	e.c.backing = backing;
	e.c.seg_size = size;
	if (name)
		snprintf(e.c.name, sizeof(e.c.name), "%s", name);
	return feed(&e, pid, 0);
}

/* The record that announces a tmpfs file created by pid (as shm_open
 * does): its first ftruncate through the creating fd, here to size 0;
 * backing SW_BK_HUGETLB for a hugetlbfs file. */
static __u64 create_file(__u32 pid, const char *path, __u32 dev, __u64 ino, __u32 backing)
{
	struct sw_event e = { .kind = SW_EV_CALL, .call = SW_FTRUNCATE };

	e.c.ret = 0;
	e.c.args[0] = OBJ_FD;
	e.c.shmid = -1;
	e.c.dev = dev;
	e.c.ino = ino;
	e.c.backing = backing;
	e.c.created = 1;
	snprintf(e.c.name, sizeof(e.c.name), "%s", path);
	return feed(&e, pid, 0);
}

static __u64 shm_open_(__u32 pid, const char *path, __u64 ino)
{
	return create_file(pid, path, SHM_DEV, ino, SW_BK_SHMEM_FILE);
}

static __u64 memfd_(__u32 pid, const char *name, __u64 ino)
{
	return obj_call(pid, SW_MEMFD_CREATE, OBJ_FD, name, MEMFD_DEV, ino, SW_BK_MEMFD, 0);
}

static __u64 ftruncate_(__u32 pid, __u32 dev, __u64 ino, __u32 backing, __u64 size)
{
	return obj_call(pid, SW_FTRUNCATE, 0, "", dev, ino, backing, size);
}

static __u64 shm_truncate(__u32 pid, __u64 ino, __u64 size)
{
	return ftruncate_(pid, SHM_DEV, ino, SW_BK_SHMEM_FILE, size);
}

static __u64 unlink_(__u32 pid, const char *path, __s64 ret)
{
	return obj_call(pid, SW_UNLINK, ret, path, 0, 0, SW_BK_NONE, 0);
}

static __u64 unlinkat_(__u32 pid, const char *path, __s64 ret)
{
	struct sw_event e = { .kind = SW_EV_CALL, .call = SW_UNLINKAT };

	e.c.ret = ret;
	e.c.args[0] = AT_FDCWD_ARG;
	e.c.shmid = -1;
	snprintf(e.c.name, sizeof(e.c.name), "%s", path);
	return feed(&e, pid, 0);
}

/* mmap(NULL, len, RW, MAP_SHARED, fd, 0) of an object of obj_size. */
static __u64 obj_map(__u32 pid, __u64 addr, __u64 len, __u32 dev, __u64 ino, __u32 backing,
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
	return feed(&e, pid, 0);
}

static __u64 shm_map(__u32 pid, __u64 addr, __u64 len, __u64 ino, __u64 obj_size)
{
	return obj_map(pid, addr, len, SHM_DEV, ino, SW_BK_SHMEM_FILE, obj_size);
}

/* A SIGBUS fault (BUS_ADRERR) at map_start + offset in the object, as the
 * kernel describes it; callers fill in the mount's usage and top[]. */
static struct sw_signal_info bus_info(__u64 map_start, __u64 offset, __u32 dev, __u64 ino,
				      __u32 backing, __u64 obj_size)
{
	struct sw_signal_info s = {
		.signo = 7, .code = BUS_ADRERR_CODE, .addr = map_start + offset,
		.map_start = map_start, .offset = offset, .obj_size = obj_size,
		.ino = ino, .dev = dev, .backing = backing,
	};

	return s;
}

static __u64 sigbus_(__u32 pid, const struct sw_signal_info *s)
{
	struct sw_event e = { .kind = SW_EV_SIGNAL };

	e.sig = *s;
	return feed(&e, pid, 0);
}

/* ---- assertions ------------------------------------------------------- */

static int count_rule(const char *rule)
{
	int n = 0;

	for (int i = 0; i < T.n_findings && i < MAX_FINDINGS; i++)
		if (!strcmp(T.findings[i].rule, rule))
			n++;
	return n;
}

static const struct sw_finding *find_rule(const char *rule)
{
	for (int i = 0; i < T.n_findings && i < MAX_FINDINGS; i++)
		if (!strcmp(T.findings[i].rule, rule))
			return &T.findings[i];
	return NULL;
}

static const struct sw_finding *find_message(const char *part)
{
	for (int i = 0; i < T.n_findings && i < MAX_FINDINGS; i++)
		if (strstr(T.findings[i].message, part))
			return &T.findings[i];
	return NULL;
}

static bool has_evidence(const struct sw_finding *f, __u64 seq)
{
	for (int i = 0; i < f->n_evidence; i++)
		if (f->evidence[i] == seq)
			return true;
	return false;
}

static const struct sw_proc_summary *summary_of(__u32 pid)
{
	for (int i = 0; i < T.n_summaries && i < MAX_SUMMARIES; i++)
		if (T.summaries[i].pid == pid)
			return &T.summaries[i];
	return NULL;
}

static void assert_contains(const char *s, const char *part)
{
	if (!strstr(s, part))
		fail_msg("\"%s\" does not contain \"%s\"", s, part);
}

static void assert_lacks(const char *s, const char *part)
{
	if (strstr(s, part))
		fail_msg("\"%s\" contains \"%s\"", s, part);
}

/* Sizes in messages are written by names.c, whatever its format. */
static void assert_contains_size(const char *s, __u64 bytes)
{
	char buf[32];

	sw_human_size(buf, sizeof(buf), bytes);
	assert_contains(s, buf);
}

#define SEG_ADDR 0x7f0000000000ULL
#define MAP_ADDR 0x7f1000000000ULL

/* s holds n frames base, base+1, ... captured in pid; n 0: none. */
static void assert_stack(const struct sw_stack *s, __u32 pid, __u64 base, __u32 n)
{
	assert_int_equal(s->n, n);
	if (!n)
		return;
	assert_int_equal(s->pid, pid);
	for (__u32 i = 0; i < n; i++)
		assert_int_equal(s->ip[i], base + i);
}

/* ---- segment-leak ------------------------------------------------------ */

static void test_segment_leak_private(void **state)
{
	__u64 get, ex;
	const struct sw_finding *f;

	start();
	get = shmget_(100, IPC_PRIVATE_KEY, 3 << 20, 7);
	shmat_(100, 0, 7, SEG_ADDR, 3 << 20);
	shmdt_(100, 0, SEG_ADDR, 0);
	assert_int_equal(T.n_findings, 0);
	ex = exit_(100);
	assert_int_equal(T.n_findings, 1);
	f = find_rule("segment-leak");
	assert_non_null(f);
	assert_int_equal(f->severity, SW_SEV_ERROR);
	assert_int_equal(f->pid, 100);
	assert_false(f->uncertain);
	assert_true(has_evidence(f, get));
	assert_true(has_evidence(f, ex));
	assert_contains(f->message, "IPC_PRIVATE");
	assert_contains_size(f->message, 3 << 20);
	assert_int_equal(summary_of(100)->findings[SW_RULE_SEGMENT_LEAK], 1);
	/* A leaked segment is still a live kernel object. */
	assert_non_null(model_seg(T.a, 7));
}

static void test_segment_leak_keyed_is_warning(void **state)
{
	start();
	shmget_(100, 0x1234, 4096, 8);
	exit_(100);
	assert_int_equal(count_rule("segment-leak"), 1);
	assert_int_equal(find_rule("segment-leak")->severity, SW_SEV_WARNING);
	assert_contains(find_rule("segment-leak")->message, "0x00001234");
}

static void test_segment_clean_twin(void **state)
{
	start();
	shmget_(100, IPC_PRIVATE_KEY, 4096, 7);
	shmat_(100, 0, 7, SEG_ADDR, 4096);
	shmctl_(100, 7, IPC_RMID_CMD, 0);
	assert_non_null(model_seg(T.a, 7)); /* still attached */
	shmdt_(100, 0, SEG_ADDR, 0);
	assert_null(model_seg(T.a, 7));	    /* destroyed at the last detach */
	exit_(100);
	assert_int_equal(T.n_findings, 0);
	assert_null(model_proc(T.a, 100));
}

static void test_segment_leak_waits_for_last_detach(void **state)
{
	const struct sw_finding *f;

	start();
	shmget_(100, IPC_PRIVATE_KEY, 4096, 7);
	shmat_(100, 0, 7, SEG_ADDR, 4096);
	fork_(100, 101, false);
	assert_int_equal(model_seg(T.a, 7)->nattch, 2);
	exit_(100);
	assert_int_equal(T.n_findings, 0); /* the child still holds it */
	T.ts += SEC;
	shmdt_(101, 0, SEG_ADDR, 0);
	assert_int_equal(T.n_findings, 1);
	f = find_rule("segment-leak");
	assert_non_null(f);
	assert_int_equal(f->pid, 100); /* the creator, not the last user */
	exit_(101);
	assert_int_equal(T.n_findings, 1);
}

static void test_shm_rmid_forced(void **state)
{
	T.opts.shm_rmid_forced = true;
	start();
	shmget_(100, IPC_PRIVATE_KEY, 4096, 7);
	shmat_(100, 0, 7, SEG_ADDR, 4096);
	shmdt_(100, 0, SEG_ADDR, 0);
	assert_null(model_seg(T.a, 7)); /* destroyed at nattch 0 */
	shmget_(100, IPC_PRIVATE_KEY, 4096, 9);
	shmat_(100, 0, 9, SEG_ADDR, 64 << 20);
	exit_(100); /* never detached, never removed */
	shmget_(200, IPC_PRIVATE_KEY, 4096, 11);
	shmat_(200, 0, 11, SEG_ADDR, 4096);
	call(200, 0, SW_SHMAT, -ENOMEM, 11, 0, 0, 0);
	exit_(200);
	assert_int_equal(T.n_findings, 0);
	assert_null(model_seg(T.a, 9));
	assert_null(model_seg(T.a, 11));
}

/* ---- attach-leak --------------------------------------------------------- */

static void test_attach_leak_frame_loop(void **state)
{
	__u64 t0 = T.ts, first = 0;
	const struct sw_finding *f;

	start();
	/* A fresh segment every 10 ms, never detached, for 3 s. */
	for (int i = 0; i < 300; i++) {
		__s32 id = 1000 + i;
		__u64 s = shmget_(300, IPC_PRIVATE_KEY, 1 << 20, id);

		if (!first)
			first = s;
		shmat_(300, 0, id, SEG_ADDR + (__u64)i * (2 << 20), 1 << 20);
		T.ts += 10 * MS;
	}
	assert_int_equal(count_rule("attach-leak"), 1);
	f = find_rule("attach-leak");
	assert_int_equal(f->pid, 300);
	assert_int_equal(f->severity, SW_SEV_WARNING);
	assert_true(f->ts_ns - t0 <= 2500 * MS); /* within a few seconds */
	assert_true(f->n_evidence >= 2);
	assert_contains(f->message, "without release");
}

static void test_attach_leak_steady_server(void **state)
{
	start();
	/* Start-up: a pool of 200 attachments in one burst. */
	for (int i = 0; i < 200; i++) {
		shmget_(400, 0x5000 + i, 1 << 20, 2000 + i);
		shmat_(400, 0, 2000 + i, SEG_ADDR + (__u64)i * (2 << 20), 1 << 20);
		T.ts += MS;
	}
	/* Two hours of churn: one detached, one attached, every 100 ms. */
	for (int i = 0; i < 72000; i++) {
		int k = i % 200;
		__u64 addr = SEG_ADDR + (__u64)k * (2 << 20);

		shmdt_(400, 0, addr, 0);
		shmat_(400, 0, 2000 + k, addr, 1 << 20);
		T.ts += 100 * MS;
	}
	assert_int_equal(count_rule("attach-leak"), 0);
	assert_int_equal(model_holdings(model_proc(T.a, 400)->mm), 200);
}

static void test_attach_leak_restarts_after_loss(void **state)
{
	__u64 loss_ts = 0;

	start();
	for (int i = 0; i < 800; i++) {
		if (i == 150) {
			loss_ts = T.ts;
			analyzer__lost(T.a, T.ts, 3);
		}
		shared_map(310, MAP_ADDR + (__u64)i * 0x10000, 4096);
		T.ts += 10 * MS;
	}
	assert_int_equal(count_rule("attach-leak"), 1);
	/* The windows before the hole do not count. */
	assert_true(find_rule("attach-leak")->ts_ns >=
		    loss_ts + SW_GROWTH_WINDOWS * SW_DEFAULT_GROWTH_WINDOW_NS);
	assert_false(find_rule("attach-leak")->uncertain);
}

static void test_attach_leak_slow_bursts_not_flagged(void **state)
{
	start();
	/* 20 new mappings every 2.5 s: 8 a second, below the threshold. */
	for (int burst = 0; burst < 8; burst++) {
		for (int i = 0; i < 20; i++)
			shared_map(320, MAP_ADDR + (__u64)(burst * 20 + i) * 0x10000, 4096);
		T.ts += 2500 * MS;
	}
	/* A steady trickle of 10 a second, for a minute. */
	for (int i = 0; i < 600; i++) {
		shared_map(321, MAP_ADDR + (__u64)i * 0x10000, 4096);
		T.ts += 100 * MS;
	}
	assert_int_equal(count_rule("attach-leak"), 0);
}

/* ---- failed-then-used ------------------------------------------------- */

static void test_ftu_shmat_minus_one(void **state)
{
	__u64 get, at;
	const struct sw_finding *f;

	start();
	get = shmget_(500, IPC_PRIVATE_KEY, 1ULL << 30, -ENOMEM);
	at = call(500, 0, SW_SHMAT, -EINVAL, (__u64)-1, 0, 0, 0);
	call(500, 0, SW_SHMAT, -EINVAL, (__u64)-1, 0, 0, 0);
	assert_int_equal(count_rule("failed-then-used"), 1);
	f = find_rule("failed-then-used");
	assert_int_equal(f->severity, SW_SEV_ERROR);
	assert_true(has_evidence(f, get));
	assert_true(has_evidence(f, at));
	assert_contains(f->message, "ENOMEM");
	/* shmctl(-1, IPC_RMID) is its own defect. */
	shmctl_(500, -1, IPC_RMID_CMD, -EINVAL);
	assert_int_equal(count_rule("failed-then-used"), 2);
}

static void test_ftu_map_failed_addresses(void **state)
{
	__u64 bad;

	start();
	bad = call(510, 0, SW_SHMAT, -EACCES, 42, 0, 0, 0);
	shmdt_(510, 0, (__u64)-1, -EINVAL);
	shmdt_(510, 0, (__u64)-1, -EINVAL);
	assert_int_equal(count_rule("failed-then-used"), 1);
	assert_true(has_evidence(find_rule("failed-then-used"), bad));
	assert_contains(find_rule("failed-then-used")->message, "EACCES");
	munmap_(510, (__u64)-1, 4096, -EINVAL);
	mremap_(510, (__u64)-1, 4096, 8192, -EINVAL);
	assert_int_equal(count_rule("failed-then-used"), 3);
	assert_int_equal(count_rule("invalid-detach"), 0);
}

static void test_ftu_nonexistent_id(void **state)
{
	start();
	call(520, 0, SW_SHMAT, -EINVAL, 12345, 0, 0, 0);
	assert_int_equal(count_rule("failed-then-used"), 1);
	assert_contains(find_rule("failed-then-used")->message, "12345");
	/* EINVAL with an address is about the address, not the id. */
	call(520, 0, SW_SHMAT, -EINVAL, 777, 0x1001, 0, 0);
	/* IPC_INFO ignores the id. */
	shmctl_(520, 5, 3, -EINVAL);
	/* A permission error says the id exists. */
	call(520, 0, SW_SHMAT, -EACCES, 888, 0, 0, 0);
	assert_int_equal(count_rule("failed-then-used"), 1);
}

static void test_ftu_fault_after_failed_mmap(void **state)
{
	__u64 bad, sig;
	const struct sw_finding *f;

	start();
	/* No failure yet: a NULL dereference is not ours. */
	signal_(530, 0, 11, 1, 0x10);
	assert_int_equal(T.n_findings, 0);
	bad = mmap_(530, 0, 4 << 20, PROT_RW, MAP_SHARED_FLAG | MAP_ANON_FLAG, -ENOMEM,
		    SW_BK_ANON_SHARED);
	T.ts += MS;
	sig = signal_(530, 0, 11, 1, 0x3ff000); /* wrapped from -1 */
	assert_int_equal(count_rule("failed-then-used"), 1);
	f = find_rule("failed-then-used");
	assert_true(has_evidence(f, bad));
	assert_true(has_evidence(f, sig));
	assert_contains_size(f->message, 4 << 20);
	/* Far outside the requested size: no. */
	bad = mmap_(531, 0, 8192, PROT_RW, MAP_SHARED_FLAG | MAP_ANON_FLAG, -ENOMEM,
		    SW_BK_ANON_SHARED);
	signal_(531, 0, 11, 1, 0x500000);
	/* Long after the failure: no. */
	T.ts += 5 * SEC;
	signal_(531, 0, 11, 1, 0x10);
	assert_int_equal(count_rule("failed-then-used"), 1);
}

/* ---- oversized-request ------------------------------------------------- */

static void test_oversized(void **state)
{
	const struct sw_finding *f;

	T.opts.mem_total = 16ULL << 30;
	start();
	shmget_(600, IPC_PRIVATE_KEY, 100 << 20, 1); /* under the default 256 MiB */
	assert_int_equal(T.n_findings, 0);
	shmget_(600, IPC_PRIVATE_KEY, 300 << 20, 2);
	shmget_(600, IPC_PRIVATE_KEY, 300 << 20, 3); /* same request again */
	assert_int_equal(count_rule("oversized-request"), 1);
	f = find_rule("oversized-request");
	assert_int_equal(f->severity, SW_SEV_WARNING);
	assert_contains_size(f->message, 300 << 20);
	assert_contains(f->message, "--max-size");
	shmget_(600, IPC_PRIVATE_KEY, 1ULL << 41, -EINVAL);
	assert_int_equal(count_rule("oversized-request"), 2);
	f = &T.findings[T.n_findings - 1];
	assert_int_equal(f->severity, SW_SEV_ERROR);
	assert_contains(f->message, "2^40");
	assert_contains(f->message, "EINVAL");
	mmap_(600, 0, 20ULL << 30, PROT_RW, MAP_PRIVATE_FLAG | MAP_ANON_FLAG, -ENOMEM,
	      SW_BK_ANON_PRIVATE);
	assert_int_equal(count_rule("oversized-request"), 3);
	assert_contains(T.findings[T.n_findings - 1].message, "RAM plus swap");
	/* A PROT_NONE reservation asks for no memory. */
	mmap_(600, 0, 1ULL << 42, 0, MAP_PRIVATE_FLAG | MAP_ANON_FLAG, 0x7e0000000000,
	      SW_BK_ANON_PRIVATE);
	assert_int_equal(count_rule("oversized-request"), 3);
}

/* ---- missing-rollback ---------------------------------------------------- */

static void test_missing_rollback(void **state)
{
	__u64 get, at;
	const struct sw_finding *f;

	start();
	get = shmget_(700, IPC_PRIVATE_KEY, 8 << 20, 21);
	at = call(700, 0, SW_SHMAT, -ENOMEM, 21, 0, 0, 0);
	exit_(700);
	assert_int_equal(count_rule("missing-rollback"), 1);
	assert_int_equal(count_rule("segment-leak"), 1); /* one object, two rules */
	f = find_rule("missing-rollback");
	assert_int_equal(f->pid, 700);
	assert_true(has_evidence(f, get));
	assert_true(has_evidence(f, at));
	assert_contains(f->message, "ENOMEM");
}

static void test_missing_rollback_clean_twin(void **state)
{
	start();
	shmget_(710, IPC_PRIVATE_KEY, 8 << 20, 22);
	call(710, 0, SW_SHMAT, -ENOMEM, 22, 0, 0, 0);
	shmctl_(710, 22, IPC_RMID_CMD, 0);
	exit_(710);
	/* A retry that succeeds is not a half-initialised segment either. */
	shmget_(711, IPC_PRIVATE_KEY, 8 << 20, 23);
	call(711, 0, SW_SHMAT, -ENOMEM, 23, 0, 0, 0);
	shmat_(711, 0, 23, SEG_ADDR, 8 << 20);
	shmctl_(711, 23, IPC_RMID_CMD, 0);
	exit_(711);
	assert_int_equal(T.n_findings, 0);
	assert_null(model_seg(T.a, 22));
	assert_null(model_seg(T.a, 23));
}

/* ---- invalid-detach ------------------------------------------------------ */

static void test_invalid_detach_double_shmdt(void **state)
{
	__u64 first, again;
	const struct sw_finding *f;

	start();
	shmget_(800, IPC_PRIVATE_KEY, 4096, 31);
	shmat_(800, 0, 31, SEG_ADDR, 4096);
	shmctl_(800, 31, IPC_RMID_CMD, 0);
	first = shmdt_(800, 0, SEG_ADDR, 0);
	again = shmdt_(800, 0, SEG_ADDR, -EINVAL);
	shmdt_(800, 0, SEG_ADDR, -EINVAL);
	assert_int_equal(count_rule("invalid-detach"), 1);
	f = find_rule("invalid-detach");
	assert_int_equal(f->severity, SW_SEV_WARNING);
	assert_true(has_evidence(f, first));
	assert_true(has_evidence(f, again));
	assert_contains(f->message, "already detached");
	/* Never attached at all. */
	shmdt_(800, 0, 0x600000, -EINVAL);
	assert_int_equal(count_rule("invalid-detach"), 2);
}

static void test_invalid_detach_munmap_conservative(void **state)
{
	__u64 first;

	start();
	/* munmap of a range we never saw: maybe a private mapping. */
	munmap_(810, 0x500000, 4096, 0);
	/* Part of a range unmapped before: could be a private mmap now. */
	shared_map(810, MAP_ADDR, 8 * 4096);
	munmap_(810, MAP_ADDR, 8 * 4096, 0);
	munmap_(810, MAP_ADDR + 4096, 4096, 0);
	/* A piece unmapped, then the same piece again: not a whole mapping. */
	shared_map(810, MAP_ADDR + 0x100000, 8 * 4096);
	munmap_(810, MAP_ADDR + 0x100000, 4096, 0);
	munmap_(810, MAP_ADDR + 0x100000, 4096, 0);
	assert_int_equal(count_rule("invalid-detach"), 0);
	/* The same whole shared mapping released twice: known. */
	shared_map(810, MAP_ADDR + 0x200000, 16 * 4096);
	first = munmap_(810, MAP_ADDR + 0x200000, 16 * 4096, 0);
	munmap_(810, MAP_ADDR + 0x200000, 16 * 4096, 0);
	assert_int_equal(count_rule("invalid-detach"), 1);
	assert_true(has_evidence(find_rule("invalid-detach"), first));
	assert_contains(find_rule("invalid-detach")->message, "already unmapped");
	munmap_(810, 0x500001, 4096, -EINVAL);
	assert_int_equal(count_rule("invalid-detach"), 2);
	assert_contains(T.findings[T.n_findings - 1].message, "EINVAL");
}

static void test_invalid_detach_double_munmap_all_mmaps(void **state)
{
	__u64 first;

	T.opts.all_mmaps = true;
	start();
	shared_map(820, MAP_ADDR, 8 * 4096);
	first = munmap_(820, MAP_ADDR, 8 * 4096, 0);
	munmap_(820, MAP_ADDR + 4096, 4096, 0); /* every mmap is seen: known */
	assert_int_equal(count_rule("invalid-detach"), 1);
	assert_true(has_evidence(find_rule("invalid-detach"), first));
	/* Mapped again in between (privately): fine. */
	shared_map(820, MAP_ADDR + 0x100000, 4096);
	munmap_(820, MAP_ADDR + 0x100000, 4096, 0);
	mmap_(820, 0, 4096, PROT_RW, MAP_PRIVATE_FLAG | MAP_ANON_FLAG, MAP_ADDR + 0x100000,
	      SW_BK_ANON_PRIVATE);
	munmap_(820, MAP_ADDR + 0x100000, 4096, 0);
	/* A loss since the first munmap could hide such an mmap. */
	shared_map(820, MAP_ADDR + 0x200000, 4096);
	munmap_(820, MAP_ADDR + 0x200000, 4096, 0);
	analyzer__lost(T.a, T.ts, 1);
	munmap_(820, MAP_ADDR + 0x200000, 4096, 0);
	assert_int_equal(count_rule("invalid-detach"), 1);
}

/*
 * Thread 11 unmaps X and is preempted before its exit tracepoint; thread
 * 12 maps X (the kernel hands the freed range out again) and unmaps it,
 * and their records arrive before 11's.  11's late munmap is no double
 * unmap, and a late one must not remove what 12 holds there now.
 */
static int count_ranges(void *ctx, const struct sw_range_view *r)
{
	(*(int *)ctx)++;
	return 0;
}

static void test_late_munmap_of_another_thread(void **state)
{
	int held = 0;

	start();
	mmap_(830, 831, 4096, PROT_RW, MAP_SHARED_FLAG | MAP_ANON_FLAG, MAP_ADDR, SW_BK_ANON_SHARED);
	mmap_(830, 832, 4096, PROT_RW, MAP_SHARED_FLAG | MAP_ANON_FLAG, MAP_ADDR, SW_BK_ANON_SHARED);
	call(830, 832, SW_MUNMAP, 0, MAP_ADDR, 4096, 0, 0);
	call(830, 831, SW_MUNMAP, 0, MAP_ADDR, 4096, 0, 0); /* the late one */
	assert_int_equal(count_rule("invalid-detach"), 0);
	/* Again, with 12 still holding its mapping when 11's record comes. */
	mmap_(830, 831, 4096, PROT_RW, MAP_SHARED_FLAG | MAP_ANON_FLAG, MAP_ADDR, SW_BK_ANON_SHARED);
	mmap_(830, 832, 4096, PROT_RW, MAP_SHARED_FLAG | MAP_ANON_FLAG, MAP_ADDR, SW_BK_ANON_SHARED);
	call(830, 831, SW_MUNMAP, 0, MAP_ADDR, 4096, 0, 0);
	assert_int_equal(analyzer__foreach_range(T.a, 830, count_ranges, &held), 0);
	assert_int_equal(held, 1);
	/* A real double unmap by one thread is still one. */
	call(830, 832, SW_MUNMAP, 0, MAP_ADDR, 4096, 0, 0);
	call(830, 832, SW_MUNMAP, 0, MAP_ADDR, 4096, 0, 0);
	assert_int_equal(count_rule("invalid-detach"), 1);
}

/* The same for a shmdt that comes after another thread's shmat landed on
 * the address it detached: the new attachment stays attached. */
static void test_late_shmdt_of_another_thread(void **state)
{
	int held = 0;

	start();
	shmget_(840, IPC_PRIVATE_KEY, 4096, 51);
	shmget_(840, IPC_PRIVATE_KEY, 4096, 52);
	shmat_(840, 841, 51, SEG_ADDR, 4096);
	shmat_(840, 842, 52, SEG_ADDR, 4096);
	shmdt_(840, 841, SEG_ADDR, 0); /* 51's detach, late */
	assert_int_equal(analyzer__foreach_range(T.a, 840, count_ranges, &held), 0);
	assert_int_equal(held, 1);
	shmctl_(840, 51, IPC_RMID_CMD, 0);
	shmctl_(840, 52, IPC_RMID_CMD, 0);
	exit_(840);
	assert_int_equal(T.n_findings, 0);
}

/* ---- use-after-detach --------------------------------------------------- */

static void test_use_after_detach(void **state)
{
	__u64 at, dt, sig;
	const struct sw_finding *f;

	start();
	shmget_(900, IPC_PRIVATE_KEY, 1 << 20, 41);
	at = shmat_(900, 0, 41, SEG_ADDR, 1 << 20);
	shmctl_(900, 41, IPC_RMID_CMD, 0);
	dt = shmdt_(900, 0, SEG_ADDR, 0);
	signal_(900, 0, 11, 2, SEG_ADDR + 100); /* SEGV_ACCERR: something is there */
	assert_int_equal(T.n_findings, 0);
	sig = signal_(900, 0, 11, 1, SEG_ADDR + 100);
	signal_(900, 0, 11, 1, SEG_ADDR + 200);
	assert_int_equal(count_rule("use-after-detach"), 1);
	f = find_rule("use-after-detach");
	assert_int_equal(f->severity, SW_SEV_ERROR);
	assert_true(has_evidence(f, at));
	assert_true(has_evidence(f, dt));
	assert_true(has_evidence(f, sig));
	assert_contains(f->message, "segment 41");
}

static void test_use_after_detach_needs_nothing_mapped_since(void **state)
{
	start();
	shared_map(910, MAP_ADDR, 8192);
	munmap_(910, MAP_ADDR, 8192, 0);
	/* A large private mapping lands there afterwards. */
	mmap_(910, 0, 512 << 20, PROT_RW, MAP_PRIVATE_FLAG | MAP_ANON_FLAG, MAP_ADDR,
	      SW_BK_ANON_PRIVATE);
	signal_(910, 0, 11, 1, MAP_ADDR + 10);
	assert_int_equal(count_rule("use-after-detach"), 0);
}

static void test_partial_munmap_and_mremap(void **state)
{
	struct sw_proc *p;

	start();
	shared_map(920, MAP_ADDR, 4 * 4096);
	munmap_(920, MAP_ADDR + 4096, 4096, 0); /* punch a hole */
	p = model_proc(T.a, 920);
	assert_int_equal(p->mm->n_map, 2);
	assert_int_equal(p->mm->bytes, 3 * 4096);
	signal_(920, 0, 11, 1, MAP_ADDR + 4096 + 8);
	assert_int_equal(count_rule("use-after-detach"), 1);
	/* mremap moves the tail piece away; the old address is stale. */
	mremap_(920, MAP_ADDR + 2 * 4096, 2 * 4096, 4 * 4096, 0x7f2000000000);
	assert_int_equal(p->mm->bytes, 4096 + 4 * 4096);
	signal_(920, 0, 11, 1, MAP_ADDR + 2 * 4096);
	assert_int_equal(count_rule("use-after-detach"), 2);
	assert_contains(T.findings[T.n_findings - 1].message, "mremap");
	munmap_(920, MAP_ADDR, 1 << 20, 0);
	munmap_(920, 0x7f2000000000, 4 * 4096, 0);
	assert_int_equal(model_holdings(p->mm), 0);
	assert_int_equal(p->mm->bytes, 0);
}

/* ---- lifecycle ---------------------------------------------------------- */

static void test_fork_copies_attachments(void **state)
{
	const struct sw_proc_summary *s;

	start();
	shmget_(1000, IPC_PRIVATE_KEY, 4096, 51);
	shmat_(1000, 0, 51, SEG_ADDR, 4096);
	shared_map(1000, MAP_ADDR, 8192);
	fork_(1000, 1001, false);
	assert_int_equal(model_seg(T.a, 51)->nattch, 2);
	assert_int_equal(model_holdings(model_proc(T.a, 1001)->mm), 2);
	/* The child detaches what it inherited: no finding. */
	shmdt_(1001, 0, SEG_ADDR, 0);
	assert_int_equal(model_seg(T.a, 51)->nattch, 1);
	signal_(1001, 0, 11, 1, SEG_ADDR);
	assert_int_equal(count_rule("use-after-detach"), 1);
	assert_int_equal(find_rule("use-after-detach")->pid, 1001);
	/* The parent's own attachment is untouched by the child's detach. */
	signal_(1000, 0, 11, 1, SEG_ADDR);
	assert_int_equal(count_rule("use-after-detach"), 1);
	exit_(1001);
	s = summary_of(1001);
	assert_non_null(s);
	assert_true(s->exited);
	assert_int_equal(s->held_attachments, 1); /* the shared mapping */
	assert_int_equal(s->detaches, 1);
	shmctl_(1000, 51, IPC_RMID_CMD, 0);
	exit_(1000);
	assert_null(model_seg(T.a, 51));
	assert_int_equal(count_rule("segment-leak"), 0);
}

static void test_vfork_shares_address_space(void **state)
{
	start();
	shmget_(1100, IPC_PRIVATE_KEY, 4096, 61);
	shmat_(1100, 0, 61, SEG_ADDR, 4096);
	fork_(1100, 1101, true);
	assert_ptr_equal(model_proc(T.a, 1101)->mm, model_proc(T.a, 1100)->mm);
	assert_int_equal(model_seg(T.a, 61)->nattch, 1);
	exit_(1101); /* _exit without exec: the parent keeps everything */
	assert_int_equal(model_seg(T.a, 61)->nattch, 1);
	fork_(1100, 1102, true);
	exec_(1102);
	assert_int_equal(model_holdings(model_proc(T.a, 1100)->mm), 1);
	assert_int_equal(model_holdings(model_proc(T.a, 1102)->mm), 0);
}

/*
 * MADV_DONTFORK keeps an attachment out of a fork's child, as stress-ng's
 * shm-sysv stressor does at random: the child gets only the shared
 * mapping, so once the parent detaches and removes the segment, the
 * segment is gone while the child lives on.
 */
static void test_dontfork_leaves_the_attachment_to_the_parent(void **state)
{
	start();
	shmget_(1300, IPC_PRIVATE_KEY, 8 << 20, 81);
	shmat_(1300, 0, 81, SEG_ADDR, 8 << 20);
	shared_map(1300, MAP_ADDR, 8192);
	madvise_(1300, SEG_ADDR, 8 << 20, SW_MADV_DONTFORK, 0);
	fork_(1300, 1301, false);
	assert_null(model_range_at(model_proc(T.a, 1301)->mm, SEG_ADDR));
	assert_non_null(model_range_at(model_proc(T.a, 1301)->mm, MAP_ADDR));
	assert_int_equal(model_seg(T.a, 81)->nattch, 1);
	shmdt_(1300, 0, SEG_ADDR, 0);
	shmctl_(1300, 81, IPC_RMID_CMD, 0);
	assert_null(model_seg(T.a, 81));
}

/* Advice on part of an attachment splits it, as the kernel splits the
 * VMA (each piece one attach); MADV_DOFORK takes DONTFORK back. */
static void test_dofork_on_part_of_a_dontfork_attachment(void **state)
{
	struct sw_mm *child;

	start();
	shmget_(1400, IPC_PRIVATE_KEY, 3 * 4096, 91);
	shmat_(1400, 0, 91, SEG_ADDR, 3 * 4096);
	madvise_(1400, SEG_ADDR, 3 * 4096, SW_MADV_DONTFORK, 0);
	assert_int_equal(model_seg(T.a, 91)->nattch, 1);
	madvise_(1400, SEG_ADDR + 4096, 4096, SW_MADV_DOFORK, 0);
	assert_int_equal(model_seg(T.a, 91)->nattch, 3);
	/* Failed advice changed nothing. */
	madvise_(1400, SEG_ADDR, 4096, SW_MADV_DOFORK, -22);
	fork_(1400, 1401, false);
	child = model_proc(T.a, 1401)->mm;
	assert_null(model_range_at(child, SEG_ADDR));
	assert_non_null(model_range_at(child, SEG_ADDR + 4096));
	assert_null(model_range_at(child, SEG_ADDR + 2 * 4096));
	assert_int_equal(model_seg(T.a, 91)->nattch, 4);
}

static void test_exec_drops_attachments(void **state)
{
	start();
	shmget_(1200, IPC_PRIVATE_KEY, 4096, 71);
	shmat_(1200, 0, 71, SEG_ADDR, 4096);
	shmdt_(1200, 0, SEG_ADDR, 0);
	shmat_(1200, 0, 71, SEG_ADDR + 0x10000, 4096);
	exec_(1200);
	assert_int_equal(model_seg(T.a, 71)->nattch, 0);
	assert_int_equal(model_holdings(model_proc(T.a, 1200)->mm), 0);
	/* The new image knows nothing of the old tombstones. */
	signal_(1200, 0, 11, 1, SEG_ADDR);
	assert_int_equal(count_rule("use-after-detach"), 0);
	/* The process still is the creator: leak decided at its exit. */
	assert_int_equal(T.n_findings, 0);
	exit_(1200);
	assert_int_equal(count_rule("segment-leak"), 1);
}

static void test_exit_before_other_threads_last_call(void **state)
{
	__u64 late_ts;

	start();
	shmget_(1300, IPC_PRIVATE_KEY, 4096, 81);
	shmat_(1300, 1301, 81, SEG_ADDR, 4096);
	late_ts = T.ts + 5;
	T.ts += 10;
	exit_(1300);
	assert_null(model_proc(T.a, 1300));
	/* Thread 1301's last calls, stamped before the exit, arrive after. */
	T.ts = late_ts;
	shmdt_(1300, 1301, SEG_ADDR, 0);
	shmget_(1300, IPC_PRIVATE_KEY, 4096, 82);
	/* No ghost process is made up from them... */
	assert_null(model_proc(T.a, 1300));
	/* ...but the segment the dead process made is a leak, once each. */
	assert_int_equal(count_rule("segment-leak"), 2);
	assert_int_equal(count_rule("invalid-detach"), 0);
	analyzer__finish(T.a, T.ts);
	assert_int_equal(T.n_summaries, 1);
}

static void test_pid_reuse(void **state)
{
	start();
	shmget_(1400, IPC_PRIVATE_KEY, 300 << 20, 91);
	shmat_(1400, 0, 91, SEG_ADDR, 300 << 20);
	shmctl_(1400, 91, IPC_RMID_CMD, 0);
	assert_int_equal(count_rule("oversized-request"), 1);
	/* Its exit is lost; the pid comes back as a child of 1. */
	T.ts += SEC;
	fork_(1, 1400, false);
	assert_int_equal(T.n_summaries, 1); /* the old one is retired */
	assert_int_equal(summary_of(1400)->attaches, 1);
	assert_null(model_seg(T.a, 91)); /* its attachment went with it */
	assert_int_equal(model_holdings(model_proc(T.a, 1400)->mm), 0);
	/* A new process: the same request is a new finding. */
	shmget_(1400, IPC_PRIVATE_KEY, 300 << 20, 92);
	assert_int_equal(count_rule("oversized-request"), 2);
	/* And a proper exit then reuse. */
	shmctl_(1400, 92, IPC_RMID_CMD, 0);
	exit_(1400);
	T.ts += SEC;
	fork_(1, 1400, false);
	shmget_(1400, IPC_PRIVATE_KEY, 300 << 20, 93);
	assert_int_equal(count_rule("oversized-request"), 3);
	assert_int_equal(model_proc(T.a, 1400)->sum.segs_created, 1);
}

static void test_interleaved_threads(void **state)
{
	__u64 bad;
	struct sw_proc *p;

	start();
	shmget_(1500, IPC_PRIVATE_KEY, 4096, 101);
	shmget_(1500, IPC_PRIVATE_KEY, 4096, 102);
	bad = mmap_(1500, 1501, 1 << 20, PROT_RW, MAP_SHARED_FLAG | MAP_ANON_FLAG, -ENOMEM,
		    SW_BK_ANON_SHARED);
	shmat_(1500, 1502, 101, SEG_ADDR, 4096);
	mmap_(1500, 1502, 4096, PROT_RW, MAP_SHARED_FLAG | MAP_ANON_FLAG, MAP_ADDR,
	      SW_BK_ANON_SHARED); /* another thread's success clears nothing */
	shmat_(1500, 1501, 102, SEG_ADDR + 0x10000, 4096);
	shmdt_(1500, 1502, SEG_ADDR + 0x10000, 0); /* detach by another thread */
	shmdt_(1500, 1501, SEG_ADDR, 0);
	p = model_proc(T.a, 1500);
	assert_int_equal(p->mm->n_attach, 0);
	assert_int_equal(T.n_findings, 0);
	munmap_(1500, (__u64)-1, 1 << 20, -EINVAL);
	call(1500, 1501, SW_MUNMAP, -EINVAL, (__u64)-1, 1 << 20, 0, 0);
	assert_int_equal(count_rule("failed-then-used"), 1);
	/* The pid-wide finding came from thread 1500 with no failure of its
	 * own; the evidence falls back to none but the call. */
	assert_false(has_evidence(find_rule("failed-then-used"), bad));
	shmctl_(1500, 101, IPC_RMID_CMD, 0);
	shmctl_(1500, 102, IPC_RMID_CMD, 0);
	exit_(1500);
	assert_int_equal(count_rule("segment-leak"), 0);
}

static void test_failure_evidence_is_per_thread(void **state)
{
	__u64 bad;

	start();
	bad = mmap_(1600, 1601, 1 << 20, PROT_RW, MAP_SHARED_FLAG | MAP_ANON_FLAG, -ENOMEM,
		    SW_BK_ANON_SHARED);
	call(1600, 1601, SW_MUNMAP, -EINVAL, (__u64)-1, 1 << 20, 0, 0);
	assert_true(has_evidence(find_rule("failed-then-used"), bad));
}

/* ---- loss ----------------------------------------------------------- */

static void test_lost_gap_marks_uncertain(void **state)
{
	const struct sw_finding *f;

	start();
	shmget_(1700, IPC_PRIVATE_KEY, 4096, 111);
	shmat_(1700, 0, 111, SEG_ADDR, 4096);
	shmdt_(1700, 0, SEG_ADDR, 0);
	/* The IPC_RMID may have been in the hole. */
	analyzer__lost(T.a, T.ts, 5);
	shmget_(1700, IPC_PRIVATE_KEY, 4096, 112); /* made after the hole */
	shmdt_(1700, 0, 0x9000, -EINVAL);	   /* the kernel's verdict */
	exit_(1700);
	assert_int_equal(count_rule("segment-leak"), 2);
	for (int i = 0; i < T.n_findings; i++) {
		f = &T.findings[i];
		if (!strcmp(f->rule, "segment-leak") && strstr(f->message, "segment 111")) {
			assert_true(f->uncertain);
			assert_contains(f->message, "(uncertain: 5 records were lost after what it rests on was seen)");
		} else {
			assert_false(f->uncertain);
			assert_null(strstr(f->message, "uncertain"));
		}
	}
	assert_int_equal(count_rule("invalid-detach"), 1);
}

/* ---- summaries and the table -------------------------------------- */

static void test_summary_counts(void **state)
{
	const struct sw_proc_summary *s;

	start();
	shmget_(1800, IPC_PRIVATE_KEY, 1 << 20, 121);
	shmat_(1800, 0, 121, SEG_ADDR, 1 << 20);
	shared_map(1800, MAP_ADDR, 1 << 20);
	shmctl_(1800, 121, IPC_RMID_CMD, 0);
	shmdt_(1800, 0, SEG_ADDR, 0);
	shared_map(1800, MAP_ADDR + (4 << 20), 4096);
	exit_(1800);
	s = summary_of(1800);
	assert_non_null(s);
	assert_string_equal(s->comm, "prog1800");
	assert_int_equal(s->segs_created, 1);
	assert_int_equal(s->segs_removed, 1);
	assert_int_equal(s->attaches, 1);
	assert_int_equal(s->detaches, 1);
	assert_int_equal(s->shared_maps, 2);
	assert_int_equal(s->peak_shared_bytes, 2 << 20);
	assert_int_equal(s->held_attachments, 2);
	assert_int_equal(s->held_bytes, (1 << 20) + 4096);
	/* Held at exit is not a finding. */
	assert_int_equal(T.n_findings, 0);
	/* A live process is summarized at the end, once. */
	shared_map(1801, MAP_ADDR, 4096);
	analyzer__finish(T.a, T.ts);
	analyzer__finish(T.a, T.ts);
	assert_int_equal(T.n_summaries, 2);
	assert_false(summary_of(1801)->exited);
	assert_int_equal(summary_of(1801)->held_attachments, 1);
}

/* glibc maps its locale cache shared and read-only in most programs: a
 * disk file, not shared memory, so no summary for it alone. */
static void test_summary_skips_disk_files_alone(void **state)
{
	start();
	mmap_(1810, 0, 27 << 10, PROT_READ_FLAG, MAP_SHARED_FLAG, MAP_ADDR, SW_BK_FILE_SHARED);
	exit_(1810);
	assert_int_equal(T.n_summaries, 0);
	mmap_(1811, 0, 27 << 10, PROT_READ_FLAG, MAP_SHARED_FLAG, MAP_ADDR, SW_BK_FILE_SHARED);
	mmap_(1811, 0, 4096, PROT_RW, MAP_SHARED_FLAG, MAP_ADDR + (1 << 20), SW_BK_MEMFD);
	exit_(1811);
	assert_int_equal(T.n_summaries, 1);
	assert_int_equal(summary_of(1811)->shared_maps, 2);
	assert_int_equal(summary_of(1811)->held_attachments, 2);
}

static void test_rule_table(void **state)
{
	static const char *const ids[] = { "segment-leak", "attach-leak", "failed-then-used",
					   "oversized-request", "missing-rollback",
					   "invalid-detach", "use-after-detach",
					   "shm-object-leak", "sigbus-explained" };
	FILE *f;

	assert_int_equal(sw_rule_count, 9);
	assert_int_equal(sw_rule_count, SW_RULE_COUNT);
	for (int i = 0; i < sw_rule_count; i++) {
		assert_string_equal(sw_rules[i].id, ids[i]);
		assert_int_equal(sw_rule_index(ids[i]), i);
		assert_true(strlen(sw_rules[i].summary) > 10);
		assert_true(strlen(sw_rules[i].advice) > 10);
	}
	assert_int_equal(sw_rule_index("no-such-rule"), -ENOENT);
	/* docs/rules.md documents every rule (when run from the tree). */
	f = fopen("docs/rules.md", "r");
	if (f) {
		char buf[65536];
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);

		buf[n] = '\0';
		fclose(f);
		for (int i = 0; i < sw_rule_count; i++) {
			char head[64];

			snprintf(head, sizeof(head), "## `%s`", sw_rules[i].id);
			assert_contains(buf, head);
		}
	}
}

static void test_seeded_state(void **state)
{
	struct sw_seed_segment seg = { .shmid = 131, .key = 0x77, .size = 8192, .cpid = 1900,
				       .nattch = 1 };
	struct sw_seed_mapping m = { .pid = 1900, .start = SEG_ADDR, .end = SEG_ADDR + 8192,
				     .backing = SW_BK_SYSV, .shmid = 131 };

	start();
	analyzer__seed_process(T.a, 1900, "server");
	analyzer__seed_mapping(T.a, &m);
	analyzer__seed_segment(T.a, &seg);
	assert_int_equal(model_seg(T.a, 131)->nattch, 1);
	shmdt_(1900, 0, SEG_ADDR, 0);
	assert_int_equal(model_seg(T.a, 131)->nattch, 0);
	signal_(1900, 0, 11, 1, SEG_ADDR + 4);
	assert_int_equal(count_rule("use-after-detach"), 1);
	exit_(1900);
	assert_int_equal(count_rule("segment-leak"), 1);
	assert_string_equal(find_rule("segment-leak")->comm, "server");
}

static void test_seeded_segment_before_mapping(void **state)
{
	struct sw_seed_segment seg = { .shmid = 141, .key = 0, .size = 4096, .cpid = 1950,
				       .nattch = 1 };
	struct sw_seed_mapping m = { .pid = 1950, .start = SEG_ADDR, .end = SEG_ADDR + 4096,
				     .backing = SW_BK_SYSV, .shmid = 141 };

	start();
	analyzer__seed_process(T.a, 1950, "client");
	analyzer__seed_segment(T.a, &seg);
	analyzer__seed_mapping(T.a, &m);
	assert_int_equal(model_seg(T.a, 141)->nattch, 1);
	shmdt_(1950, 0, SEG_ADDR, 0);
	exit_(1950);
	assert_int_equal(count_rule("segment-leak"), 1);
	assert_int_equal(find_rule("segment-leak")->severity, SW_SEV_ERROR);
}

/* ---- shm-object-leak ---------------------------------------------------- */

static void test_objleak_creator_exits(void **state)
{
	__u64 op, tr, mp, ex;
	const struct sw_finding *f;

	start();
	op = shm_open_(3000, "/dev/shm/x", 77);
	tr = shm_truncate(3000, 77, 1 * MiB);
	mp = shm_map(3000, MAP_ADDR, 1 * MiB, 77, 1 * MiB);
	assert_int_equal(T.n_findings, 0);
	T.ts += SEC;
	ex = exit_(3000);
	assert_int_equal(T.n_findings, 1);
	f = find_rule("shm-object-leak");
	assert_non_null(f);
	assert_int_equal(f->severity, SW_SEV_WARNING);
	assert_int_equal(f->pid, 3000);
	assert_string_equal(f->comm, "prog3000");
	assert_int_equal(f->ts_ns, T.ts);
	assert_false(f->uncertain);
	assert_true(has_evidence(f, op));
	assert_true(has_evidence(f, tr));
	assert_true(has_evidence(f, mp));
	assert_true(has_evidence(f, ex));
	assert_contains(f->message, "/dev/shm/x");
	assert_contains_size(f->message, 1 * MiB);
	assert_contains(f->message, "ino 77");
	assert_contains(f->message, "never unlinked");
	assert_int_equal(summary_of(3000)->findings[SW_RULE_SHM_OBJECT_LEAK], 1);
	/* A leaked object stays in the tmpfs, and in the model. */
	assert_non_null(model_obj(T.a, SHM_DEV, 77));
	/* Once per object: a later user that maps and lets go adds nothing. */
	shm_map(3001, MAP_ADDR, 1 * MiB, 77, 1 * MiB);
	munmap_(3001, MAP_ADDR, 1 * MiB, 0);
	exit_(3001);
	assert_int_equal(count_rule("shm-object-leak"), 1);
}

static void test_objleak_clean_twins(void **state)
{
	const struct sw_finding *f;

	start();
	/* shm_unlink: unlink("/dev/shm/x") before the exit. */
	shm_open_(3100, "/dev/shm/x", 80);
	shm_truncate(3100, 80, 64 * KiB);
	shm_map(3100, MAP_ADDR, 64 * KiB, 80, 64 * KiB);
	unlink_(3100, "/dev/shm/x", 0);
	exit_(3100);
	assert_int_equal(T.n_findings, 0);
	assert_null(model_obj(T.a, SHM_DEV, 80)); /* nameless and unmapped: gone */
	/* unlinkat(AT_FDCWD, "/dev/shm/y", 0) spelled as it was created. */
	shm_open_(3101, "/dev/shm/y", 81);
	shm_map(3101, MAP_ADDR, 4096, 81, 4096);
	unlinkat_(3101, "/dev/shm/y", 0);
	exit_(3101);
	assert_int_equal(T.n_findings, 0);
	assert_null(model_obj(T.a, SHM_DEV, 81));
	/* Unlinked early, while still mapped: the usual shm_open dance. */
	shm_open_(3102, "/dev/shm/w", 82);
	shm_map(3102, MAP_ADDR, 4096, 82, 4096);
	shm_map(3103, MAP_ADDR, 4096, 82, 4096);
	unlink_(3102, "/dev/shm/w", 0);
	exit_(3102);
	munmap_(3103, MAP_ADDR, 4096, 0);
	exit_(3103);
	assert_int_equal(T.n_findings, 0);
	assert_null(model_obj(T.a, SHM_DEV, 82));
	/* A failed unlink and the unlink of another path remove nothing. */
	shm_open_(3104, "/dev/shm/z", 83);
	unlink_(3104, "/dev/shm/z", -ENOENT);
	unlink_(3104, "/dev/shm/zz", 0);
	unlinkat_(3104, "/dev/shm/z", -EACCES);
	exit_(3104);
	assert_int_equal(count_rule("shm-object-leak"), 1);
	f = find_rule("shm-object-leak");
	assert_int_equal(f->pid, 3104);
	assert_contains(f->message, "/dev/shm/z ");
}

/* The fd went over a socket: B maps the object A created, without fork. */
static void test_objleak_handover_munmap(void **state)
{
	__u64 op, ex, un, moved = 0x7f3000000000ULL;
	const struct sw_finding *f;

	start();
	op = shm_open_(3200, "/dev/shm/ring", 90);
	shm_truncate(3200, 90, 2 * MiB);
	shm_map(3200, MAP_ADDR, 2 * MiB, 90, 2 * MiB);
	shm_map(3201, MAP_ADDR + 0x10000000, 2 * MiB, 90, 2 * MiB);
	ex = exit_(3200);
	assert_int_equal(T.n_findings, 0); /* B still maps it */
	/* B moves its mapping, then lets go of a piece: still holds it. */
	mremap_(3201, MAP_ADDR + 0x10000000, 2 * MiB, 4 * MiB, (__s64)moved);
	assert_int_equal(T.n_findings, 0);
	munmap_(3201, moved, 4096, 0);
	assert_int_equal(T.n_findings, 0);
	/* Unmapping something else changes nothing either. */
	shared_map(3201, MAP_ADDR, 4096);
	munmap_(3201, MAP_ADDR, 4096, 0);
	assert_int_equal(T.n_findings, 0);
	T.ts += SEC;
	un = munmap_(3201, moved + 4096, 4 * MiB - 4096, 0);
	assert_int_equal(T.n_findings, 1);
	f = find_rule("shm-object-leak");
	assert_non_null(f);
	assert_int_equal(f->pid, 3200); /* the creator, not the last user */
	assert_string_equal(f->comm, "prog3200");
	assert_int_equal(f->ts_ns, T.ts);
	assert_true(has_evidence(f, op));
	assert_true(has_evidence(f, ex));
	assert_true(has_evidence(f, un));
	assert_contains(f->message, "/dev/shm/ring");
	assert_contains_size(f->message, 2 * MiB);
	exit_(3201);
	assert_int_equal(count_rule("shm-object-leak"), 1);
}

static void test_objleak_handover_exit_exec_fork(void **state)
{
	__u64 ex, fixed;
	const struct sw_finding *f;

	start();
	/* B exits instead of unmapping: decided at B's exit. */
	shm_open_(3300, "/dev/shm/a", 91);
	shm_map(3300, MAP_ADDR, 4096, 91, 4096);
	shm_map(3301, MAP_ADDR, 4096, 91, 4096);
	exit_(3300);
	assert_int_equal(T.n_findings, 0);
	ex = exit_(3301);
	assert_int_equal(T.n_findings, 1);
	f = &T.findings[0];
	assert_string_equal(f->rule, "shm-object-leak");
	assert_int_equal(f->pid, 3300);
	assert_true(has_evidence(f, ex));
	assert_contains(f->message, "/dev/shm/a");
	/* C execs: its new image maps nothing. */
	shm_open_(3310, "/dev/shm/b", 92);
	shm_map(3311, MAP_ADDR, 4096, 92, 4096);
	exit_(3310);
	assert_int_equal(T.n_findings, 1);
	ex = exec_(3311);
	assert_int_equal(T.n_findings, 2);
	f = &T.findings[1];
	assert_int_equal(f->pid, 3310);
	assert_true(has_evidence(f, ex));
	assert_contains(f->message, "/dev/shm/b");
	/* D maps something private over it with MAP_FIXED. */
	shm_open_(3320, "/dev/shm/c", 93);
	shm_map(3321, MAP_ADDR, 4096, 93, 4096);
	exit_(3320);
	fixed = mmap_(3321, 0, 4096, PROT_RW, MAP_PRIVATE_FLAG | MAP_ANON_FLAG, MAP_ADDR,
		      SW_BK_ANON_PRIVATE);
	assert_int_equal(T.n_findings, 3);
	f = &T.findings[2];
	assert_int_equal(f->pid, 3320);
	assert_true(has_evidence(f, fixed));
	assert_contains(f->message, "/dev/shm/c");
	/* A fork child inherits the mapping and holds it past the parent. */
	shm_open_(3330, "/dev/shm/d", 94);
	shm_map(3330, MAP_ADDR, 4096, 94, 4096);
	fork_(3330, 3331, false);
	exit_(3330);
	assert_int_equal(T.n_findings, 3);
	ex = exit_(3331);
	assert_int_equal(T.n_findings, 4);
	f = &T.findings[3];
	assert_int_equal(f->pid, 3330);
	assert_true(has_evidence(f, ex));
	assert_contains(f->message, "/dev/shm/d");
	assert_int_equal(count_rule("shm-object-leak"), 4);
}

static void test_objleak_not_candidates(void **state)
{
	start();
	/* A tmpfs file outside /dev/shm, never mapped: a plain temp file. */
	create_file(3400, "/run/user/1000/cache.tmp", RUN_DEV, 100, SW_BK_SHMEM_FILE);
	ftruncate_(3400, RUN_DEV, 100, SW_BK_SHMEM_FILE, 1 * MiB);
	exit_(3400);
	/* A memfd has no name to unlink: it goes with its last fd. */
	memfd_(3401, "pool", 101);
	ftruncate_(3401, MEMFD_DEV, 101, SW_BK_MEMFD, 1 * MiB);
	obj_map(3401, MAP_ADDR, 1 * MiB, MEMFD_DEV, 101, SW_BK_MEMFD, 1 * MiB);
	obj_map(3402, MAP_ADDR, 1 * MiB, MEMFD_DEV, 101, SW_BK_MEMFD, 1 * MiB);
	exit_(3401);
	munmap_(3402, MAP_ADDR, 1 * MiB, 0);
	exit_(3402);
	assert_null(model_obj(T.a, MEMFD_DEV, 101));
	/* A hugetlbfs file is not on a tmpfs. */
	create_file(3403, "/dev/hugepages/buf", HUGE_DEV, 102, SW_BK_HUGETLB);
	obj_map(3403, MAP_ADDR, 2 * MiB, HUGE_DEV, 102, SW_BK_HUGETLB, 2 * MiB);
	exit_(3403);
	/* Created before tracing: no creator to wait for. */
	shm_map(3404, MAP_ADDR, 4096, 103, 4096);
	munmap_(3404, MAP_ADDR, 4096, 0);
	exit_(3404);
	/* A live creator is not decided at the end of the trace. */
	shm_open_(3405, "/dev/shm/live", 104);
	analyzer__finish(T.a, T.ts);
	assert_int_equal(T.n_findings, 0);
}

/* Outside /dev/shm, a file becomes a candidate once it is mapped shared,
 * even after its creator has gone. */
static void test_objleak_candidate_by_mapping(void **state)
{
	__u64 op, mp, un;
	const struct sw_finding *f;

	start();
	op = create_file(3500, "/run/app/frames", RUN_DEV, 110, SW_BK_SHMEM_FILE);
	ftruncate_(3500, RUN_DEV, 110, SW_BK_SHMEM_FILE, 8 * MiB);
	exit_(3500);
	assert_int_equal(T.n_findings, 0);
	mp = obj_map(3501, MAP_ADDR, 8 * MiB, RUN_DEV, 110, SW_BK_SHMEM_FILE, 8 * MiB);
	assert_int_equal(T.n_findings, 0);
	un = munmap_(3501, MAP_ADDR, 8 * MiB, 0);
	assert_int_equal(count_rule("shm-object-leak"), 1);
	f = find_rule("shm-object-leak");
	assert_int_equal(f->pid, 3500);
	assert_true(has_evidence(f, op));
	assert_true(has_evidence(f, mp));
	assert_true(has_evidence(f, un));
	assert_contains(f->message, "/run/app/frames");
	assert_contains(f->message, "/run/app"); /* the mount, by its directory */
	assert_contains_size(f->message, 8 * MiB);
}

static void test_objleak_inode_reuse(void **state)
{
	__u64 old_op, new_op, ex;
	const struct sw_finding *f;

	start();
	old_op = shm_open_(3600, "/dev/shm/old", 120);
	shm_truncate(3600, 120, 1 * MiB);
	shm_map(3600, MAP_ADDR, 1 * MiB, 120, 1 * MiB);
	munmap_(3600, MAP_ADDR, 1 * MiB, 0);
	unlink_(3600, "/dev/shm/old", 0);
	/* The inode number comes back for a new file. */
	new_op = shm_open_(3600, "/dev/shm/new", 120);
	shm_truncate(3600, 120, 8 * KiB);
	ex = exit_(3600);
	assert_int_equal(count_rule("shm-object-leak"), 1);
	f = find_rule("shm-object-leak");
	assert_contains(f->message, "/dev/shm/new");
	assert_lacks(f->message, "/dev/shm/old");
	assert_contains_size(f->message, 8 * KiB);
	assert_true(has_evidence(f, new_op));
	assert_true(has_evidence(f, ex));
	assert_false(has_evidence(f, old_op));
	/* Reused by another process for a file that is no candidate: the
	 * old object's mapping and /dev/shm path do not carry over. */
	create_file(3610, "/run/app/first", RUN_DEV, 121, SW_BK_SHMEM_FILE);
	obj_map(3610, MAP_ADDR, 4096, RUN_DEV, 121, SW_BK_SHMEM_FILE, 4096);
	munmap_(3610, MAP_ADDR, 4096, 0);
	unlink_(3610, "/run/app/first", 0);
	create_file(3611, "/run/app/second", RUN_DEV, 121, SW_BK_SHMEM_FILE);
	exit_(3610);
	exit_(3611);
	assert_int_equal(count_rule("shm-object-leak"), 1);
	/* And the new object's unlink is its own, under its new path. */
	shm_open_(3620, "/dev/shm/p", 122);
	unlink_(3620, "/dev/shm/p", 0);
	shm_open_(3620, "/dev/shm/q", 122);
	exit_(3620);
	assert_int_equal(count_rule("shm-object-leak"), 2);
	assert_contains(T.findings[T.n_findings - 1].message, "/dev/shm/q");
}

/*
 * Regression (user/shmobj.c, obj_unlinked once matched the first linked
 * object with a path in hash-table order, not the newest).
 * When a path is created again while an older object with the same path
 * is still believed linked (its removal was not traced: `rm` outside the
 * --comm/--cgroup filter, or lost), the new creator's proper unlink may
 * mark the stale object instead, and the new object is then reported as
 * leaked.  Input, per path: A creates /dev/shm/rK (ino 200+2K) and exits
 * (one correct leak); an untraced rm; B creates /dev/shm/rK again (ino
 * 201+2K), unlinks /dev/shm/rK (ret 0), exits.  Expected: 8 findings, all
 * for the A processes (the bug gave 10: the unlink marked the stale
 * object for K = 0 and 2, and pids 3701 and 3705 were reported too).
 * Now an unlink names the newest linked object with the path, and
 * creating a path retires an older linked object with it on that dev.
 */
static void test_objleak_unlink_names_newest_object(void **state)
{
	char path[32];

	start();
	for (int k = 0; k < 8; k++) {
		__u32 a = 3700 + 2 * k, b = a + 1;

		snprintf(path, sizeof(path), "/dev/shm/r%d", k);
		shm_open_(a, path, 200 + 2 * k);
		exit_(a);
		/* an untraced `rm path` here */
		shm_open_(b, path, 201 + 2 * k);
		unlink_(b, path, 0);
		exit_(b);
	}
	for (int i = 0; i < T.n_findings && i < MAX_FINDINGS; i++)
		if ((T.findings[i].pid - 3700) % 2)
			fail_msg("pid %u unlinked its object, yet: %s", T.findings[i].pid,
				 T.findings[i].message);
	assert_int_equal(count_rule("shm-object-leak"), 8);
}

/* ---- sigbus-explained --------------------------------------------------- */

static void test_sigbus_past_end_never_grown(void **state)
{
	struct sw_signal_info s;
	__u64 op, tr, mp, sig;
	const struct sw_finding *f;

	start();
	op = shm_open_(3800, "/dev/shm/frame", 130);
	tr = shm_truncate(3800, 130, 64 * KiB);
	mp = shm_map(3800, MAP_ADDR, 1 * MiB, 130, 64 * KiB);
	s = bus_info(MAP_ADDR, 256 * KiB, SHM_DEV, 130, SW_BK_SHMEM_FILE, 64 * KiB);
	s.fs_size = 4ULL << 30;
	s.fs_used = 1 * MiB;
	sig = sigbus_(3800, &s);
	assert_int_equal(T.n_findings, 1);
	f = find_rule("sigbus-explained");
	assert_non_null(f);
	assert_int_equal(f->severity, SW_SEV_ERROR);
	assert_int_equal(f->pid, 3800);
	assert_true(has_evidence(f, op));
	assert_true(has_evidence(f, tr));
	assert_true(has_evidence(f, mp));
	assert_true(has_evidence(f, sig));
	assert_contains(f->message, "/dev/shm/frame");
	assert_contains(f->message, "past the object's end");
	assert_contains(f->message, "never grown");
	assert_contains_size(f->message, 256 * KiB);
	assert_contains_size(f->message, 64 * KiB);
	assert_lacks(f->message, "truncated it");
	assert_int_equal(model_proc(T.a, 3800)->sum.findings[SW_RULE_SIGBUS_EXPLAINED], 1);
}

/* The kernel serves the page the size ends in: the end is page-aligned. */
static void test_sigbus_end_is_page_aligned(void **state)
{
	struct sw_signal_info s;

	start();
	shm_open_(3810, "/dev/shm/odd", 131);
	shm_truncate(3810, 131, 1000);
	shm_map(3810, MAP_ADDR, 4 * 4096, 131, 1000);
	s = bus_info(MAP_ADDR, 2000, SHM_DEV, 131, SW_BK_SHMEM_FILE, 1000);
	sigbus_(3810, &s);
	assert_int_equal(T.n_findings, 1);
	assert_lacks(T.findings[0].message, "past the object's end");
	assert_contains(T.findings[0].message, "not a size or space problem");
	s = bus_info(MAP_ADDR, 4096, SHM_DEV, 131, SW_BK_SHMEM_FILE, 1000);
	sigbus_(3810, &s);
	assert_int_equal(T.n_findings, 2);
	assert_contains(T.findings[1].message, "past the object's end");
}

static void test_sigbus_truncated_by_other_process(void **state)
{
	struct sw_signal_info s;
	__u64 mf, mp, shrink, sig;
	const struct sw_finding *f;

	start();
	mf = memfd_(3900, "pool", 140);
	ftruncate_(3900, MEMFD_DEV, 140, SW_BK_MEMFD, 1 * MiB);
	mp = obj_map(3901, MAP_ADDR, 1 * MiB, MEMFD_DEV, 140, SW_BK_MEMFD, 1 * MiB);
	T.ts += MS;
	shrink = ftruncate_(3900, MEMFD_DEV, 140, SW_BK_MEMFD, 64 * KiB);
	T.ts += MS;
	s = bus_info(MAP_ADDR, 512 * KiB, MEMFD_DEV, 140, SW_BK_MEMFD, 64 * KiB);
	sig = sigbus_(3901, &s);
	assert_int_equal(count_rule("sigbus-explained"), 1);
	f = find_rule("sigbus-explained");
	assert_int_equal(f->pid, 3901); /* the process that faulted */
	assert_string_equal(f->comm, "prog3901");
	assert_contains(f->message, "memfd:pool");
	assert_contains(f->message, "past the object's end");
	assert_contains(f->message, "pid 3900");
	assert_contains(f->message, "truncated it from 1.0 MiB");
	assert_contains_size(f->message, 512 * KiB);
	assert_lacks(f->message, "never grown");
	assert_true(has_evidence(f, mf));
	assert_true(has_evidence(f, mp));
	assert_true(has_evidence(f, shrink));
	assert_true(has_evidence(f, sig));
	assert_int_equal(model_proc(T.a, 3901)->sum.findings[SW_RULE_SIGBUS_EXPLAINED], 1);
	assert_int_equal(model_proc(T.a, 3900)->sum.findings[SW_RULE_SIGBUS_EXPLAINED], 0);
}

static void test_sigbus_mount_full(void **state)
{
	struct sw_signal_info s;
	const struct sw_finding *f;

	start();
	shm_open_(4000, "/dev/shm/big", 150);
	shm_truncate(4000, 150, 3 * MiB);
	shm_open_(4001, "/dev/shm/small", 151);
	shm_truncate(4001, 151, 512 * KiB);
	shm_open_(4000, "/dev/shm/victim", 152);
	shm_truncate(4000, 152, 1 * MiB);
	shm_map(4000, MAP_ADDR, 1 * MiB, 152, 1 * MiB);
	s = bus_info(MAP_ADDR, 128 * KiB, SHM_DEV, 152, SW_BK_SHMEM_FILE, 1 * MiB);
	s.fs_size = 4 * MiB;
	s.fs_used = 4 * MiB;
	s.top[0] = (struct sw_holder){ .ino = 150, .bytes = 3 * MiB };
	s.top[1] = (struct sw_holder){ .ino = 151, .bytes = 512 * KiB };
	s.top[2] = (struct sw_holder){ .ino = 999, .bytes = 256 * KiB };
	sigbus_(4000, &s);
	assert_int_equal(count_rule("sigbus-explained"), 1);
	f = find_rule("sigbus-explained");
	assert_contains(f->message, "/dev/shm/victim");
	assert_contains(f->message, "inside the object");
	assert_contains(f->message, "was full");
	assert_contains(f->message, "/dev/shm/big 3.0 MiB (pid 4000)");
	assert_contains(f->message, "/dev/shm/small 512 KiB (pid 4001)");
	assert_contains(f->message, "ino 999");
	assert_lacks(f->message, "past the object's end");
	/* Within the slack (256 KiB here) of the limit: full. */
	s.addr = MAP_ADDR + 4096;
	s.offset = 4096;
	s.fs_used = 4 * MiB - 256 * KiB;
	sigbus_(4000, &s);
	assert_int_equal(count_rule("sigbus-explained"), 2);
	assert_contains(T.findings[1].message, "was full");
	/* Room left: not a size or space problem. */
	s.addr = MAP_ADDR + 2 * 4096;
	s.offset = 2 * 4096;
	s.fs_used = 4 * MiB - 256 * KiB - 4096;
	sigbus_(4000, &s);
	assert_int_equal(count_rule("sigbus-explained"), 3);
	f = &T.findings[2];
	assert_lacks(f->message, "was full");
	assert_contains(f->message, "not a size or space problem");
	s.addr = MAP_ADDR + 3 * 4096;
	s.offset = 3 * 4096;
	s.fs_used = 1 * MiB;
	sigbus_(4000, &s);
	assert_int_equal(count_rule("sigbus-explained"), 4);
	f = &T.findings[3];
	assert_contains(f->message, "not a size or space problem");
	assert_lacks(f->message, "/dev/shm/big");
	/* No limit at all (fs_size 0). */
	s.addr = MAP_ADDR + 4 * 4096;
	s.offset = 4 * 4096;
	s.fs_size = 0;
	s.fs_used = 0;
	sigbus_(4000, &s);
	assert_int_equal(count_rule("sigbus-explained"), 5);
	assert_contains(T.findings[4].message, "no limit");
}

static void test_sigbus_hugetlb(void **state)
{
	struct sw_signal_info s;

	start();
	create_file(4100, "/dev/hugepages/buf", HUGE_DEV, 160, SW_BK_HUGETLB);
	ftruncate_(4100, HUGE_DEV, 160, SW_BK_HUGETLB, 8 * MiB);
	obj_map(4100, MAP_ADDR, 8 * MiB, HUGE_DEV, 160, SW_BK_HUGETLB, 8 * MiB);
	s = bus_info(MAP_ADDR, 4 * MiB, HUGE_DEV, 160, SW_BK_HUGETLB, 8 * MiB);
	sigbus_(4100, &s);
	assert_int_equal(count_rule("sigbus-explained"), 1);
	assert_contains(T.findings[0].message, "no huge page was free");
	assert_contains(T.findings[0].message, "/dev/hugepages/buf");
}

static void test_sigbus_once_per_page_and_faults_only(void **state)
{
	struct sw_signal_info s;

	start();
	shm_open_(4200, "/dev/shm/once", 170);
	shm_map(4200, MAP_ADDR, 1 * MiB, 170, 0);
	shm_map(4201, MAP_ADDR, 1 * MiB, 170, 0);
	s = bus_info(MAP_ADDR, 64, SHM_DEV, 170, SW_BK_SHMEM_FILE, 0);
	sigbus_(4200, &s);
	s.addr += 128; /* the same page again */
	s.offset += 128;
	sigbus_(4200, &s);
	assert_int_equal(count_rule("sigbus-explained"), 1);
	/* kill(SIGBUS) and tgkill(SIGBUS) are not faults. */
	s = bus_info(MAP_ADDR, 8 * 4096, SHM_DEV, 170, SW_BK_SHMEM_FILE, 0);
	s.code = 0;
	sigbus_(4200, &s);
	s.code = SI_TKILL_CODE;
	sigbus_(4200, &s);
	/* A SIGSEGV in the mapping is not this rule's. */
	s.code = 1;
	s.signo = 11;
	sigbus_(4200, &s);
	assert_int_equal(T.n_findings, 1);
	/* A private mapping shares nothing to explain. */
	s = bus_info(MAP_ADDR + 2 * MiB, 8 * 4096, SHM_DEV, 170, SW_BK_FILE_PRIVATE, 0);
	sigbus_(4200, &s);
	s.backing = SW_BK_ANON_PRIVATE;
	sigbus_(4200, &s);
	assert_int_equal(T.n_findings, 1);
	/* Another page, and the same page in another process: new. */
	s = bus_info(MAP_ADDR, 4096, SHM_DEV, 170, SW_BK_SHMEM_FILE, 0);
	sigbus_(4200, &s);
	s = bus_info(MAP_ADDR, 64, SHM_DEV, 170, SW_BK_SHMEM_FILE, 0);
	sigbus_(4201, &s);
	assert_int_equal(count_rule("sigbus-explained"), 3);
	assert_int_equal(T.findings[2].pid, 4201);
}

/* The mapping could not be read at the fault: the model's range names
 * the object, sizes stay unknown. */
static void test_sigbus_from_model_range(void **state)
{
	struct sw_signal_info s = { .signo = 7, .code = BUS_ADRERR_CODE };
	__u64 mp, sig;
	const struct sw_finding *f;

	start();
	shm_open_(4300, "/dev/shm/seen", 180);
	mp = shm_map(4300, MAP_ADDR, 1 * MiB, 180, 1 * MiB);
	s.addr = MAP_ADDR + 0x20010;
	sig = sigbus_(4300, &s);
	assert_int_equal(count_rule("sigbus-explained"), 1);
	f = find_rule("sigbus-explained");
	assert_contains(f->message, "/dev/shm/seen");
	assert_contains(f->message, "could not be read");
	assert_true(has_evidence(f, mp));
	assert_true(has_evidence(f, sig));
	/* Nothing known there either: nothing to say. */
	s.addr = 0x500000;
	sigbus_(4300, &s);
	assert_int_equal(T.n_findings, 1);
}

/*
 * Regression (user/rules.c, sigbus_on_signal): a once-per-page-per-object
 * key of ino ^ (addr >> 12) made two objects with consecutive inode numbers
 * mapped on adjacent pages collide and the second SIGBUS is dropped.
 * Input: /dev/shm/a (ino 2) mapped one page at MAP_ADDR (an even page),
 * /dev/shm/b (ino 3) one page at MAP_ADDR + 4096, both never sized; a
 * SIGBUS in each (a process that handles SIGBUS, like a JVM, survives
 * the first).  Expected: 2 findings, one per object (the bug gave 1).
 */
static void test_sigbus_dedup_keeps_objects_apart(void **state)
{
	struct sw_signal_info s;

	start();
	shm_open_(4400, "/dev/shm/a", 2);
	shm_map(4400, MAP_ADDR, 4096, 2, 0);
	shm_open_(4400, "/dev/shm/b", 3);
	shm_map(4400, MAP_ADDR + 4096, 4096, 3, 0);
	s = bus_info(MAP_ADDR, 0, SHM_DEV, 2, SW_BK_SHMEM_FILE, 0);
	sigbus_(4400, &s);
	s = bus_info(MAP_ADDR + 4096, 0, SHM_DEV, 3, SW_BK_SHMEM_FILE, 0);
	sigbus_(4400, &s);
	assert_int_equal(count_rule("sigbus-explained"), 2);
	assert_non_null(find_message("/dev/shm/a"));
	assert_non_null(find_message("/dev/shm/b"));
}

/* ---- stacks ------------------------------------------------------------ */

static void test_stacks_segment_leak(void **state)
{
	const struct sw_finding *f;

	start();
	with_stack(0x1000, 3);
	shmget_(2000, IPC_PRIVATE_KEY, 4096, 201);
	with_stack(0x2000, 2);
	shmat_(2000, 0, 201, SEG_ADDR, 4096);
	shmdt_(2000, 0, SEG_ADDR, 0);
	shmget_(2000, IPC_PRIVATE_KEY, 4096, 202); /* no stack captured */
	exit_(2000);
	assert_int_equal(count_rule("segment-leak"), 2);
	f = find_message("segment 201");
	assert_non_null(f);
	assert_stack(&f->origin, 2000, 0x1000, 3);
	assert_stack(&f->site, 0, 0, 0); /* decided by the exit */
	f = find_message("segment 202");
	assert_non_null(f);
	assert_stack(&f->origin, 0, 0, 0);
	assert_stack(&f->site, 0, 0, 0);
}

static void test_stacks_segment_leak_by_other_process(void **state)
{
	const struct sw_finding *f;

	start();
	with_stack(0x1000, 2);
	shmget_(2010, IPC_PRIVATE_KEY, 4096, 211);
	shmat_(2010, 0, 211, SEG_ADDR, 4096);
	fork_(2010, 2011, false);
	exit_(2010);
	/* The child maps over the last attachment (MAP_FIXED): the call
	 * that completes the leak, captured in the child. */
	with_stack(0x9000, 4);
	mmap_(2011, 0, 4096, PROT_RW, MAP_PRIVATE_FLAG | MAP_ANON_FLAG, SEG_ADDR,
	      SW_BK_ANON_PRIVATE);
	assert_int_equal(count_rule("segment-leak"), 1);
	f = find_rule("segment-leak");
	assert_int_equal(f->pid, 2010);
	assert_stack(&f->origin, 2010, 0x1000, 2);
	assert_stack(&f->site, 2011, 0x9000, 4);
}

static void test_stacks_missing_rollback(void **state)
{
	const struct sw_finding *f;

	start();
	with_stack(0x1000, 4);
	shmget_(2020, IPC_PRIVATE_KEY, 8 << 20, 221);
	with_stack(0x3000, 5);
	call(2020, 0, SW_SHMAT, -ENOMEM, 221, 0, 0, 0);
	/* Later failures of the thread do not change what is kept. */
	with_stack(0x5000, 1);
	call(2020, 0, SW_SHMAT, -ENOMEM, 221, 0, 0, 0);
	exit_(2020);
	f = find_rule("missing-rollback");
	assert_non_null(f);
	assert_stack(&f->origin, 2020, 0x1000, 4);
	assert_stack(&f->site, 2020, 0x3000, 5);
	f = find_rule("segment-leak");
	assert_non_null(f);
	assert_stack(&f->origin, 2020, 0x1000, 4);
	assert_stack(&f->site, 0, 0, 0);
}

static void test_stacks_failed_then_used(void **state)
{
	const struct sw_finding *f;

	start();
	/* shmget fails, shmat uses -1. */
	with_stack(0x1000, 2);
	shmget_(2030, IPC_PRIVATE_KEY, 1 << 20, -ENOSPC);
	with_stack(0x2000, 3);
	call(2030, 0, SW_SHMAT, -EINVAL, (__u64)-1, 0, 0, 0);
	f = &T.findings[T.n_findings - 1];
	assert_string_equal(f->rule, "failed-then-used");
	assert_stack(&f->origin, 2030, 0x1000, 2);
	assert_stack(&f->site, 2030, 0x2000, 3);
	/* shmat fails, shmdt uses (void *)-1. */
	with_stack(0x3000, 1);
	call(2030, 0, SW_SHMAT, -EACCES, 42, 0, 0, 0);
	with_stack(0x4000, 2);
	shmdt_(2030, 0, (__u64)-1, -EINVAL);
	f = &T.findings[T.n_findings - 1];
	assert_contains(f->message, "shmdt((void *)-1)");
	assert_stack(&f->origin, 2030, 0x3000, 1);
	assert_stack(&f->site, 2030, 0x4000, 2);
	/* mmap fails, the result is written through: a fault. */
	with_stack(0x5000, 6);
	mmap_(2031, 0, 4 << 20, PROT_RW, MAP_SHARED_FLAG | MAP_ANON_FLAG, -ENOMEM,
	      SW_BK_ANON_SHARED);
	with_stack(0x6000, 2);
	signal_(2031, 0, 11, 1, 0x10);
	f = &T.findings[T.n_findings - 1];
	assert_string_equal(f->rule, "failed-then-used");
	assert_int_equal(f->pid, 2031);
	assert_stack(&f->origin, 2031, 0x5000, 6);
	assert_stack(&f->site, 2031, 0x6000, 2);
	/* A bad id with no failure behind it: the site alone. */
	with_stack(0x7000, 1);
	call(2032, 0, SW_SHMAT, -EINVAL, 12345, 0, 0, 0);
	f = &T.findings[T.n_findings - 1];
	assert_stack(&f->origin, 0, 0, 0);
	assert_stack(&f->site, 2032, 0x7000, 1);
	/* A success in between clears the failure and its stack. */
	with_stack(0x8000, 1);
	call(2033, 0, SW_SHMAT, -EACCES, 43, 0, 0, 0);
	shmat_(2033, 0, 43, SEG_ADDR, 4096);
	shmdt_(2033, 0, (__u64)-1, -EINVAL);
	f = &T.findings[T.n_findings - 1];
	assert_int_equal(f->pid, 2033);
	assert_stack(&f->origin, 0, 0, 0);
}

static void test_stacks_oversized(void **state)
{
	const struct sw_finding *f;

	start();
	with_stack(0x1000, 7);
	shmget_(2040, IPC_PRIVATE_KEY, 1ULL << 41, -EINVAL);
	f = find_rule("oversized-request");
	assert_non_null(f);
	assert_stack(&f->site, 2040, 0x1000, 7);
	assert_stack(&f->origin, 0, 0, 0);
	/* A capture deeper than the record holds is cut to it. */
	with_stack(0x2000, 1000);
	mmap_(2041, 0, 1ULL << 41, PROT_RW, MAP_PRIVATE_FLAG | MAP_ANON_FLAG, -ENOMEM,
	      SW_BK_ANON_PRIVATE);
	f = &T.findings[T.n_findings - 1];
	assert_int_equal(f->pid, 2041);
	assert_int_equal(f->site.n, SW_MAX_FRAMES);
}

static void test_stacks_invalid_detach(void **state)
{
	const struct sw_finding *f;

	start();
	shmget_(2050, IPC_PRIVATE_KEY, 4096, 251);
	with_stack(0xa000, 3);
	shmat_(2050, 0, 251, SEG_ADDR, 4096);
	shmctl_(2050, 251, IPC_RMID_CMD, 0);
	shmdt_(2050, 0, SEG_ADDR, 0); /* a successful shmdt carries none */
	with_stack(0xb000, 2);
	shmdt_(2050, 0, SEG_ADDR, -EINVAL);
	f = find_rule("invalid-detach");
	assert_non_null(f);
	assert_stack(&f->origin, 2050, 0xa000, 3); /* the mapping */
	assert_stack(&f->site, 2050, 0xb000, 2);
	/* Never attached: nothing to point back to. */
	with_stack(0xc000, 1);
	shmdt_(2050, 0, 0x600000, -EINVAL);
	f = &T.findings[T.n_findings - 1];
	assert_stack(&f->origin, 0, 0, 0);
	assert_stack(&f->site, 2050, 0xc000, 1);
	/* The same whole mapping unmapped twice. */
	with_stack(0xd000, 2);
	shared_map(2050, MAP_ADDR, 4 * 4096);
	munmap_(2050, MAP_ADDR, 4 * 4096, 0);
	munmap_(2050, MAP_ADDR, 4 * 4096, 0);
	f = &T.findings[T.n_findings - 1];
	assert_contains(f->message, "already unmapped");
	assert_stack(&f->origin, 2050, 0xd000, 2);
	assert_stack(&f->site, 0, 0, 0);
}

static void test_stacks_use_after_detach(void **state)
{
	const struct sw_finding *f;

	start();
	shmget_(2060, IPC_PRIVATE_KEY, 1 << 20, 261);
	with_stack(0xa000, 3);
	shmat_(2060, 0, 261, SEG_ADDR, 1 << 20);
	shmctl_(2060, 261, IPC_RMID_CMD, 0);
	shmdt_(2060, 0, SEG_ADDR, 0);
	with_stack(0xd000, 5);
	signal_(2060, 0, 11, 1, SEG_ADDR + 64);
	f = find_rule("use-after-detach");
	assert_non_null(f);
	assert_stack(&f->origin, 2060, 0xa000, 3);
	assert_stack(&f->site, 2060, 0xd000, 5);
	/* Moved away by mremap: the mremap is where it went. */
	with_stack(0x1000, 2);
	shared_map(2060, MAP_ADDR, 4 * 4096);
	with_stack(0xe000, 4);
	mremap_(2060, MAP_ADDR, 4 * 4096, 8 * 4096, 0x7f2000000000);
	with_stack(0xf000, 1);
	signal_(2060, 0, 11, 1, MAP_ADDR + 8);
	f = &T.findings[T.n_findings - 1];
	assert_contains(f->message, "mremap");
	assert_stack(&f->origin, 2060, 0xe000, 4);
	assert_stack(&f->site, 2060, 0xf000, 1);
	/* The moved range keeps the mremap's stack; its unmap none. */
	munmap_(2060, 0x7f2000000000, 8 * 4096, 0);
	signal_(2060, 0, 11, 1, 0x7f2000000000 + 8);
	f = &T.findings[T.n_findings - 1];
	assert_stack(&f->origin, 2060, 0xe000, 4);
	assert_stack(&f->site, 0, 0, 0);
	/* A piece of a split range still knows its mapping. */
	with_stack(0x3000, 2);
	shared_map(2060, MAP_ADDR + 0x100000, 4 * 4096);
	munmap_(2060, MAP_ADDR + 0x100000 + 4096, 4096, 0);
	munmap_(2060, MAP_ADDR + 0x100000 + 3 * 4096, 4096, 0);
	signal_(2060, 0, 11, 1, MAP_ADDR + 0x100000 + 3 * 4096);
	f = &T.findings[T.n_findings - 1];
	assert_stack(&f->origin, 2060, 0x3000, 2);
}

static void test_stacks_attach_leak(void **state)
{
	static __u64 at_seq[300];
	const struct sw_finding *f;
	int i;

	start();
	for (i = 0; i < 300; i++) {
		shmget_(2070, IPC_PRIVATE_KEY, 1 << 20, 3000 + i);
		with_stack(0x100000 + (__u64)i * 0x100, 2);
		at_seq[i] = shmat_(2070, 0, 3000 + i, SEG_ADDR + (__u64)i * (2 << 20), 1 << 20);
		T.ts += 10 * MS;
	}
	f = find_rule("attach-leak");
	assert_non_null(f);
	assert_int_equal(f->site.n, 2);
	assert_int_equal(f->site.pid, 2070);
	i = (int)((f->site.ip[0] - 0x100000) / 0x100);
	assert_true(i >= 0 && i < 300);
	assert_int_equal(f->site.ip[0], 0x100000 + (__u64)i * 0x100);
	assert_true(has_evidence(f, at_seq[i])); /* the event that completed it */
	assert_int_equal(f->evidence[f->n_evidence - 1], at_seq[i]);
	assert_int_equal(f->origin.n, 0);
}

/* A fault's stack starts at the faulting instruction; a call's, or a
 * signal the process sent itself, after a syscall instruction. */
static void test_stacks_fault_site_is_exact(void **state)
{
	struct sw_event raised = { .kind = SW_EV_SIGNAL, .sig = { .signo = 11, .code = -6 } };
	const struct sw_finding *f;

	start();
	with_stack(0xa000, 2);
	shared_map(2075, MAP_ADDR, 8192);
	munmap_(2075, MAP_ADDR, 8192, 0);
	with_stack(0xb000, 3);
	signal_(2075, 0, 11, 1, MAP_ADDR + 8); /* SEGV_MAPERR */
	f = find_rule("use-after-detach");
	assert_non_null(f);
	assert_int_equal(f->site.n, 3);
	assert_true(f->site.at_fault);
	assert_int_equal(f->origin.n, 2);
	assert_false(f->origin.at_fault);
	assert_false(sw_event_stack_at_fault(&raised)); /* SI_TKILL */
}

static void test_stacks_fork_shares(void **state)
{
	const struct sw_finding *f;

	start();
	shmget_(2080, IPC_PRIVATE_KEY, 4096, 281);
	with_stack(0xa000, 3);
	shmat_(2080, 0, 281, SEG_ADDR, 4096);
	with_stack(0xb000, 2);
	shared_map(2080, MAP_ADDR, 8192);
	fork_(2080, 2081, false);
	fork_(2080, 2082, true); /* vfork: the same address space */
	exit_(2082);
	/* Parent detaches and exits first; the child's copy still knows
	 * where it was attached (in the parent, before the fork). */
	shmdt_(2080, 0, SEG_ADDR, 0);
	shmctl_(2080, 281, IPC_RMID_CMD, 0);
	exit_(2080);
	shmdt_(2081, 0, SEG_ADDR, 0);
	with_stack(0xd000, 1);
	signal_(2081, 0, 11, 1, SEG_ADDR);
	f = find_rule("use-after-detach");
	assert_non_null(f);
	assert_int_equal(f->pid, 2081);
	assert_stack(&f->origin, 2080, 0xa000, 3);
	assert_stack(&f->site, 2081, 0xd000, 1);
	exit_(2081);
	assert_int_equal(T.a->n_stacks, 0);
}

/* Stacks live as long as the objects holding them: a long churn of
 * stack-bearing events with a constant set of live objects keeps a
 * constant number of stacks, and none is left once everything is gone. */
static void test_stacks_memory_is_bounded(void **state)
{
	enum { LIVE = 8, CYCLES = 20000, WARM = 100 };
	__u64 steady = 0;

	start();
	for (int n = 0; n < CYCLES; n++) {
		__s32 id = 10000 + n % 100000;
		__u64 slot = (__u64)(n % LIVE) * 0x100000;

		if (n >= LIVE) {
			shmdt_(2090, 0, SEG_ADDR + slot, 0);
			munmap_(2090, MAP_ADDR + slot, 4096, 0);
		}
		with_stack(0x1000 + n, 3);
		shmget_(2090, IPC_PRIVATE_KEY, 4096, id);
		with_stack(0x2000 + n, 4);
		shmat_(2090, (__u32)(3000 + n % 16), id, SEG_ADDR + slot, 4096);
		shmctl_(2090, id, IPC_RMID_CMD, 0);
		with_stack(0x3000 + n, 2);
		shared_map(2090, MAP_ADDR + slot, 4096);
		/* Failed results, each thread its own, replaced and cleared. */
		with_stack(0x4000 + n, 5);
		mmap_(2090, (__u32)(3000 + n % 16), 1 << 20, PROT_RW,
		      MAP_SHARED_FLAG | MAP_ANON_FLAG, -ENOMEM, SW_BK_ANON_SHARED);
		with_stack(0x5000 + n, 1);
		call(2090, (__u32)(3000 + n % 16), SW_SHMAT, -EACCES, 7, 0, 0, 0);
		/* A child that inherits everything and goes. */
		if (n % 64 == 0) {
			fork_(2090, 2091, false);
			with_stack(0x6000 + n, 2);
			mremap_(2091, MAP_ADDR + slot, 4096, 8192, 0x7f5000000000);
			exit_(2091);
		}
		T.ts += MS;
		if (n == WARM)
			steady = T.a->n_stacks;
		if (n > WARM && n % 64 != 0)
			assert_true(T.a->n_stacks <= steady + 16);
	}
	/* At most: a segment, an attachment and a mapping per live slot,
	 * 2 per tombstone, 3 failed results in each remembered thread. */
	assert_true(steady > 0);
	assert_true(steady <= 3 * LIVE + 2 * SW_TOMBS + 3 * SW_THREADS);
	exit_(2090);
	assert_int_equal(T.a->n_stacks, 0);
	assert_null(model_proc(T.a, 2090));
}

static void test_stacks_shm_object_leak(void **state)
{
	const struct sw_finding *f;

	start();
	/* shm_open's openat comes from libc without frame pointers: the
	 * creator's deeper ftruncate says more. */
	with_stack(0x1000, 1);
	shm_open_(4500, "/dev/shm/s1", 190);
	with_stack(0x2000, 4);
	shm_truncate(4500, 190, 4096);
	/* A full creation stack is kept over a shallower resize. */
	with_stack(0x3000, 5);
	shm_open_(4500, "/dev/shm/s2", 191);
	with_stack(0x4000, 2);
	shm_truncate(4500, 191, 4096);
	/* Another process's resize is no origin of the creator's object. */
	with_stack(0x5000, 1);
	shm_open_(4500, "/dev/shm/s3", 192);
	with_stack(0x6000, 6);
	shm_truncate(4501, 192, 4096);
	/* No stack captured at all. */
	shm_open_(4500, "/dev/shm/s4", 193);
	exit_(4500);
	assert_int_equal(count_rule("shm-object-leak"), 4);
	f = find_message("/dev/shm/s1");
	assert_non_null(f);
	assert_stack(&f->origin, 4500, 0x2000, 4);
	assert_stack(&f->site, 0, 0, 0); /* decided by the exit */
	f = find_message("/dev/shm/s2");
	assert_non_null(f);
	assert_stack(&f->origin, 4500, 0x3000, 5);
	f = find_message("/dev/shm/s3");
	assert_non_null(f);
	assert_stack(&f->origin, 4500, 0x5000, 1);
	f = find_message("/dev/shm/s4");
	assert_non_null(f);
	assert_stack(&f->origin, 0, 0, 0);
	assert_stack(&f->site, 0, 0, 0);
}

/*
 * Regression (user/rules.c, objleak_check): rules.c says a finding's site is the
 * stack of the event that completed it, and segment-leak does so for a
 * MAP_FIXED mmap over the last attachment (test_stacks_segment_leak_by_
 * other_process); shm-object-leak never fills site.  Input: A creates and
 * maps /dev/shm/fx and exits; B, which maps it too, mmaps MAP_FIXED over
 * its mapping with a 4-frame stack.  Expected: site = B's mmap stack
 * (the bug left site.n == 0).
 */
static void test_stacks_shm_object_leak_site(void **state)
{
	const struct sw_finding *f;

	start();
	with_stack(0x1000, 3);
	shm_open_(4510, "/dev/shm/fx", 195);
	shm_map(4510, MAP_ADDR, 4096, 195, 4096);
	shm_map(4511, MAP_ADDR, 4096, 195, 4096);
	exit_(4510);
	with_stack(0x9000, 4);
	mmap_(4511, 0, 4096, PROT_RW, MAP_PRIVATE_FLAG | MAP_ANON_FLAG, MAP_ADDR,
	      SW_BK_ANON_PRIVATE);
	f = find_rule("shm-object-leak");
	assert_non_null(f);
	assert_int_equal(f->pid, 4510);
	assert_stack(&f->origin, 4510, 0x1000, 3);
	assert_stack(&f->site, 4511, 0x9000, 4);
}

static void test_stacks_sigbus(void **state)
{
	struct sw_signal_info s;
	const struct sw_finding *f;

	start();
	memfd_(4520, "pool", 196);
	ftruncate_(4520, MEMFD_DEV, 196, SW_BK_MEMFD, 1 * MiB);
	with_stack(0xa000, 3);
	obj_map(4521, MAP_ADDR, 1 * MiB, MEMFD_DEV, 196, SW_BK_MEMFD, 1 * MiB);
	/* Past the end, never shrunk: the origin is the mapping. */
	s = bus_info(MAP_ADDR, 1 * MiB - 4096, MEMFD_DEV, 196, SW_BK_MEMFD, 0);
	with_stack(0xb000, 2);
	sigbus_(4521, &s);
	f = find_rule("sigbus-explained");
	assert_non_null(f);
	assert_contains(f->message, "past the object's end");
	assert_stack(&f->origin, 4521, 0xa000, 3);
	assert_stack(&f->site, 4521, 0xb000, 2);
	/* Shrunk by another process: the origin is the truncating call. */
	with_stack(0xc000, 5);
	ftruncate_(4520, MEMFD_DEV, 196, SW_BK_MEMFD, 64 * KiB);
	s = bus_info(MAP_ADDR, 512 * KiB, MEMFD_DEV, 196, SW_BK_MEMFD, 64 * KiB);
	with_stack(0xd000, 1);
	sigbus_(4521, &s);
	f = &T.findings[T.n_findings - 1];
	assert_contains(f->message, "truncated it");
	assert_stack(&f->origin, 4520, 0xc000, 5);
	assert_stack(&f->site, 4521, 0xd000, 1);
}

/* Objects keep their stacks while they live: an unlinked or memfd object
 * goes, with them, once nobody can reach it; a leaked one stays until it
 * is removed. */
static void test_stacks_follow_objects(void **state)
{
	start();
	with_stack(0x1000, 2);
	shm_open_(4530, "/dev/shm/keep", 197);
	with_stack(0x2000, 3);
	shm_truncate(4530, 197, 1 * MiB);
	with_stack(0x3000, 1);
	shm_map(4530, MAP_ADDR, 1 * MiB, 197, 1 * MiB);
	with_stack(0x4000, 2);
	memfd_(4530, "tmp", 198);
	with_stack(0x5000, 2);
	obj_map(4531, MAP_ADDR, 4096, MEMFD_DEV, 198, SW_BK_MEMFD, 4096);
	with_stack(0x6000, 2);
	shm_open_(4530, "/dev/shm/gone", 199);
	unlink_(4530, "/dev/shm/gone", 0);
	/* Unlinked and mapped by nobody: gone at once, with its stack. */
	assert_null(model_obj(T.a, SHM_DEV, 199));
	assert_int_equal(T.a->n_stacks, 5);
	exit_(4530);
	/* The leaked object keeps its creation and resize; the memfd is
	 * still mapped by 4531; the unlinked one is gone. */
	assert_int_equal(count_rule("shm-object-leak"), 1);
	assert_null(model_obj(T.a, SHM_DEV, 199));
	assert_non_null(model_obj(T.a, MEMFD_DEV, 198));
	assert_int_equal(T.a->n_stacks, 4);
	exit_(4531);
	assert_null(model_obj(T.a, MEMFD_DEV, 198));
	assert_int_equal(T.a->n_stacks, 2);
	/* Someone removes the leftover, then exits. */
	unlink_(4532, "/dev/shm/keep", 0);
	exit_(4532);
	assert_null(model_obj(T.a, SHM_DEV, 197));
	assert_int_equal(T.a->n_stacks, 0);
}

/* analyzer__free with live processes, objects waiting for a holder,
 * leaked objects and mounts, all holding stacks: nothing may be left
 * (run under `make asan` to see it checked by LeakSanitizer). */
static void test_free_with_live_objects(void **state)
{
	start();
	with_stack(0x1000, 3);
	shm_open_(4540, "/dev/shm/live", 210);
	with_stack(0x2000, 3);
	shm_truncate(4540, 210, 1 * MiB);
	with_stack(0x3000, 3);
	shm_map(4540, MAP_ADDR, 1 * MiB, 210, 1 * MiB);
	with_stack(0x4000, 2);
	memfd_(4540, "live", 211);
	with_stack(0x5000, 2);
	obj_map(4541, MAP_ADDR, 4096, MEMFD_DEV, 211, SW_BK_MEMFD, 4096);
	/* Waiting: creator gone, another process maps it. */
	with_stack(0x6000, 2);
	shm_open_(4542, "/dev/shm/waiting", 212);
	with_stack(0x7000, 2);
	shm_map(4541, MAP_ADDR + MiB, 4096, 212, 4096);
	exit_(4542);
	/* Leaked. */
	with_stack(0x8000, 2);
	shm_open_(4543, "/dev/shm/leaked", 213);
	exit_(4543);
	assert_int_equal(count_rule("shm-object-leak"), 1);
	assert_non_null(model_obj(T.a, SHM_DEV, 210));
	assert_non_null(model_obj(T.a, MEMFD_DEV, 211));
	assert_non_null(model_obj(T.a, SHM_DEV, 212));
	assert_non_null(model_obj(T.a, SHM_DEV, 213));
	/* One object waits for its last holder: /dev/shm/waiting. */
	assert_false(list_empty(&T.a->objs_wait));
	assert_true(T.a->objs_wait.next->next == &T.a->objs_wait);
	assert_int_equal(list_entry(T.a->objs_wait.next, struct sw_shmobj, wnode)->ino, 212);
	assert_int_equal(T.a->n_stacks, 8);
	/* teardown() frees the analyzer with all of this alive. */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T_(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T_(test_segment_leak_private),
		T_(test_segment_leak_keyed_is_warning),
		T_(test_segment_clean_twin),
		T_(test_segment_leak_waits_for_last_detach),
		T_(test_shm_rmid_forced),
		T_(test_attach_leak_frame_loop),
		T_(test_attach_leak_steady_server),
		T_(test_attach_leak_restarts_after_loss),
		T_(test_attach_leak_slow_bursts_not_flagged),
		T_(test_ftu_shmat_minus_one),
		T_(test_ftu_map_failed_addresses),
		T_(test_ftu_nonexistent_id),
		T_(test_ftu_fault_after_failed_mmap),
		T_(test_oversized),
		T_(test_missing_rollback),
		T_(test_missing_rollback_clean_twin),
		T_(test_invalid_detach_double_shmdt),
		T_(test_invalid_detach_munmap_conservative),
		T_(test_invalid_detach_double_munmap_all_mmaps),
		T_(test_late_munmap_of_another_thread),
		T_(test_late_shmdt_of_another_thread),
		T_(test_use_after_detach),
		T_(test_use_after_detach_needs_nothing_mapped_since),
		T_(test_partial_munmap_and_mremap),
		T_(test_fork_copies_attachments),
		T_(test_vfork_shares_address_space),
		T_(test_dontfork_leaves_the_attachment_to_the_parent),
		T_(test_dofork_on_part_of_a_dontfork_attachment),
		T_(test_exec_drops_attachments),
		T_(test_exit_before_other_threads_last_call),
		T_(test_pid_reuse),
		T_(test_interleaved_threads),
		T_(test_failure_evidence_is_per_thread),
		T_(test_lost_gap_marks_uncertain),
		T_(test_summary_counts),
		T_(test_summary_skips_disk_files_alone),
		T_(test_rule_table),
		T_(test_seeded_state),
		T_(test_seeded_segment_before_mapping),
		T_(test_stacks_segment_leak),
		T_(test_stacks_segment_leak_by_other_process),
		T_(test_stacks_missing_rollback),
		T_(test_stacks_failed_then_used),
		T_(test_stacks_oversized),
		T_(test_stacks_invalid_detach),
		T_(test_stacks_use_after_detach),
		T_(test_stacks_attach_leak),
		T_(test_stacks_fault_site_is_exact),
		T_(test_stacks_fork_shares),
		T_(test_stacks_memory_is_bounded),
		T_(test_objleak_creator_exits),
		T_(test_objleak_clean_twins),
		T_(test_objleak_handover_munmap),
		T_(test_objleak_handover_exit_exec_fork),
		T_(test_objleak_not_candidates),
		T_(test_objleak_candidate_by_mapping),
		T_(test_objleak_inode_reuse),
		T_(test_objleak_unlink_names_newest_object),
		T_(test_sigbus_past_end_never_grown),
		T_(test_sigbus_end_is_page_aligned),
		T_(test_sigbus_truncated_by_other_process),
		T_(test_sigbus_mount_full),
		T_(test_sigbus_hugetlb),
		T_(test_sigbus_once_per_page_and_faults_only),
		T_(test_sigbus_from_model_range),
		T_(test_sigbus_dedup_keeps_objects_apart),
		T_(test_stacks_shm_object_leak),
		T_(test_stacks_shm_object_leak_site),
		T_(test_stacks_sigbus),
		T_(test_stacks_follow_objects),
		T_(test_free_with_live_objects),
#undef T_
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
