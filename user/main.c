// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - the sub-command table, the trace's run loop and the exit
 * statuses; only this file decides them.  The options are parsed by
 * cli.c and made final and turned into each part's options by config.c;
 * the launched command is trace/launch.c's; records run from the capture
 * through the pipeline (pipeline.c) to the sinks and the analyzer.
 *
 * A trace ends when the traced processes are gone (with
 * --exit-with-command, when the command is, after a short grace for what
 * it started), at -d, on SIGINT or SIGTERM, or when an output fails;
 * whichever it is, the same steps follow: the kernel side stops
 * recording, what it holds is drained, the report is written, and the
 * probes are released in the background so that the caller does not
 * wait for the kernel's grace periods.
 *
 * A launched command never outlives shmwatch untraced: when shmwatch stops
 * before the command has exited, the command is stopped too (see
 * stop_command), and its exit is traced.
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
#include "analyzer/analyzer.h"
#include "analyzer/checkstate.h"
#include "pipeline.h"
#include "cli.h"
#include "commands.h"
#include "config.h"
#include "defaults.h"
#include "lib/names.h"
#include "analyzer/seed.h"
#include "lib/procfs.h"
#include "trace/capture.h"
#include "trace/container_filter.h"
#include "trace/launch.h"

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
/* During the exit grace, how often the loop looks whether a traced
 * process is left: the grace ends at the first look that finds none. */
#define GRACE_POLL_MS 5
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

/* One line on stderr with text a user or a traced process chose. */
/* A notice from resolving the options, e.g. a thread given for its
 * process. */
static void note(void *ctx, const char *line)
{
	fprintf(stderr, "shmwatch: %s\n", line);
}

/* What the header says of the host and of the start. */
static void fill_header_host(struct sw_header *h)
{
	struct procfs_kernel_limits l;
	struct utsname u;

	gethostname(h->hostname, sizeof(h->hostname) - 1);
	if (!uname(&u))
		snprintf(h->kernel, sizeof(h->kernel), "%s", u.release);
	h->start_ts_ns = now_ns(CLOCK_MONOTONIC);
	h->wall_offset_ns = (__s64)(now_ns(CLOCK_REALTIME) - h->start_ts_ns);
	procfs_read_kernel_limits("/proc", &l);
	h->shmmax = l.shmmax;
	h->shmall = l.shmall;
	h->shmmni = l.shmmni;
	h->ipc_ns = l.ipc_ns;
	h->shm_rmid_forced = l.shm_rmid_forced;
	h->mem_total = l.mem_total;
	h->cpus = sysconf(_SC_NPROCESSORS_ONLN) > 0 ? (__u32)sysconf(_SC_NPROCESSORS_ONLN) : 0;
}

static void read_lost(struct pipeline *pl, struct capture *cap, __u64 ring_size)
{
	__u64 lost[SW_LOST_SLOTS];

	if (!capture__lost(cap, lost))
		pipeline__lost(pl, lost);
	pipeline__ring(pl, ring_size, capture__ring_fill(cap));
}

/* Tell the person (and scripts) that the probes are live. */
static void announce(const struct cli_trace *o, const struct launch *held)
{
	char name[256], sel[256];

	if (held && o->container)
		fprintf(stderr, "shmwatch: tracing container %s while %s (pid %d) runs\n",
			text_escaped(sel, sizeof(sel), o->container),
			text_escaped(name, sizeof(name), o->command[0]), held->pid);
	else if (held)
		fprintf(stderr, "shmwatch: tracing %s (pid %d) and its children\n",
			text_escaped(name, sizeof(name), o->command[0]), held->pid);
	else if (o->container)
		fprintf(stderr, "shmwatch: tracing container %s%s; Ctrl-C to stop\n",
			text_escaped(sel, sizeof(sel), o->container),
			o->mode == CLI_MODE_PIDS ? " among the given processes" : "");
	else if (o->mode == CLI_MODE_PIDS)
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
			text_escaped(comm, sizeof(comm), t.comm);
		fprintf(stderr, "%s pid %u (%s)", i ? "," : "", pids[i], comm);
	}
	fprintf(stderr, "%s\n", n > SHOW_LEFT ? ", ..." : "");
}

