// SPDX-License-Identifier: GPL-2.0
/*
 * test_rules_limits.c - shm-limit-reached: each errno a shmget can fail
 * with against a kernel limit, the limits' values quoted only when the
 * kernel's verdict agrees with them, the calls that are no limit, and
 * the split with oversized-request.
 */
#include "builder.h"

#define RULE "shm-limit-reached"
#define SHM_HUGETLB_FLAG 04000
#define DEFAULT_SHMALL 18446744073692774399ULL /* pages, the kernel's default */

static __u64 shmget_flags(__u32 pid, __s32 key, __u64 size, __u64 flags, __s64 ret)
{
	return call(pid, 0, SW_SHMGET, ret, (__u64)(__s64)key, size, flags, 0);
}

/* kernel.shmmni reached: every id in use, and the segments named. */
static void test_shmmni(void **state)
{
	const struct sw_finding *f;
	__u64 big, bad;

	T.opts.shmmni = 4;
	T.opts.shmall = DEFAULT_SHMALL;
	start();
	shmget_(700, IPC_PRIVATE_KEY, 4096, 1);
	big = shmget_(700, IPC_PRIVATE_KEY, 2 * MiB, 2);
	shmget_(701, IPC_PRIVATE_KEY, 8192, 3);
	/* Removed but still attached: the kernel still counts its id. */
	shmget_(701, IPC_PRIVATE_KEY, 4096, 4);
	shmat_(701, 0, 4, SEG_ADDR, 4096);
	shmctl_(701, 4, IPC_RMID_CMD, 0);
	assert_int_equal(T.n_findings, 0);
	bad = shmget_(700, IPC_PRIVATE_KEY, 64 * KiB, -ENOSPC);
	assert_int_equal(count_rule(RULE), 1);
	f = find_rule(RULE);
	assert_int_equal(f->severity, SW_SEV_ERROR);
	assert_int_equal(f->pid, 700);
	assert_true(has_evidence(f, bad));
	assert_true(has_evidence(f, big));
	assert_contains(f->message, "shmget(IPC_PRIVATE, 64 KiB) failed with ENOSPC");
	assert_contains(f->message, "kernel.shmmni (4) reached");
	assert_contains(f->message, "in 4 segments in use");
	assert_contains(f->message, "biggest 2.0 MiB (pid 700 prog700)");
	assert_contains(f->message, "sysctl -w kernel.shmmni=8");
	assert_lacks(f->message, "shmall");
	assert_non_null(strstr(f->hint, "sysctl"));
	assert_false(f->uncertain);
	/* Once per process and limit. */
	shmget_(700, IPC_PRIVATE_KEY, 4096, -ENOSPC);
	assert_int_equal(count_rule(RULE), 1);
	shmget_(702, IPC_PRIVATE_KEY, 4096, -ENOSPC);
	assert_int_equal(count_rule(RULE), 2);
	/* One more id free: the same ENOSPC can no longer be the ids. */
	shmctl_(700, 1, IPC_RMID_CMD, 0);
	shmget_(703, IPC_PRIVATE_KEY, 4096, -ENOSPC);
	assert_int_equal(count_rule(RULE), 3);
	assert_contains(T.findings[2].message, "kernel.shmmni (ids) or kernel.shmall (pages)");
	assert_int_equal(count_rule("oversized-request"), 0);
	assert_int_equal(count_rule("failed-then-used"), 0);
}

/* kernel.shmall reached: the pages in use plus the request. */
static void test_shmall(void **state)
{
	const struct sw_finding *f;

	T.opts.shmmni = 4096;
	T.opts.shmall = 1024; /* 4 MiB */
	start();
	shmget_(710, IPC_PRIVATE_KEY, 3 * MiB, 1);
	shmget_(710, IPC_PRIVATE_KEY, 100, 2); /* a page, as the kernel counts it */
	shmget_(711, IPC_PRIVATE_KEY, MiB, -ENOSPC);
	assert_int_equal(count_rule(RULE), 1);
	f = find_rule(RULE);
	assert_int_equal(f->pid, 711);
	assert_contains(f->message, "failed with ENOSPC: kernel.shmall (4.0 MiB, 1024 pages) reached");
	assert_contains(f->message, "at least 3.0 MiB in 2 segments in use");
	assert_contains(f->message, "biggest 3.0 MiB (pid 710 prog710), 100 B (pid 710 prog710)");
	/* twice the limit covers the 769 pages in use and the 256 asked */
	assert_contains(f->message, "sysctl -w kernel.shmall=2048");
	assert_lacks(f->message, "shmmni");
	/* A request bigger than shmall alone, with nothing known in use. */
	shmctl_(710, 1, IPC_RMID_CMD, 0);
	shmctl_(710, 2, IPC_RMID_CMD, 0);
	shmget_(712, IPC_PRIVATE_KEY, 16 * MiB, -ENOSPC);
	assert_int_equal(count_rule(RULE), 2);
	f = &T.findings[1];
	assert_contains(f->message, "kernel.shmall (4.0 MiB, 1024 pages) reached");
	assert_contains(f->message, "shmwatch knows of no segment in use");
	assert_contains(f->message, "kernel.shmall=4096");
}

