// SPDX-License-Identifier: GPL-2.0
/*
 * test_evict.c - the state cap (analyzer/evict.c): past opts.state_max
 * the least recently active processes are forgotten, then the oldest
 * unmapped objects; the state ends below the cap, the counts say what
 * went, and nothing a forgotten process could reach is ever judged
 * (no false segment-leak or shm-object-leak), while leaks of the
 * processes still known are found as before.
 */
#include "builder.h"

#define SEG_LEN (64 * KiB)
#define OBJ_LEN (64 * KiB)
#define CAP (1 * MiB)
#define FILLERS 600
#define FILLER_PID 5000

/* FILLERS processes that make one failed call each, while keep (if not
 * 0) stays active between them. */
static void fillers(__u32 keep)
{
	for (__u32 i = 0; i < FILLERS; i++) {
		call(FILLER_PID + i, FILLER_PID + i, SW_SHMGET, -2 /* ENOENT */, 0x1234, SEG_LEN, 0,
		     0);
		if (keep)
			shmctl_(keep, 7, 2 /* IPC_STAT */, 0);
	}
}

/* A (100) makes segment 7 and /dev/shm/kept, forks B (101), which attaches
 * and maps them; then the fillers, while B stays active. */
static void a_and_b(void)
{
	shmget_(100, IPC_PRIVATE_KEY, SEG_LEN, 7);
	shm_open_(100, "/dev/shm/kept", 900);
	shm_truncate(100, 900, OBJ_LEN);
	fork_(100, 101, false);
	shmat_(101, 0, 7, SEG_ADDR, SEG_LEN);
	shm_map(101, MAP_ADDR, OBJ_LEN, 900, OBJ_LEN);
	fillers(101);
}

static void b_lets_go(void)
{
	shmdt_(101, 0, SEG_ADDR, 0);
	munmap_(101, MAP_ADDR, OBJ_LEN, 0);
	exit_(101);
}

/*
 * A makes segment 7 and object /dev/shm/kept and forks B, which attaches
 * the one and maps the other.  The cap forgets A (the least recently
 * active) while B stays.  When B lets go and exits, nobody known can
 * reach them, yet A, forgotten but maybe alive, could: no leak.
 */
static void test_forgotten_creator_is_never_judged(void **state)
{
	struct sw_state st;

	T.opts.state_max = CAP;
	start();
	a_and_b();
	analyzer__state(T.a, &st);
	assert_true(st.dropped_procs >= 1);
	assert_true(st.bytes <= CAP);
	b_lets_go();
	analyzer__finish(T.a, T.ts);
	assert_int_equal(count_rule("segment-leak"), 0);
	assert_int_equal(count_rule("shm-object-leak"), 0);
	/* The segment reached its verdict and was withheld; the object never
	 * did (its creator's exit, which would start it, is not seen). */
	analyzer__state(T.a, &st);
	assert_int_equal(st.unjudged, 1);
}

/* The twin: with no cap, A's exit after B's is seen and both leak. */
static void test_without_cap_the_leaks_are_found(void **state)
{
	struct sw_state st;

	start();
	a_and_b();
	analyzer__state(T.a, &st);
	assert_int_equal(st.dropped_procs, 0);
	assert_true(st.procs >= FILLERS + 2);
	b_lets_go();
	exit_(100);
	assert_int_equal(count_rule("segment-leak"), 1);
	assert_int_equal(count_rule("shm-object-leak"), 1);
}

/* Under the cap, a process made after the eviction is known in full:
 * its leak is found. */
static void test_leak_after_eviction_is_found(void **state)
{
	struct sw_state st;

	T.opts.state_max = CAP;
	start();
	fillers(0);
	analyzer__state(T.a, &st);
	assert_true(st.dropped_procs > 0);
	shmget_(200, IPC_PRIVATE_KEY, SEG_LEN, 9);
	exit_(200);
	assert_int_equal(count_rule("segment-leak"), 1);
	assert_int_equal(T.findings[0].pid, 200);
}

/* A process the cap forgot makes a call again: it is a new process to
 * the analyzer, and what it does from then on is judged. */