/*
 * --check-state: after the drain, before the summaries, compare the
 * analyzer's live objects with /proc.  Returns true when they agree.
 */
static bool check_state(struct pipeline *pl, const struct cli_trace *o)
{
	struct checkstate_opts co = {
		.system_wide = o->mode == CLI_MODE_SYSTEM,
	};
	struct checkstate_result r;
	int ret = checkstate_run(pipeline__analyzer(pl), &co, &r);

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
	struct pipeline *pl;
	struct capture *cap;
	const struct cli_trace *o;
	struct launch *child;	/* the launched command, or NULL */
	bool said_child_exit;
	enum stop_reason stop;
	/* Why the command was asked to stop: the trace ends for that
	 * reason once it has exited. */
	enum stop_reason stopping;
	/* --exit-with-command: the end of the exit grace, 0 until the
	 * command has exited. */
	__u64 grace_end;
	bool opens_on; /* capture__record_opens was called */
	struct container_filter *containers; /* --container, or NULL */
};

static int on_capture(void *ctx, const struct sw_event *e)
{
	struct run *r = ctx;

	if (!r->containers || container_filter__admit(r->containers, e))
		pipeline__event(r->pl, e);
	return 0;
}

static int set_cgroup(void *ctx, __u64 id, enum capture_cgroup how)
{
	return capture__trace_cgroup(((struct run *)ctx)->cap, id, how);
}

static void learnt_container(void *ctx, __u64 id, const struct container_info *ci)
{
	pipeline__replay_container(((struct run *)ctx)->pl, id, ci);
}

/* --container: the kernel's set of cgroups, filled before anything of the
 * containers is recorded. */
static int start_container_filter(struct run *r)
{
	struct container_filter_ops ops = {
		.set = set_cgroup, .learnt = learnt_container, .ctx = r,
	};
	char root[4096], sel[256];
	int ret = cgroup2_mount_point("/proc", root, sizeof(root));

	text_escaped(sel, sizeof(sel), r->o->container);
	if (ret) {
		fprintf(stderr, "shmwatch: --container needs the cgroup v2 hierarchy: %s\n",
			ret == -ENOENT ? "it is not mounted" : strerror(-ret));
		return ret;
	}
	r->containers = container_filter__new(r->o->container, "/proc", "", root, &ops);
	if (!r->containers) {
		fprintf(stderr, "shmwatch: out of memory\n");
		return -ENOMEM;
	}
	ret = container_filter__scan(r->containers);
	if (ret < 0) {
		fprintf(stderr, "shmwatch: can't trace the cgroups of container %s: %s\n", sel,
			strerror(-ret));
		return ret;
	}
	if (!ret)
		fprintf(stderr, "shmwatch: no container %s yet; traced once one starts\n", sel);
	return 0;
}

/*
 * Ask the launched command to stop with sig, unless it has exited (or
 * got sig from the terminal already), and give it STOP_GRACE_NS to do so
 * before it is killed.  Its exit is traced like any other.
 */
static void stop_command(struct run *r, int sig, bool forward, enum stop_reason why)
{
	struct launch *c = r->child;

	if (!c || c->exited || c->kill_at)
		return;
	if (forward)
		kill(c->pid, sig);
	c->kill_at = now_ns(CLOCK_MONOTONIC) + STOP_GRACE_NS;
	r->stopping = why;
}

/* A stop signal arrived (or the live view's q, which is a SIGINT sent
 * to the command): decide what it ends. */
static void on_stop(struct run *r, int sig, bool forward)
{
	/* One more while the command is being stopped: no more waiting. */
	if (r->child && !r->child->exited && r->child->kill_at) {
		launch_kill(r->child);
		r->stop = STOP_SIGNAL;
		return;
	}
	if (r->child && !r->child->exited) {
		stop_command(r, sig, forward, STOP_SIGNAL);
		return;
	}
	r->stop = STOP_SIGNAL;
}

