// SPDX-License-Identifier: GPL-2.0
/*
 * test_rules_calls.c - drive the analyzer with synthetic event sequences:
 * the rules about what one call or fault did wrong: failed-then-used,
 * oversized-request, invalid-detach, use-after-detach, and their stacks.
 */
#include "builder.h"

#define IPC_STAT_CMD 2

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

/* shmat's EINVAL is about the flags or the address before the id is
 * looked up: stress-ng's shmat(id, NULL, ~0) on a live segment asks for
 * SHM_REMAP without an address. */
static void test_ftu_shmat_einval_decoded(void **state)
{
	start();
	shmget_(540, IPC_PRIVATE_KEY, 1 << 20, 77);
	for (int i = 0; i < 430; i++)
		call(540, 0, SW_SHMAT, -EINVAL, 77, 0, ~0ULL, 0);
	/* SHM_RND rounding to NULL with SHM_REMAP, an unaligned address. */
	call(540, 0, SW_SHMAT, -EINVAL, 77, 0x10, 020000 | 040000, 0);
	call(540, 0, SW_SHMAT, -EINVAL, 77, 0x10001001, 0, 0);
	/* With an address and no SHM_REMAP: an overlap, after the lookup. */
	call(540, 0, SW_SHMAT, -EINVAL, 77, SEG_ADDR, 0, 0);
	assert_int_equal(count_rule("failed-then-used"), 0);
	/* NULL and no SHM_REMAP: only the id is left. */
	call(540, 0, SW_SHMAT, -EINVAL, 78, 0, 010000, 0);
	assert_int_equal(count_rule("failed-then-used"), 1);
	assert_contains(find_rule("failed-then-used")->message, "id 78, which does not exist");
	/* A negative id fails first, whatever the flags. */
	call(540, 0, SW_SHMAT, -EINVAL, (__u64)-5, 0, 040000, 0);
	assert_int_equal(count_rule("failed-then-used"), 2);
}

/* A literal -1 is blamed on a failed shmget only when that failure is
 * plausibly where it came from: the same thread, recent, and nothing of
 * the thread's SysV calls succeeded since. */
/* The n-th (from 0) finding of rule: the ENOSPC failures below also
 * give shm-limit-reached findings in between. */
static const struct sw_finding *nth_of(const char *rule, int n)
{
	for (int i = 0; i < T.n_findings && i < MAX_FINDINGS; i++)
		if (!strcmp(T.findings[i].rule, rule) && !n--)
			return &T.findings[i];
	fail_msg("no finding %d of %s", n, rule);
	return NULL;
}

static void test_ftu_minus_one_needs_a_plausible_failure(void **state)
{
	const struct sw_finding *f;
	__u64 get, use;

	start();
	/* A probe long after an unrelated failure. */
	shmget_(550, 0x1234, 4096, -EEXIST);
	T.ts += 30 * SEC;
	use = call(550, 0, SW_SHMAT, -EINVAL, (__u64)-1, 0, 0, 0);
	assert_int_equal(count_rule("failed-then-used"), 1);
	f = find_rule("failed-then-used");
	assert_int_equal(f->severity, SW_SEV_WARNING);
	assert_int_equal(f->n_evidence, 1);
	assert_true(has_evidence(f, use));
	assert_contains(f->message, "no recent failed shmget");
	assert_int_equal(f->origin.n, 0);
	/* A failure, then the thread works with another segment, then -1. */
	shmget_(551, 0x1234, 4096, -EEXIST);
	shmget_(551, IPC_PRIVATE_KEY, 4096, 90);
	shmget_(551, 0x1235, 4096, -ENOENT);
	shmat_(551, 0, 90, SEG_ADDR, 4096);
	shmctl_(551, -1, IPC_STAT_CMD, -EINVAL);
	assert_int_equal(count_rule("failed-then-used"), 2);
	assert_int_equal(nth_of("failed-then-used", 1)->severity, SW_SEV_WARNING);
	/* Another thread's failure is not this thread's -1. */
	call(552, 5521, SW_SHMGET, -ENOSPC, 0, 4096, IPC_CREAT_FLAG, 0);
	call(552, 5522, SW_SHMAT, -EINVAL, (__u64)-1, 0, 0, 0);
	assert_int_equal(count_rule("failed-then-used"), 3);
	assert_lacks(nth_of("failed-then-used", 2)->message, "ENOSPC");
	/* The true use, after a probe, still is one. */
	get = call(550, 0, SW_SHMGET, -ENOSPC, 0, 4096, IPC_CREAT_FLAG, 0);
	use = call(550, 0, SW_SHMAT, -EINVAL, (__u64)-1, 0, 0, 0);
	assert_int_equal(count_rule("failed-then-used"), 4);
	f = nth_of("failed-then-used", 3);
	assert_int_equal(f->severity, SW_SEV_ERROR);
	assert_true(has_evidence(f, get));
	assert_true(has_evidence(f, use));
	assert_contains(f->message, "ENOSPC");
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
	/* The same whole shared mapping released twice, as far as the
	 * trace shows: a private mapping below --max-size may have taken
	 * the range in between, and its munmap looks the same. */
	shared_map(810, MAP_ADDR + 0x200000, 16 * 4096);
	munmap_(810, MAP_ADDR + 0x200000, 16 * 4096, 0);
	munmap_(810, MAP_ADDR + 0x200000, 16 * 4096, 0);
	assert_int_equal(count_rule("invalid-detach"), 0);
	/* The kernel's EINVAL needs no trace of the range. */
	first = munmap_(810, 0x500001, 4096, -EINVAL);
	assert_int_equal(count_rule("invalid-detach"), 1);
	assert_true(has_evidence(find_rule("invalid-detach"), first));
	assert_contains(find_rule("invalid-detach")->message, "EINVAL");
}

