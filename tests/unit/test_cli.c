// SPDX-License-Identifier: GPL-2.0
/*
 * test_cli.c - option parsing: the shared convention (-p -f -o -d -v),
 * long options, the command after --, and one clear message per mistake.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "cli.h"
#include "defaults.h"
#include "lib/names.h"

#define ARGV(...) ((char *[]){ "shmwatch", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "shmwatch", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(o, err, ...) cli_parse_trace(o, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), err, sizeof(err))

static void test_short_options(void **state)
{
	struct cli_trace o;
	char err[256] = "";

	cli_trace_defaults(&o);
	assert_int_equal(PARSE(&o, err, "-p", "12,34", "-f", "-o", "log.json", "-d", "2.5", "-v"), 0);
	assert_int_equal(o.n_pids, 2);
	assert_int_equal(o.pids[0], 12);
	assert_int_equal(o.pids[1], 34);
	assert_true(o.follow);
	assert_string_equal(o.output, "log.json");
	assert_true(o.duration > 2.49 && o.duration < 2.51);
	assert_true(o.verbose);
	assert_null(o.command);
}

static void test_long_options(void **state)
{
	struct cli_trace o;
	char err[256] = "";

	cli_trace_defaults(&o);
	assert_int_equal(PARSE(&o, err, "--pid", "7", "--follow", "--output", "-", "--duration", "1",
			       "--verbose", "--comm", "Xorg", "--uid", "1000", "--max-size", "64M",
			       "--all-mmaps", "--ringbuf-size", "1M", "--format", "json",
			       "--rotate-size", "10M", "--rotate-keep", "3", "--quiet"), -22);
	/* --rotate-size with -o - is refused: there is no file to rotate. */
	assert_non_null(strstr(err, "--rotate-size needs -o FILE"));

	cli_trace_defaults(&o);
	assert_int_equal(PARSE(&o, err, "--pid", "7", "--comm", "Xorg", "--uid", "1000",
			       "--max-size", "64M", "--all-mmaps", "--ringbuf-size", "1M",
			       "--format", "json", "--quiet", "--writes"), 0);
	assert_int_equal(o.pids[0], 7);
	assert_string_equal(o.comm, "Xorg");
	assert_true(o.has_uid);
	assert_int_equal(o.uid, 1000);
	assert_int_equal(o.max_size, 64ULL << 20);
	assert_true(o.all_mmaps);
	assert_true(o.writes);
	assert_int_equal(o.ringbuf_size, 1ULL << 20);
	assert_int_equal(o.format, CLI_FORMAT_JSON);
	assert_true(o.quiet);
}

static void test_defaults(void **state)
{
	struct cli_trace o;
	char err[256] = "";

	cli_trace_defaults(&o);
	assert_int_equal(PARSE(&o, err, "-q"), 0);
	assert_int_equal(o.n_pids, 0);
	assert_int_equal(o.max_size, SW_DEFAULT_MAX_SIZE);
	assert_int_equal(o.ringbuf_size, SW_DEFAULT_RINGBUF_SIZE);
	assert_int_equal(o.stats_interval, SW_DEFAULT_STATS_INTERVAL);
	assert_int_equal(o.stack_depth, SW_DEFAULT_STACK_DEPTH);
	assert_int_equal(o.rotate_keep, SW_DEFAULT_ROTATE_KEEP);
	assert_int_equal(o.format, CLI_FORMAT_AUTO);
	assert_false(o.writes); /* it taxes every write on the host */
}

static void test_command_after_double_dash(void **state)
{
	struct cli_trace o;
	char err[256] = "";

	cli_trace_defaults(&o);
	assert_int_equal(PARSE(&o, err, "-o", "x", "--", "./prog", "-p", "--weird"), 0);
	assert_non_null(o.command);
	assert_string_equal(o.command[0], "./prog");
	assert_string_equal(o.command[1], "-p");
	assert_string_equal(o.command[2], "--weird");
	assert_null(o.command[3]);
}

static void expect_error(const char *fragment, int argc, char **argv)
{
	struct cli_trace o;
	char err[256] = "";

	cli_trace_defaults(&o);
	assert_int_equal(cli_parse_trace(&o, argc, argv, err, sizeof(err)), -22);
	if (!strstr(err, fragment))
		fail_msg("'%s' does not mention '%s'", err, fragment);
	assert_null(strchr(err, '\n'));
}

#define EXPECT_ERROR(fragment, ...) expect_error(fragment, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

