// SPDX-License-Identifier: GPL-2.0
/*
 * test_list.c - the tree's doubly linked list: order at the front and
 * the back, deleting while walking, and deleting twice.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "lib/list.h"

struct item {
	int value;
	struct list_node node;
};

static int values(struct list_node *head, int *out, int max)
{
	struct list_node *pos;
	int n = 0;

	list_for_each(pos, head)
		if (n < max)
			out[n++] = list_entry(pos, struct item, node)->value;
	return n;
}

static void test_add_order(void **state)
{
	struct item it[3] = { { .value = 1 }, { .value = 2 }, { .value = 3 } };
	struct list_node head;
	int v[4];

	list_init(&head);
	assert_true(list_empty(&head));
	assert_null(list_first(&head));
	list_add(&head, &it[0].node);      /* 1 */
	list_add(&head, &it[1].node);      /* 2 1 */
	list_add_tail(&head, &it[2].node); /* 2 1 3 */
	assert_int_equal(values(&head, v, 4), 3);
	assert_int_equal(v[0], 2);
	assert_int_equal(v[1], 1);
	assert_int_equal(v[2], 3);
	assert_ptr_equal(list_first(&head), &it[1].node);
	assert_ptr_equal(list_last(&head), &it[2].node);
}

static void test_delete_while_walking(void **state)
{
	struct item it[5];
	struct list_node head, *pos, *tmp;
	int v[5];

	list_init(&head);
	for (int i = 0; i < 5; i++) {
		it[i].value = i;
		list_add_tail(&head, &it[i].node);
	}
	list_for_each_safe(pos, tmp, &head)
		if (list_entry(pos, struct item, node)->value % 2)
			list_del(pos);
	assert_int_equal(values(&head, v, 5), 3);
	assert_int_equal(v[0], 0);
	assert_int_equal(v[1], 2);
	assert_int_equal(v[2], 4);
	list_for_each_safe(pos, tmp, &head)
		list_del(pos);
	assert_true(list_empty(&head));
}

/* A deleted node points at itself: it is unlinked, and deleting it
 * again leaves the list alone. */
static void test_delete_twice(void **state)
{
	struct item a = { .value = 1 }, b = { .value = 2 };
	struct list_node head;
	int v[2];

	list_init(&head);
	list_init(&a.node);
	assert_false(list_linked(&a.node));
	list_add(&head, &a.node);
	list_add_tail(&head, &b.node);
	assert_true(list_linked(&a.node));
	list_del(&a.node);
	assert_false(list_linked(&a.node));
	list_del(&a.node);
	assert_int_equal(values(&head, v, 2), 1);
	assert_int_equal(v[0], 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_order),
		cmocka_unit_test(test_delete_while_walking),
		cmocka_unit_test(test_delete_twice),
	};

	return cmocka_run_group_tests_name("list", tests, NULL, NULL);
}
