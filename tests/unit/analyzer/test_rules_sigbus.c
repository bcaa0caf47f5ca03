// SPDX-License-Identifier: GPL-2.0
/*
 * test_rules_sigbus.c - drive the analyzer with synthetic event sequences:
 * sigbus-explained, the rule that says why a fault on a mapped object
 * raised SIGBUS, and the stacks its findings carry.
 */
#include "builder.h"

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

/* 56 KiB before the end of a 32 MiB object: both round to "32 MiB",
 * and "offset 32 MiB is inside the object (32 MiB)" reads as a
 * contradiction; the exact bytes keep the comparison true. */
static void test_sigbus_sizes_that_round_alike(void **state)
{
	struct sw_signal_info s;
	const struct sw_finding *f;

	start();
	shm_open_(4100, "/dev/shm/ring", 160);
	shm_truncate(4100, 160, 32 * MiB);
	shm_map(4100, MAP_ADDR, 32 * MiB, 160, 32 * MiB);
	s = bus_info(MAP_ADDR, 33497088, SHM_DEV, 160, SW_BK_SHMEM_FILE, 32 * MiB);
	s.fs_size = 32 * MiB;
	s.fs_used = 32 * MiB;
	sigbus_(4100, &s);
	f = find_rule("sigbus-explained");
	assert_non_null(f);
	assert_contains(f->message, "offset 33,497,088 B is inside the object (33,554,432 B)");
	/* Past the end by one page of a size that rounds the same. */
	s = bus_info(MAP_ADDR, 32 * MiB - 4096, SHM_DEV, 160, SW_BK_SHMEM_FILE, 32 * MiB - 8192);
	s.addr += 0x1000000; /* another page: a finding of its own */
	sigbus_(4100, &s);
	assert_int_equal(count_rule("sigbus-explained"), 2);
	f = &T.findings[T.n_findings - 1];
	assert_contains(f->message, "offset 33,550,336 B is past the object's end (33,546,240 B)");
	/* Sizes far apart stay human-readable. */
	s = bus_info(MAP_ADDR, 128 * KiB, SHM_DEV, 160, SW_BK_SHMEM_FILE, 32 * MiB);
	s.addr += 0x2000000;
	s.fs_size = 32 * MiB;
	s.fs_used = 32 * MiB;
	sigbus_(4100, &s);
	f = &T.findings[T.n_findings - 1];
	assert_contains(f->message, "offset 128 KiB is inside the object (32 MiB)");
}

static void test_sigbus_mount_full(void **state)
{
	struct sw_signal_info s;
	const struct sw_finding *f;

	start();
	shm_open_(4000, "/dev/shm/big", 150);
	shm_truncate(4000, 150, 3 * MiB);
	/* Who maps the big file now is who can give the space back. */
	shm_map(4002, MAP_ADDR + 0x10000000, 3 * MiB, 150, 3 * MiB);
	shm_map(4003, MAP_ADDR + 0x10000000, 3 * MiB, 150, 3 * MiB);
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
	assert_contains(f->message, "/dev/shm/big 3.0 MiB (mapped by pids ");
	assert_contains(f->message, "4002, 4003; created by pid 4000 (prog4000))");
	assert_contains(f->message,
			"/dev/shm/small 512 KiB (mapped by no traced process; created by pid 4001 (prog4001))");
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

/*
 * The kernel's used count of a tmpfs lags by what the other CPUs hold
 * unfolded, up to a batch (max(32, 2 * CPUs) pages) less one each: on a
 * machine of 64 CPUs a full 64 MiB /dev/shm can read 20 MiB free, on one
 * of 2 it cannot.  The header's CPUs say which.
 */
static void test_sigbus_full_by_the_cpus_lag(void **state)
{
	static const __u32 cpus[] = { 64, 2, 0 };
	static const char *const verdict[] = { "was full", "not a size or space problem",
					       "not a size or space problem" };
	struct sw_signal_info s;

	for (int i = 0; i < 3; i++) {
		setup(state);
		T.opts.cpus = cpus[i];
		start();
		shm_open_(4200, "/dev/shm/batch", 170);
		shm_truncate(4200, 170, 8 * MiB);
		shm_map(4200, MAP_ADDR, 8 * MiB, 170, 8 * MiB);
		s = bus_info(MAP_ADDR, 4 * MiB, SHM_DEV, 170, SW_BK_SHMEM_FILE, 8 * MiB);
		s.fs_size = 64 * MiB;
		s.fs_used = 44 * MiB;
		sigbus_(4200, &s);
		assert_int_equal(count_rule("sigbus-explained"), 1);
		assert_contains(T.findings[0].message, verdict[i]);
		/* The mount's peak is the size only when it was full. */
		assert_true((model_mount(T.a, SHM_DEV)->peak_used == 64 * MiB) == !i);
		teardown(state);
	}
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
 * Regression (analyzer/rules_objects.c, sigbus_on_signal): a once-per-page-per-object
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

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T_(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T_(test_sigbus_past_end_never_grown),
		T_(test_sigbus_end_is_page_aligned),
		T_(test_sigbus_truncated_by_other_process),
		T_(test_sigbus_mount_full),
		T_(test_sigbus_full_by_the_cpus_lag),
		T_(test_sigbus_sizes_that_round_alike),
		T_(test_sigbus_hugetlb),
		T_(test_sigbus_once_per_page_and_faults_only),
		T_(test_sigbus_from_model_range),
		T_(test_sigbus_dedup_keeps_objects_apart),
		T_(test_stacks_sigbus),
#undef T_
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