/*
 * The false finding of issue 16: a shared mapping unmapped, a private
 * one of the same size handed the same address, and its munmap.  With
 * --all-mmaps the private mmap is recorded and the range is known to be
 * mapped again; the shared range released twice is still a repeat.
 */
static void test_invalid_detach_munmap_reused_privately(void **state)
{
	__u64 first;

	T.opts.all_mmaps = true;
	start();
	shared_map(825, MAP_ADDR, 16 * 4096);
	munmap_(825, MAP_ADDR, 16 * 4096, 0);
	mmap_(825, 0, 16 * 4096, PROT_RW, MAP_PRIVATE_FLAG | MAP_ANON_FLAG, MAP_ADDR,
	      SW_BK_ANON_PRIVATE);
	munmap_(825, MAP_ADDR, 16 * 4096, 0);
	assert_int_equal(count_rule("invalid-detach"), 0);
	shared_map(825, MAP_ADDR + 0x100000, 16 * 4096);
	first = munmap_(825, MAP_ADDR + 0x100000, 16 * 4096, 0);
	munmap_(825, MAP_ADDR + 0x100000, 16 * 4096, 0);
	assert_int_equal(count_rule("invalid-detach"), 1);
	assert_true(has_evidence(find_rule("invalid-detach"), first));
	assert_contains(find_rule("invalid-detach")->message, "already unmapped");
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

static void test_late_munmap_of_another_thread(void **state)
{
	int held = 0;

	/* Every mmap seen: the late record must still not read as a
	 * repeat where a repeat would be reported. */
	T.opts.all_mmaps = true;
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

/* ---- lifecycle ---------------------------------------------------------- */

static void test_failure_evidence_is_per_thread(void **state)
{
	__u64 bad;

	start();
	bad = mmap_(1600, 1601, 1 << 20, PROT_RW, MAP_SHARED_FLAG | MAP_ANON_FLAG, -ENOMEM,
		    SW_BK_ANON_SHARED);
	call(1600, 1601, SW_MUNMAP, -EINVAL, (__u64)-1, 1 << 20, 0, 0);
	assert_true(has_evidence(find_rule("failed-then-used"), bad));
}

/* ---- stacks ------------------------------------------------------------ */

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
	/* Every finding carries its rule's advice. */
	assert_non_null(strstr(f->hint, "check for -1 / MAP_FAILED"));
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

	T.opts.all_mmaps = true; /* a repeated munmap is only known so */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T_(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T_(test_ftu_shmat_minus_one),
		T_(test_ftu_map_failed_addresses),
		T_(test_ftu_nonexistent_id),
		T_(test_ftu_fault_after_failed_mmap),
		T_(test_ftu_shmat_einval_decoded),
		T_(test_ftu_minus_one_needs_a_plausible_failure),
		T_(test_oversized),
		T_(test_invalid_detach_double_shmdt),
		T_(test_invalid_detach_munmap_conservative),
		T_(test_invalid_detach_double_munmap_all_mmaps),
		T_(test_invalid_detach_munmap_reused_privately),
		T_(test_late_munmap_of_another_thread),
		T_(test_late_shmdt_of_another_thread),
		T_(test_use_after_detach),
		T_(test_use_after_detach_needs_nothing_mapped_since),
		T_(test_failure_evidence_is_per_thread),
		T_(test_stacks_failed_then_used),
		T_(test_stacks_oversized),
		T_(test_stacks_invalid_detach),
		T_(test_stacks_use_after_detach),
		T_(test_stacks_fault_site_is_exact),
#undef T_
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
