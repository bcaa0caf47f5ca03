// SPDX-License-Identifier: GPL-2.0
/*
 * stacks.c - the stacks workload: a segment created in the executable and
 * never removed (segment-leak, whose origin must name create_segment and
 * its line), and a shmat on id -1 made from inside a shared library
 * (failed-then-used, whose site must name lib_attach in stackslib.c).
 * Built as a non-PIE and a PIE executable against libstackslib.so.  The
 * lines the test checks carry LINE: markers.  It stays alive a moment after
 * its calls, like a real program, so its module map can be read.
 */
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

void *lib_attach(int id);

static int __attribute__((noinline)) create_segment(void)
{
	return shmget(IPC_PRIVATE, 8192, IPC_CREAT | 0600); /* LINE:create */
}

int main(void)
{
	int id = create_segment(); /* LINE:main-create */

	printf("leaked-shmid %d\n", id);
	fflush(stdout);
	lib_attach(-1); /* LINE:main-attach */
	usleep(300 * 1000);
	return 0;
}
