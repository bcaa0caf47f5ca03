// SPDX-License-Identifier: GPL-2.0
/*
 * verdict.c - what the inventory's objects are worth a look for (see
 * inventory.h), and their order: pure, on an inventory already read.
 */
#include <stdlib.h>
#include <string.h>
#include "inventory/inventory.h"

const char *inv_verdict_name(enum inv_verdict v)
{
	switch (v) {
	case INV_ORPHANED:
		return "orphaned";
	case INV_UNATTACHED:
		return "unattached";
	case INV_UNHELD:
		return "unheld";
	case INV_DELETED_BUT_HELD:
		return "deleted-but-held";
	case INV_IN_USE:
		break;
	}
	return "in-use";
}

/*
 * A segment: the kernel's nattch counts every attachment, seen or not, so
 * it decides whether anyone holds it.  A file: only the holders found in
 * /proc count, so a file is unheld when no process maps it or has it open;
 * a deleted one is visible at all only because something holds it.
 */
static enum inv_verdict verdict_of(const struct inv_object *o)
{
	switch (o->kind) {
	case INV_SEGMENT:
		if (o->nattch)
			return o->removed ? INV_DELETED_BUT_HELD : INV_IN_USE;
		return o->creator_alive ? INV_UNATTACHED : INV_ORPHANED;
	case INV_FILE:
		if (o->deleted)
			return INV_DELETED_BUT_HELD;
		return o->n_holders ? INV_IN_USE : INV_UNHELD;
	case INV_MEMFD:
		break;
	}
	return INV_IN_USE;
}

void inventory_judge(struct inventory *inv)
{
	for (size_t i = 0; i < inv->n_objects; i++)
		inv->objects[i]->verdict = verdict_of(inv->objects[i]);
}

static int by_place_then_size(const void *pa, const void *pb)
{
	const struct inv_object *a = *(const struct inv_object *const *)pa;
	const struct inv_object *b = *(const struct inv_object *const *)pb;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->mount != b->mount)
		return a->mount < b->mount ? -1 : 1;
	if (a->size != b->size)
		return a->size > b->size ? -1 : 1;
	if (a->kind == INV_SEGMENT)
		return a->shmid < b->shmid ? -1 : a->shmid > b->shmid;
	return strcmp(a->path, b->path);
}

void inventory_sort(struct inventory *inv)
{
	if (inv->n_objects)
		qsort(inv->objects, inv->n_objects, sizeof(inv->objects[0]), by_place_then_size);
}

bool inventory_held_by(const struct inv_object *o, __u32 pid)
{
	if (!pid || (o->kind == INV_SEGMENT && o->cpid == pid))
		return true;
	for (int i = 0; i < o->n_holders; i++)
		if (o->holders[i].pid == pid)
			return true;
	return false;
}
