// SPDX-License-Identifier: GPL-2.0
/*
 * test_stacksites.c - the call-site stack cache (user/trace/stacksites.c): a
 * record sent without its stack gets the first one of its site back, the
 * least recently used site goes first, and misses are counted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "trace/stacksites.h"

/* A record of site key with n frames starting at ip0, or sent without
 * its stack when same_site. */
static struct sw_event rec(__u64 seq, __u64 key, __u64 ip0, __u32 n, bool same_site)
{
	struct sw_event e;

	memset(&e, 0, sizeof(e));
	e.kind = SW_EV_CALL;
	e.seq = seq;
	e.stack_key = key;
	e.leaf_ret = ip0 + 100;
	if (same_site) {
		e.stack_flags = SW_STACK_SAME_SITE;
		return e;
	}
	e.n_frames = n;
	for (__u32 i = 0; i < n; i++)
		e.stack[i] = ip0 + i;
	return e;
}

static void test_fill_from_first(void **state)
{
	struct stack_sites *s = stack_sites__new(8);
	struct sw_event first = rec(5, 0xabc, 0x1000, 3, false);
	struct sw_event later = rec(9, 0xabc, 0, 0, true);

	assert_non_null(s);
	stack_sites__remember(s, &first);
	assert_true(stack_sites__fill(s, &later));
	assert_int_equal(later.n_frames, 3);
	assert_int_equal(later.stack[0], 0x1000);
	assert_int_equal(later.stack[2], 0x1002);
	assert_int_equal(later.leaf_ret, 0x1000 + 100);
	assert_int_equal(later.stack_from, 5);
	assert_int_equal(later.seq, 9);
	assert_int_equal(stack_sites__misses(s), 0);
	stack_sites__free(s);
}

static void test_unknown_site_is_a_miss(void **state)
{
	struct stack_sites *s = stack_sites__new(8);
	struct sw_event later = rec(9, 0x123, 0, 0, true);
	struct sw_event nostack = rec(3, 0x456, 0x2000, 0, false);

	stack_sites__remember(s, &nostack); /* nothing to keep */
	assert_false(stack_sites__fill(s, &later));
	assert_int_equal(later.n_frames, 0);
	later.stack_key = 0x456;
	assert_false(stack_sites__fill(s, &later));
	assert_int_equal(stack_sites__misses(s), 2);
	stack_sites__free(s);
}

static void test_newer_unwind_replaces(void **state)
{
	struct stack_sites *s = stack_sites__new(8);
	struct sw_event a = rec(1, 7, 0x1000, 2, false), b = rec(4, 7, 0x5000, 5, false);
	struct sw_event later = rec(6, 7, 0, 0, true);

	stack_sites__remember(s, &a);
	stack_sites__remember(s, &b);
	assert_true(stack_sites__fill(s, &later));
	assert_int_equal(later.n_frames, 5);
	assert_int_equal(later.stack[0], 0x5000);
	assert_int_equal(later.stack_from, 4);
	stack_sites__free(s);
}

/* With room for two: the site used last stays, the other goes. */
static void test_least_recently_used_goes(void **state)
{
	struct stack_sites *s = stack_sites__new(2);
	struct sw_event a = rec(1, 1, 0x1000, 1, false), b = rec(2, 2, 0x2000, 1, false);
	struct sw_event c = rec(3, 3, 0x3000, 1, false), q;

	stack_sites__remember(s, &a);
	stack_sites__remember(s, &b);
	q = rec(4, 1, 0, 0, true);
	assert_true(stack_sites__fill(s, &q)); /* a is now the most recent */
	stack_sites__remember(s, &c);		/* b goes */
	q = rec(5, 2, 0, 0, true);
	assert_false(stack_sites__fill(s, &q));
	q = rec(6, 1, 0, 0, true);
	assert_true(stack_sites__fill(s, &q));
	q = rec(7, 3, 0, 0, true);
	assert_true(stack_sites__fill(s, &q));
	assert_int_equal(stack_sites__misses(s), 1);
	stack_sites__free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fill_from_first),
		cmocka_unit_test(test_unknown_site_is_a_miss),
		cmocka_unit_test(test_newer_unwind_replaces),
		cmocka_unit_test(test_least_recently_used_goes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
