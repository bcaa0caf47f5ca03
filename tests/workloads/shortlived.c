// SPDX-License-Identifier: GPL-2.0
/*
 * shortlived.c - processes that leak a SysV segment and are gone within a
 * millisecond, before a tracer has had time to read their /proc/PID/maps:
 *   shortlived leak         leak one segment and exit;
 *   shortlived spawn N      run "shortlived leak" N times in a row (exec);
 *   shortlived fork N       N times fork a child that leaks one segment
 *                           and exits at once (no exec);
 *   shortlived call-fork N  the same after a call of its own with a stack
 *                           and a moment's wait, so that the tracer has
 *                           read the parent's maps.
 * Each leak's origin must name leak_segment and main with their lines,
 * which carry LINE: markers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

static int __attribute__((noinline)) leak_segment(void)
{
	return shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600); /* LINE:leak */
}

/* A segment made and removed at once: a stack, and no finding. */
static void __attribute__((noinline)) own_call(void)
{
	int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);

	if (id >= 0)
		shmctl(id, IPC_RMID, NULL);
}

static int wait_child(pid_t pid)
{
	int status;

	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int spawn(int n)
{
	char *argv[] = {"shortlived", "leak", NULL};
	int failed = 0;

	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			execv("/proc/self/exe", argv);
			_exit(127);
		}
		failed |= wait_child(pid);
	}
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 1, failed = 0;

	if (argc > 1 && !strcmp(argv[1], "leak"))
		return leak_segment() < 0; /* LINE:main-leak */
	if (argc > 1 && !strcmp(argv[1], "spawn"))
		return spawn(n);
	if (argc > 1 && !strcmp(argv[1], "call-fork")) {
		own_call();
		usleep(200 * 1000);
	} else if (argc < 2 || strcmp(argv[1], "fork")) {
		fprintf(stderr, "usage: shortlived leak | spawn N | fork N | call-fork N\n");
		return 2;
	}
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(leak_segment() < 0); /* LINE:main-fork-leak */
		failed |= wait_child(pid);
	}
	return failed ? 1 : 0;
}
