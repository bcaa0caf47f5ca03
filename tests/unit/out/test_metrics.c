// SPDX-License-Identifier: GPL-2.0
/*
 * test_metrics.c - the metrics sink (user/out/out_metrics.c): records
 * handed over as the pipeline does, the textfile read back; its series,
 * label escaping, and Prometheus' own verdict on the format (promtool
 * check metrics, from Debian's prometheus package).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "analyzer/analyzer.h"
#include "out/sink.h"

struct state {
	char dir[64];
	char path[128];
	struct sink *sink;
	char text[65536];
};

static int setup(void **pstate)
{
	struct state *st = calloc(1, sizeof(*st));

	if (!st)
		return -1;
	strcpy(st->dir, "/tmp/test_metrics.XXXXXX");
	if (!mkdtemp(st->dir)) {
		free(st);
		return -1;
	}
	snprintf(st->path, sizeof(st->path), "%s/shmwatch.prom", st->dir);
	*pstate = st;
	return 0;
}

static int teardown(void **pstate)
{
	struct state *st = *pstate;

	if (st->sink)
		sink__close(st->sink);
	unlink(st->path);
	rmdir(st->dir);
	free(st);
	return 0;
}

static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void read_back(struct state *st)
{
	FILE *f = fopen(st->path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(st->text, 1, sizeof(st->text) - 1, f);
	st->text[n] = '\0';
	fclose(f);
}

static void assert_line(const struct state *st, const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "\n%s\n", line);
	if (!strstr(st->text, want))
		fail_msg("no line '%s' in:\n%s", line, st->text);
}

static void feed(struct state *st)
{
	struct sink_metrics_opts mo = { .file = st->path };
	struct sw_header h = { 0 };
	/* A warning: the rule's default severity is error. */
	struct sw_finding f = { .rule = "segment-leak", .severity = SW_SEV_WARNING };
	struct sink_finding sf = { .f = &f };
	struct sw_mount_usage u = { .dev = 27 << 20 | 3, .label = "/dev/shm/a\"b\\c\nd",
				    .fs_used = 3 << 20, .fs_size = 64 << 20,
				    .peak_used = 5 << 20, .n_objects = 2, .object_bytes = 4 << 20 };
	struct sw_sysv_usage sv = { .ipc_ns = 4026532451U, .segments = 1, .bytes = 4096,
				    .peak_bytes = 8192 };
	struct sw_stats stats = { .events = 9 };
	char err[128];

	st->sink = sink_metrics__new(&mo, err, sizeof(err));
	assert_non_null(st->sink);
	assert_null(st->sink->out);
	st->sink->ops->header(st->sink, &h);
	/* Written at the start: the series exist before the first stats. */
	read_back(st);
	assert_line(st, "shmwatch_build_info{version=\"0.1.0\"} 1");
	/* Every rule at its own severity (segment-leak's is error). */
	assert_line(st, "shmwatch_findings_total{rule=\"segment-leak\",severity=\"error\"} 0");
	assert_null(strstr(st->text, "rule=\"segment-leak\",severity=\"warning\""));
	st->sink->ops->finding(st->sink, &sf);
	st->sink->ops->finding(st->sink, &sf);
	f.severity = SW_SEV_ERROR;
	st->sink->ops->finding(st->sink, &sf);
	st->sink->ops->usage(st->sink, &u);
	st->sink->ops->sysv_usage(st->sink, &sv);
	stats.calls[SW_SHMGET] = 5;
	stats.failed[SW_SHMGET] = 2;
	stats.lost_slots[SW_LOST_SLOT(SW_EV_CALL, SW_MMAP)] = 7;
	stats.lost_slots[SW_LOST_SLOT(SW_EV_EXIT, 0)] = 1;
	st->sink->ops->stats(st->sink, &stats);
	read_back(st);
}

static void test_series(void **pstate)
{
	struct state *st = *pstate;

	feed(st);
	assert_line(st, "shmwatch_records_total 9");
	assert_line(st, "shmwatch_events_total{call=\"shmget\"} 5");
	assert_line(st, "shmwatch_events_total{call=\"openat\"} 0");
	assert_line(st, "shmwatch_failed_calls_total{call=\"shmget\"} 2");
	assert_line(st, "shmwatch_lost_records_total{call=\"mmap\"} 7");
	assert_line(st, "shmwatch_lost_records_total{call=\"exit\"} 1");
	assert_line(st, "shmwatch_findings_total{rule=\"segment-leak\",severity=\"warning\"} 2");
	assert_line(st, "shmwatch_findings_total{rule=\"segment-leak\",severity=\"error\"} 1");
	assert_line(st, "shmwatch_findings_total{rule=\"shm-space-exhausted\",severity=\"error\"} 0");
	/* The label escaped as the exposition format wants it. */
	assert_line(st, "shmwatch_memfs_used_bytes{mount=\"/dev/shm/a\\\"b\\\\c\\nd\",dev=\"27:3\"} 3145728");
	assert_line(st, "shmwatch_memfs_size_bytes{mount=\"/dev/shm/a\\\"b\\\\c\\nd\",dev=\"27:3\"} 67108864");
	assert_line(st, "shmwatch_memfs_peak_used_bytes{mount=\"/dev/shm/a\\\"b\\\\c\\nd\",dev=\"27:3\"} 5242880");
	assert_line(st, "shmwatch_sysv_bytes{ipc_ns=\"4026532451\"} 4096");
	assert_line(st, "shmwatch_sysv_peak_bytes{ipc_ns=\"4026532451\"} 8192");
	assert_line(st, "# TYPE process_cpu_seconds_total counter");
	assert_non_null(strstr(st->text, "\nprocess_resident_memory_bytes "));
	/* Written by rename: no temporary file is left, and the collector
	 * (another user) can read it. */
	{
		struct stat sb;

		assert_int_equal(stat(st->path, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0644);
		assert_int_equal(count_files(st->dir), 1);
	}
}

/* Prometheus' own linter on the file; skipped with a reason without it. */
static void test_promtool_accepts_it(void **pstate)
{
	struct state *st = *pstate;
	char cmd[512];

	if (access("/usr/bin/promtool", X_OK)) {
		printf("skipped: /usr/bin/promtool is not installed (Debian package prometheus)\n");
		skip();
	}
	feed(st);
	snprintf(cmd, sizeof(cmd), "/usr/bin/promtool check metrics < %s", st->path);
	assert_int_equal(system(cmd), 0);
}

/* A bad address is one line of error, and no sink. */
static void test_bad_address(void **pstate)
{
	struct sink_metrics_opts mo = { .addr = "localhost" };
	char err[128] = "";

	assert_null(sink_metrics__new(&mo, err, sizeof(err)));
	assert_string_equal(err, "invalid metrics address 'localhost' (HOST:PORT or :PORT)");
	mo.addr = "127.0.0.1:99999";
	assert_null(sink_metrics__new(&mo, err, sizeof(err)));
	assert_string_equal(err, "invalid metrics address '127.0.0.1:99999' (HOST:PORT or :PORT)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_series),
		T(test_promtool_accepts_it),
		T(test_bad_address),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
