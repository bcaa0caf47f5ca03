// SPDX-License-Identifier: GPL-2.0
/*
 * analyze.c - `shmwatch analyze LOG...`: replay saved NDJSON logs through
 * the same pipeline as live tracing (pipeline.h), so the analyzer sees the same
 * events, with the same sequence numbers, losses at the same points, and
 * the kernel limits of the machine that was traced.
 *
 * A long replay shows a progress line on standard error when that is a
 * terminal (bytes read of the total, events, findings so far, time
 * left), redrawn in place and cleared before anything else is written
 * there; nothing when standard error is a file or a pipe.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include "pipeline.h"
#include "cli.h"
#include "commands.h"
#include "lib/names.h"
#include "log/logread.h"
#include "out/outfile.h"

#define EXIT_SKIPPED 1 /* lines skipped, or no record in any log */
#define EXIT_USAGE 2

/* The progress line: first drawn once a replay has taken PROGRESS_FIRST_NS
 * (a short one shows nothing), then every PROGRESS_EVERY_NS; the clock is
 * read every PROGRESS_RECORDS records. */
#define PROGRESS_FIRST_NS 500000000ULL
#define PROGRESS_EVERY_NS 250000000ULL
#define PROGRESS_RECORDS 1024
/* Time left is guessed once this much has been read. */
#define PROGRESS_GUESS_NS 1000000000ULL

struct progress {
	bool on; /* standard error is a terminal */
	__u64 start_ns, next_ns;
	__u64 total;	  /* bytes of all the logs, 0: one is of unknown size */
	__u64 done_before; /* bytes of the logs read to their end */
	unsigned long records;
};

/* SIGINT, SIGTERM or SIGHUP during a replay: it stops, and what it was
 * writing (a temporary file not yet renamed over its path) is removed
 * before the signal is raised again (analyze_stop_signal). */
static volatile sig_atomic_t replay_signal;

static void on_replay_signal(int sig)
{
	replay_signal = sig;
}

/* Is the progress line on the terminal now?  Anything else written to
 * standard error clears it first (progress_clear).  The terminal is the
 * process's one standard error, so this is its one state. */
static bool progress_drawn;

struct replay {
	struct pipeline_opts opts;
	struct pipeline *pl;
	struct progress progress;
	__u64 last_seq;
	bool warned_seq;
	bool warned_header;
	bool warned_events;
};

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

static void progress_clear(void)
{
	if (!progress_drawn)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	progress_drawn = false;
}

static void progress_start(struct progress *p, struct logread **logs, int n_logs)
{
	*p = (struct progress){ .on = isatty(STDERR_FILENO) == 1 };
	if (!p->on)
		return;
	/* Findings written to the same terminal begin on a clean line. */
	outfile_before_tty_write(progress_clear);
	p->start_ns = mono_ns();
	p->next_ns = p->start_ns + PROGRESS_FIRST_NS;
	for (int i = 0; i < n_logs; i++) {
		__u64 done, size;

		logread__progress(logs[i], &done, &size);
		if (!size) {
			p->total = 0;
			break;
		}
		p->total += size;
	}
}

/* "1.2 GiB of 3.0 GiB (40%), 5012345 events, 3 findings, about 12 s
 * left", cut to the terminal's width so that it never wraps. */
static void progress_draw(struct progress *p, struct logread *r, const struct pipeline *pl,
			  __u64 now)
{
	const struct sw_stats *st = pipeline__counts(pl);
	char line[256], done_s[32], total_s[32];
	__u64 done, size, elapsed = now - p->start_ns;
	struct winsize ws;
	int n, width = 80;

	logread__progress(r, &done, &size);
	done += p->done_before;
	human_size(done_s, sizeof(done_s), done);
	if (p->total) {
		human_size(total_s, sizeof(total_s), p->total);
		n = snprintf(line, sizeof(line), "shmwatch: %s of %s (%llu%%), ", done_s, total_s,
			     (unsigned long long)(done >= p->total ? 100 : done * 100 / p->total));
	} else {
		n = snprintf(line, sizeof(line), "shmwatch: %s read, ", done_s);
	}
	n += snprintf(line + n, sizeof(line) - (size_t)n, "%llu events, %llu finding%s",
		      (unsigned long long)st->events, (unsigned long long)st->findings,
		      st->findings == 1 ? "" : "s");
	if (p->total && done && done < p->total && elapsed >= PROGRESS_GUESS_NS) {
		double left = (double)elapsed / 1e9 * (double)(p->total - done) / (double)done;

		snprintf(line + n, sizeof(line) - (size_t)n, ", about %.0f s left", left + 0.5);
	}
	if (!ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) && ws.ws_col > 1)
		width = ws.ws_col;
	fprintf(stderr, "\r%.*s\033[K", width - 1, line);
	fflush(stderr);
	progress_drawn = true;
}