static void on_child_exit(struct run *r, __u64 now, __u64 *next_alive_check)
{
	struct launch *c = r->child;
	char name[256];

	if (!c->exited && child_exited) {
		child_exited = 0;
		launch_reap(c);
	}
	if (!c->exited)
		return;
	/* Asked to stop, it did: the trace ends with it. */
	if (c->kill_at) {
		r->stop = r->stopping;
		return;
	}
	/*
	 * The trace ends with the command, but what it started gets a short
	 * grace to finish first: a helper that cleans up at the command's
	 * exit (Python's resource tracker unlinks what is still registered)
	 * would else be cut off, and its objects reported as left.  A daemon
	 * it leaves behind does not hold the trace beyond the grace.
	 */
	if (r->o->exit_with_command) {
		if (!r->grace_end)
			r->grace_end = now + SW_DEFAULT_EXIT_GRACE_NS;
		if (now >= r->grace_end || capture__traced_alive(r->cap) == 0)
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
			text_escaped(name, sizeof(name), r->o->command[0]), launch_exit_status(c));
		name_traced(r->cap, "left running:");
	}
}

/* An outsider unlinked an object: from now on an open that fails on a
 * removed name can be explained (removed-while-in-use), so the capture
 * starts recording such opens, which it leaves alone until then because
 * every open on the host would pay for it. */
static void record_opens(struct run *r)
{
	int err = capture__record_opens(r->cap);

	r->opens_on = true;
	if (err)
		fprintf(stderr, "shmwatch: can't record failed opens under /dev/shm/: %s\n",
			strerror(-err));
	else if (r->o->verbose)
		fprintf(stderr, "shmwatch: an object was unlinked by a process that neither made "
				"nor mapped it: recording opens that fail under /dev/shm/ from now on\n");
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

		handled = capture__poll(r->cap, capture__behind(r->cap) ? 0 :
					r->grace_end ? GRACE_POLL_MS : POLL_MS,
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
			/* The live view's terminal hung up: as Ctrl-C. */
			if (o->top)
				on_stop(r, SIGHUP, stop_from_process);
			else
				pipeline__reopen(r->pl);
		}
		if (stop_signal) {
			on_stop(r, stop_signal, stop_from_process);
			stop_signal = 0;
		}
		if (r->child)
			on_child_exit(r, now, &next_alive_check);
		if (r->child && !r->child->exited && r->child->kill_at && now >= r->child->kill_at) {
			char name[256];

			fprintf(stderr, "shmwatch: %s did not exit within %llu s of being asked to: killed it\n",
				text_escaped(name, sizeof(name), o->command[0]),
				(unsigned long long)(STOP_GRACE_NS / 1000000000ULL));
			kill(r->child->pid, SIGKILL);
			r->child->kill_at = ~0ULL;
		}
		if (!r->opens_on && analyzer__wants_opens(pipeline__analyzer(r->pl)))
			record_opens(r);
		pipeline__tick(r->pl, now);
		if (pipeline__stop_requested(r->pl) && r->stop == STOP_NONE)
			on_stop(r, SIGINT, true);
		if (pipeline__output_error(r->pl))
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
		if (o->mode == CLI_MODE_PIDS && now >= next_alive_check) {
			next_alive_check = now + ALIVE_CHECK_NS;
			if (capture__traced_alive(r->cap) == 0)
				r->stop = STOP_TRACED_GONE;
		}
		/* Not in the last round: the final stats follow at once. */
		if (r->stop == STOP_NONE && now - last_stats >= interval) {
			last_stats = now;
			read_lost(r->pl, r->cap, r->o->ringbuf_size);
			pipeline__stats(r->pl, false);
		}
	}
	/* An output failed, or the buffer could not be read: the command is
	 * not left running untraced, and not waited for either. */
	if (r->child && !r->child->exited)
		launch_kill(r->child);
	return r->stop == STOP_OUTPUT || r->stop == STOP_READ ? -EIO : 0;
}

/* Processes that were running before the probes: learn what they already
 * hold, so it is not taken for misuse. */