static void test_forgotten_process_comes_back(void **state)
{
	struct sw_state st;

	T.opts.state_max = CAP;
	start();
	call(100, 100, SW_SHMGET, -2, 0x1234, SEG_LEN, 0, 0);
	fillers(0);
	analyzer__state(T.a, &st);
	assert_true(st.dropped_procs > 0);
	shmget_(100, IPC_PRIVATE_KEY, SEG_LEN, 11);
	exit_(100);
	assert_int_equal(count_rule("segment-leak"), 1);
}

/* Objects nobody maps go after the processes, oldest first; the state
 * ends below the cap.  Their creator, active all along, stays known: the
 * objects it still has in the state leak at its exit, the forgotten ones
 * are not judged. */
static void test_unmapped_objects_forgotten(void **state)
{
	struct sw_state st;
	char path[64];

	T.opts.state_max = CAP;
	start();
	for (__u32 i = 0; i < 4000; i++) {
		snprintf(path, sizeof(path), "/dev/shm/o%u", i);
		shm_open_(100, path, 10000 + i);
		shm_truncate(100, 10000 + i, OBJ_LEN);
	}
	analyzer__state(T.a, &st);
	assert_true(st.dropped_objects > 0);
	assert_true(st.objects < 4000);
	assert_true(st.bytes <= CAP);
	assert_int_equal(st.dropped_procs, 0);
	assert_int_equal(st.objects + st.dropped_objects, 4000);
	exit_(100);
	assert_int_equal(T.n_findings, st.objects);
	assert_int_equal(count_rule("shm-object-leak"), MAX_FINDINGS);
}

/* A makes segment 7 and /dev/shm/x and forks B, which stays quiet while A
 * stays active: the cap forgets B.  B could still remove both, so A's
 * exit is no leak of either (cap 0: the twin waits for B, which exits
 * last, and then both leak). */
static void run_quiet_descendant(bool cap)
{
	T.opts.state_max = cap ? CAP : 0;
	start();
	shmget_(100, IPC_PRIVATE_KEY, SEG_LEN, 7);
	shm_open_(100, "/dev/shm/x", 900);
	shm_truncate(100, 900, OBJ_LEN);
	fork_(100, 101, false);
	fillers(100);
	exit_(100);
}

static void test_forgotten_descendant_keeps_objects_unjudged(void **state)
{
	struct sw_state st;

	run_quiet_descendant(true);
	analyzer__state(T.a, &st);
	assert_true(st.dropped_procs > 0);
	assert_int_equal(T.n_findings, 0);
	analyzer__finish(T.a, T.ts);
	assert_int_equal(T.n_findings, 0);
}

static void test_quiet_descendant_without_cap(void **state)
{
	run_quiet_descendant(false);
	assert_int_equal(T.n_findings, 0); /* B lives */
	exit_(101);
	assert_int_equal(count_rule("segment-leak"), 1);
	assert_int_equal(count_rule("shm-object-leak"), 1);
}

/* P forks Q and goes quiet; the cap forgets P.  Q then makes segment 9
 * and /dev/shm/y and exits: P, forgotten but maybe alive, could remove
 * them (a supervisor and its worker).  No leak; the twin without a cap
 * waits for P's exit, then finds both. */
static void run_forgotten_supervisor(bool cap)
{
	T.opts.state_max = cap ? CAP : 0;
	start();
	call(100, 100, SW_SHMGET, -2, 0x1234, SEG_LEN, 0, 0);
	fork_(100, 101, false);
	fillers(101);
	shmget_(101, IPC_PRIVATE_KEY, SEG_LEN, 9);
	shm_open_(101, "/dev/shm/y", 901);
	shm_truncate(101, 901, OBJ_LEN);
	exit_(101);
}

static void test_forgotten_supervisor_keeps_workers_objects_unjudged(void **state)
{
	struct sw_state st;

	run_forgotten_supervisor(true);
	analyzer__finish(T.a, T.ts);
	analyzer__state(T.a, &st);
	assert_true(st.dropped_procs > 0);
	assert_int_equal(T.n_findings, 0);
	assert_int_equal(st.unjudged, 2);
}

static void test_supervisor_without_cap(void **state)
{
	run_forgotten_supervisor(false);
	assert_int_equal(T.n_findings, 0); /* P lives */
	exit_(100);
	assert_int_equal(count_rule("segment-leak"), 1);
	assert_int_equal(count_rule("shm-object-leak"), 1);
}

