/* SPDX-License-Identifier: GPL-2.0 */
/*
 * workload_wait.h - the handshake the integration tests use to attach to a
 * workload that is already running: with WORKLOAD_WAIT=1 it prints "ready"
 * and waits for a line on stdin before it starts.
 */
#ifndef WORKLOAD_WAIT_H
#define WORKLOAD_WAIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void wait_if_asked(void)
{
	const char *w = getenv("WORKLOAD_WAIT");
	char line[64];

	if (!w || strcmp(w, "1"))
		return;
	printf("ready\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		exit(1);
}

#endif
