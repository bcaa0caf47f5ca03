// SPDX-License-Identifier: GPL-2.0
/*
 * report.c - `shmwatch report LOG... -o report.html`: the logs read and
 * replayed as `shmwatch analyze` does (analyze.c), through a pipeline whose
 * one output is the HTML report (out/report.c), which also sees every
 * event and the usage as it changes.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "commands.h"
#include "pipeline.h"
#include "log/logread.h"

#define EXIT_USAGE 2
/* How often the timelines of SysV segments and objects known are
 * sampled, in trace time (the use of a tmpfs comes with every event). */
#define USAGE_EVERY_NS 1000000ULL

struct input {
	struct logread **logs;
	int n_logs;
};

static bool has_input(void *ctx)
{
	const struct input *in = ctx;

	return analyze_count_records(in->logs, in->n_logs) > 0;
}

/* -o naming one of the logs would replace it with the page. */
static int check_output(const struct cli_report *o, const char *out)
{
	struct stat so, sl;

	if (!out || stat(out, &so))
		return 0;
	for (int i = 0; i < o->n_logs; i++) {
		if (strcmp(o->logs[i], "-") && !stat(o->logs[i], &sl) && sl.st_dev == so.st_dev &&
		    sl.st_ino == so.st_ino) {
			fprintf(stderr, "shmwatch: %s is one of the logs read: the report would replace it\n",
				out);
			return -EINVAL;
		}
	}
	return 0;
}

static int write_report(const struct cli_report *o, struct logread **logs, unsigned long *skipped)
{
	const char *out = o->output && strcmp(o->output, "-") ? o->output : NULL;
	struct sink_report_result res = {.err = -ENODATA};
	struct input in = { .logs = logs, .n_logs = o->n_logs };
	struct sink_report_opts ro = {
		.title = o->title,
		.result = &res,
		.has_input = has_input,
		.input_ctx = &in,
	};
	struct pipeline_opts po = {
	    .report_path = out ? out : "-",
	    .report = &ro,
	    .state_max = o->state_max,
	    .usage_every_ns = USAGE_EVERY_NS,
	};
	int ret;

	ret = check_output(o, out);
	if (!ret)
		ret = analyze_open_logs(logs, o->logs, o->n_logs, o->strict);
	if (ret)
		return ret;
	ret = analyze_replay(logs, o->n_logs, &po, skipped);
	if (ret)
		return ret;
	/* Nothing read: nothing to show, and an existing page stays. */
	if (res.no_input) {
		fprintf(stderr, "shmwatch: the logs held no record: %s not written\n",
			out ? out : "standard output");
		return 0;
	}
	/* The write or the rename at the end failed: the pipeline has
	 * closed the file, which is then gone, and said nothing yet. */
	if (!res.written) {
		fprintf(stderr, "shmwatch: can't write %s: %s\n", out ? out : "standard output",
			strerror(-(res.err ? res.err : -EIO)));
		return res.err ? res.err : -EIO;
	}
	if (out)
		fprintf(stderr, "shmwatch: %s %s: %llu events, %llu findings\n",
			res.replaced ? "replaced" : "wrote", out, (unsigned long long)res.events,
			(unsigned long long)res.findings);
	return 0;
}

int do_report(int argc, char **argv)
{
	struct cli_report o;
	struct logread **logs;
	unsigned long skipped = 0;
	char err[512];
	int ret, status;

	if (cli_parse_report(&o, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "shmwatch: %s (see shmwatch report --help)\n", err);
		return EXIT_USAGE;
	}
	if (o.help) {
		fputs(cli_report_usage, stdout);
		return 0;
	}
	if ((!o.output || !strcmp(o.output, "-")) && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "shmwatch: report writes HTML: give -o FILE or redirect\n");
		return EXIT_USAGE;
	}
	logs = calloc((size_t)o.n_logs, sizeof(*logs));
	if (!logs) {
		fprintf(stderr, "shmwatch: out of memory\n");
		return EXIT_USAGE;
	}
	ret = write_report(&o, logs, &skipped);
	status = analyze_exit_status(ret, logs, o.n_logs, skipped);
	for (int i = 0; i < o.n_logs; i++)
		logread__free(logs[i]);
	free(logs);
	analyze_stop_signal();
	return status;
}