/*
 * A pool fills 200 attachments at once and then rotates them, 80 a
 * second: its holdings never grow.  The cap forgets it while it is quiet,
 * and it comes back.  Its detaches of what it held before are of ranges
 * the analyzer no longer knows, its attaches are new: the holdings it is
 * seen with climb for 2.5 s, then stay.  That is no attach-leak; the
 * twin, seen all along, is not one either.  It releases all and exits.
 */
static void run_returning_pool(bool cap)
{
	const __u32 pool = 100, held = 200;

	T.opts.state_max = cap ? CAP : 0;
	start();
	for (__u32 i = 0; i < held; i++) {
		shmat_(pool, 0, 1000 + (__s32)i, SEG_ADDR + i * SEG_LEN, SEG_LEN);
		T.ts += 1 * MS;
	}
	fillers(0);
	for (__u32 t = 0; t < 480; t++) {
		__u32 slot = t % held;

		shmdt_(pool, 0, SEG_ADDR + slot * SEG_LEN, 0);
		shmat_(pool, 0, 2000 + (__s32)t, SEG_ADDR + slot * SEG_LEN, SEG_LEN);
		T.ts += 12500000; /* 12.5 ms */
	}
	for (__u32 i = 0; i < held; i++)
		shmdt_(pool, 0, SEG_ADDR + i * SEG_LEN, 0);
	exit_(pool);
}

static void test_returning_pool_is_no_attach_leak(void **state)
{
	struct sw_state st;

	run_returning_pool(true);
	analyzer__state(T.a, &st);
	assert_true(st.dropped_procs > FILLERS / 4);
	assert_int_equal(count_rule("attach-leak"), 0);
}

static void test_pool_without_cap(void **state)
{
	run_returning_pool(false);
	assert_int_equal(count_rule("attach-leak"), 0);
}

/* A process that had a finding is not forgotten: its dedup set keeps the
 * same misuse from being reported twice when it comes back to it. */
static void run_periodic_misuser(bool cap)
{
	T.opts.state_max = cap ? CAP : 0;
	start();
	call(100, 100, SW_SHMGET, -22 /* EINVAL */, 0, 1ULL << 41, 01000, 0);
	fillers(0);
	call(100, 100, SW_SHMGET, -22, 0, 1ULL << 41, 01000, 0);
}

static void test_misuse_again_after_eviction_is_one_finding(void **state)
{
	struct sw_state st;

	run_periodic_misuser(true);
	analyzer__state(T.a, &st);
	assert_true(st.dropped_procs > 0);
	assert_int_equal(count_rule("oversized-request"), 1);
}

static void test_misuse_again_without_cap(void **state)
{
	run_periodic_misuser(false);
	assert_int_equal(count_rule("oversized-request"), 1);
}

/* 100 forks 101 and both go quiet; the cap forgets both.  101 comes back
 * and makes segment 9, then exits: its parent, forgotten but maybe alive,
 * could remove it.  Without the cap it waits for 100. */
static void run_returning_child(bool cap)
{
	T.opts.state_max = cap ? CAP : 0;
	start();
	call(100, 100, SW_SHMGET, -2, 0x1234, SEG_LEN, 0, 0);
	fork_(100, 101, false);
	call(101, 101, SW_SHMGET, -2, 0x1234, SEG_LEN, 0, 0);
	fillers(0);
	T.ppid = 100;
	shmget_(101, IPC_PRIVATE_KEY, SEG_LEN, 9);
	T.ppid = 0;
	exit_(101);
}

static void test_returning_child_keeps_its_parent(void **state)
{
	struct sw_state st;

	run_returning_child(true);
	analyzer__state(T.a, &st);
	assert_true(st.dropped_procs >= 2);
	assert_int_equal(count_rule("segment-leak"), 0);
	analyzer__finish(T.a, T.ts);
	assert_int_equal(count_rule("segment-leak"), 0);
}

static void test_returning_child_without_cap(void **state)
{
	run_returning_child(false);
	assert_int_equal(count_rule("segment-leak"), 0); /* 100 lives */
	exit_(100);
	assert_int_equal(count_rule("segment-leak"), 1);
}

/* A segment from before the trace that only a forgotten process holds
 * stays alive to the analyzer: it still exists in the kernel. */
