// SPDX-License-Identifier: GPL-2.0
/*
 * launch.c - fork a command held before exec, let it go, reap or kill it
 * (see launch.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>
#include "trace/launch.h"

/* In the child: its standard streams as launch_spawn_held says. */
static int child_streams(bool stdout_to_stderr, int output_fd)
{
	int null;

	if (output_fd < 0)
		return stdout_to_stderr && dup2(STDERR_FILENO, STDOUT_FILENO) < 0 ? -1 : 0;
	null = open("/dev/null", O_RDONLY);
	if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(output_fd, STDOUT_FILENO) < 0 ||
	    dup2(output_fd, STDERR_FILENO) < 0)
		return -1;
	if (null > STDERR_FILENO)
		close(null);
	return 0;
}

int launch_spawn_held(struct launch *c, char **argv, bool stdout_to_stderr, int output_fd)
{
	int go[2], err[2];

	if (pipe2(go, O_CLOEXEC))
		return -errno;
	if (pipe2(err, O_CLOEXEC)) {
		int e = errno;

		close(go[0]);
		close(go[1]);
		return -e;
	}
	c->pid = fork();
	if (c->pid < 0) {
		int e = errno;

		close(go[0]);
		close(go[1]);
		close(err[0]);
		close(err[1]);
		return -e;
	}
	if (c->pid == 0) {
		char buf;
		int e;

		close(go[1]);
		close(err[0]);
		signal(SIGPIPE, SIG_DFL);
		if (read(go[0], &buf, 1) != 1)
			_exit(127); /* the tracer gave up */
		if (child_streams(stdout_to_stderr, output_fd))
			_exit(127);
		execvp(argv[0], argv);
		e = errno;
		if (write(err[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(err[1]);
	c->go_fd = go[1];
	c->err_fd = err[0];
	return 0;
}

int launch_release(struct launch *c)
{
	int e = 0;
	ssize_t n;

	if (write(c->go_fd, "g", 1) != 1) {
		e = errno;
		close(c->go_fd);
		close(c->err_fd);
		return -e;
	}
	close(c->go_fd);
	n = read(c->err_fd, &e, sizeof(e));
	close(c->err_fd);
	c->started = n != sizeof(e);
	return n == sizeof(e) ? -e : 0;
}

void launch_drop(struct launch *c)
{
	close(c->go_fd);
	close(c->err_fd);
	waitpid(c->pid, NULL, 0);
	c->exited = true;
}

void launch_reap(struct launch *c)
{
	if (!c->exited && waitpid(c->pid, &c->status, WNOHANG) == c->pid)
		c->exited = true;
}

int launch_exit_status(const struct launch *c)
{
	if (WIFEXITED(c->status))
		return WEXITSTATUS(c->status);
	if (WIFSIGNALED(c->status))
		return 128 + WTERMSIG(c->status);
	return 0;
}

void launch_kill(struct launch *c)
{
	kill(c->pid, SIGKILL);
	waitpid(c->pid, &c->status, 0);
	c->exited = true;
}
