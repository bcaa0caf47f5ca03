// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - the sub-command table and the wiring: options -> outputs ->
 * capture -> analyzer -> sinks.  Only this file decides exit statuses.
 *
 * A trace ends when the traced processes are gone, at -d, on SIGINT or
 * SIGTERM, or when an output fails; whichever it is, the same steps
 * follow: the kernel side stops recording, what it holds is drained, the
 * report is written, and the probes are released in the background so
 * that the caller does not wait for the kernel's grace periods.
 *
 * A launched command never outlives shmwatch untraced: when shmwatch stops
 * before the command has exited, the command is stopped too (see
 * stop_command), and its exit is traced.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "analyzer/analyzer.h"
#include "app.h"
#include "trace/capture.h"
#include "analyzer/checkstate.h"
#include "cli.h"
#include "commands.h"
#include "lib/names.h"
#include "lib/procfs.h"

#define EXIT_DIFFERS 1
#define EXIT_USAGE 2
#define POLL_MS 100
/* How long a poll hands records on before the loop looks at its signals
 * and timers, however fast records come. */
#define POLL_BUDGET_NS 20000000ULL
/* How long a launched command has to exit after it was asked to stop,
 * before it is killed. */
#define STOP_GRACE_NS 2000000000ULL
#define ALIVE_CHECK_NS 100000000ULL
#define DRAIN_HURRY_NS 250000000ULL
#define SHOW_LEFT 5 /* processes named when some are left running */

static volatile sig_atomic_t stop_signal, stop_from_process;
static volatile sig_atomic_t reopen_requested, child_exited;

/*
 * SIGINT from the terminal reaches the whole foreground process group, a
 * launched command included; sent with kill(2) it reaches shmwatch alone
 * and is forwarded (si_code tells the two apart).
 */
static void on_signal(int sig, siginfo_t *info, void *uctx)
{
	if (sig == SIGHUP) {
		reopen_requested = 1;
	} else if (sig == SIGCHLD) {
		child_exited = 1;
	} else {
		stop_signal = sig;
		stop_from_process = info && info->si_code <= 0;
	}
}

/* No SA_RESTART: a signal must interrupt the ring-buffer wait. */
static void install_signals(void)
{
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO };
	int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGCHLD };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* A file size limit is an output error (EFBIG), not a kill. */
	signal(SIGXFSZ, SIG_IGN);
}

/*
 * A closed fd 0, 1 or 2 would be taken by the first file opened (the log,
 * a BPF object), and the text view would end up in the log.  /dev/null
 * stands in for what the caller closed.
 */
static void ensure_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		if (open("/dev/null", fd ? O_WRONLY : O_RDONLY) < 0)
			_exit(EXIT_USAGE);
	}
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

/* One line on stderr with text a user or a traced process chose. */
static const char *esc(char *buf, size_t len, const char *s)
{
	sw_escape(buf, len, s, 4096);
	return buf;
}

/*
 * A launched command is forked first and held on a pipe until the probes
 * are attached and its pid is in the filter, so its first call is seen.
 */
struct child {
	pid_t pid;
	int go_fd;  /* write end: closing it lets the child exec */
	int err_fd; /* read end: the child's exec errno, EOF on success */
	bool started;
	bool exited;
	int status; /* as waitpid gives it */
	__u64 kill_at; /* asked to stop: killed if still running then */
};

/* stdout_to_stderr: shmwatch's standard output carries NDJSON, which the
 * command's own output must not be mixed into. */
