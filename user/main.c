// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - the sub-command table and the wiring: options -> outputs ->
 * capture -> analyzer -> sinks.  Only this file decides exit statuses.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "analyzer.h"
#include "app.h"
#include "capture.h"
#include "checkstate.h"
#include "cli.h"
#include "commands.h"
#include "procfs.h"

#define EXIT_DIFFERS 1
#define EXIT_USAGE 2
#define POLL_MS 100

static volatile sig_atomic_t stop_requested, reopen_requested, child_exited;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reopen_requested = 1;
	else if (sig == SIGCHLD)
		child_exited = 1;
	else
		stop_requested = 1;
}

/* No SA_RESTART: a signal must interrupt the ring-buffer wait. */
static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGCHLD };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static __u64 now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

static int on_capture(void *ctx, const struct sw_event *e)
{
	app_event(ctx, e);
	return 0;
}

/*
 * A launched command is forked first and held on a pipe until the probes
 * are attached and its pid is in the filter, so its first call is seen.
 */
struct child {
	pid_t pid;
	int go_fd;  /* write end: closing it lets the child exec */
	int err_fd; /* read end: the child's exec errno, EOF on success */
};

static int spawn_held(struct child *c, char **argv)
{
	int go[2], err[2];

	if (pipe2(go, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
		return -errno;
	c->pid = fork();
	if (c->pid < 0)
		return -errno;
	if (c->pid == 0) {
		char buf;
		int e;

		close(go[1]);
		close(err[0]);
		signal(SIGPIPE, SIG_DFL);
		if (read(go[0], &buf, 1) != 1)
			_exit(127); /* the tracer gave up */
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

/* Let the held child exec; returns 0 or the exec errno (negative). */
static int release_child(struct child *c)
{
	int e = 0;
	ssize_t n;

	if (write(c->go_fd, "g", 1) != 1)
		return -errno;
	close(c->go_fd);
	n = read(c->err_fd, &e, sizeof(e));
	close(c->err_fd);
	return n == sizeof(e) ? -e : 0;
}

static void kill_child(struct child *c)
{
	close(c->go_fd);
	close(c->err_fd);
	kill(c->pid, SIGKILL);
	waitpid(c->pid, NULL, 0);
}

static int check_pids(const struct cli_trace *o, char *err, size_t len)
{
	for (int i = 0; i < o->n_pids; i++) {
		if (kill((pid_t)o->pids[i], 0) && errno == ESRCH) {
			snprintf(err, len, "no such process: %u", o->pids[i]);
			return -ESRCH;
		}
	}
	return 0;
}

static char *join_command(char **argv)
{
	size_t len = 1;
	char *s;

	for (char **a = argv; *a; a++)
		len += strlen(*a) + 1;
	s = calloc(1, len);
	for (char **a = argv; s && *a; a++) {
		if (a != argv)
			strcat(s, " ");
		strcat(s, *a);
	}
	return s;
}

static void fill_header(struct sw_header *h, const struct cli_trace *o)
{
	struct utsname u;

	memset(h, 0, sizeof(*h));
	h->schema = SW_SCHEMA_VERSION;
	h->tool_version = SHMWATCH_VERSION;
	gethostname(h->hostname, sizeof(h->hostname) - 1);
	if (!uname(&u))
		snprintf(h->kernel, sizeof(h->kernel), "%s", u.release);
	h->start_ts_ns = now_ns(CLOCK_MONOTONIC);
	h->wall_offset_ns = (__s64)(now_ns(CLOCK_REALTIME) - h->start_ts_ns);
	h->mode = o->command ? "command" : o->n_pids ? "pid" : "system";
	h->pids = o->pids;
	h->n_pids = o->n_pids;
	h->max_size = o->max_size;
	h->all_mmaps = o->all_mmaps;
	h->growth_window_ns = (__u64)(o->leak_window * 1e9);
	h->growth_threshold = o->leak_count;
}

static void read_lost(struct app *app, struct capture *cap)
{
	__u64 lost[SW_LOST_SLOTS];

	if (!capture__lost(cap, lost))
		app_lost(app, lost);
}

static int trace_loop(struct app *app, struct capture *cap, const struct cli_trace *o,
		      struct child *child, int *status)
{
	__u64 start = now_ns(CLOCK_MONOTONIC), last_stats = start;
	__u64 interval = (__u64)(o->stats_interval * 1e9);
	__u64 deadline = o->duration > 0 ? start + (__u64)(o->duration * 1e9) : 0;
	int ret;

	while (!stop_requested) {
		ret = capture__poll(cap, POLL_MS);
		if (ret < 0 && ret != -EINTR) {
			fprintf(stderr, "shmwatch: reading the ring buffer failed: %s\n", strerror(-ret));
			return ret;
		}
		if (reopen_requested) {
			reopen_requested = 0;
			app_reopen(app);
		}
		if (child && child_exited && waitpid(child->pid, status, WNOHANG) == child->pid)
			break;
		if (now_ns(CLOCK_MONOTONIC) - last_stats >= interval) {
			last_stats = now_ns(CLOCK_MONOTONIC);
			read_lost(app, cap);
			app_stats(app, false);
		}
		if (app_output_error(app))
			return -EIO;
		if (deadline && now_ns(CLOCK_MONOTONIC) >= deadline)
			break;
		/* Like strace -p: once every traced process is gone (the
		 * kernel side drops each at exit), there is nothing to wait for. */
		if (o->n_pids && capture__traced_alive(cap) == 0)
			break;
	}
	return 0;
}

static void capture_opts_from_cli(struct capture_opts *co, const struct cli_trace *o)
{
	memset(co, 0, sizeof(*co));
	co->pids = o->pids;
	co->n_pids = o->n_pids;
	co->pid_filter = o->n_pids > 0 || o->command;
	co->follow = o->follow || o->command;
	co->filter_uid = o->has_uid;
	co->uid = o->uid;
	co->comm = o->comm;
	co->cgroup_path = o->cgroup;
	co->all_mmaps = o->all_mmaps;
	co->max_size = o->max_size;
	co->ringbuf_size = o->ringbuf_size;
	co->no_stacks = o->no_stacks;
	co->verbose = o->verbose;
}

/* Tell the person (and scripts) that the probes are live. */
static void announce(const struct cli_trace *o, const struct child *held)
{
	if (held)
		fprintf(stderr, "shmwatch: tracing %s (pid %d) and its children\n", o->command[0],
			held->pid);
	else if (o->n_pids)
		fprintf(stderr, "shmwatch: tracing %d process%s%s; Ctrl-C to stop\n", o->n_pids,
			o->n_pids > 1 ? "es" : "", o->follow ? " and their children" : "");
	else
		fprintf(stderr, "shmwatch: tracing the whole system; Ctrl-C to stop\n");
}

/*
 * --check-state: after the drain, before the summaries, compare the
 * analyzer's live objects with /proc.  Returns true when they agree.
 */
static bool check_state(struct app *app, const struct cli_trace *o)
{
	struct checkstate_opts co = {
		.system_wide = !o->n_pids && !o->command,
	};
	struct checkstate_result r;
	int ret = checkstate__run(app_analyzer(app), &co, &r);

	if (ret) {
		fprintf(stderr, "shmwatch: check-state: can't read /proc: %s\n", strerror(-ret));
		return false;
	}
	fprintf(stderr, "shmwatch: check-state: %s: %lu segments, %lu processes compared; "
		"%lu mismatches, %lu uncertain, %lu gone\n", r.mismatches ? "differs" : "agrees",
		r.segments, r.processes, r.mismatches, r.uncertain, r.gone);
	return !r.mismatches;
}

/* Attach, let a held command go, trace until told to stop, report. */
static int run_trace(struct app *app, const struct cli_trace *o, struct child *held)
{
	struct capture_opts co;
	struct capture *cap = NULL;
	char err[512];
	int ret, status = 0;
	bool agrees = true;

	capture_opts_from_cli(&co, o);
	ret = capture__open(&cap, &co, on_capture, app, err, sizeof(err));
	if (!ret && held && capture__add_pid(cap, (__u32)held->pid))
		snprintf(err, sizeof(err), "can't add pid %d to the filter", held->pid), ret = -1;
	if (ret) {
		fprintf(stderr, "shmwatch: %s\n", err);
		if (held)
			kill_child(held);
		capture__free(cap);
		return EXIT_USAGE;
	}
	/* Processes that were running before the probes: learn what they
	 * already hold, so it is not taken for misuse. */
	for (int i = 0; i < o->n_pids; i++)
		procfs_seed_pid(app_analyzer(app), "/proc", o->pids[i]);
	/* System-wide, the end-of-trace check needs what was there before. */
	if (!o->n_pids && !o->command && o->check_state)
		procfs_seed_all(app_analyzer(app), "/proc", (__u32)getpid());
	if (o->n_pids || (!o->command && o->check_state))
		procfs_seed_segments(app_analyzer(app), "/proc");
	if (held) {
		ret = release_child(held);
		if (ret) {
			fprintf(stderr, "shmwatch: can't run %s: %s\n", o->command[0], strerror(-ret));
			waitpid(held->pid, NULL, 0);
			capture__free(cap);
			return EXIT_USAGE;
		}
	}

	announce(o, held);
	ret = trace_loop(app, cap, o, held, &status);
	capture__drain(cap);
	read_lost(app, cap);
	if (o->check_state)
		agrees = check_state(app, o);
	app_finish(app);
	capture__free(cap);
	if (ret)
		return EXIT_USAGE;
	if (held && WIFEXITED(status) && WEXITSTATUS(status))
		return WEXITSTATUS(status);
	if (held && WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return agrees ? 0 : EXIT_DIFFERS;
}

static int do_trace(int argc, char **argv)
{
	struct cli_trace o;
	struct child child = { .pid = -1 };
	struct sw_header hdr;
	struct app_opts ao;
	struct app *app;
	char err[512];
	char *command_line = NULL;
	int ret;

	cli_trace_defaults(&o);
	if (cli_parse_trace(&o, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "shmwatch: %s (see shmwatch --help)\n", err);
		return EXIT_USAGE;
	}
	if (o.help || o.version) {
		if (o.help)
			fputs(cli_trace_usage, stdout);
		else
			printf("shmwatch %s\n", SHMWATCH_VERSION);
		return 0;
	}
	if (check_pids(&o, err, sizeof(err))) {
		fprintf(stderr, "shmwatch: %s\n", err);
		return EXIT_USAGE;
	}
	fill_header(&hdr, &o);
	app_read_kernel_limits(&hdr);
	if (o.command)
		hdr.command = command_line = join_command(o.command);
	ao = (struct app_opts){
		.log_path = o.output,
		.stdout_format = o.format,
		.quiet = o.quiet,
		.rotate_size = o.rotate_size,
		.rotate_keep = o.rotate_keep,
		.live = true,
		.stack_depth = o.stack_depth,
		.keep_exited = o.check_state && (o.n_pids || o.command),
	};
	app = app_new(&ao, &hdr, err, sizeof(err));
	if (!app) {
		fprintf(stderr, "shmwatch: %s\n", err);
		free(command_line);
		return EXIT_USAGE;
	}
	install_signals();
	ret = 0;
	if (o.command && (ret = spawn_held(&child, o.command)))
		fprintf(stderr, "shmwatch: can't start %s: %s\n", o.command[0], strerror(-ret));
	else
		ret = run_trace(app, &o, o.command ? &child : NULL);
	if (app_free(app) && !ret)
		ret = EXIT_USAGE;
	free(command_line);
	return ret < 0 ? EXIT_USAGE : ret;
}

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static const struct cmd cmds[] = {
	{ "trace", do_trace },
	{ "analyze", do_analyze },
};

int main(int argc, char **argv)
{
	if (argc > 1) {
		for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
			if (!strcmp(argv[1], cmds[i].name))
				return cmds[i].fn(argc - 1, argv + 1);
	}
	return do_trace(argc, argv);
}
