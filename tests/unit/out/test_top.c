// SPDX-License-Identifier: GPL-2.0
/*
 * test_top.c - the live view's model (user/out/top.c), without a
 * terminal: what each process holds comes from a real analyzer fed with
 * the analyzer tests' builders; calls, failures and findings reach the
 * model as the sink callbacks hand them over.  Sorting, the comm filter,
 * growth over the sample history, call rates, idle processes leaving,
 * and the findings ring.
 */
#include "../analyzer/builder.h"
#include "out/top.h"

#define MIB (1024 * 1024ULL)

static struct top_model M;

static int setup_top(void **state)
{
	setup(state);
	start();
	return top_model__init(&M);
}

static int teardown_top(void **state)
{
	top_model__fini(&M);
	return teardown(state);
}

/* A call as the sink gets it (the analyzer is not fed). */
static void model_call(__u32 pid, const char *comm, __u32 c, __s64 ret)
{
	struct sw_event e = { .kind = SW_EV_CALL, .call = c, .pid = pid, .tid = pid };

	e.ts_ns = T.ts;
	e.c.ret = ret;
	snprintf(e.comm, sizeof(e.comm), "%s", comm);
	top_model__event(&M, &e, NULL);
}

static void refresh_and_sample(void)
{
	top_model__refresh(&M, T.a, T.ts);
	top_model__sample(&M, T.ts);
}

static size_t rows(enum top_sort sort, const char *filter, struct top_row *r, size_t max)
{
	top_model__refresh(&M, T.a, T.ts);
	return top_model__rows(&M, sort, filter, r, max);
}

/* pid 100 attaches 1 MiB and maps 2 MiB shared; pid 200 maps 4 MiB. */
static void two_holders(void)
{
	shmget_(100, IPC_PRIVATE_KEY, MIB, 7);
	shmat_(100, 0, 7, 0x10000000, MIB);
	shared_map(100, 0x20000000, 2 * MIB);
	shared_map(200, 0x30000000, 4 * MIB);
}

static void test_held_is_the_analyzers(void **state)
{
	struct top_row r[4];

	two_holders();
	assert_int_equal(rows(TOP_SORT_HELD, NULL, r, 4), 2);
	assert_int_equal(r[0].pid, 200);
	assert_int_equal(r[0].held, 4 * MIB);
	assert_int_equal(r[0].mappings, 1);
	assert_int_equal(r[0].attachments, 0);
	assert_int_equal(r[1].pid, 100);
	assert_int_equal(r[1].held, 3 * MIB);
	assert_int_equal(r[1].attachments, 1);
	assert_int_equal(r[1].mappings, 1);
	assert_string_equal(r[1].comm, "prog100");
	/* The analyzer's detach is the view's too. */
	shmdt_(100, 0, 0x10000000, 0);
	assert_int_equal(rows(TOP_SORT_HELD, NULL, r, 4), 2);
	assert_int_equal(r[1].held, 2 * MIB);
	assert_int_equal(r[1].attachments, 0);
}

static void test_sort_orders(void **state)
{
	struct top_row r[4];

	two_holders();
	model_call(100, "prog100", SW_SHMGET, -22);
	model_call(100, "prog100", SW_SHMGET, -22);
	model_call(200, "prog200", SW_SHMGET, -22);
	rows(TOP_SORT_PID, NULL, r, 4);
	assert_int_equal(r[0].pid, 100);
	assert_int_equal(r[1].pid, 200);
	rows(TOP_SORT_HELD, NULL, r, 4);
	assert_int_equal(r[0].pid, 200);
	rows(TOP_SORT_FAILED, NULL, r, 4);
	assert_int_equal(r[0].pid, 100);
	assert_int_equal(r[0].failed, 2);
	assert_int_equal(r[1].failed, 1);
	/* Equal keys: by pid, so that rows keep their places. */
	rows(TOP_SORT_FINDINGS, NULL, r, 4);
	assert_int_equal(r[0].pid, 100);
	/* At most max rows, but the count of all. */
	assert_int_equal(rows(TOP_SORT_HELD, NULL, r, 1), 2);
	assert_int_equal(r[0].pid, 200);
	assert_string_equal(top_sort_name(TOP_SORT_GROWTH), "growth");
}