static void seed(struct pipeline *pl, const struct cli_trace *o)
{
	for (int i = 0; i < o->n_pids; i++)
		seed_pid(pipeline__analyzer(pl), "/proc", o->pids[i]);
	/* System-wide, the end-of-trace check needs what was there before. */
	if (o->mode == CLI_MODE_SYSTEM && o->check_state)
		seed_all(pipeline__analyzer(pl), "/proc", (__u32)getpid());
	if (o->mode == CLI_MODE_PIDS || (o->mode == CLI_MODE_SYSTEM && o->check_state))
		seed_segments(pipeline__analyzer(pl), "/proc");
	/* What /dev/shm holds already: named by an unlink or an open later. */
	seed_objects(pipeline__analyzer(pl), "/proc");
}

/* The probes are on: seed, let a held command go, trace until told to
 * stop, report. */
static int trace_started(struct run *r)
{
	struct pipeline *pl = r->pl;
	const struct cli_trace *o = r->o;
	struct launch *held = r->child;
	bool agrees = true;
	int ret;

	seed(pl, o);
	/* Stopped while starting: the command never runs. */
	if (stop_signal) {
		if (held)
			launch_drop(held);
		return 128 + stop_signal;
	}
	if (held) {
		ret = launch_release(held);
		if (ret) {
			char name[256];

			fprintf(stderr, "shmwatch: can't run %s: %s\n",
				text_escaped(name, sizeof(name), o->command[0]), strerror(-ret));
			waitpid(held->pid, NULL, 0);
			return EXIT_USAGE;
		}
	}
	/* Tracing has started: the log takes its path only now, so a run
	 * that cannot start leaves no log and replaces nothing. */
	if (pipeline__publish(pl)) {
		if (held) {
			kill(held->pid, SIGKILL);
			waitpid(held->pid, NULL, 0);
		}
		return EXIT_USAGE;
	}
	announce(o, held);
	ret = trace_loop(r);
	capture__stop(r->cap);
	/* Told to stop (a signal, -d): what the reader is behind on gets
	 * DRAIN_HURRY_NS, then is counted.  The end of the traced processes
	 * is no hurry, and their last records decide their findings. */
	capture__drain(r->cap, r->stop == STOP_SIGNAL || r->stop == STOP_DURATION ?
				      DRAIN_HURRY_NS : 0);
	if (capture__dropped(r->cap))
		fprintf(stderr, "shmwatch: %llu records still queued at the stop were counted as lost, not read (the reader was behind)\n",
			(unsigned long long)capture__dropped(r->cap));
	read_lost(pl, r->cap, o->ringbuf_size);
	if (r->containers && container_filter__untold(r->containers))
		fprintf(stderr, "shmwatch: %llu records were left out: their process was gone before its container could be told\n",
			(unsigned long long)container_filter__untold(r->containers));
	if (held && r->stop != STOP_OUTPUT)
		name_traced(r->cap, "stopped; left running untraced:");
	if (o->check_state)
		agrees = check_state(pl, o);
	pipeline__finish(pl);
	if (ret)
		return EXIT_USAGE;
	/* The command's status, unless it is 0 and --check-state found a
	 * difference. */
	if (held && held->exited && launch_exit_status(held))
		return launch_exit_status(held);
	return agrees ? 0 : EXIT_DIFFERS;
}

/* Attach (and pick the containers' cgroups), then trace_started.  The
 * capture is handed back for the caller to release once the outputs are
 * closed. */
static int run_trace(struct pipeline *pl, const struct cli_trace *o, struct launch *held,
		     struct capture **capp)
{
	struct run r = { .pl = pl, .o = o, .child = held };
	struct capture_opts co;
	char err[512];
	int ret;

	config_capture_opts(o, &co);
	ret = capture__open(&r.cap, &co, on_capture, &r, err, sizeof(err));
	if (!ret && held && capture__add_pid(r.cap, (__u32)held->pid))
		snprintf(err, sizeof(err), "can't add pid %d to the filter", held->pid), ret = -1;
	if (ret) {
		fprintf(stderr, "shmwatch: %s\n", err);
		if (held)
			launch_drop(held);
		capture__free(r.cap);
		return EXIT_USAGE;
	}
	*capp = r.cap;
	ret = o->container ? start_container_filter(&r) : 0;
	if (ret) {
		if (held)
			launch_drop(held);
		ret = EXIT_USAGE;
	} else {
		ret = trace_started(&r);
	}
	container_filter__free(r.containers);
	return ret;
}