static void test_forgotten_holder_keeps_segment(void **state)
{
	struct sw_state st;

	T.opts.state_max = CAP;
	start();
	shmat_(100, 0, 5, SEG_ADDR, SEG_LEN);
	shmctl_(100, 5, IPC_RMID_CMD, 0);
	fillers(0);
	analyzer__state(T.a, &st);
	assert_true(st.dropped_procs > 0);
	assert_int_equal(st.segments, 1);
}

/* 300 unlinks /dev/shm/x, made by 100 (an outsider's removal).  100 makes
 * it again, and the cap forgets that object among thousands; 100 unlinks
 * it.  A later open that fails is explained by 100's own unlink, not by
 * 300's older one: no removed-while-in-use. */
static void test_unlink_of_forgotten_object_hides_older_removal(void **state)
{
	struct sw_state st;
	char path[64];

	T.opts.state_max = CAP;
	start();
	shm_open_(100, "/dev/shm/x", 900);
	shm_truncate(100, 900, OBJ_LEN);
	unlink_(300, "/dev/shm/x", 0);
	shm_open_(100, "/dev/shm/x", 901);
	shm_truncate(100, 901, OBJ_LEN);
	for (__u32 i = 0; i < 4000; i++) {
		snprintf(path, sizeof(path), "/dev/shm/o%u", i);
		shm_open_(100, path, 10000 + i);
		shm_truncate(100, 10000 + i, OBJ_LEN);
	}
	analyzer__state(T.a, &st);
	assert_true(st.dropped_objects > 0); /* 901 first: the oldest */
	unlink_(100, "/dev/shm/x", 0);
	open_gone(400, "/dev/shm/x");
	assert_int_equal(count_rule("removed-while-in-use"), 0);
}

/* What cannot be forgotten (mapped objects) holds the state over the cap
 * for a while; once it is gone the cap is the cap again: the processes
 * that pile up after are forgotten at the cap, not above it. */
static void test_cap_returns_after_a_spell_over_it(void **state)
{
	struct sw_state st;
	char path[64];
	__u64 most = 0;

	T.opts.state_max = CAP;
	start();
	for (__u32 i = 0; i < 3000; i++) {
		snprintf(path, sizeof(path), "/dev/shm/m%u", i);
		shm_open_(100, path, 20000 + i);
		shm_truncate(100, 20000 + i, OBJ_LEN);
		shm_map(100, MAP_ADDR + i * OBJ_LEN, OBJ_LEN, 20000 + i, OBJ_LEN);
	}
	analyzer__state(T.a, &st);
	assert_true(st.bytes > CAP);
	assert_int_equal(st.objects, 3000);
	for (__u32 i = 0; i < 3000; i++) {
		snprintf(path, sizeof(path), "/dev/shm/m%u", i);
		munmap_(100, MAP_ADDR + i * OBJ_LEN, OBJ_LEN, 0);
		obj_call(100, SW_UNLINK, 0, path, SHM_DEV, 20000 + i, SW_BK_SHMEM_FILE, OBJ_LEN);
	}
	analyzer__state(T.a, &st);
	assert_true(st.bytes < CAP);
	for (__u32 i = 0; i < FILLERS; i++) {
		call(FILLER_PID + i, FILLER_PID + i, SW_SHMGET, -2, 0x1234, SEG_LEN, 0, 0);
		analyzer__state(T.a, &st);
		most = st.bytes > most ? st.bytes : most;
	}
	assert_true(st.dropped_procs > 0);
	assert_true(most <= CAP);
}

#define T_(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T_(test_forgotten_creator_is_never_judged),
		T_(test_without_cap_the_leaks_are_found),
		T_(test_leak_after_eviction_is_found),
		T_(test_forgotten_process_comes_back),
		T_(test_unmapped_objects_forgotten),
		T_(test_cap_returns_after_a_spell_over_it),
		T_(test_forgotten_descendant_keeps_objects_unjudged),
		T_(test_quiet_descendant_without_cap),
		T_(test_forgotten_supervisor_keeps_workers_objects_unjudged),
		T_(test_supervisor_without_cap),
		T_(test_returning_pool_is_no_attach_leak),
		T_(test_pool_without_cap),
		T_(test_misuse_again_after_eviction_is_one_finding),
		T_(test_misuse_again_without_cap),
		T_(test_returning_child_keeps_its_parent),
		T_(test_returning_child_without_cap),
		T_(test_forgotten_holder_keeps_segment),
		T_(test_unlink_of_forgotten_object_hides_older_removal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