static void test_filter_by_comm(void **state)
{
	struct top_row r[4];

	T.comm_pid = 200;
	T.comm = "holder-child";
	two_holders();
	assert_int_equal(rows(TOP_SORT_HELD, "child", r, 4), 1);
	assert_int_equal(r[0].pid, 200);
	assert_string_equal(r[0].comm, "holder-child");
	assert_int_equal(rows(TOP_SORT_HELD, "nomatch", r, 4), 0);
	assert_int_equal(rows(TOP_SORT_HELD, "", r, 4), 2);
}

static void test_growth_over_ten_seconds(void **state)
{
	struct top_row r[4];

	shared_map(100, 0x20000000, MIB);
	/* Held before the first sample is not growth the view saw. */
	refresh_and_sample();
	assert_int_equal(rows(TOP_SORT_GROWTH, NULL, r, 4), 1);
	assert_int_equal(r[0].growth, 0);
	T.ts += SEC;
	shared_map(100, 0x30000000, 2 * MIB);
	refresh_and_sample();
	rows(TOP_SORT_GROWTH, NULL, r, 4);
	assert_int_equal(r[0].growth, 2 * MIB);
	/* A process that turns up later grew from nothing. */
	shared_map(200, 0x40000000, MIB);
	rows(TOP_SORT_GROWTH, NULL, r, 4);
	assert_int_equal(r[0].pid, 100);
	assert_int_equal(r[1].pid, 200);
	assert_int_equal(r[1].growth, MIB);
	/* 10 s after the second mapping, it is no growth any more... */
	for (int i = 0; i < TOP_GROWTH_SAMPLES - 2; i++) {
		T.ts += SEC;
		refresh_and_sample();
	}
	rows(TOP_SORT_PID, NULL, r, 4);
	assert_int_equal(r[0].growth, 2 * MIB);
	T.ts += SEC;
	refresh_and_sample();
	rows(TOP_SORT_PID, NULL, r, 4);
	assert_int_equal(r[0].growth, 0);
	/* ... and a shrink is negative growth. */
	munmap_(100, 0x30000000, 2 * MIB, 0);
	rows(TOP_SORT_PID, NULL, r, 4);
	assert_int_equal(r[0].held, MIB);
	assert_true(r[0].growth == -(__s64)(2 * MIB));
}

static void test_call_rate(void **state)
{
	struct top_row r[4];

	refresh_and_sample();
	for (int i = 0; i < 10; i++)
		model_call(300, "caller", SW_MMAP, i < 3 ? -12 : 0x1000);
	T.ts += 2 * SEC;
	refresh_and_sample();
	/* It holds nothing, but made calls: worth a line. */
	assert_int_equal(rows(TOP_SORT_HELD, NULL, r, 4), 1);
	assert_int_equal(r[0].pid, 300);
	assert_int_equal(r[0].calls, 10);
	assert_int_equal(r[0].failed, 3);
	assert_true(r[0].rate > 4.99 && r[0].rate < 5.01);
	T.ts += SEC;
	refresh_and_sample();
	rows(TOP_SORT_HELD, NULL, r, 4);
	assert_true(r[0].rate == 0);
}

static void test_exited_processes_leave(void **state)
{
	struct top_row r[4];

	two_holders();
	refresh_and_sample();
	exit_(200);
	T.ts += SEC;
	refresh_and_sample();
	assert_int_equal(rows(TOP_SORT_PID, NULL, r, 4), 2);
	assert_int_equal(r[1].pid, 200);
	assert_false(r[1].live);
	assert_int_equal(r[1].held, 0);
	assert_int_equal(r[1].peak, 4 * MIB);
	T.ts += TOP_IDLE_NS + SEC;
	refresh_and_sample();
	assert_int_equal(rows(TOP_SORT_PID, NULL, r, 4), 1);
	assert_int_equal(r[0].pid, 100);
}

static void finding(__u32 pid, const char *rule, int i)
{
	struct sw_finding f = { .rule = rule, .severity = SW_SEV_WARNING, .pid = pid };

	f.ts_ns = T.ts + (__u64)i;
	snprintf(f.comm, sizeof(f.comm), "prog%u", pid);
	snprintf(f.message, sizeof(f.message), "finding %d", i);
	top_model__finding(&M, &f);
}

