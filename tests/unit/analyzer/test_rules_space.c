// SPDX-License-Identifier: GPL-2.0
/*
 * test_rules_space.c - shm-space-exhausted (a call a memory filesystem
 * refused for want of space) and the mount's high-water mark and sizing
 * in the usage view.
 */
#include "builder.h"

#define ENOSPC_RET (-28)
/* call on ino, as the kernel records it: the mount's usage after the
 * call, and for a refusal its biggest files (top, n of them). */
static __u64 space_call(__u32 pid, __u32 c, __s64 ret, __u64 ino, __u64 size, __u64 a1,
			__u64 a2, __u64 a3, __u64 used, __u64 fs_size,
			const struct sw_holder *top, const __u32 *nlink, int n)
{
	struct sw_event e = { .kind = SW_EV_CALL, .call = c };

	e.c.ret = ret;
	e.c.args[0] = OBJ_FD;
	e.c.args[1] = a1;
	e.c.args[2] = a2;
	e.c.args[3] = a3;
	e.c.shmid = -1;
	e.c.dev = SHM_DEV;
	e.c.ino = ino;
	e.c.backing = SW_BK_SHMEM_FILE;
	e.c.seg_size = size;
	e.c.fs_used = used;
	e.c.fs_size = fs_size;
	snprintf(e.c.name, sizeof(e.c.name), "w%llu", (unsigned long long)ino);
	for (int i = 0; i < n; i++) {
		e.space.top[i] = top[i];
		e.space.nlink[i] = nlink[i];
	}
	return feed(&e, pid, 0);
}

static const struct sw_holder top2[] = { { 11, 3 * MiB }, { 12, 1 * MiB } };
static const __u32 nlink2[] = { 1, 0 };

/* A 4 MiB /dev/shm: pid 700 fills 3 MiB with /dev/shm/big, which pid 701
 * maps; a deleted 1 MiB file (ino 12) holds the rest; then pid 702's
 * fallocate of 2 MiB for an NCCL buffer is refused. */
static __u64 fill_and_refuse(void)
{
	shm_open_(700, "/dev/shm/big", 11);
	space_call(700, SW_FALLOCATE, 0, 11, 3 * MiB, 0, 0, 3 * MiB, 3 * MiB, 4 * MiB, NULL,
		   NULL, 0);
	shm_map(701, MAP_ADDR, 3 * MiB, 11, 3 * MiB);
	shm_open_(702, "/dev/shm/nccl-AbC123", 13);
	with_stack(0x400000, 2);
	return space_call(702, SW_FALLOCATE, ENOSPC_RET, 13, 0, 0, 0, 2 * MiB, 4 * MiB, 4 * MiB,
			  top2, nlink2, 2);
}

static void test_refused_fallocate_is_explained(void **state)
{
	const struct sw_finding *f;
	__u64 seq;

	start();
	seq = fill_and_refuse();
	assert_int_equal(count_rule("shm-space-exhausted"), 1);
	f = find_rule("shm-space-exhausted");
	assert_int_equal(f->pid, 702);
	assert_int_equal(f->severity, SW_SEV_ERROR);
	assert_false(f->uncertain);
	assert_contains(f->message, "fallocate of /dev/shm/nccl-AbC123 to 2.0 MiB failed with ENOSPC");
	assert_contains(f->message, "/dev/shm (4.0 MiB) had 0 B free, 4.0 MiB used");
	assert_contains(f->message, "the call needed 2.0 MiB");
	/* The holders: who maps the big one now, who made it; the deleted
	 * one that ls does not show. */
	assert_contains(f->message, "biggest: /dev/shm/big 3.0 MiB (mapped by pid 701; created by pid 700");
	assert_contains(f->message, "ino 12 1.0 MiB (deleted, still held; mapped by no traced process)");
	assert_true(has_evidence(f, seq));
	assert_stack(&f->site, 702, 0x400000, 2);
	/* NCCL's own fix answers a full mount. */
	assert_string_equal(f->producer, "NCCL");
	assert_true(f->producer_fix);
}

/* A worker that retries, then writes, is one problem: one finding per
 * object; another object refused is another. */
static void test_once_per_object(void **state)
{
	start();
	fill_and_refuse();
	space_call(702, SW_FALLOCATE, ENOSPC_RET, 13, 0, 0, 0, 2 * MiB, 4 * MiB, 4 * MiB, top2,
		   nlink2, 2);
	space_call(703, SW_WRITE, ENOSPC_RET, 13, 0, 0, 64 * KiB, 0, 4 * MiB, 4 * MiB, top2,
		   nlink2, 2);
	assert_int_equal(count_rule("shm-space-exhausted"), 1);
	shm_open_(703, "/dev/shm/other", 14);
	space_call(703, SW_PWRITE64, ENOSPC_RET, 14, 0, 0, 4 * KiB, 8 * KiB, 4 * MiB, 4 * MiB,
		   top2, nlink2, 2);
	assert_int_equal(count_rule("shm-space-exhausted"), 2);
	assert_non_null(find_message("pwrite of 4.0 KiB at 8.0 KiB to /dev/shm/other failed with ENOSPC"));
}

/* The clean twins: calls that succeed on a nearly full mount, and calls
 * that fail for another reason. */