static void test_errors(void **state)
{
	EXPECT_ERROR("invalid pid '12x'", "-p", "12x");
	EXPECT_ERROR("invalid pid '0'", "-p", "0");
	EXPECT_ERROR("invalid pid", "-p", ",");
	EXPECT_ERROR("invalid duration", "-d", "-3");
	EXPECT_ERROR("invalid duration", "-d", "soon");
	EXPECT_ERROR("unknown option '--frob'", "--frob");
	EXPECT_ERROR("unknown option '-x'", "-x");
	EXPECT_ERROR("needs a value", "-p");
	EXPECT_ERROR("needs a value", "--output");
	EXPECT_ERROR("invalid format", "--format", "xml");
	EXPECT_ERROR("power of two", "--ringbuf-size", "5000");
	EXPECT_ERROR("invalid size", "--max-size", "0");
	EXPECT_ERROR("invalid comm", "--comm", "");
	EXPECT_ERROR("invalid container", "--container", "");
	EXPECT_ERROR("invalid color", "--color", "sometimes");
	EXPECT_ERROR("needs a COMMAND", "--exit-with-command");
	EXPECT_ERROR("either -p or a COMMAND", "-p", "1", "--", "true");
}

/* A name longer than the kernel's 15 characters is taken (capture matches
 * what the kernel keeps); --uid takes a name for main to resolve. */
static void test_names_and_modes(void **state)
{
	struct cli_trace o;
	char err[256] = "";

	cli_trace_defaults(&o);
	assert_int_equal(PARSE(&o, err, "--comm", "a-very-long-command-name", "--uid", "postgres",
			       "--color", "never", "--exit-with-command", "--", "true"), 0);
	assert_string_equal(o.comm, "a-very-long-command-name");
	assert_null(o.container);
	assert_false(o.has_uid);
	assert_string_equal(o.user, "postgres");
	assert_int_equal(o.color, CLI_COLOR_NEVER);
	assert_true(o.exit_with_command);
	cli_trace_defaults(&o);
	assert_int_equal(PARSE(&o, err, "--uid", "1000", "--color", "always", "--container",
			       "ml/loader-7"), 0);
	assert_string_equal(o.container, "ml/loader-7");
	assert_true(o.has_uid);
	assert_int_equal(o.uid, 1000);
	assert_null(o.user);
	assert_int_equal(o.color, CLI_COLOR_ALWAYS);
	assert_null(o.metrics_addr);
	assert_null(o.metrics_file);
	cli_trace_defaults(&o);
	assert_int_equal(o.events, CLI_EVENTS_ALL);
	assert_int_equal(PARSE(&o, err, "--metrics", ":9877", "--metrics-file", "/run/s.prom",
			       "--events", "failed"), 0);
	assert_string_equal(o.metrics_addr, ":9877");
	assert_string_equal(o.metrics_file, "/run/s.prom");
	assert_int_equal(o.events, CLI_EVENTS_FAILED);
	assert_int_equal(PARSE(&o, err, "--events", "none"), 0);
	assert_int_equal(o.events, CLI_EVENTS_NONE);
	assert_int_equal(PARSE(&o, err, "--events", "some"), -22);
	assert_string_equal(err, "invalid events 'some' (all, failed or none)");
}

/* The service mode's own options: the state cap and the summaries. */
static void test_state_max_and_summaries(void **state)
{
	struct cli_trace o;
	struct cli_analyze a;
	char err[256] = "";
	char *args[] = { "analyze", "x.json", "--state-max", "8M", "--summaries", "none", NULL };
	char *plain[] = { "analyze", "x.json", NULL };

	cli_trace_defaults(&o);
	assert_int_equal(PARSE(&o, err, "-q"), 0);
	assert_int_equal(o.state_max, SW_DEFAULT_STATE_MAX);
	assert_int_equal(o.summaries, CLI_SUMMARIES_ALL);
	assert_int_equal(PARSE(&o, err, "--state-max", "1M", "--summaries", "findings"), 0);
	assert_int_equal(o.state_max, 1 << 20);
	assert_int_equal(o.summaries, CLI_SUMMARIES_FINDINGS);
	assert_int_equal(PARSE(&o, err, "--state-max", "0"), 0);
	assert_int_equal(o.state_max, 0);
	assert_int_equal(PARSE(&o, err, "--state-max", "1023K"), -22);
	assert_string_equal(err, "invalid state cap '1023K' (0, or 1M to 1T)");
	assert_int_equal(PARSE(&o, err, "--state-max", "2T"), -22);
	assert_int_equal(PARSE(&o, err, "--summaries", "some"), -22);
	assert_string_equal(err, "invalid summaries 'some' (all, findings or none)");
	assert_int_equal(cli_parse_analyze(&a, 6, args, err, sizeof(err)), 0);
	assert_int_equal(a.state_max, 8 << 20);
	assert_int_equal(a.summaries, CLI_SUMMARIES_NONE);
	assert_int_equal(a.n_logs, 1);
	assert_int_equal(cli_parse_analyze(&a, 2, plain, err, sizeof(err)), 0);
	assert_int_equal(a.state_max, SW_DEFAULT_STATE_MAX);
}