/*
 * The limits read do not agree with the kernel's verdict: the process's
 * IPC namespace has its own (unshare(CLONE_NEWIPC), a container), or
 * segments were not seen.  No value is claimed for it.
 */
static void test_enospc_other_limits(void **state)
{
	const struct sw_finding *f;

	T.opts.shmmni = 4096;
	T.opts.shmall = DEFAULT_SHMALL;
	start();
	for (int i = 0; i < 8; i++)
		shmget_(720, IPC_PRIVATE_KEY, 4096, 10 + i);
	shmget_(720, IPC_PRIVATE_KEY, 4096, -ENOSPC);
	assert_int_equal(count_rule(RULE), 1);
	f = find_rule(RULE);
	assert_contains(f->message, "kernel.shmmni (ids) or kernel.shmall (pages) reached, though not the 4096 ids and 18446744073692774399 pages shmwatch read");
	assert_contains(f->message, "at least 32 KiB in 8 segments in use");
	assert_contains(f->message, "IPC namespace has limits of its own");
	assert_lacks(f->message, "kernel.shmmni (4096)");
}

/* A log from before the header carried the limits: values unknown. */
static void test_enospc_limits_unknown(void **state)
{
	start();
	shmget_(725, IPC_PRIVATE_KEY, 4096, -ENOSPC);
	assert_int_equal(count_rule(RULE), 1);
	assert_contains(find_rule(RULE)->message, "(their values are not known)");
	shmget_(726, IPC_PRIVATE_KEY, 64 * MiB, -EINVAL);
	assert_contains(T.findings[1].message, "above kernel.shmmax (its value is not known)");
}

/* Above kernel.shmmax: this rule's, not oversized-request's. */
static void test_shmmax(void **state)
{
	const struct sw_finding *f;

	T.opts.shmmax = 32 * MiB;
	start();
	shmget_(730, IPC_PRIVATE_KEY, 64 * MiB, -EINVAL);
	assert_int_equal(count_rule(RULE), 1);
	f = find_rule(RULE);
	assert_contains(f->message, "shmget(IPC_PRIVATE, 64 MiB) failed with EINVAL: above kernel.shmmax (32 MiB, 33554432 bytes)");
	assert_contains(f->message, "sysctl -w kernel.shmmax=67108864");
	/* At or above --max-size too: still one finding, this one. */
	shmget_(731, IPC_PRIVATE_KEY, 300 * MiB, -EINVAL);
	assert_int_equal(count_rule(RULE), 2);
	assert_int_equal(count_rule("oversized-request"), 0);
	/* A key with no segment known, created above shmmax. */
	shmget_flags(732, 0x1234, 40 * MiB, IPC_CREAT_FLAG | 0600, -EINVAL);
	assert_int_equal(count_rule(RULE), 3);
	assert_contains(T.findings[2].message, "shmget(0x1234, 40 MiB) failed with EINVAL: above kernel.shmmax");
	/* Refused at a size below the shmmax read: another namespace's
	 * shmmax, or it was lowered; its value is not claimed. */
	shmget_(733, IPC_PRIVATE_KEY, 16 * MiB, -EINVAL);
	assert_int_equal(count_rule(RULE), 4);
	assert_contains(T.findings[3].message, "above the kernel.shmmax that applied, not the 32 MiB shmwatch read");
	/* Too big to be honest: the size is the defect, oversized-request's. */
	shmget_(734, IPC_PRIVATE_KEY, 1ULL << 41, -EINVAL);
	assert_int_equal(count_rule(RULE), 4);
	assert_int_equal(count_rule("oversized-request"), 1);
	/* A 300 MiB that succeeded stays oversized-request's. */
	shmget_(735, IPC_PRIVATE_KEY, 300 * MiB, 9);
	assert_int_equal(count_rule("oversized-request"), 2);
	assert_int_equal(count_rule(RULE), 4);
}

/* Size 0 when creating is below SHMMIN: a bad argument no sysctl
 * changes (failed_then_used.c uses it to make shmget fail), no limit,
 * and above all not kernel.shmmax. */
static void test_shmmin_is_no_limit(void **state)
{
	T.opts.shmmax = 32 * MiB;
	start();
	shmget_(740, IPC_PRIVATE_KEY, 0, -EINVAL);
	shmget_flags(741, 0x99, 0, IPC_CREAT_FLAG | 0600, -EINVAL);
	assert_int_equal(T.n_findings, 0);
}

