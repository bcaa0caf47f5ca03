// SPDX-License-Identifier: GPL-2.0
/*
 * test_usage.c - the tmpfs usage view (analyzer__usage): what a mount
 * holds, its biggest objects, its growers and its creators, ranked; and
 * the live view, which shows only mounts that changed, emptied or not.
 */
#include "builder.h"

static void test_usage_ranks_objects_growers_and_creators(void **state)
{
	struct usage_rec r = { 0 };
	const struct sw_mount_usage *u;

	start();
	shm_open_(600, "/dev/shm/small", 301);
	shm_truncate(600, 301, 1 * MiB);
	shm_open_(600, "/dev/shm/big", 302);
	shm_truncate(600, 302, 8 * MiB);
	shm_map(601, MAP_ADDR, 4 * MiB, 302, 8 * MiB);
	shm_open_(602, "/dev/shm/mid", 303);
	shm_truncate(602, 303, 4 * MiB);
	shm_open_(602, "/dev/shm/gone", 304);
	shm_truncate(602, 304, 16 * MiB);
	unlink_(602, "/dev/shm/gone", 0); /* unlinked: no longer on the mount */
	analyzer__usage(T.a, T.ts, false, on_usage, &r);
	assert_int_equal(r.n, 1);
	u = &r.u[0];
	assert_int_equal(u->dev, SHM_DEV);
	assert_string_equal(u->label, "/dev/shm");
	assert_int_equal(u->n_objects, 3);
	assert_int_equal(u->object_bytes, 13 * MiB);
	/* Biggest first, with who made it and who maps it now. */
	assert_int_equal(u->n_biggest, 3);
	assert_string_equal(u->biggest[0].path, "/dev/shm/big");
	assert_int_equal(u->biggest[0].size, 8 * MiB);
	assert_int_equal(u->biggest[0].creator_pid, 600);
	assert_int_equal(u->biggest[0].mapped_by, 1);
	assert_string_equal(u->biggest[1].path, "/dev/shm/mid");
	assert_int_equal(u->biggest[1].mapped_by, 0);
	assert_string_equal(u->biggest[2].path, "/dev/shm/small");
	/* Each grew from the size it was first seen at (0). */
	assert_int_equal(u->n_growers, 3);
	assert_string_equal(u->growers[0].path, "/dev/shm/big");
	assert_int_equal(u->growers[0].from, 0);
	assert_int_equal(u->growers[0].to, 8 * MiB);
	/* Creators by the bytes of their linked objects. */
	assert_int_equal(u->n_creators, 2);
	assert_int_equal(u->creators[0].pid, 600);
	assert_int_equal(u->creators[0].objects, 2);
	assert_int_equal(u->creators[0].bytes, 9 * MiB);
	assert_false(u->creators[0].gone);
	assert_int_equal(u->creators[1].pid, 602);
	assert_int_equal(u->creators[1].objects, 1);
	assert_int_equal(u->creators[1].bytes, 4 * MiB);
	/* The creator's exit shows in the view. */
	exit_(602);
	r.n = 0;
	analyzer__usage(T.a, T.ts, false, on_usage, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.u[0].creators[1].pid, 602);
	assert_true(r.u[0].creators[1].gone);
}

/* Only SW_USAGE_TOP make each list, the biggest ones. */
static void test_usage_keeps_the_top(void **state)
{
	struct usage_rec r = { 0 };
	char path[32];

	start();
	for (int i = 0; i < SW_USAGE_TOP + 3; i++) {
		snprintf(path, sizeof(path), "/dev/shm/o%d", i);
		shm_open_(610, path, 400 + i);
		shm_truncate(610, 400 + i, (__u64)(i + 1) * MiB);
	}
	analyzer__usage(T.a, T.ts, false, on_usage, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.u[0].n_objects, SW_USAGE_TOP + 3);
	assert_int_equal(r.u[0].n_biggest, SW_USAGE_TOP);
	assert_int_equal(r.u[0].n_growers, SW_USAGE_TOP);
	for (int i = 0; i < SW_USAGE_TOP; i++)
		assert_int_equal(r.u[0].biggest[i].size, (__u64)(SW_USAGE_TOP + 3 - i) * MiB);
}

/* The live view: a mount once per change; an emptied mount still shows
 * (with nothing on it), where the end-of-trace view leaves it out. */
static void test_usage_changed_only(void **state)
{
	struct usage_rec r = { 0 };

	start();
	shm_open_(620, "/dev/shm/x", 501);
	shm_truncate(620, 501, 1 * MiB);
	analyzer__usage(T.a, T.ts, true, on_usage, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.u[0].n_objects, 1);
	analyzer__usage(T.a, T.ts, true, on_usage, &r);
	assert_int_equal(r.n, 1); /* nothing changed since */
	unlink_(620, "/dev/shm/x", 0);
	analyzer__usage(T.a, T.ts, true, on_usage, &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.u[1].n_objects, 0);
	r.n = 0;
	analyzer__usage(T.a, T.ts, false, on_usage, &r);
	assert_int_equal(r.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T_(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T_(test_usage_ranks_objects_growers_and_creators),
		T_(test_usage_keeps_the_top),
		T_(test_usage_changed_only),
#undef T_
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