static int spawn_held(struct child *c, char **argv, bool stdout_to_stderr)
{
	int go[2], err[2];

	if (pipe2(go, O_CLOEXEC))
		return -errno;
	if (pipe2(err, O_CLOEXEC)) {
		close(go[0]);
		close(go[1]);
		return -errno;
	}
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
		if (stdout_to_stderr && dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
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
	c->started = n != sizeof(e);
	return n == sizeof(e) ? -e : 0;
}

/* A held child that never ran: it exits on its own when the pipe closes. */
static void drop_held_child(struct child *c)
{
	close(c->go_fd);
	close(c->err_fd);
	waitpid(c->pid, NULL, 0);
	c->exited = true;
}

static void reap_child(struct child *c)
{
	if (!c->exited && waitpid(c->pid, &c->status, WNOHANG) == c->pid)
		c->exited = true;
}

/* The command's exit status as a shell would give it. */
static int child_exit_status(const struct child *c)
{
	if (WIFEXITED(c->status))
		return WEXITSTATUS(c->status);
	if (WIFSIGNALED(c->status))
		return 128 + WTERMSIG(c->status);
	return 0;
}

static int check_pids(struct cli_trace *o, char *err, size_t len)
{
	for (int i = 0; i < o->n_pids; i++) {
		struct procfs_task t;
		__u32 pid = o->pids[i];
		int ret = procfs_read_task("/proc", pid, &t);
		char comm[64];

		if (ret == -ENOENT) {
			snprintf(err, len, "no such process: %u", pid);
			return -ESRCH;
		}
		if (ret) {
			snprintf(err, len, "can't read /proc/%u: %s", pid, strerror(-ret));
			return ret;
		}
		esc(comm, sizeof(comm), t.comm);
		if (t.tgid == (__u32)getpid() || pid == (__u32)getpid()) {
			snprintf(err, len, "can't trace shmwatch itself (pid %u)", pid);
			return -EINVAL;
		}
		if (t.kthread) {
			snprintf(err, len, "pid %u (%s) is a kernel thread: it makes no system calls to trace",
				 pid, comm);
			return -EINVAL;
		}
		if (t.state == 'Z' || t.state == 'X') {
			snprintf(err, len, "pid %u (%s) has exited (a zombie its parent has not reaped): nothing to trace",
				 pid, comm);
			return -ESRCH;
		}
		if (t.tgid != pid) {
			fprintf(stderr, "shmwatch: %u is a thread of process %u (%s): tracing the process\n",
				pid, t.tgid, comm);
			o->pids[i] = t.tgid;
		}
	}
	return 0;
}

/* --uid NAME: the name's uid; the parser leaves names to us. */
static int resolve_user(struct cli_trace *o, char *err, size_t len)
{
	struct passwd *pw;
	char name[64];

	if (!o->user)
		return 0;
	pw = getpwnam(o->user);
	if (!pw) {
		snprintf(err, len, "unknown user '%s'", esc(name, sizeof(name), o->user));
		return -EINVAL;
	}
	o->uid = pw->pw_uid;
	o->has_uid = true;
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
	co->max_size = o->max_size > SW_PRIVATE_RECORD_MIN ? o->max_size : SW_PRIVATE_RECORD_MIN;
	co->ringbuf_size = o->ringbuf_size;
	co->no_stacks = o->no_stacks;
	co->verbose = o->verbose;
}

/* Tell the person (and scripts) that the probes are live. */
static void announce(const struct cli_trace *o, const struct child *held)
{
	char name[256];

	if (held)
		fprintf(stderr, "shmwatch: tracing %s (pid %d) and its children\n",
			esc(name, sizeof(name), o->command[0]), held->pid);
	else if (o->n_pids)
		fprintf(stderr, "shmwatch: tracing %d process%s%s; Ctrl-C to stop\n", o->n_pids,
			o->n_pids > 1 ? "es" : "", o->follow ? " and their children" : "");
	else
		fprintf(stderr, "shmwatch: tracing the whole system; Ctrl-C to stop\n");
}

/* The traced processes still alive, named on stderr after label. */
static void name_traced(struct capture *cap, const char *label)
{
	__u32 pids[SHOW_LEFT];
	int n = capture__traced_pids(cap, pids, SHOW_LEFT);

	if (!n)
		return;
	fprintf(stderr, "shmwatch: %s %d process%s:", label, n, n > 1 ? "es" : "");
	for (int i = 0; i < n && i < SHOW_LEFT; i++) {
		struct procfs_task t;
		char comm[64] = "?";

		if (!procfs_read_task("/proc", pids[i], &t))
			esc(comm, sizeof(comm), t.comm);
		fprintf(stderr, "%s pid %u (%s)", i ? "," : "", pids[i], comm);
	}
	fprintf(stderr, "%s\n", n > SHOW_LEFT ? ", ..." : "");
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

/* Why a trace ends. */
enum stop_reason {
	STOP_NONE,
	STOP_SIGNAL,	/* SIGINT or SIGTERM */
	STOP_DURATION,	/* -d */
	STOP_TRACED_GONE, /* every traced process has exited */
	STOP_OUTPUT,	/* an output failed */
	STOP_READ,	/* the ring buffer could not be read */
};

struct run {
	struct app *app;
	struct capture *cap;
	const struct cli_trace *o;
	struct child *child;	/* the launched command, or NULL */
	bool said_child_exit;
	enum stop_reason stop;
	/* Why the command was asked to stop: the trace ends for that
	 * reason once it has exited. */
	enum stop_reason stopping;
};

/*
 * Ask the launched command to stop with sig, unless it has exited (or
 * got sig from the terminal already), and give it STOP_GRACE_NS to do so
 * before it is killed.  Its exit is traced like any other.
 */
static void stop_command(struct run *r, int sig, bool forward, enum stop_reason why)
{
	struct child *c = r->child;

	if (!c || c->exited || c->kill_at)
		return;
	if (forward)
		kill(c->pid, sig);
	c->kill_at = now_ns(CLOCK_MONOTONIC) + STOP_GRACE_NS;
	r->stopping = why;
}

static void kill_command(struct child *c)
{
	kill(c->pid, SIGKILL);
	waitpid(c->pid, &c->status, 0);
	c->exited = true;
}

/* A stop signal arrived: decide what it ends. */
static void on_stop_signal(struct run *r)
{
	int sig = stop_signal;

	/* One more while the command is being stopped: no more waiting. */
	if (r->child && !r->child->exited && r->child->kill_at) {
		kill_command(r->child);
		r->stop = STOP_SIGNAL;
		return;
	}
	if (r->child && !r->child->exited) {
		stop_command(r, sig, stop_from_process, STOP_SIGNAL);
		return;
	}
	r->stop = STOP_SIGNAL;
}

static void on_child_exit(struct run *r, __u64 now, __u64 *next_alive_check)
{
	struct child *c = r->child;
	char name[256];

	if (!c->exited && child_exited) {
		child_exited = 0;
		reap_child(c);
	}
	if (!c->exited)
		return;
	/* Asked to stop, it did: the trace ends with it. */
	if (c->kill_at) {
		r->stop = r->stopping;
		return;
	}
	if (r->o->exit_with_command) {
		r->stop = STOP_TRACED_GONE;
		return;
	}
	/* Like -p -f: the children it left running are traced to their end. */
	if (*next_alive_check > now)
		return;
	*next_alive_check = now + ALIVE_CHECK_NS;
	if (capture__traced_alive(r->cap) == 0) {
		r->stop = STOP_TRACED_GONE;
	} else if (!r->said_child_exit) {
		r->said_child_exit = true;
		fprintf(stderr, "shmwatch: %s exited with status %d; still tracing what it left running (Ctrl-C to stop)\n",
			esc(name, sizeof(name), r->o->command[0]), child_exit_status(c));
		name_traced(r->cap, "left running:");
	}
}

static int trace_loop(struct run *r)
{
	const struct cli_trace *o = r->o;
	__u64 start = now_ns(CLOCK_MONOTONIC), last_stats = start, next_alive_check = 0;
	__u64 interval = (__u64)(o->stats_interval * 1e9);
	__u64 deadline = o->duration > 0 ? start + (__u64)(o->duration * 1e9) : 0;
	int handled;

	while (r->stop == STOP_NONE) {
		__u64 now;

		handled = capture__poll(r->cap, capture__behind(r->cap) ? 0 : POLL_MS,
					POLL_BUDGET_NS);
		if (handled < 0 && handled != -EINTR) {
			fprintf(stderr, "shmwatch: reading the ring buffer failed: %s\n",
				strerror(-handled));
			r->stop = STOP_READ;
			break;
		}
		now = now_ns(CLOCK_MONOTONIC);
		if (reopen_requested) {
			reopen_requested = 0;
			app_reopen(r->app);
		}
		if (stop_signal) {
			on_stop_signal(r);
			stop_signal = 0;
		}
		if (r->child)
			on_child_exit(r, now, &next_alive_check);
		if (r->child && !r->child->exited && r->child->kill_at && now >= r->child->kill_at) {
			char name[256];

			fprintf(stderr, "shmwatch: %s did not exit within %llu s of being asked to: killed it\n",
				esc(name, sizeof(name), o->command[0]),
				(unsigned long long)(STOP_GRACE_NS / 1000000000ULL));
			kill(r->child->pid, SIGKILL);
			r->child->kill_at = ~0ULL;
		}
		app_tick(r->app, now);
		if (app_output_error(r->app))
			r->stop = STOP_OUTPUT;
		if (deadline && now >= deadline && r->stop == STOP_NONE) {
			if (r->child && !r->child->exited)
				stop_command(r, SIGTERM, true, STOP_DURATION);
			else
				r->stop = STOP_DURATION;
			deadline = 0;
		}
		/* Like strace -p: once every traced process is gone (the
		 * kernel side drops each at exit), there is nothing to wait for. */
		if (o->n_pids && now >= next_alive_check) {
			next_alive_check = now + ALIVE_CHECK_NS;
			if (capture__traced_alive(r->cap) == 0)
				r->stop = STOP_TRACED_GONE;
		}
		/* Not in the last round: the final stats follow at once. */
		if (r->stop == STOP_NONE && now - last_stats >= interval) {
			last_stats = now;
			read_lost(r->app, r->cap);
			app_stats(r->app, false);
		}
	}
	/* An output failed, or the buffer could not be read: the command is
	 * not left running untraced, and not waited for either. */
	if (r->child && !r->child->exited)
		kill_command(r->child);
	return r->stop == STOP_OUTPUT || r->stop == STOP_READ ? -EIO : 0;
}

/* Processes that were running before the probes: learn what they already
 * hold, so it is not taken for misuse. */
static void seed(struct app *app, const struct cli_trace *o)
{
	for (int i = 0; i < o->n_pids; i++)
		procfs_seed_pid(app_analyzer(app), "/proc", o->pids[i]);
	/* System-wide, the end-of-trace check needs what was there before. */
	if (!o->n_pids && !o->command && o->check_state)
		procfs_seed_all(app_analyzer(app), "/proc", (__u32)getpid());
	if (o->n_pids || (!o->command && o->check_state))
		procfs_seed_segments(app_analyzer(app), "/proc");
}

/* Attach, let a held command go, trace until told to stop, report.  The
 * capture is handed back for the caller to release once the outputs are
 * closed. */
static int run_trace(struct app *app, const struct cli_trace *o, struct child *held,
		     struct capture **capp)
{
	struct run r = { .app = app, .o = o, .child = held };
	struct capture_opts co;
	char err[512];
	int ret;
	bool agrees = true;

	capture_opts_from_cli(&co, o);
	ret = capture__open(&r.cap, &co, on_capture, app, err, sizeof(err));
	if (!ret && held && capture__add_pid(r.cap, (__u32)held->pid))
		snprintf(err, sizeof(err), "can't add pid %d to the filter", held->pid), ret = -1;
	if (ret) {
		fprintf(stderr, "shmwatch: %s\n", err);
		if (held)
			drop_held_child(held);
		capture__free(r.cap);
		return EXIT_USAGE;
	}
	*capp = r.cap;
	seed(app, o);
	/* Stopped while starting: the command never runs. */
	if (stop_signal) {
		if (held)
			drop_held_child(held);
		return 128 + stop_signal;
	}
	if (held) {
		ret = release_child(held);
		if (ret) {
			char name[256];

			fprintf(stderr, "shmwatch: can't run %s: %s\n",
				esc(name, sizeof(name), o->command[0]), strerror(-ret));
			waitpid(held->pid, NULL, 0);
			return EXIT_USAGE;
		}
	}
	/* Tracing has started: the log takes its path only now, so a run
	 * that cannot start leaves no log and replaces nothing. */
	if (app_publish(app)) {
		if (held) {
			kill(held->pid, SIGKILL);
			waitpid(held->pid, NULL, 0);
		}
		return EXIT_USAGE;
	}
	announce(o, held);
	ret = trace_loop(&r);
	capture__stop(r.cap);
	/* Told to stop (a signal, -d): what the reader is behind on gets
	 * DRAIN_HURRY_NS, then is counted.  The end of the traced processes
	 * is no hurry, and their last records decide their findings. */
	capture__drain(r.cap, r.stop == STOP_SIGNAL || r.stop == STOP_DURATION ?
				      DRAIN_HURRY_NS : 0);
	if (capture__dropped(r.cap))
		fprintf(stderr, "shmwatch: %llu records still queued at the stop were counted as lost, not read (the reader was behind)\n",
			(unsigned long long)capture__dropped(r.cap));
	read_lost(app, r.cap);
	if (held && r.stop != STOP_OUTPUT)
		name_traced(r.cap, "stopped; left running untraced:");
	if (o->check_state)
		agrees = check_state(app, o);
	app_finish(app);
	if (ret)
		return EXIT_USAGE;
	if (held && held->exited)
		return child_exit_status(held);
	return agrees ? 0 : EXIT_DIFFERS;
}

static int do_trace(int argc, char **argv)
{
	struct cli_trace o;
	struct child child = { .pid = -1 };
	struct capture *cap = NULL;
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
	if (check_pids(&o, err, sizeof(err)) || resolve_user(&o, err, sizeof(err))) {
		fprintf(stderr, "shmwatch: %s\n", err);
		return EXIT_USAGE;
	}
	if (o.color == CLI_COLOR_AUTO && getenv("NO_COLOR") && getenv("NO_COLOR")[0])
		o.color = CLI_COLOR_NEVER; /* https://no-color.org */
	install_signals();
	fill_header(&hdr, &o);
	app_read_kernel_limits(&hdr);
	if (o.command)
		hdr.command = command_line = join_command(o.command);
	ao = (struct app_opts){
		.log_path = o.output,
		.stdout_json = o.format == CLI_FORMAT_JSON,
		.color = o.color == CLI_COLOR_ALWAYS ? APP_COLOR_ALWAYS :
			 o.color == CLI_COLOR_AUTO   ? APP_COLOR_AUTO :
						       APP_COLOR_NEVER,
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
	ret = 0;
	if (o.command && (ret = spawn_held(&child, o.command, app_stdout_is_log(app))))
		fprintf(stderr, "shmwatch: can't start %s: %s\n",
			esc(err, sizeof(err), o.command[0]), strerror(-ret));
	else
		ret = run_trace(app, &o, o.command ? &child : NULL, &cap);
	if (app_free(app) && !ret)
		ret = EXIT_USAGE;
	capture__free_in_background(cap);
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
	ensure_std_fds();
	if (argc > 1) {
		for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
			if (!strcmp(argv[1], cmds[i].name))
				return cmds[i].fn(argc - 1, argv + 1);
	}
	return do_trace(argc, argv);
}
