// SPDX-License-Identifier: GPL-2.0
/*
 * stackslib.c - the shared library of the stacks workload: the shmat
 * happens in here, so its stack starts inside a library.
 */
#include <stddef.h>
#include <sys/shm.h>

void *__attribute__((noinline)) lib_attach(int id)
{
	return shmat(id, NULL, 0); /* LINE:lib-attach */
}