static void test_too_many_pids(void **state)
{
	char list[CLI_MAX_PIDS * 4 + 8] = "";

	for (int i = 1; i <= CLI_MAX_PIDS + 1; i++)
		sprintf(list + strlen(list), "%s%d", i > 1 ? "," : "", i);
	EXPECT_ERROR("too many pids", "-p", list);
}

static void test_analyze(void **state)
{
	struct cli_analyze o;
	char err[256] = "";
	char *ok[] = { "analyze", "--format", "json", "--strict", "a.json", "-", NULL };
	char *none[] = { "analyze", "--strict", NULL };

	assert_int_equal(cli_parse_analyze(&o, 6, ok, err, sizeof(err)), 0);
	assert_int_equal(o.format, CLI_FORMAT_JSON);
	assert_true(o.strict);
	assert_int_equal(o.n_logs, 2);
	assert_string_equal(o.logs[1], "-");
	assert_int_equal(cli_parse_analyze(&o, 2, none, err, sizeof(err)), -22);
	assert_non_null(strstr(err, "at least one LOG"));
}

/* ls: its options in any order, and its errors in the words of the others. */
static void test_ls(void **state)
{
	struct cli_ls o;
	char err[256] = "";
	char *all[] = { "ls", "-v", "--pid", "12,34", "--orphaned", "--format", "json",
			"-o", "inv.json", NULL };
	char *extra[] = { "ls", "now", NULL };
	char *bad_pid[] = { "ls", "-p", "x", NULL };
	char *bad_format[] = { "ls", "--format", "csv", NULL };
	char *help[] = { "ls", "--help", NULL };

	assert_int_equal(cli_parse_ls(&o, 9, all, err, sizeof(err)), 0);
	assert_true(o.verbose);
	assert_true(o.orphaned);
	assert_int_equal(o.n_pids, 2);
	assert_int_equal(o.pids[1], 34);
	assert_int_equal(o.format, CLI_FORMAT_JSON);
	assert_string_equal(o.output, "inv.json");
	assert_int_equal(cli_parse_ls(&o, 1, all, err, sizeof(err)), 0);
	assert_false(o.verbose || o.orphaned || o.n_pids || o.output);
	assert_int_equal(o.format, CLI_FORMAT_AUTO);
	assert_int_equal(cli_parse_ls(&o, 2, extra, err, sizeof(err)), -22);
	assert_string_equal(err, "ls takes no operand ('now')");
	assert_int_equal(cli_parse_ls(&o, 3, bad_pid, err, sizeof(err)), -22);
	assert_string_equal(err, "invalid pid 'x'");
	assert_int_equal(cli_parse_ls(&o, 3, bad_format, err, sizeof(err)), -22);
	assert_string_equal(err, "invalid format 'csv' (text or json)");
	assert_int_equal(cli_parse_ls(&o, 2, help, err, sizeof(err)), 0);
	assert_true(o.help);
}

static void expect_analyze(int argc, char **argv, const char *const *logs, int n_logs,
			   enum cli_format format, bool strict)
{
	struct cli_analyze o;
	char err[256] = "";

	assert_int_equal(cli_parse_analyze(&o, argc, argv, err, sizeof(err)), 0);
	assert_int_equal(o.format, format);
	assert_int_equal(o.strict, strict);
	assert_int_equal(o.n_logs, n_logs);
	for (int i = 0; i < n_logs; i++)
		assert_string_equal(o.logs[i], logs[i]);
	assert_null(o.logs[n_logs]);
}

#define ANALYZE(...) ((char *[]){ "analyze", __VA_ARGS__, NULL })
#define ANALYZE_ARGC(...) ((int)(sizeof((char *[]){ "analyze", __VA_ARGS__ }) / sizeof(char *)))
#define LOGS(...) ((const char *const[]){ __VA_ARGS__ })
#define EXPECT_ANALYZE(logs, n, format, strict, ...) \
	expect_analyze(ANALYZE_ARGC(__VA_ARGS__), ANALYZE(__VA_ARGS__), logs, n, format, strict)

