// SPDX-License-Identifier: GPL-2.0
/*
 * test_rules_holdings.c - drive the analyzer with synthetic event sequences:
 * the rules about what a process holds or leaves behind: segment-leak,
 * attach-leak, missing-rollback, and the stacks their findings carry.
 */
#include "builder.h"

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
	assert_non_null(model_seg(T.a, 0, 7));
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
	assert_non_null(model_seg(T.a, 0, 7)); /* still attached */
	shmdt_(100, 0, SEG_ADDR, 0);
	assert_null(model_seg(T.a, 0, 7));	    /* destroyed at the last detach */
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
	assert_int_equal(model_seg(T.a, 0, 7)->nattch, 2);
	exit_(100);
	assert_int_equal(T.n_findings, 0); /* the child still holds it */
	T.ts += SEC;
	shmdt_(101, 0, SEG_ADDR, 0);
	/* The child knows the id: it could still remove it. */
	assert_int_equal(T.n_findings, 0);
	exit_(101);
	assert_int_equal(T.n_findings, 1);
	f = find_rule("segment-leak");
	assert_non_null(f);
	assert_int_equal(f->pid, 100); /* the creator, not the last user */
}

static void test_shm_rmid_forced(void **state)
{
	T.opts.shm_rmid_forced = true;
	start();
	shmget_(100, IPC_PRIVATE_KEY, 4096, 7);
	shmat_(100, 0, 7, SEG_ADDR, 4096);
	shmdt_(100, 0, SEG_ADDR, 0);
	assert_null(model_seg(T.a, 0, 7)); /* destroyed at nattch 0 */
	shmget_(100, IPC_PRIVATE_KEY, 4096, 9);
	shmat_(100, 0, 9, SEG_ADDR, 64 << 20);
	exit_(100); /* never detached, never removed */
	shmget_(200, IPC_PRIVATE_KEY, 4096, 11);
	shmat_(200, 0, 11, SEG_ADDR, 4096);
	call(200, 0, SW_SHMAT, -ENOMEM, 11, 0, 0, 0);
	exit_(200);
	assert_int_equal(T.n_findings, 0);
	assert_null(model_seg(T.a, 0, 9));
	assert_null(model_seg(T.a, 0, 11));
}

/* ---- attach-leak --------------------------------------------------------- */

