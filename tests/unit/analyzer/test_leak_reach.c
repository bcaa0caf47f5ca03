// SPDX-License-Identifier: GPL-2.0
/*
 * test_leak_reach.c - drive the analyzer with synthetic event sequences:
 * when segment-leak and shm-object-leak are decided.  Not at the
 * creator's exit, but once no process that could still reach the object
 * is left (its creator, the creator's traced ancestors and descendants,
 * its users; see struct reach), or at the end of the trace; processes by
 * generation, so that a reused pid is another process; a loss after the
 * object was first seen makes the finding uncertain.
 */
#include "builder.h"

#define OBJ_LEN (64 * KiB)
#define SEG_LEN (64 * KiB)

/* pid creates the object /dev/shm/NAME (ino), sizes it, maps and
 * unmaps it: what is left is its name. */
static __u64 make_obj(__u32 pid, const char *path, __u64 ino)
{
	__u64 seq = shm_open_(pid, path, ino);

	shm_truncate(pid, ino, OBJ_LEN);
	shm_map(pid, MAP_ADDR, OBJ_LEN, ino, OBJ_LEN);
	munmap_(pid, MAP_ADDR, OBJ_LEN, 0);
	return seq;
}

/* pid creates an IPC_PRIVATE segment (id), attaches and detaches it. */
static __u64 make_seg(__u32 pid, __s32 id)
{
	__u64 seq = shmget_(pid, IPC_PRIVATE_KEY, SEG_LEN, id);

	shmat_(pid, 0, id, SEG_ADDR, SEG_LEN);
	shmdt_(pid, 0, SEG_ADDR, 0);
	return seq;
}

/* pid maps the object and attaches the segment another process made,
 * and lets go of both. */
static void use_both(__u32 pid, __u64 ino, __s32 id)
{
	shm_map(pid, MAP_ADDR, OBJ_LEN, ino, OBJ_LEN);
	munmap_(pid, MAP_ADDR, OBJ_LEN, 0);
	shmat_(pid, 0, id, SEG_ADDR, SEG_LEN);
	shmdt_(pid, 0, SEG_ADDR, 0);
}

/*
 * A worker's objects outlive it while its parent lives, then while an
 * unrelated process that used them lives; the exit of that last one
 * decides both leaks, and is their time and evidence.  The finding is
 * still the creator's.
 */
static void test_reach_decided_at_last_reacher_exit(void **state)
{
	const struct sw_finding *f;
	__u64 ex;

	start();
	fork_(100, 101, false);
	make_obj(101, "/dev/shm/w", 500);
	make_seg(101, 7000);
	exit_(101);
	assert_int_equal(T.n_findings, 0); /* the parent may remove them */
	use_both(200, 500, 7000);
	exit_(100);
	assert_int_equal(T.n_findings, 0); /* 200 used them: it may too */
	T.ts += SEC;
	ex = exit_(200);
	assert_int_equal(T.n_findings, 2);
	f = find_rule("shm-object-leak");
	assert_non_null(f);
	assert_int_equal(f->pid, 101);
	assert_int_equal(f->ts_ns, T.ts);
	assert_true(has_evidence(f, ex));
	assert_contains(f->message, "/dev/shm/w ");
	assert_false(f->uncertain);
	f = find_rule("segment-leak");
	assert_non_null(f);
	assert_int_equal(f->pid, 101);
	assert_int_equal(f->ts_ns, T.ts);
	assert_true(has_evidence(f, ex));
	assert_contains(f->message, "segment 7000 ");
	assert_false(f->uncertain);
	/* Judged once: the model lets go of the wait. */
	assert_true(list_empty(&T.a->objs_wait));
	assert_true(list_empty(&T.a->segs_wait));
	analyzer__finish(T.a, T.ts);
	assert_int_equal(T.n_findings, 2);
}

/*
 * Supervisors: the parent removes what a worker made after the worker
 * exited (or was killed: its exit is the same event), and a grandparent
 * what a grandchild made after both it and its parent exited.  Nothing
 * leaked, at any exit or at the end.
 */
