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
	assert_true(st.unjudged >= 2);
	b_lets_go();
	analyzer__finish(T.a, T.ts);
	assert_int_equal(count_rule("segment-leak"), 0);
	assert_int_equal(count_rule("shm-object-leak"), 0);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
