// SPDX-License-Identifier: GPL-2.0
/*
 * test_hmap.c - the tree's hash map: lookups, keys that several nodes
 * share (hashed keys), deleting while iterating, and growing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>
#include "lib/hmap.h"

struct item {
	struct hnode node;
	int value;
};

static void test_put_get_del(void **state)
{
	struct item it[3] = { { .node.key = 1, .value = 10 }, { .node.key = 2, .value = 20 },
			      { .node.key = 1ULL << 40, .value = 30 } };
	struct hmap h;

	assert_int_equal(hmap_init(&h, 5), 0);
	assert_int_equal(h.nbuckets, 8); /* rounded up to a power of two */
	for (int i = 0; i < 3; i++)
		hmap_put(&h, &it[i].node);
	assert_int_equal(hmap_count(&h), 3);
	assert_ptr_equal(hmap_get(&h, 2), &it[1].node);
	assert_int_equal(hmap_entry(hmap_get(&h, 1ULL << 40), struct item, node)->value, 30);
	assert_null(hmap_get(&h, 3));
	hmap_del(&h, &it[1].node);
	assert_null(hmap_get(&h, 2));
	assert_int_equal(hmap_count(&h), 2);
	hmap_fini(&h);
	assert_null(hmap_get(&h, 1)); /* a finished map has no buckets */
}

/* Hashed keys: several nodes with one key, told apart by the caller. */
static void test_collisions(void **state)
{
	struct item it[4] = { { .node.key = 7, .value = 1 }, { .node.key = 7, .value = 2 },
			      { .node.key = 8, .value = 3 }, { .node.key = 7, .value = 4 } };
	int seen = 0, n = 0;
	struct hnode *x;
	struct hmap h;

	assert_int_equal(hmap_init(&h, 1), 0);
	for (int i = 0; i < 4; i++)
		hmap_put(&h, &it[i].node);
	for (x = hmap_get(&h, 7); x; x = hmap_get_next(x)) {
		assert_int_equal(x->key, 7);
		seen |= 1 << hmap_entry(x, struct item, node)->value;
		n++;
	}
	assert_int_equal(n, 3);
	assert_int_equal(seen, (1 << 1) | (1 << 2) | (1 << 4));
	hmap_del(&h, &it[1].node);
	n = 0;
	for (x = hmap_get(&h, 7); x; x = hmap_get_next(x))
		n++;
	assert_int_equal(n, 2);
	assert_null(hmap_get_next(hmap_get(&h, 8)));
	hmap_fini(&h);
}

/* Deleting the node just returned, and freeing it, is allowed. */
static void test_delete_during_iteration(void **state)
{
	struct hmap_iter iter;
	struct hnode *x;
	struct hmap h;
	int left = 0;

	assert_int_equal(hmap_init(&h, 4), 0);
	for (int i = 0; i < 100; i++) {
		struct item *it = calloc(1, sizeof(*it));

		assert_non_null(it);
		it->node.key = (__u64)i;
		it->value = i;
		hmap_put(&h, &it->node);
	}
	hmap_iter_init(&iter, &h);
	while ((x = hmap_iter_next(&iter))) {
		if (x->key % 2 == 0) {
			hmap_del(&h, x);
			free(hmap_entry(x, struct item, node));
		}
	}
	assert_int_equal(hmap_count(&h), 50);
	hmap_iter_init(&iter, &h);
	while ((x = hmap_iter_next(&iter))) {
		assert_int_equal(x->key % 2, 1);
		left++;
		hmap_del(&h, x);
		free(hmap_entry(x, struct item, node));
	}
	assert_int_equal(left, 50);
	assert_int_equal(hmap_count(&h), 0);
	hmap_fini(&h);
}

/* The map doubles as it fills; every node stays reachable. */
static void test_growth(void **state)
{
	enum { N = 5000 };
	struct item *it = calloc(N, sizeof(*it));
	struct hmap_iter iter;
	struct hmap h;
	int n = 0;

	assert_non_null(it);
	assert_int_equal(hmap_init(&h, 2), 0);
	for (int i = 0; i < N; i++) {
		it[i].node.key = (__u64)i * 4096; /* aligned, as addresses are */
		hmap_put(&h, &it[i].node);
	}
	assert_true(h.nbuckets >= N);
	for (int i = 0; i < N; i++)
		assert_ptr_equal(hmap_get(&h, (__u64)i * 4096), &it[i].node);
	hmap_iter_init(&iter, &h);
	while (hmap_iter_next(&iter))
		n++;
	assert_int_equal(n, N);
	hmap_fini(&h);
	free(it);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_del),
		cmocka_unit_test(test_collisions),
		cmocka_unit_test(test_delete_during_iteration),
		cmocka_unit_test(test_growth),
	};

	return cmocka_run_group_tests_name("hmap", tests, NULL, NULL);
}
