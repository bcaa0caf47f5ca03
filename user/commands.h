/* SPDX-License-Identifier: GPL-2.0 */
/*
 * commands.h - the sub-commands main.c dispatches to.  Each parses its own
 * options and returns the process exit status.
 */
#ifndef SHMWATCH_COMMANDS_H
#define SHMWATCH_COMMANDS_H

#include "pipeline.h"
#include "log/logread.h"

int do_analyze(int argc, char **argv); /* analyze.c */
int do_ls(int argc, char **argv);      /* inventory/ls.c */

/*
 * What do_analyze() does once its logs are open: replay them in order
 * through one pipeline (pipeline.h) built from opts, finish it, and add up the
 * skipped lines.  0, -EBADMSG (strict stop) or another negative errno.
 * The fuzzer (tests/fuzz/) calls it on an in-memory log.
 */
int analyze_replay(struct logread **logs, int n_logs, const struct pipeline_opts *opts,
		   unsigned long *skipped);

#endif
