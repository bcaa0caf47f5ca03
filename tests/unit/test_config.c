// SPDX-License-Identifier: GPL-2.0
/*
 * test_config.c - the trace options as each part gets them: capture
 * filters, outputs, log header and analyzer settings, from command lines
 * as a person types them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "config.h"
#include "defaults.h"
#include "out/sink.h"

#define ARGV(...) ((char *[]){ "shmwatch", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "shmwatch", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(o, ...)                                                                      \
	do {                                                                               \
		char err_[256] = "";                                                       \
		cli_trace_defaults(o);                                                     \
		assert_int_equal(cli_parse_trace(o, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), \
						 err_, sizeof(err_)), 0);                  \
	} while (0)

static void test_modes(void **state)
{
	struct cli_trace o;

	PARSE(&o, "-q");
	assert_int_equal(o.mode, CLI_MODE_SYSTEM);
	assert_string_equal(config_mode_name(o.mode), "system");
	PARSE(&o, "-p", "1,2");
	assert_int_equal(o.mode, CLI_MODE_PIDS);
	assert_string_equal(config_mode_name(o.mode), "pid");
	PARSE(&o, "--", "true");
	assert_int_equal(o.mode, CLI_MODE_COMMAND);
	assert_string_equal(config_mode_name(o.mode), "command");
	assert_string_equal(config_mode_name(CLI_MODE_MAX), "system");
}

static void test_capture_system(void **state)
{
	struct cli_trace o;
	struct capture_opts co;

	PARSE(&o, "--comm", "Xorg", "--uid", "1000", "--cgroup", "/sys/fs/cgroup/x",
	      "--all-mmaps", "--no-stacks", "-v");
	config_capture_opts(&o, &co);
	assert_false(co.pid_filter);
	assert_false(co.follow);
	assert_int_equal(co.n_pids, 0);
	assert_true(co.filter_uid);
	assert_int_equal(co.uid, 1000);
	assert_string_equal(co.comm, "Xorg");
	assert_string_equal(co.cgroup_path, "/sys/fs/cgroup/x");
	assert_true(co.all_mmaps);
	assert_true(co.no_stacks);
	assert_true(co.verbose);
	assert_int_equal(co.ringbuf_size, SW_DEFAULT_RINGBUF_SIZE);
	assert_int_equal(co.max_size, SW_DEFAULT_MAX_SIZE);
}

static void test_capture_pids_and_command(void **state)
{
	struct cli_trace o;
	struct capture_opts co;

	PARSE(&o, "-p", "12,34", "--ringbuf-size", "1M");
	config_capture_opts(&o, &co);
	assert_true(co.pid_filter);
	assert_false(co.follow);
	assert_int_equal(co.n_pids, 2);
	assert_ptr_equal(co.pids, o.pids);
	assert_false(co.filter_uid);
	assert_null(co.comm);
	assert_null(co.cgroup_path);
	assert_int_equal(co.ringbuf_size, 1 << 20);

	PARSE(&o, "-p", "12", "-f");
	config_capture_opts(&o, &co);
	assert_true(co.follow);

	/* The command's pid is added later: the filter is on without pids,
	 * and what it starts is followed. */
	PARSE(&o, "--", "./prog", "-p", "1");
	config_capture_opts(&o, &co);
	assert_true(co.pid_filter);
	assert_true(co.follow);
	assert_int_equal(co.n_pids, 0);
}

/* The kernel records private mappings from SW_PRIVATE_RECORD_MIN up
 * whatever the threshold; the header keeps the threshold as given. */
static void test_max_size(void **state)
{
	struct cli_trace o;
	struct capture_opts co;
	struct sw_header h;

	PARSE(&o, "--max-size", "64M");
	config_capture_opts(&o, &co);
	config_header(&o, &h);
	assert_int_equal(co.max_size, SW_PRIVATE_RECORD_MIN);
	assert_int_equal(h.max_size, 64ULL << 20);

	PARSE(&o, "--max-size", "1G");
	config_capture_opts(&o, &co);
	config_header(&o, &h);
	assert_int_equal(co.max_size, 1ULL << 30);
	assert_int_equal(h.max_size, 1ULL << 30);
}

static void test_app_opts(void **state)
{
	struct cli_trace o;
	struct app_opts ao;

	PARSE(&o, "-o", "log.json", "--rotate-size", "1M", "--rotate-keep", "2", "-q",
	      "--format", "json", "--color", "always", "--stack-depth", "7");
	config_app_opts(&o, &ao);
	assert_string_equal(ao.log_path, "log.json");
	assert_int_equal(ao.rotate_size, 1 << 20);
	assert_int_equal(ao.rotate_keep, 2);
	assert_true(ao.quiet);
	assert_int_equal(ao.stdout_format, CLI_FORMAT_JSON);
	assert_int_equal(ao.color, CLI_COLOR_ALWAYS);
	assert_int_equal(ao.stack_depth, 7);
	assert_true(ao.live);
	assert_false(ao.no_events);
	assert_false(ao.keep_exited);

	PARSE(&o, "-q");
	config_app_opts(&o, &ao);
	assert_null(ao.log_path);
	assert_int_equal(ao.stack_depth, SW_DEFAULT_STACK_DEPTH);
	assert_int_equal(ao.rotate_keep, SW_DEFAULT_ROTATE_KEEP);
}