static void progress_tick(struct progress *p, struct logread *r, const struct pipeline *pl)
{
	__u64 now;

	if (!p->on || !pl || ++p->records % PROGRESS_RECORDS)
		return;
	now = mono_ns();
	if (now < p->next_ns)
		return;
	p->next_ns = now + PROGRESS_EVERY_NS;
	progress_draw(p, r, pl, now);
}

/* A diagnostic of the reader, as logread writes it by default, after the
 * progress line is cleared away. */
static void on_diag(void *ctx, const char *file, unsigned long line, bool warning,
		    const char *msg)
{
	progress_clear();
	if (line)
		fprintf(stderr, "%s:%lu: %s\n", file, line, msg);
	else
		fprintf(stderr, "%s: %s\n", file, msg);
}

/*
 * The output's header describes the traced machine and run, taken from
 * the log, so that findings carry the same timestamps as live; only the
 * writer's own fields say that analyze wrote it.
 */
static int start_app(struct replay *rp, const struct sw_header *logged)
{
	struct sw_header h = *logged;
	char err[512];

	h.schema = SW_SCHEMA_VERSION;
	h.tool_version = SHMWATCH_VERSION;
	h.mode = "analyze";
	rp->pl = pipeline__new(&rp->opts, &h, err, sizeof(err));
	if (!rp->pl) {
		fprintf(stderr, "shmwatch: %s\n", err);
		return -EIO;
	}
	return 0;
}

static int start_default_app(struct replay *rp)
{
	struct sw_header h;

	logread_default_header(&h);
	return start_app(rp, &h);
}

static void on_header(struct replay *rp, struct logread *r, const struct log_record *rec)
{
	if (rec->header.events && !rp->warned_events) {
		rp->warned_events = true;
		progress_clear();
		fprintf(stderr, "%s:%lu: written with --events %s: the findings of the live run are "
			"in the log, and analyze, which sees only the events it holds, may not find "
			"them all again\n", logread__name(r), rec->line, rec->header.events);
	}
	if (!rp->pl) {
		start_app(rp, &rec->header);
		return;
	}
	/* Rotated files carry no header of their own, so a second one means
	 * another run, or logs given newest first; the first one stays. */
	if (!rp->warned_header && rp->last_seq) {
		rp->warned_header = true;
		progress_clear();
		fprintf(stderr, "%s:%lu: a header after events, its settings are not used "
			"(logs out of order, or from different runs?)\n",
			logread__name(r), rec->line);
	}
}

static void on_event(struct replay *rp, struct logread *r, const struct log_record *rec)
{
	const struct sw_event *e = &rec->event;

	if (e->seq <= rp->last_seq && !rp->warned_seq) {
		rp->warned_seq = true;
		progress_clear();
		fprintf(stderr, "%s:%lu: seq %llu after %llu: logs out of order? "
			"findings may differ from the live run\n",
			logread__name(r), rec->line, (unsigned long long)e->seq,
			(unsigned long long)rp->last_seq);
	}
	rp->last_seq = e->seq;
	if (rec->has_container)
		pipeline__replay_container(rp->pl, e->cgroup_id, &rec->container);
	pipeline__replay_event(rp->pl, e, rec->frames);
}

/* One log to its end: 0, -EBADMSG (strict stop), or another -errno. */
static int replay_log(struct replay *rp, struct logread *r)
{
	struct log_record rec;
	int ret;

	while ((ret = logread__next(r, &rec)) > 0) {
		if (replay_signal)
			return -EINTR;
		if (rec.type == LOG_REC_HEADER) {
			on_header(rp, r, &rec);
			if (!rp->pl)
				return -EIO;
			continue;
		}
		/* A log whose first file is gone still gets analysed. */
		if (!rp->pl && start_default_app(rp))
			return -EIO;
		if (rec.type == LOG_REC_EVENT)
			on_event(rp, r, &rec);
		else if (rec.type == LOG_REC_STATS)
			/* Live, the loss counters are read just before each
			 * stats record is written: feeding them here marks
			 * the same findings uncertain. */
			pipeline__lost(rp->pl, rec.stats.lost_slots);
		if (pipeline__output_failed(rp->pl)) {
			progress_clear();
			pipeline__output_error(rp->pl);
			return -EIO;
		}
		progress_tick(&rp->progress, r, rp->pl);
	}
	if (ret == -EINTR && replay_signal)
		return ret;
	if (ret < 0 && ret != -EBADMSG) {
		progress_clear();
		fprintf(stderr, "shmwatch: can't read %s: %s\n", logread__name(r), strerror(-ret));
	}
	return ret;
}