static void test_findings(void **state)
{
	struct top_row r[4];

	for (int i = 0; i < TOP_FINDINGS + 6; i++)
		finding(i % 2 ? 400 : 0, i % 2 ? "attach-leak" : "segment-leak", i);
	assert_int_equal(M.findings_total, TOP_FINDINGS + 6);
	assert_int_equal(M.n_findings, TOP_FINDINGS);
	assert_string_equal(top_model__finding_at(&M, 0)->message, "finding 69");
	assert_string_equal(top_model__finding_at(&M, TOP_FINDINGS - 1)->message, "finding 6");
	assert_null(top_model__finding_at(&M, TOP_FINDINGS));
	/* A finding of no process (pid 0) is no row. */
	assert_int_equal(rows(TOP_SORT_FINDINGS, NULL, r, 4), 1);
	assert_int_equal(r[0].pid, 400);
	assert_int_equal(r[0].findings, (TOP_FINDINGS + 6) / 2);
	assert_string_equal(r[0].last_rule, "attach-leak");
}

static void test_usage_records(void **state)
{
	struct sw_mount_usage u = { .dev = 42, .fs_used = MIB, .fs_size = 64 * MIB, .n_objects = 2 };
	struct sw_sysv_usage s = { .ipc_ns = 0, .segments = 3, .bytes = 3 * MIB };
	struct sw_stats st = { .events = 100, .ts_ns = SEC };

	snprintf(u.label, sizeof(u.label), "/dev/shm");
	top_model__usage(&M, &u);
	u.fs_used = 2 * MIB;
	top_model__usage(&M, &u);
	top_model__sysv_usage(&M, &s);
	assert_int_equal(M.n_mounts, 1);
	assert_int_equal(M.mounts[0].used, 2 * MIB);
	assert_string_equal(M.mounts[0].label, "/dev/shm");
	assert_int_equal(M.n_nses, 1);
	assert_int_equal(M.nses[0].bytes, 3 * MIB);
	top_model__stats(&M, &st);
	assert_true(top_model__event_rate(&M) == 0);
	st.events = 400;
	st.ts_ns = 3 * SEC;
	top_model__stats(&M, &st);
	assert_true(top_model__event_rate(&M) > 149.9 && top_model__event_rate(&M) < 150.1);
}

/* The containers pane: the processes added up by the container their
 * events came from, the host one row of its own, the most held first. */
static void test_containers(void **state)
{
	struct container_info web = { .ref = { .runtime = CONTAINER_RT_PODMAN } };
	struct top_container_row r[4];
	struct sw_event e = { .kind = SW_EV_CALL, .call = SW_MMAP };

	two_holders();		/* 100 holds 3 MiB, 200 holds 4 MiB */
	shared_map(300, 0x40000000, 1 * MIB);
	snprintf(web.names.name, sizeof(web.names.name), "web-1");
	/* 200 and 300 run in web-1, 100 on the host. */
	for (__u32 pid = 200; pid <= 300; pid += 100) {
		e.pid = e.tid = pid;
		e.ts_ns = T.ts;
		snprintf(e.comm, sizeof(e.comm), "prog%u", pid);
		top_model__event(&M, &e, &web);
	}
	model_call(100, "prog100", SW_SHMGET, -12);
	top_model__refresh(&M, T.a, T.ts);
	assert_int_equal(top_model__containers(&M, r, 4), 2);
	assert_ptr_equal(r[0].container, &web);
	assert_int_equal(r[0].procs, 2);
	assert_int_equal(r[0].held, 5 * MIB);
	assert_int_equal(r[0].failed, 0);
	assert_null(r[1].container);
	assert_int_equal(r[1].procs, 1);
	assert_int_equal(r[1].held, 3 * MIB);
	assert_int_equal(r[1].failed, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_held_is_the_analyzers, setup_top, teardown_top),
		cmocka_unit_test_setup_teardown(test_sort_orders, setup_top, teardown_top),
		cmocka_unit_test_setup_teardown(test_filter_by_comm, setup_top, teardown_top),
		cmocka_unit_test_setup_teardown(test_growth_over_ten_seconds, setup_top, teardown_top),
		cmocka_unit_test_setup_teardown(test_call_rate, setup_top, teardown_top),
		cmocka_unit_test_setup_teardown(test_exited_processes_leave, setup_top, teardown_top),
		cmocka_unit_test_setup_teardown(test_findings, setup_top, teardown_top),
		cmocka_unit_test_setup_teardown(test_usage_records, setup_top, teardown_top),
		cmocka_unit_test_setup_teardown(test_containers, setup_top, teardown_top),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