/* Options may come after the logs, as with GNU tools; -- still ends them. */
static void test_analyze_options_after_logs(void **state)
{
	struct cli_analyze o;
	char err[256] = "";

	EXPECT_ANALYZE(LOGS("trace.json"), 1, CLI_FORMAT_JSON, false, "trace.json", "--format",
		       "json");
	EXPECT_ANALYZE(LOGS("a", "-", "b"), 3, CLI_FORMAT_TEXT, true, "a", "--strict", "-",
		       "--format=text", "b");
	EXPECT_ANALYZE(LOGS("a", "--strict", "-h"), 3, CLI_FORMAT_AUTO, false, "a", "--",
		       "--strict", "-h");
	EXPECT_ANALYZE(LOGS("-", "--format"), 2, CLI_FORMAT_AUTO, true, "--strict", "--", "-",
		       "--format");

	assert_int_equal(cli_parse_analyze(&o, 3, ANALYZE("a.json", "-h"), err, sizeof(err)), 0);
	assert_true(o.help);
	assert_int_equal(cli_parse_analyze(&o, 3, ANALYZE("a.json", "--frob"), err, sizeof(err)),
			 -22);
	assert_string_equal(err, "unknown option '--frob'");
	assert_int_equal(cli_parse_analyze(&o, 3, ANALYZE("a.json", "--format"), err, sizeof(err)),
			 -22);
	assert_string_equal(err, "option '--format' needs a value");
	assert_int_equal(cli_parse_analyze(&o, 4, ANALYZE("a.json", "--format", "xml"), err,
					   sizeof(err)),
			 -22);
	assert_string_equal(err, "invalid format 'xml' (text or json)");
	assert_int_equal(cli_parse_analyze(&o, 3, ANALYZE("--strict", "--"), err, sizeof(err)),
			 -22);
	assert_non_null(strstr(err, "at least one LOG"));
}

/* The trace command still stops at its COMMAND: what follows is the
 * command's own. */
static void test_trace_stops_at_command(void **state)
{
	struct cli_trace o;
	char err[256] = "";

	cli_trace_defaults(&o);
	assert_int_equal(PARSE(&o, err, "-q", "./prog", "-p", "1", "--format", "json"), 0);
	assert_string_equal(o.command[0], "./prog");
	assert_string_equal(o.command[1], "-p");
	assert_int_equal(o.n_pids, 0);
	assert_int_equal(o.format, CLI_FORMAT_AUTO);
}

/* The help names every call the kernel side records, states the
 * defaults defaults.h holds, and fits a terminal. */
static void test_usage(void **state)
{
	char text[8192], want[64];
	size_t n = cli_trace_usage(text, sizeof(text));
	__u64 size;
	const char *p;

	assert_true(n < sizeof(text));
	assert_int_equal(strlen(text), n);
	for (__u32 c = SW_CALL_NONE + 1; c < SW_CALL_MAX; c++) {
		const char *name = sw_call_name(c);

		/* A word of its own: unlink is in unlinkat too. */
		for (p = strstr(text, name); p; p = strstr(p + 1, name))
			if (strchr(" \n", p[-1]) && strchr(" ,", p[strlen(name)]))
				break;
		assert_non_null(p);
	}
	p = strstr(text, "--max-size SIZE");
	assert_non_null(p);
	assert_int_equal(sscanf(strstr(p, "(default ") + 9, "%63[^)]", want), 1);
	assert_int_equal(parse_size(want, &size), 0);
	assert_int_equal(size, SW_DEFAULT_MAX_SIZE);
	assert_int_equal(sscanf(strstr(text, "--ringbuf-size SIZE"), "%*[^(](default %63[^)]", want), 1);
	assert_int_equal(parse_size(want, &size), 0);
	assert_int_equal(size, SW_DEFAULT_RINGBUF_SIZE);
	snprintf(want, sizeof(want), "(default %d)", SW_DEFAULT_STACK_DEPTH);
	assert_non_null(strstr(strstr(text, "--stack-depth"), want));
	snprintf(want, sizeof(want), "row (default %d)", SW_DEFAULT_GROWTH_THRESHOLD);
	assert_non_null(strstr(text, want));
	snprintf(want, sizeof(want), "(default %d)", SW_DEFAULT_ROTATE_KEEP);
	assert_non_null(strstr(strstr(text, "--rotate-keep"), want));
	for (p = text; *p; p += strcspn(p, "\n") + 1)
		assert_true(strcspn(p, "\n") <= 80);
}

/* snprintf's contract: the length of the whole text, cut to fit. */
static void test_usage_cut(void **state)
{
	char small[16], full[8192];
	size_t n = cli_trace_usage(full, sizeof(full));

	assert_int_equal(cli_trace_usage(NULL, 0), n);
	assert_int_equal(cli_trace_usage(small, sizeof(small)), n);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, full, sizeof(small) - 1);
}