static void print_usage(bool top)
{
	size_t (*usage)(char *buf, size_t len) = top ? cli_top_usage : cli_trace_usage;
	size_t n = usage(NULL, 0);
	char *text = malloc(n + 1);

	if (text) {
		usage(text, n + 1);
		fputs(text, stdout);
	}
	free(text);
}

/* The pipe of a launched command's output under the live view: the
 * view drains the read end without waiting; a megabyte of room, so that
 * the command rarely waits for a tick. */
static int open_command_output(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC))
		return -1;
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	fcntl(fds[0], F_SETPIPE_SZ, 1 << 20);
	return 0;
}

/* The trace, with the text view or NDJSON on standard output, or (top)
 * the live view. */
static int trace_command(int argc, char **argv, bool top)
{
	struct cli_trace o;
	struct launch child = { .pid = -1 };
	struct capture *cap = NULL;
	struct sw_header hdr;
	struct pipeline_opts ao;
	struct pipeline *pl;
	char err[512];
	char *command_line = NULL;
	int cmd_out[2] = { -1, -1 };
	int ret;

	cli_trace_defaults(&o);
	if (top ? cli_parse_top(&o, argc, argv, err, sizeof(err)) :
		  cli_parse_trace(&o, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "shmwatch: %s (see shmwatch %s--help)\n", err, top ? "top " : "");
		return EXIT_USAGE;
	}
	if (o.help || o.version) {
		if (o.help)
			print_usage(top);
		else
			printf("shmwatch %s\n", SHMWATCH_VERSION);
		return 0;
	}
	if ((top && sink_top_check_terminal(err, sizeof(err))) ||
	    config_resolve_pids(&o, "/proc", (__u32)getpid(), note, NULL, err, sizeof(err)) ||
	    config_resolve_user(&o, err, sizeof(err))) {
		fprintf(stderr, "shmwatch: %s\n", err);
		return EXIT_USAGE;
	}
	o.color = config_color(o.color, getenv("NO_COLOR"));
	install_signals();
	config_header(&o, &hdr);
	fill_header_host(&hdr);
	if (o.command)
		hdr.command = command_line = config_command_line(o.command);
	config_pipeline_opts(&o, &ao);
	if (top && o.command && open_command_output(cmd_out)) {
		fprintf(stderr, "shmwatch: can't make a pipe for the command's output: %s\n",
			strerror(errno));
		free(command_line);
		return EXIT_USAGE;
	}
	ao.command_fd = cmd_out[0];
	pl = pipeline__new(&ao, &hdr, err, sizeof(err));
	if (cmd_out[0] >= 0)
		close(cmd_out[0]);
	if (!pl) {
		fprintf(stderr, "shmwatch: %s\n", err);
		if (cmd_out[1] >= 0)
			close(cmd_out[1]);
		free(command_line);
		return EXIT_USAGE;
	}
	/* Under the live view the command's output goes to a pipe the view
	 * drains into what it holds of shmwatch's stderr, not the screen. */
	ret = o.command ? launch_spawn_held(&child, o.command, pipeline__stdout_is_log(pl),
					    cmd_out[1]) : 0;
	if (cmd_out[1] >= 0)
		close(cmd_out[1]);
	if (ret)
		fprintf(stderr, "shmwatch: can't start %s: %s\n",
			text_escaped(err, sizeof(err), o.command[0]), strerror(-ret));
	else
		ret = run_trace(pl, &o, o.command ? &child : NULL, &cap);
	if (pipeline__free(pl) && !ret)
		ret = EXIT_USAGE;
	capture__free_in_background(cap);
	free(command_line);
	return ret < 0 ? EXIT_USAGE : ret;
}

static int do_trace(int argc, char **argv)
{
	return trace_command(argc, argv, false);
}

static int do_top(int argc, char **argv)
{
	return trace_command(argc, argv, true);
}

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static const struct cmd cmds[] = {
	{ "trace", do_trace },
	{ "analyze", do_analyze },
	{ "ls", do_ls },
	{ "report", do_report },
	{ "top", do_top },
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