/* EINVAL on a key that exists: its segment is smaller, no limit. */
static void test_size_mismatch_is_no_limit(void **state)
{
	T.opts.shmmax = 32 * MiB;
	start();
	shmget_flags(750, 0x4321, 4096, IPC_CREAT_FLAG | 0600, 61);
	shmget_flags(751, 0x4321, 8192, IPC_CREAT_FLAG | 0600, -EINVAL);
	shmget_flags(751, 0x4321, 64 * MiB, IPC_CREAT_FLAG | 0600, -EINVAL);
	/* Without IPC_CREAT nothing is created: a mismatch too. */
	shmget_flags(752, 0x5555, 64 * MiB, 0600, -EINVAL);
	/* A key nobody was seen making, at a size under shmmax: an unseen
	 * segment of that key explains it as well as a limit. */
	shmget_flags(753, 0x6666, 8192, IPC_CREAT_FLAG | 0600, -EINVAL);
	assert_int_equal(count_rule(RULE), 0);
}

/* ENOMEM: the kernel could not allocate it. */
static void test_enomem(void **state)
{
	const struct sw_finding *f;

	T.opts.mem_total = 16ULL << 30;
	start();
	shmget_(760, IPC_PRIVATE_KEY, 8 * MiB, 1);
	shmget_(761, IPC_PRIVATE_KEY, 64 * MiB, -ENOMEM);
	assert_int_equal(count_rule(RULE), 1);
	f = find_rule(RULE);
	assert_contains(f->message, "shmget(IPC_PRIVATE, 64 MiB) failed with ENOMEM: the kernel could not allocate 64 MiB");
	assert_contains(f->message, "memory cgroup");
	assert_contains(f->message, "at least 8.0 MiB in 1 segment in use");
	shmget_flags(762, IPC_PRIVATE_KEY, 4 * MiB, IPC_CREAT_FLAG | SHM_HUGETLB_FLAG | 0600,
		     -ENOMEM);
	assert_int_equal(count_rule(RULE), 2);
	assert_contains(T.findings[1].message, "huge pages (vm.nr_hugepages)");
	/* Above RAM plus swap: no honest size, oversized-request's. */
	shmget_(763, IPC_PRIVATE_KEY, 32ULL << 30, -ENOMEM);
	assert_int_equal(count_rule(RULE), 2);
	assert_int_equal(count_rule("oversized-request"), 1);
}

/* The clean twin: failures that are no limit, and successes. */
static void test_no_limit(void **state)
{
	T.opts.shmmni = 2;
	T.opts.shmall = 16;
	T.opts.shmmax = 32 * MiB;
	start();
	shmget_(770, IPC_PRIVATE_KEY, 4096, 1);
	shmget_flags(770, 0x77, 4096, IPC_CREAT_FLAG | 02000 | 0600, 2);
	shmget_flags(771, 0x77, 4096, IPC_CREAT_FLAG | 02000 | 0600, -EEXIST);
	shmget_flags(771, 0x78, 4096, 0600, -ENOENT);
	shmget_flags(771, 0x77, 4096, 0600, -EACCES);
	shmget_flags(771, 0x77, 4096, 0600, -EPERM);
	assert_int_equal(T.n_findings, 0);
}

/* A loss since the segments counted were seen: the usage may be too high. */
static void test_uncertain_after_loss(void **state)
{
	T.opts.shmmni = 1;
	start();
	shmget_(780, IPC_PRIVATE_KEY, 4096, 1);
	analyzer__lost(T.a, T.ts, 3);
	shmget_(780, IPC_PRIVATE_KEY, 4096, -ENOSPC);
	assert_int_equal(count_rule(RULE), 1);
	assert_true(find_rule(RULE)->uncertain);
}

/* The site is the failed call's stack. */
static void test_stack(void **state)
{
	const struct sw_finding *f;

	start();
	with_stack(0x4000, 3);
	shmget_(790, IPC_PRIVATE_KEY, 4096, -ENOSPC);
	f = find_rule(RULE);
	assert_non_null(f);
	assert_stack(&f->site, 790, 0x4000, 3);
	assert_stack(&f->origin, 0, 0, 0);
}

#define T_(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T_(test_shmmni),
		T_(test_shmall),
		T_(test_enospc_other_limits),
		T_(test_enospc_limits_unknown),
		T_(test_shmmax),
		T_(test_shmmin_is_no_limit),
		T_(test_size_mismatch_is_no_limit),
		T_(test_enomem),
		T_(test_no_limit),
		T_(test_uncertain_after_loss),
		T_(test_stack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