static void test_other_results_are_silent(void **state)
{
	start();
	shm_open_(710, "/dev/shm/a", 21);
	space_call(710, SW_FALLOCATE, 0, 21, 4 * MiB, 0, 0, 4 * MiB, 4 * MiB, 4 * MiB, NULL, NULL,
		   0);
	space_call(710, SW_FTRUNCATE, -22 /* EINVAL */, 21, 4 * MiB, 1ULL << 62, 0, 0, 4 * MiB,
		   4 * MiB, NULL, NULL, 0);
	space_call(710, SW_FALLOCATE, -27 /* EFBIG */, 21, 4 * MiB, 0, 0, 1ULL << 62, 4 * MiB,
		   4 * MiB, NULL, NULL, 0);
	exit_(710);
	assert_int_equal(count_rule("shm-space-exhausted"), 0);
}

/* ENOSPC where the mount has no size limit (memfds): another limit. */
static void test_no_size_limit(void **state)
{
	const struct sw_finding *f;

	start();
	memfd_(720, "pool", 31);
	space_call(720, SW_FALLOCATE, ENOSPC_RET, 31, 0, 0, 0, 1 * MiB, 0, 0, NULL, NULL, 0);
	f = find_rule("shm-space-exhausted");
	assert_non_null(f);
	assert_contains(f->message, "without a size limit");
}

/* Long names and many mappers: the list keeps whole files and says that
 * it stops, so the message is never cut inside a file's description. */
static void test_long_holder_list_ends_whole(void **state)
{
	static const __u32 nl[4] = { 1, 1, 1, 1 };
	struct sw_holder top[4];
	const struct sw_finding *f;
	size_t n;

	start();
	for (int i = 0; i < 4; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/dev/shm/a-rather-long-object-name-for-a-test-%d", i);
		shm_open_(740, path, 50 + i);
		for (__u32 pid = 741; pid < 746; pid++)
			shm_map(pid, MAP_ADDR + i * MiB, 4096, 50 + i, 4096);
		top[i] = (struct sw_holder){ 50 + i, (4 - i) * MiB };
	}
	space_call(746, SW_FALLOCATE, ENOSPC_RET, 60, 0, 0, 0, 1 * MiB, 10 * MiB, 10 * MiB, top,
		   nl, 4);
	f = find_rule("shm-space-exhausted");
	assert_non_null(f);
	n = strlen(f->message);
	assert_true(n < SW_MSG_LEN - 1);
	assert_contains(f->message, "biggest: /dev/shm/a-rather-long-object-name-for-a-test-0 4.0 MiB (mapped by pids 741, 742, 743 and 2 more; created by pid 740 (prog740))");
	assert_string_equal(f->message + n - 5, ", ...");
}

/* The usage view: the peak and when, what was needed, and the sizes that
 * would have sufficed and that leave room; a mount emptied by the end is
 * still shown for its peak. */
static void test_sizing(void **state)
{
	struct usage_rec r = { 0 };
	const struct sw_mount_usage *u;
	__u64 peak_ts;

	start();
	fill_and_refuse();
	peak_ts = T.ts;
	T.ts += 1000;
	unlink_(700, "/dev/shm/big", 0);
	unlink_(702, "/dev/shm/nccl-AbC123", 0);
	analyzer__usage(T.a, T.ts, false, on_usage, &r);
	assert_int_equal(r.n, 1);
	u = &r.u[0];
	assert_int_equal(u->n_objects, 0);
	assert_int_equal(u->peak_used, 4 * MiB);
	assert_int_equal(u->peak_ts_ns, peak_ts);
	assert_int_equal(u->needed, 6 * MiB);
	assert_int_equal(u->sufficient_size, 6 * MiB);
	assert_int_equal(u->roomy_size, 16 * MiB); /* >= 9 MiB */
}

static void test_sizing_without_a_refusal(void **state)
{
	struct usage_rec r = { 0 };
	const struct sw_mount_usage *u;

	start();
	shm_open_(730, "/dev/shm/a", 41);
	space_call(730, SW_FALLOCATE, 0, 41, 3 * MiB + 4096, 0, 0, 3 * MiB + 4096,
		   3 * MiB + 4096, 64 * MiB, NULL, NULL, 0);
	analyzer__usage(T.a, T.ts, false, on_usage, &r);
	assert_int_equal(r.n, 1);
	u = &r.u[0];
	assert_int_equal(u->needed, 0);
	assert_int_equal(u->peak_used, 3 * MiB + 4096);
	assert_int_equal(u->sufficient_size, 4 * MiB); /* rounded up to a MiB */
	assert_int_equal(u->roomy_size, 8 * MiB);
}

/* A log may say anything: sizes near 2^64 are sized finitely (this hung
 * when the power of two that leaves room overflowed). */
static void test_sizing_of_absurd_numbers(void **state)
{
	struct usage_rec r = { 0 };

	start();
	shm_open_(750, "/dev/shm/x", 61);
	space_call(750, SW_FALLOCATE, ENOSPC_RET, 61, 0, 0, 1ULL << 63, 1ULL << 63,
		   (1ULL << 63) + 5, ~0ULL, NULL, NULL, 0);
	analyzer__usage(T.a, T.ts, false, on_usage, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.u[0].needed, ~0ULL);
	assert_int_equal(r.u[0].sufficient_size, 1ULL << 50);
	assert_int_equal(r.u[0].roomy_size, 1ULL << 51);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T_(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T_(test_refused_fallocate_is_explained),
		T_(test_once_per_object),
		T_(test_other_results_are_silent),
		T_(test_no_size_limit),
		T_(test_long_holder_list_ends_whole),
		T_(test_sizing),
		T_(test_sizing_without_a_refusal),
		T_(test_sizing_of_absurd_numbers),
#undef T_
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
