// SPDX-License-Identifier: GPL-2.0
/*
 * test_verdict.c - the inventory's verdicts, order and pid filter
 * (inventory/verdict.c) on inventories made up here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "inventory/inventory.h"

#define MAX_OBJECTS 16

struct made {
	struct inventory inv;
	struct inv_object objs[MAX_OBJECTS];
	struct inv_object *ptrs[MAX_OBJECTS];
};

static struct made M;

static struct inv_object *add(enum inv_kind kind, __u64 size)
{
	struct inv_object *o = &M.objs[M.inv.n_objects];

	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->size = size;
	o->mount = kind == INV_FILE ? 0 : -1;
	M.ptrs[M.inv.n_objects++] = o;
	M.inv.objects = M.ptrs;
	return o;
}

static void hold(struct inv_object *o, __u32 pid, bool map)
{
	struct inv_holder *h = inventory_holder(o, pid, "prog");

	assert_non_null(h);
	if (map)
		h->maps++;
	else
		h->fds++;
}

static int setup(void **state)
{
	memset(&M, 0, sizeof(M));
	return 0;
}

static int teardown(void **state)
{
	for (size_t i = 0; i < M.inv.n_objects; i++)
		free(M.objs[i].holders);
	return 0;
}

/* A segment's verdict follows the kernel's nattch and its creator; a
 * file's the holders found; a deleted object is there only because
 * something holds it. */
static void test_verdicts(void **state)
{
	struct inv_object *orphan = add(INV_SEGMENT, 1);
	struct inv_object *idle = add(INV_SEGMENT, 1);
	struct inv_object *rmid_held = add(INV_SEGMENT, 1);
	struct inv_object *rmid_going = add(INV_SEGMENT, 1);
	struct inv_object *attached = add(INV_SEGMENT, 1);
	struct inv_object *unheld = add(INV_FILE, 1);
	struct inv_object *mapped = add(INV_FILE, 1);
	struct inv_object *deleted = add(INV_FILE, 1);
	struct inv_object *memfd = add(INV_MEMFD, 1);

	idle->creator_alive = true;
	rmid_held->removed = true;
	rmid_held->nattch = 1;
	rmid_going->removed = true; /* nattch 0: the kernel destroys it now */
	attached->nattch = 2; /* held by processes outside our sight too */
	hold(mapped, 7, false);
	deleted->deleted = true;
	hold(deleted, 8, true);
	memfd->deleted = true;
	hold(memfd, 9, false);
	inventory_judge(&M.inv);
	assert_int_equal(orphan->verdict, INV_ORPHANED);
	assert_int_equal(idle->verdict, INV_UNATTACHED);
	assert_int_equal(rmid_held->verdict, INV_DELETED_BUT_HELD);
	assert_int_equal(rmid_going->verdict, INV_ORPHANED);
	assert_int_equal(attached->verdict, INV_IN_USE);
	assert_int_equal(unheld->verdict, INV_UNHELD);
	assert_int_equal(mapped->verdict, INV_IN_USE);
	assert_int_equal(deleted->verdict, INV_DELETED_BUT_HELD);
	assert_int_equal(memfd->verdict, INV_IN_USE);
	assert_string_equal(inv_verdict_name(INV_DELETED_BUT_HELD), "deleted-but-held");
	assert_string_equal(inv_verdict_name(INV_IN_USE), "in-use");
}

/* Segments, then files mount by mount, then memfds; biggest first. */
static void test_order(void **state)
{
	struct inv_object *memfd = add(INV_MEMFD, 100);
	struct inv_object *small = add(INV_FILE, 1);
	struct inv_object *other_mount = add(INV_FILE, 50);
	struct inv_object *big = add(INV_FILE, 10);
	struct inv_object *seg = add(INV_SEGMENT, 2);

	other_mount->mount = 1;
	inventory_sort(&M.inv);
	assert_ptr_equal(M.inv.objects[0], seg);
	assert_ptr_equal(M.inv.objects[1], big);
	assert_ptr_equal(M.inv.objects[2], small);
	assert_ptr_equal(M.inv.objects[3], other_mount);
	assert_ptr_equal(M.inv.objects[4], memfd);
}

/* A pid holds what it maps or has open, and the segments it created. */
static void test_held_by(void **state)
{
	struct inv_object *seg = add(INV_SEGMENT, 1);
	struct inv_object *file = add(INV_FILE, 1);

	seg->cpid = 5;
	hold(file, 6, true);
	hold(file, 6, false); /* one row per process */
	hold(file, 7, false);
	assert_int_equal(file->n_holders, 2);
	assert_int_equal(file->holders[0].maps, 1);
	assert_int_equal(file->holders[0].fds, 1);
	assert_true(inventory_held_by(seg, 5));
	assert_false(inventory_held_by(seg, 6));
	assert_true(inventory_held_by(file, 7));
	assert_false(inventory_held_by(file, 5));
	assert_true(inventory_held_by(file, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T_(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T_(test_verdicts),
		T_(test_order),
		T_(test_held_by),
#undef T_
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