static void test_reach_ancestor_removes_after_creator_exit(void **state)
{
	start();
	fork_(100, 101, false);
	fork_(100, 102, false);
	make_obj(101, "/dev/shm/a", 510);
	make_seg(101, 7010);
	make_obj(102, "/dev/shm/b", 511);
	make_seg(102, 7011);
	exit_(101);
	exit_(102); /* SIGKILLed by its parent */
	/* Another worker maps them in between, and exits. */
	fork_(100, 103, false);
	use_both(103, 510, 7010);
	exit_(103);
	assert_int_equal(T.n_findings, 0);
	unlink_(100, "/dev/shm/a", 0);
	unlink_(100, "/dev/shm/b", 0);
	shmctl_(100, 7010, IPC_RMID_CMD, 0);
	shmctl_(100, 7011, IPC_RMID_CMD, 0);
	/* Two generations down. */
	fork_(100, 104, false);
	fork_(104, 105, false);
	make_obj(105, "/dev/shm/c", 512);
	make_seg(105, 7012);
	exit_(105);
	exit_(104);
	assert_int_equal(T.n_findings, 0);
	unlink_(100, "/dev/shm/c", 0);
	shmctl_(100, 7012, IPC_RMID_CMD, 0);
	exit_(100);
	analyzer__finish(T.a, T.ts);
	assert_int_equal(T.n_findings, 0);
	assert_null(model_seg(T.a, 0, 7010));
	assert_null(model_seg(T.a, 0, 7012));
	/* What was removed is not waited for. */
	assert_true(list_empty(&T.a->objs_wait));
	assert_true(list_empty(&T.a->segs_wait));
}

/*
 * The same supervisor that forgets one object and one segment: they
 * are decided at its exit, the last process that could have removed
 * them, and the removed ones give nothing.
 */
static void test_reach_supervisor_forgets_one(void **state)
{
	const struct sw_finding *f;
	__u64 ex;

	start();
	fork_(100, 101, false);
	fork_(100, 102, false);
	make_obj(101, "/dev/shm/kept", 520);
	make_seg(101, 7020);
	make_obj(102, "/dev/shm/left", 521);
	make_seg(102, 7021);
	exit_(101);
	exit_(102);
	unlink_(100, "/dev/shm/kept", 0);
	shmctl_(100, 7020, IPC_RMID_CMD, 0);
	assert_int_equal(T.n_findings, 0);
	ex = exit_(100);
	assert_int_equal(T.n_findings, 2);
	f = find_rule("shm-object-leak");
	assert_int_equal(f->pid, 102);
	assert_true(has_evidence(f, ex));
	assert_contains(f->message, "/dev/shm/left ");
	f = find_rule("segment-leak");
	assert_int_equal(f->pid, 102);
	assert_true(has_evidence(f, ex));
	assert_contains(f->message, "segment 7021 ");
}

/*
 * At the end of the trace, what waits is judged as it stands.  An object
 * whose reachers are all gone is a leak: here its creation arrived after
 * its creator's exit (a late record), so no exit is left to decide it.
 * One that a live process can still reach (a supervisor still running at
 * the end, as -p or --exit-with-command may leave it) is in use: no
 * finding, and the end-of-trace usage lists it.
 */
static void test_reach_judged_at_finish(void **state)
{
	const struct sw_finding *f;
	__u64 op, ex;

	start();
	T.ts += SEC;
	ex = exit_(300); /* a process never seen before */
	T.ts -= MS;	 /* its creation, from a CPU behind */
	op = shm_open_(300, "/dev/shm/late", 530);
	shm_truncate(300, 530, OBJ_LEN);
	T.ts += 2 * SEC;
	assert_int_equal(T.n_findings, 0);
	analyzer__finish(T.a, T.ts);
	assert_int_equal(T.n_findings, 1);
	f = find_rule("shm-object-leak");
	assert_non_null(f);
	assert_int_equal(f->pid, 300);
	assert_int_equal(f->ts_ns, T.ts);
	assert_true(has_evidence(f, op));
	assert_false(has_evidence(f, ex));
	assert_contains(f->message, "/dev/shm/late ");
	assert_true(list_empty(&T.a->objs_wait));
}

static void test_reach_in_use_at_finish(void **state)
{
	struct usage_rec r = { 0 };

	start();
	fork_(100, 101, false);
	make_obj(101, "/dev/shm/held", 540);
	make_seg(101, 7040);
	exit_(101);
	/* 100 is still running when the trace ends. */
	analyzer__usage(T.a, T.ts, false, on_usage, &r);
	analyzer__finish(T.a, T.ts);
	assert_int_equal(T.n_findings, 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.u[0].n_objects, 1);
	assert_string_equal(r.u[0].biggest[0].path, "/dev/shm/held");
	assert_true(r.u[0].biggest[0].creator_gone);
}

/*
 * The end-of-trace usage no longer lists an object that a traced
 * descendant of its creator removed after the creator's exit (Python's
 * resource tracker unlinking what is still registered, within the exit
 * grace): no finding, nothing left on the mount.
 */
