/* SPDX-License-Identifier: GPL-2.0 */
/*
 * launch.h - the command a trace launches: forked first and held on a
 * pipe until the probes are attached and its pid is in the filter, so
 * that its first call is seen; then let go, reaped and, when the trace
 * ends first, killed.  The trace loop (main.c) decides when.
 */
#ifndef SHMWATCH_LAUNCH_H
#define SHMWATCH_LAUNCH_H

#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>

struct launch {
	pid_t pid;
	int go_fd;  /* write end: closing it lets the child exec */
	int err_fd; /* read end: the child's exec errno, EOF on success */
	bool started;
	bool exited;
	int status; /* as waitpid gives it */
	__u64 kill_at; /* asked to stop: killed if still running then */
};

/* Fork argv[0] (searched in PATH) and hold it before exec.
 * stdout_to_stderr: shmwatch's standard output carries NDJSON, which the
 * command's own output must not be mixed into.  output_fd >= 0: its
 * standard output and error go there instead, and its standard input is
 * /dev/null (the terminal is the live view's).  0 or -errno. */
int launch_spawn_held(struct launch *c, char **argv, bool stdout_to_stderr, int output_fd);
/* Let the held child exec; returns 0 or the exec errno (negative). */
int launch_release(struct launch *c);
/* A held child that never ran: it exits on its own when the pipe closes. */
void launch_drop(struct launch *c);
/* Collect the exit status if the child has exited; never waits. */
void launch_reap(struct launch *c);
/* Kill the child and wait for it. */
void launch_kill(struct launch *c);
/* The command's exit status as a shell would give it. */
int launch_exit_status(const struct launch *c);

#endif