static void test_attach_leak_frame_loop(void **state)
{
	__u64 t0 = T.ts, first = 0;
	const struct sw_finding *f;

	start();
	/* A fresh segment every 10 ms, never detached, for 5 s. */
	for (int i = 0; i < 500; i++) {
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
	/* 4 growing windows, then as long again to see it is not released. */
	assert_true(f->ts_ns - t0 <= 4500 * MS);
	assert_true(f->ts_ns - t0 >= 2 * SW_GROWTH_WINDOWS * SW_DEFAULT_GROWTH_WINDOW_NS);
	assert_true(f->n_evidence >= 2);
	assert_contains(f->message, "without release");
}

/* A loop that ends with the process before the growth could be seen to
 * stay: exit decides, as the program never released any of it. */
static void test_attach_leak_until_exit(void **state)
{
	const struct sw_finding *f;
	__u64 end;

	start();
	for (int i = 0; i < 300; i++) {
		shared_map(302, MAP_ADDR + (__u64)i * 0x10000, 4096);
		T.ts += 10 * MS;
	}
	assert_int_equal(count_rule("attach-leak"), 0);
	end = exit_(302);
	assert_int_equal(count_rule("attach-leak"), 1);
	f = find_rule("attach-leak");
	assert_true(has_evidence(f, end));
	assert_contains(f->message, "without release until it exited");
	/* A process that exits before any streak is no suspect. */
	for (int i = 0; i < 100; i++) {
		shared_map(303, MAP_ADDR + (__u64)i * 0x10000, 4096);
		T.ts += 10 * MS;
	}
	exit_(303);
	assert_int_equal(count_rule("attach-leak"), 1);
}

/*
 * A bounded pool: 256 memfds mapped, then all unmapped, every round.
 * Slowed by tracing, a round's mapping spans the growth windows (256 in
 * 2.8 s), but the holdings come back to where they began: no leak, in
 * the first round nor in the later ones, which know the pool's level.
 */
static void test_attach_leak_bounded_pool(void **state)
{
	start();
	for (int round = 0; round < 5; round++) {
		for (int i = 0; i < 256; i++) {
			shm_map(330, MAP_ADDR + (__u64)i * 0x10000, 4096, 7000 + i, 4096);
			T.ts += 11 * MS;
		}
		for (int i = 0; i < 256; i++) {
			munmap_(330, MAP_ADDR + (__u64)i * 0x10000, 4096, 0);
			T.ts += MS;
		}
		T.ts += 100 * MS;
	}
	assert_int_equal(count_rule("attach-leak"), 0);
	/* It exits in the middle of a round, at the level it always reaches. */
	for (int i = 0; i < 256; i++) {
		shm_map(330, MAP_ADDR + (__u64)i * 0x10000, 4096, 7000 + i, 4096);
		T.ts += 11 * MS;
	}
	exit_(330);
	assert_int_equal(count_rule("attach-leak"), 0);
}

/* A pool's level is no licence: growth past it is judged again. */
static void test_attach_leak_past_the_pool(void **state)
{
	start();
	for (int i = 0; i < 256; i++) {
		shared_map(340, MAP_ADDR + (__u64)i * 0x10000, 4096);
		T.ts += 11 * MS;
	}
	for (int i = 0; i < 256; i++)
		munmap_(340, MAP_ADDR + (__u64)i * 0x10000, 4096, 0);
	assert_int_equal(count_rule("attach-leak"), 0);
	/* Then a leak: it never stops. */
	for (int i = 0; i < 1000; i++) {
		shared_map(340, MAP_ADDR + (__u64)i * 0x10000, 4096);
		T.ts += 10 * MS;
	}
	assert_int_equal(count_rule("attach-leak"), 1);
	assert_contains(find_rule("attach-leak")->message, "without release");
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
	assert_null(model_seg(T.a, 0, 22));
	assert_null(model_seg(T.a, 0, 23));
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
	/* A process that only got the attachment over fork from a child of
	 * the creator's, which has exited: not the creator's kin, no user. */
	fork_(2010, 2011, false);
	fork_(2011, 2012, false);
	exit_(2011);
	assert_true(model_proc(T.a, 2012) != NULL);
	/* Not yet: the creator lives. */
	assert_int_equal(count_rule("segment-leak"), 0);
	exit_(2010);
	assert_int_equal(count_rule("segment-leak"), 0); /* 2012 is its kin */
	/* 2012 maps over the last attachment (MAP_FIXED) and exits. */
	with_stack(0x9000, 4);
	mmap_(2012, 0, 4096, PROT_RW, MAP_PRIVATE_FLAG | MAP_ANON_FLAG, SEG_ADDR,
	      SW_BK_ANON_PRIVATE);
	assert_int_equal(count_rule("segment-leak"), 0);
	exit_(2012);
	assert_int_equal(count_rule("segment-leak"), 1);
	f = find_rule("segment-leak");
	assert_int_equal(f->pid, 2010);
	assert_stack(&f->origin, 2010, 0x1000, 2);
	assert_stack(&f->site, 0, 0, 0); /* decided by the exit */
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

static void test_stacks_attach_leak(void **state)
{
	static __u64 at_seq[500];
	const struct sw_finding *f;
	int i;

	start();
	for (i = 0; i < 500; i++) {
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
	assert_true(i >= 0 && i < 500);
	assert_int_equal(f->site.ip[0], 0x100000 + (__u64)i * 0x100);
	assert_true(has_evidence(f, at_seq[i])); /* the event that completed it */
	assert_int_equal(f->evidence[f->n_evidence - 1], at_seq[i]);
	assert_int_equal(f->origin.n, 0);
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
		T_(test_attach_leak_until_exit),
		T_(test_attach_leak_bounded_pool),
		T_(test_attach_leak_past_the_pool),
		T_(test_attach_leak_steady_server),
		T_(test_attach_leak_restarts_after_loss),
		T_(test_attach_leak_slow_bursts_not_flagged),
		T_(test_missing_rollback),
		T_(test_missing_rollback_clean_twin),
		T_(test_stacks_segment_leak),
		T_(test_stacks_segment_leak_by_other_process),
		T_(test_stacks_missing_rollback),
		T_(test_stacks_attach_leak),
#undef T_
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