static void test_reach_descendant_removes_after_exit(void **state)
{
	struct usage_rec r = { 0 };

	start();
	fork_(100, 101, false); /* the program forks its resource tracker */
	make_obj(100, "/dev/shm/psm_1", 550);
	exit_(100);
	assert_int_equal(T.n_findings, 0); /* the tracker may unlink it */
	analyzer__usage(T.a, T.ts, false, on_usage, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.u[0].n_objects, 1); /* still there, meanwhile */
	unlink_(101, "/dev/shm/psm_1", 0);
	exit_(101);
	memset(&r, 0, sizeof(r));
	analyzer__usage(T.a, T.ts, false, on_usage, &r);
	analyzer__finish(T.a, T.ts);
	assert_int_equal(T.n_findings, 0);
	assert_int_equal(r.n, 0); /* the end-of-trace view: the mount is empty */
	assert_null(model_obj(T.a, SHM_DEV, 550));
}

/*
 * pids come back.  A new process with the creator's pid, forked by an
 * unrelated process after the creator's exit, is not its creator; one
 * with the parent's pid is not its parent.  Both would keep the objects
 * waiting forever if pids alone were compared.
 */
static void test_reach_pid_reuse(void **state)
{
	const struct sw_finding *f;
	__u64 ex;

	start();
	/* The creator's pid. */
	fork_(100, 101, false);
	make_obj(101, "/dev/shm/r1", 560);
	make_seg(101, 7060);
	use_both(200, 560, 7060);
	exit_(101);
	exit_(100);
	T.ts += SEC;
	fork_(300, 101, false); /* 101 again, someone else */
	shared_map(101, MAP_ADDR, 4096);
	assert_int_equal(T.n_findings, 0); /* 200 used them */
	ex = exit_(200);
	assert_int_equal(T.n_findings, 2);
	f = find_rule("shm-object-leak");
	assert_int_equal(f->pid, 101);
	assert_true(has_evidence(f, ex));
	f = find_rule("segment-leak");
	assert_true(has_evidence(f, ex));
	/* The new 101's exit counts nothing against it, nor the old one's. */
	exit_(101);
	assert_int_equal(T.n_findings, 2);
	for (int i = 0; i < T.n_summaries; i++)
		if (T.summaries[i].pid == 101)
			assert_int_equal(T.summaries[i].findings[SW_RULE_SHM_OBJECT_LEAK], 0);

	/* The parent's pid. */
	fork_(400, 401, false);
	fork_(401, 402, false);
	make_obj(402, "/dev/shm/r2", 561);
	make_seg(402, 7061);
	exit_(401);
	T.ts += SEC;
	fork_(300, 401, false); /* 401 again, not 402's parent */
	assert_int_equal(T.n_findings, 2);
	/* 400, the grandparent, lives: still waiting. */
	exit_(402);
	assert_int_equal(T.n_findings, 2);
	ex = exit_(400);
	assert_int_equal(T.n_findings, 4);
	assert_true(has_evidence(&T.findings[2], ex));
	assert_true(has_evidence(&T.findings[3], ex));
	assert_non_null(find_message("/dev/shm/r2 "));
	assert_non_null(find_message("segment 7061 "));
	/* 401 is live, but another process: it did not hold them back. */
	assert_non_null(model_proc(T.a, 401));
}

/*
 * A loss between the object's first sight and its judgement may have
 * hidden the unlink or IPC_RMID that would have cured it (or the use by
 * a process still alive): the finding stands, marked uncertain.  A loss
 * before the object was made casts no doubt on it.
 */
static void test_reach_loss_is_uncertain(void **state)
{
	const struct sw_finding *f;

	start();
	analyzer__lost(T.a, T.ts, 2);
	fork_(100, 101, false);
	make_obj(101, "/dev/shm/sure", 570);
	make_seg(101, 7070);
	exit_(101);
	exit_(100);
	assert_int_equal(T.n_findings, 2);
	assert_false(T.findings[0].uncertain);
	assert_false(T.findings[1].uncertain);

	fork_(110, 111, false);
	make_obj(111, "/dev/shm/doubt", 571);
	make_seg(111, 7071);
	exit_(111);
	analyzer__lost(T.a, T.ts, 4); /* while waiting for the parent */
	exit_(110);
	assert_int_equal(T.n_findings, 4);
	f = find_message("/dev/shm/doubt ");
	assert_non_null(f);
	assert_true(f->uncertain);
	assert_contains(f->message, "uncertain: 4 records");
	f = find_message("segment 7071 ");
	assert_non_null(f);
	assert_true(f->uncertain);
	assert_contains(f->message, "uncertain: 4 records");
}

#define T_(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T_(test_reach_decided_at_last_reacher_exit),
		T_(test_reach_ancestor_removes_after_creator_exit),
		T_(test_reach_supervisor_forgets_one),
		T_(test_reach_judged_at_finish),
		T_(test_reach_in_use_at_finish),
		T_(test_reach_descendant_removes_after_exit),
		T_(test_reach_pid_reuse),
		T_(test_reach_loss_is_uncertain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