/* Every log is opened before anything is written. */
int analyze_open_logs(struct logread **logs, char *const *paths, int n_logs, bool strict)
{
	struct logread_opts lo = { .strict = strict, .diag = on_diag };

	for (int i = 0; i < n_logs; i++) {
		logs[i] = logread__open(paths[i], &lo);
		if (!logs[i]) {
			/* EBADMSG: not a log, and the reader said why. */
			if (errno != EBADMSG)
				fprintf(stderr, "shmwatch: can't open %s: %s\n", paths[i],
					strerror(errno));
			return -errno;
		}
	}
	return 0;
}

int analyze_replay(struct logread **logs, int n_logs, const struct pipeline_opts *opts,
		   unsigned long *skipped)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = on_replay_signal }, old[3];
	struct replay rp = { .opts = *opts };
	int ret = 0;

	*skipped = 0;
	/* No SA_RESTART: a read of a pipe that waits is cut short too. */
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 3; i++) {
		sigaction(sigs[i], &sa, &old[i]);
		/* Ignored by whoever started it (nohup, a background job):
		 * it stays ignored. */
		if (old[i].sa_handler == SIG_IGN)
			sigaction(sigs[i], &old[i], NULL);
	}
	progress_start(&rp.progress, logs, n_logs);
	for (int i = 0; !ret && i < n_logs; i++) {
		__u64 done, size;

		ret = replay_log(&rp, logs[i]);
		*skipped += logread__counts(logs[i])->skipped;
		logread__progress(logs[i], &done, &size);
		rp.progress.done_before += done;
	}
	/* The summaries and the stats line follow on a clean line. */
	progress_clear();
	/* An empty log still gets a header, summaries and final stats. */
	if (!ret && !rp.pl && start_default_app(&rp))
		ret = -EIO;
	if (!ret && replay_signal)
		ret = -EINTR;
	if (!ret)
		pipeline__finish(rp.pl);
	if (rp.pl && pipeline__free(rp.pl) && !ret)
		ret = -EIO;
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	return ret;
}

void analyze_stop_signal(void)
{
	int sig = replay_signal;

	if (!sig)
		return;
	signal(sig, SIG_DFL);
	raise(sig);
}

unsigned long analyze_count_records(struct logread **logs, int n_logs)
{
	unsigned long n = 0;

	for (int i = 0; i < n_logs; i++)
		n += logread__counts(logs[i])->records;
	return n;
}

int analyze_exit_status(int ret, struct logread **logs, int n_logs, unsigned long skipped)
{
	/* Logs without a single record analyse clean, but nothing was
	 * checked: not the all clear that 0 gives. */
	if (ret)
		return EXIT_USAGE;
	if (skipped || !analyze_count_records(logs, n_logs))
		return EXIT_SKIPPED;
	return 0;
}

int do_analyze(int argc, char **argv)
{
	struct cli_analyze o;
	struct pipeline_opts ao;
	struct logread **logs;
	unsigned long skipped = 0;
	char err[512];
	int ret = 0, status;

	if (cli_parse_analyze(&o, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "shmwatch: %s (see shmwatch analyze --help)\n", err);
		return EXIT_USAGE;
	}
	if (o.help) {
		fputs(cli_analyze_usage, stdout);
		return 0;
	}
	logs = calloc((size_t)o.n_logs, sizeof(*logs));
	if (!logs) {
		fprintf(stderr, "shmwatch: out of memory\n");
		return EXIT_USAGE;
	}
	ao = (struct pipeline_opts){
		.stdout_json = o.format == CLI_FORMAT_JSON,
		.no_events = true,
		.state_max = o.state_max,
		.summaries_findings_only = o.summaries == CLI_SUMMARIES_FINDINGS,
		.no_summaries = o.summaries == CLI_SUMMARIES_NONE,
		.folded_path = o.folded,
	};
	ret = analyze_open_logs(logs, o.logs, o.n_logs, o.strict);
	if (!ret)
		ret = analyze_replay(logs, o.n_logs, &ao, &skipped);
	status = analyze_exit_status(ret, logs, o.n_logs, skipped);
	for (int i = 0; i < o.n_logs; i++)
		logread__free(logs[i]);
	free(logs);
	analyze_stop_signal();
	return status;
}
