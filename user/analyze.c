// SPDX-License-Identifier: GPL-2.0
/*
 * analyze.c - `shmwatch analyze LOG...`: replay saved NDJSON logs through
 * the same pipeline as live tracing (pipeline.h), so the analyzer sees the same
 * events, with the same sequence numbers, losses at the same points, and
 * the kernel limits of the machine that was traced.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pipeline.h"
#include "cli.h"
#include "commands.h"
#include "log/logread.h"

#define EXIT_SKIPPED 1 /* lines skipped, or no record in any log */
#define EXIT_USAGE 2

struct replay {
	struct pipeline_opts opts;
	struct pipeline *pl;
	__u64 last_seq;
	bool warned_seq;
	bool warned_header;
	bool warned_events;
};

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
		fprintf(stderr, "%s:%lu: seq %llu after %llu: logs out of order? "
			"findings may differ from the live run\n",
			logread__name(r), rec->line, (unsigned long long)e->seq,
			(unsigned long long)rp->last_seq);
	}
	rp->last_seq = e->seq;
	pipeline__replay_event(rp->pl, e, rec->frames);
}

/* One log to its end: 0, -EBADMSG (strict stop), or another -errno. */
static int replay_log(struct replay *rp, struct logread *r)
{
	struct log_record rec;
	int ret;

	while ((ret = logread__next(r, &rec)) > 0) {
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
		if (pipeline__output_error(rp->pl))
			return -EIO;
	}
	if (ret < 0 && ret != -EBADMSG)
		fprintf(stderr, "shmwatch: can't read %s: %s\n", logread__name(r), strerror(-ret));
	return ret;
}

/* Every log is opened before anything is written. */
static int open_logs(struct logread **logs, const struct cli_analyze *o)
{
	struct logread_opts lo = { .strict = o->strict };

	for (int i = 0; i < o->n_logs; i++) {
		logs[i] = logread__open(o->logs[i], &lo);
		if (!logs[i]) {
			/* EBADMSG: not a log, and the reader said why. */
			if (errno != EBADMSG)
				fprintf(stderr, "shmwatch: can't open %s: %s\n", o->logs[i],
					strerror(errno));
			return -errno;
		}
	}
	return 0;
}

int analyze_replay(struct logread **logs, int n_logs, const struct pipeline_opts *opts,
		   unsigned long *skipped)
{
	struct replay rp = { .opts = *opts };
	int ret = 0;

	*skipped = 0;
	for (int i = 0; !ret && i < n_logs; i++) {
		ret = replay_log(&rp, logs[i]);
		*skipped += logread__counts(logs[i])->skipped;
	}
	/* An empty log still gets a header, summaries and final stats. */
	if (!ret && !rp.pl && start_default_app(&rp))
		ret = -EIO;
	if (!ret)
		pipeline__finish(rp.pl);
	if (rp.pl && pipeline__free(rp.pl) && !ret)
		ret = -EIO;
	return ret;
}

static unsigned long count_records(struct logread **logs, int n_logs)
{
	unsigned long n = 0;

	for (int i = 0; i < n_logs; i++)
		n += logread__counts(logs[i])->records;
	return n;
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
	};
	ret = open_logs(logs, &o);
	if (!ret)
		ret = analyze_replay(logs, o.n_logs, &ao, &skipped);
	/* Logs without a single record analyse clean, but nothing was
	 * checked: not the all clear that 0 gives. */
	if (ret)
		status = EXIT_USAGE;
	else if (skipped || !count_records(logs, o.n_logs))
		status = EXIT_SKIPPED;
	else
		status = 0;
	for (int i = 0; i < o.n_logs; i++)
		logread__free(logs[i]);
	free(logs);
	return status;
}
