// SPDX-License-Identifier: GPL-2.0
/*
 * test_range.c - the range index: the range at an address, the first
 * one overlapping an interval, removal, in-order walks and emptying,
 * checked against a plain array on many ranges.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>
#include "lib/range.h"

struct item {
	struct range_node rn;
	int id;
};

static __u32 rng = 2463534242u;

static __u32 next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static struct item *add(struct range_tree *t, struct item *it, __u64 start, __u64 end)
{
	it->rn.start = start;
	it->rn.end = end;
	range_insert(t, &it->rn, next_rand());
	return it;
}

static void test_find_and_overlap(void **state)
{
	struct item it[3];
	struct range_tree t;

	range_tree_init(&t);
	assert_true(range_tree_empty(&t));
	assert_null(range_find(&t, 0));
	add(&t, &it[0], 0x1000, 0x3000);
	add(&t, &it[1], 0x5000, 0x6000);
	add(&t, &it[2], 0x6000, 0x8000); /* adjacent to it[1] */
	assert_ptr_equal(range_find(&t, 0x1000), &it[0].rn);
	assert_ptr_equal(range_find(&t, 0x2fff), &it[0].rn);
	assert_null(range_find(&t, 0x3000)); /* end is exclusive */
	assert_null(range_find(&t, 0xfff));
	assert_ptr_equal(range_find(&t, 0x6000), &it[2].rn);
	/* An interval in a gap, one reaching into a range, one around. */
	assert_null(range_first_overlap(&t, 0x3000, 0x5000));
	assert_ptr_equal(range_first_overlap(&t, 0x3000, 0x5001), &it[1].rn);
	assert_ptr_equal(range_first_overlap(&t, 0x2000, 0x9000), &it[0].rn);
	assert_ptr_equal(range_first_overlap(&t, 0x5fff, 0x6001), &it[1].rn);
	assert_ptr_equal(range_ceil(&t, 0x1001), &it[1].rn);
	assert_ptr_equal(range_ceil(&t, 0x6000), &it[2].rn);
	assert_null(range_ceil(&t, 0x6001));
	range_remove(&t, &it[1].rn);
	assert_null(range_find(&t, 0x5000));
	assert_ptr_equal(range_first_overlap(&t, 0x4000, 0x7000), &it[2].rn);
}

struct walk {
	__u64 last;
	int n;
	int stop_at;
};

static int walk_one(void *ctx, struct range_node *n)
{
	struct walk *w = ctx;

	assert_true(n->start >= w->last);
	w->last = n->start;
	return ++w->n == w->stop_at ? 42 : 0;
}

static int cleared;

static void clear_one(void *ctx, struct range_node *n)
{
	cleared++;
	free(range_entry(n, struct item, rn));
}

/* Many ranges in random order, some removed: every lookup agrees with a
 * scan of an array, walks run in order of start and can stop. */
static void test_against_array(void **state)
{
	enum { N = 2000 };
	static struct item *all[N];
	static bool live[N];
	struct range_tree t;
	struct walk w = { 0 };
	int n_live = 0;

	range_tree_init(&t);
	for (int i = 0; i < N; i++) {
		all[i] = malloc(sizeof(*all[i]));
		assert_non_null(all[i]);
		all[i]->id = i;
		live[i] = true;
	}
	/* Slot i is [i * 16, i * 16 + 8): insert in a scrambled order. */
	for (int k = 0; k < N; k++) {
		int i = (int)((k * 7919L) % N);

		add(&t, all[i], (__u64)i * 16, (__u64)i * 16 + 8);
	}
	for (int i = 0; i < N; i += 3) {
		range_remove(&t, &all[i]->rn);
		live[i] = false;
	}
	for (int i = 0; i < N; i++)
		n_live += live[i];
	for (__u64 addr = 0; addr < N * 16; addr += 5) {
		int i = (int)(addr / 16);
		struct range_node *f = range_find(&t, addr);
		struct range_node *o = range_first_overlap(&t, addr, addr + 40);
		int want = -1;

		if (live[i] && addr % 16 < 8)
			assert_ptr_equal(f, &all[i]->rn);
		else
			assert_null(f);
		for (int j = i; j < N && (__u64)j * 16 < addr + 40; j++) {
			if (live[j] && (__u64)j * 16 + 8 > addr) {
				want = j;
				break;
			}
		}
		if (want < 0)
			assert_null(o);
		else
			assert_ptr_equal(o, &all[want]->rn);
	}
	assert_int_equal(range_foreach(&t, walk_one, &w), 0);
	assert_int_equal(w.n, n_live);
	w = (struct walk){ .stop_at = 10 };
	assert_int_equal(range_foreach(&t, walk_one, &w), 42);
	assert_int_equal(w.n, 10);
	for (int i = 0; i < N; i++)
		if (!live[i])
			free(all[i]);
	range_clear(&t, clear_one, NULL);
	assert_int_equal(cleared, n_live);
	assert_true(range_tree_empty(&t));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_and_overlap),
		cmocka_unit_test(test_against_array),
	};

	return cmocka_run_group_tests_name("range", tests, NULL, NULL);
}
