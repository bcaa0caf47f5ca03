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
int do_report(int argc, char **argv);  /* report.c */

/*
 * What do_analyze() does once its logs are open: replay them in order
 * through one pipeline (pipeline.h) built from opts, finish it, and add up the
 * skipped lines.  0, -EBADMSG (strict stop) or another negative errno.
 * The fuzzer (tests/fuzz/) calls it on an in-memory log.
 */
int analyze_replay(struct logread **logs, int n_logs, const struct pipeline_opts *opts,
		   unsigned long *skipped);
/* Open every log before anything is written: 0, or -errno with one line
 * on stderr (the reader's own for one that is no log). */
int analyze_open_logs(struct logread **logs, char *const *paths, int n_logs, bool strict);
/* Records read from the logs (0: nothing was checked). */
unsigned long analyze_count_records(struct logread **logs, int n_logs);
/* The exit status of analyze (and report) after a replay that returned
 * ret: 2 when it failed, 1 when lines were skipped or no log held a
 * record, else 0. */
int analyze_exit_status(int ret, struct logread **logs, int n_logs, unsigned long skipped);
/* A signal stopped the replay: die of it now, as the caller would have
 * (its outputs are closed, and removed unless complete).  Returns if none. */
void analyze_stop_signal(void);

#endif