/* Exited processes are remembered for --check-state only when some are
 * traced by pid or command; system-wide, /proc is compared anyway. */
static void test_keep_exited(void **state)
{
	struct cli_trace o;
	struct app_opts ao;

	PARSE(&o, "--check-state");
	config_app_opts(&o, &ao);
	assert_false(ao.keep_exited);
	PARSE(&o, "--check-state", "-p", "5");
	config_app_opts(&o, &ao);
	assert_true(ao.keep_exited);
	PARSE(&o, "--check-state", "--", "true");
	config_app_opts(&o, &ao);
	assert_true(ao.keep_exited);
	PARSE(&o, "--", "true");
	config_app_opts(&o, &ao);
	assert_false(ao.keep_exited);
}

static void test_header(void **state)
{
	struct cli_trace o;
	struct sw_header h;

	PARSE(&o, "-p", "7,8", "--all-mmaps", "--leak-window", "0.25", "--leak-count", "3");
	memset(&h, 0xa5, sizeof(h));
	config_header(&o, &h);
	assert_int_equal(h.schema, SW_SCHEMA_VERSION);
	assert_string_equal(h.tool_version, SHMWATCH_VERSION);
	assert_string_equal(h.mode, "pid");
	assert_ptr_equal(h.pids, o.pids);
	assert_int_equal(h.n_pids, 2);
	assert_true(h.all_mmaps);
	assert_int_equal(h.growth_window_ns, 250000000ULL);
	assert_int_equal(h.growth_threshold, 3);
	/* What main fills from the host starts cleared. */
	assert_string_equal(h.hostname, "");
	assert_null(h.command);
	assert_int_equal(h.shmmax, 0);
	assert_int_equal(h.start_ts_ns, 0);

	/* Not given: the header says 0, the defaults of whoever reads it. */
	PARSE(&o, "-q");
	config_header(&o, &h);
	assert_string_equal(h.mode, "system");
	assert_int_equal(h.growth_window_ns, 0);
	assert_int_equal(h.growth_threshold, 0);
	assert_int_equal(h.max_size, SW_DEFAULT_MAX_SIZE);
}

static void test_analyzer_opts(void **state)
{
	struct sw_header h = {
		.max_size = 1 << 20,
		.shmmax = 1ULL << 40,
		.mem_total = 1ULL << 34,
		.shm_rmid_forced = true,
		.all_mmaps = true,
		.growth_window_ns = 7,
		.growth_threshold = 9,
	};
	struct analyzer_opts ao;

	memset(&ao, 0xa5, sizeof(ao));
	config_analyzer_opts(&h, true, &ao);
	assert_int_equal(ao.max_size, 1 << 20);
	assert_int_equal(ao.shmmax, 1ULL << 40);
	assert_int_equal(ao.mem_total, 1ULL << 34);
	assert_true(ao.shm_rmid_forced);
	assert_true(ao.all_mmaps);
	assert_int_equal(ao.growth_window_ns, 7);
	assert_int_equal(ao.growth_threshold, 9);
	assert_true(ao.keep_exited);
	assert_null(ao.on_finding);
	assert_null(ao.on_summary);
	assert_null(ao.on_usage);
	assert_null(ao.ctx);
}

static void test_color(void **state)
{
	assert_int_equal(config_color(CLI_COLOR_AUTO, NULL), CLI_COLOR_AUTO);
	assert_int_equal(config_color(CLI_COLOR_AUTO, ""), CLI_COLOR_AUTO);
	assert_int_equal(config_color(CLI_COLOR_AUTO, "1"), CLI_COLOR_NEVER);
	assert_int_equal(config_color(CLI_COLOR_ALWAYS, "1"), CLI_COLOR_ALWAYS);
	assert_int_equal(config_color(CLI_COLOR_NEVER, NULL), CLI_COLOR_NEVER);
}

static void test_command_line(void **state)
{
	char *s = config_command_line(ARGV("-c", "echo hi"));

	assert_string_equal(s, "shmwatch -c echo hi");
	free(s);
	s = config_command_line((char *[]){ "true", NULL });
	assert_string_equal(s, "true");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_capture_system),
		cmocka_unit_test(test_capture_pids_and_command),
		cmocka_unit_test(test_max_size),
		cmocka_unit_test(test_app_opts),
		cmocka_unit_test(test_keep_exited),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_analyzer_opts),
		cmocka_unit_test(test_color),
		cmocka_unit_test(test_command_line),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
