/* SPDX-License-Identifier: GPL-2.0 */
/*
 * checkstate.h - compare the analyzer's view with the kernel's
 * (--check-state): live SysV segments against PROC_ROOT/sysvipc/shm, and
 * each live traced process's attachments and shared mappings against
 * PROC_ROOT/PID/maps.  Reads /proc through procfs.c's parsers.
 */
#ifndef SHMWATCH_CHECKSTATE_H
#define SHMWATCH_CHECKSTATE_H

#include <stdbool.h>
#include <stdio.h>
#include "analyzer/analyzer.h"

struct checkstate_opts {
	const char *proc_root; /* NULL: /proc */
	/*
	 * true: every process is traced, so every segment is compared.
	 * false (-p, a command): only segments a traced process created,
	 * attached, detached, removed or holds, alive or exited (the
	 * analyzer needs opts.keep_exited for the kernel's pids of exited
	 * ones).
	 */
	bool system_wide;
	FILE *out;	       /* one line per difference; NULL: stderr */
};

struct checkstate_result {
	unsigned long segments;	  /* compared */
	unsigned long processes;  /* compared (gone ones not counted) */
	unsigned long gone;	  /* exited before their maps could be read */
	unsigned long mismatches; /* differences nothing explains */
	unsigned long uncertain;  /* differences a reported loss may explain */
};

/* 0 with res filled (mismatches == 0: the views agree), or -errno when
 * the kernel's side could not be read at all. */
int checkstate_run(const struct analyzer *a, const struct checkstate_opts *o,
		    struct checkstate_result *res);

#endif /* SHMWATCH_CHECKSTATE_H */