/* shmwatch top: the trace's options, a stats record a second unless
 * asked otherwise, and standard output left to the view. */
static void test_top(void **state)
{
	struct cli_trace o;
	char err[256] = "";
	char *ok[] = { "top", "-p", "42", "-o", "log.json", NULL };
	char *every[] = { "top", "--stats-interval", "5", NULL };
	char *dash_o[] = { "top", "-o", "-", NULL };
	char *json[] = { "top", "--format", "json", NULL };

	cli_trace_defaults(&o);
	assert_int_equal(cli_parse_top(&o, 5, ok, err, sizeof(err)), 0);
	assert_int_equal(o.mode, CLI_MODE_PIDS);
	assert_string_equal(o.output, "log.json");
	assert_true(o.stats_interval == CLI_TOP_STATS_INTERVAL);
	cli_trace_defaults(&o);
	assert_int_equal(cli_parse_top(&o, 3, every, err, sizeof(err)), 0);
	assert_true(o.stats_interval == 5);
	cli_trace_defaults(&o);
	assert_int_equal(cli_parse_top(&o, 3, dash_o, err, sizeof(err)), -22);
	assert_string_equal(err, "top draws on standard output: -o - is not for it (-o FILE is)");
	cli_trace_defaults(&o);
	assert_int_equal(cli_parse_top(&o, 3, json, err, sizeof(err)), -22);
	assert_string_equal(err, "top draws on standard output: --format json is not for it");
}

/* shmwatch report: logs and options in any order, -o, --title. */
static void test_report(void **state)
{
	struct cli_report o;
	char err[256] = "";
	char *ok[] = { "report", "a.json", "-o", "r.html", "b.json", "--title", "run 7",
		       "--strict", NULL };
	char *none[] = { "report", "-o", "r.html", NULL };

	assert_int_equal(cli_parse_report(&o, 8, ok, err, sizeof(err)), 0);
	assert_int_equal(o.n_logs, 2);
	assert_string_equal(o.logs[0], "a.json");
	assert_string_equal(o.logs[1], "b.json");
	assert_string_equal(o.output, "r.html");
	assert_string_equal(o.title, "run 7");
	assert_true(o.strict);
	assert_int_equal(cli_parse_report(&o, 3, none, err, sizeof(err)), -22);
	assert_string_equal(err, "report needs at least one LOG (or '-')");
}

/* --folded on the trace and analyze; --container on ls. */
static void test_folded_and_container(void **state)
{
	struct cli_trace t;
	struct cli_analyze a;
	struct cli_ls l;
	char err[256] = "";
	char *an[] = { "analyze", "x.json", "--folded", "held.folded", NULL };
	char *ls[] = { "ls", "--container", "9f7e", NULL };
	char *ls_empty[] = { "ls", "--container", "", NULL };

	cli_trace_defaults(&t);
	assert_int_equal(PARSE(&t, err, "--folded", "f", "--", "prog"), 0);
	assert_string_equal(t.folded, "f");
	assert_int_equal(cli_parse_analyze(&a, 4, an, err, sizeof(err)), 0);
	assert_string_equal(a.folded, "held.folded");
	cli_trace_defaults(&t);
	assert_int_equal(PARSE(&t, err, "--folded", "-"), -22);
	assert_string_equal(err, "--folded needs a FILE (not standard output)");
	cli_trace_defaults(&t);
	assert_int_equal(PARSE(&t, err, "-o", "x", "--folded", "x"), -22);
	assert_string_equal(err, "--folded names the same file as another output");
	assert_int_equal(cli_parse_ls(&l, 3, ls, err, sizeof(err)), 0);
	assert_string_equal(l.container, "9f7e");
	assert_int_equal(cli_parse_ls(&l, 3, ls_empty, err, sizeof(err)), -22);
	assert_string_equal(err, "invalid container '' (a name, an id prefix, a pod or host)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_options),
		cmocka_unit_test(test_long_options),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_command_after_double_dash),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_names_and_modes),
		cmocka_unit_test(test_state_max_and_summaries),
		cmocka_unit_test(test_too_many_pids),
		cmocka_unit_test(test_analyze),
		cmocka_unit_test(test_analyze_options_after_logs),
		cmocka_unit_test(test_ls),
		cmocka_unit_test(test_trace_stops_at_command),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_usage_cut),
		cmocka_unit_test(test_top),
		cmocka_unit_test(test_report),
		cmocka_unit_test(test_folded_and_container),
	};

	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
