// SPDX-License-Identifier: GPL-2.0
/*
 * flood.c - a burst of cheap failing calls for the loss-accounting test.
 *
 * "flood N" makes N calls of shmdt((void *)0x10), each failing at once
 * with EINVAL (the address is not page aligned), then prints N.  Traced
 * with a tiny ring buffer, logged events plus reported losses must add up
 * to exactly N.  WORKLOAD_WAIT=1: print "ready" and wait for a line on
 * stdin first, so a tracer can attach to the running process.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "workload_wait.h"

int main(int argc, char **argv)
{
	unsigned long n, i;
	char *end;

	if (argc != 2) {
		fprintf(stderr, "usage: flood N\n");
		return 2;
	}
	n = strtoul(argv[1], &end, 10);
	if (*argv[1] == '\0' || *end != '\0' || *argv[1] == '-') {
		fprintf(stderr, "flood: bad count: %s\n", argv[1]);
		return 2;
	}
	wait_if_asked();

	/* syscall() rather than shmdt(): exactly one kernel entry per call. */
	for (i = 0; i < n; i++)
		syscall(SYS_shmdt, 0x10UL);

	printf("%lu\n", n);
	return 0;
}
