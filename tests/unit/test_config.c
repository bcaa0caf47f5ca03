// SPDX-License-Identifier: GPL-2.0
/*
 * test_config.c - the trace options as each part gets them: capture
 * filters, outputs, log header and analyzer settings, from command lines
 * as a person types them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "fakeproc.h"
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

static char proc_root[] = "/tmp/shmwatch-test-config-XXXXXX";

static void put(const char *rel, const char *text)
{
	fakeproc_write(proc_root, rel, text);
}

/* A task as /proc shows it: stat (state, flags), status (Tgid), comm. */
static void put_task(__u32 pid, __u32 tgid, char state, unsigned long flags, const char *comm)
{
	char rel[64], text[256];

	snprintf(rel, sizeof(rel), "%s/%u", proc_root, pid);
	assert_int_equal(mkdir(rel, 0755), 0);
	snprintf(rel, sizeof(rel), "%u/stat", pid);
	snprintf(text, sizeof(text), "%u (%s) %c 1 %u %u 0 -1 %lu 0 0\n", pid, comm, state, tgid,
		 tgid, flags);
	put(rel, text);
	snprintf(rel, sizeof(rel), "%u/status", pid);
	snprintf(text, sizeof(text), "Name:\t%s\nTgid:\t%u\nPid:\t%u\n", comm, tgid, pid);
	put(rel, text);
	snprintf(rel, sizeof(rel), "%u/comm", pid);
	snprintf(text, sizeof(text), "%s\n", comm);
	put(rel, text);
}

static int setup_proc(void **state)
{
	if (!mkdtemp(proc_root))
		return -1;
	put_task(100, 100, 'S', 0, "server");
	put_task(101, 100, 'S', 0, "worker");
	put_task(102, 102, 'Z', 0, "gone");
	put_task(103, 103, 'S', 0x00200000, "kworker/0:1");
	put_task(200, 200, 'R', 0, "shmwatch");
	put_task(201, 200, 'S', 0, "shmwatch");
	return 0;
}

static int teardown_proc(void **state)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", proc_root);
	return system(cmd);
}

struct notes {
	int n;
	char last[256];
};

static void take_note(void *ctx, const char *line)
{
	struct notes *n = ctx;

	n->n++;
	snprintf(n->last, sizeof(n->last), "%s", line);
}

static int resolve(char *pids, struct notes *n, char *err, size_t len, struct cli_trace *o)
{
	PARSE(o, "-p", pids);
	memset(n, 0, sizeof(*n));
	err[0] = '\0';
	return config_resolve_pids(o, proc_root, 200, take_note, n, err, len);
}

static void test_resolve_pids(void **state)
{
	struct cli_trace o;
	struct notes n;
	char err[256];

	assert_int_equal(resolve("100", &n, err, sizeof(err), &o), 0);
	assert_int_equal(o.pids[0], 100);
	assert_int_equal(n.n, 0);

	/* A thread's id stands for its process, said once. */
	assert_int_equal(resolve("101", &n, err, sizeof(err), &o), 0);
	assert_int_equal(o.pids[0], 100);
	assert_int_equal(n.n, 1);
	assert_string_equal(n.last, "101 is a thread of process 100 (worker): tracing the process");

	assert_int_equal(resolve("100,999", &n, err, sizeof(err), &o), -ESRCH);
	assert_string_equal(err, "no such process: 999");
	assert_int_equal(resolve("102", &n, err, sizeof(err), &o), -ESRCH);
	assert_non_null(strstr(err, "pid 102 (gone) has exited"));
	assert_int_equal(resolve("103", &n, err, sizeof(err), &o), -EINVAL);
	assert_non_null(strstr(err, "pid 103 (kworker/0:1) is a kernel thread"));
	/* shmwatch itself, or one of its threads. */
	assert_int_equal(resolve("200", &n, err, sizeof(err), &o), -EINVAL);
	assert_string_equal(err, "can't trace shmwatch itself (pid 200)");
	assert_int_equal(resolve("201", &n, err, sizeof(err), &o), -EINVAL);
	assert_string_equal(err, "can't trace shmwatch itself (pid 201)");
}

static void test_resolve_user(void **state)
{
	struct cli_trace o;
	char err[256] = "";

	PARSE(&o, "--uid", "1000");
	assert_int_equal(config_resolve_user(&o, err, sizeof(err)), 0);
	assert_true(o.has_uid);
	assert_int_equal(o.uid, 1000);

	PARSE(&o, "--uid", "root");
	assert_false(o.has_uid);
	assert_int_equal(config_resolve_user(&o, err, sizeof(err)), 0);
	assert_true(o.has_uid);
	assert_int_equal(o.uid, 0);

	PARSE(&o, "--uid", "no-such-user\x1b");
	assert_int_equal(config_resolve_user(&o, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "unknown user 'no-such-user\\x1b'");
}

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
	assert_false(co.cgroup_set);

	/* --container with a command: the container's processes are no
	 * children of it, and the command's own are not traced. */
	PARSE(&o, "--container", "web-1", "--", "podman", "start", "-a", "web-1");
	config_capture_opts(&o, &co);
	assert_false(co.pid_filter);
	assert_true(co.cgroup_set);
	PARSE(&o, "--container", "web-1", "-p", "12");
	config_capture_opts(&o, &co);
	assert_true(co.pid_filter);
	assert_true(co.cgroup_set);
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
	struct pipeline_opts ao;

	PARSE(&o, "-o", "log.json", "--rotate-size", "1M", "--rotate-keep", "2", "-q",
	      "--format", "json", "--color", "always", "--stack-depth", "7");
	config_pipeline_opts(&o, &ao);
	assert_string_equal(ao.log_path, "log.json");
	assert_int_equal(ao.rotate_size, 1 << 20);
	assert_int_equal(ao.rotate_keep, 2);
	assert_true(ao.quiet);
	assert_true(ao.stdout_json);
	assert_int_equal(ao.color, PIPELINE_COLOR_ALWAYS);
	assert_int_equal(ao.stack_depth, 7);
	assert_true(ao.live);
	assert_false(ao.no_events);
	assert_false(ao.keep_exited);

	PARSE(&o, "-q");
	config_pipeline_opts(&o, &ao);
	assert_null(ao.log_path);
	assert_int_equal(ao.stack_depth, SW_DEFAULT_STACK_DEPTH);
	assert_int_equal(ao.rotate_keep, SW_DEFAULT_ROTATE_KEEP);
}

/* Exited processes are remembered for --check-state only when some are
 * traced by pid or command; system-wide, /proc is compared anyway. */
static void test_keep_exited(void **state)
{
	struct cli_trace o;
	struct pipeline_opts ao;

	PARSE(&o, "--check-state");
	config_pipeline_opts(&o, &ao);
	assert_false(ao.keep_exited);
	PARSE(&o, "--check-state", "-p", "5");
	config_pipeline_opts(&o, &ao);
	assert_true(ao.keep_exited);
	PARSE(&o, "--check-state", "--", "true");
	config_pipeline_opts(&o, &ao);
	assert_true(ao.keep_exited);
	PARSE(&o, "--", "true");
	config_pipeline_opts(&o, &ao);
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
		.shmall = 2097152,
		.shmmni = 4096,
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
	assert_int_equal(ao.shmall, 2097152);
	assert_int_equal(ao.shmmni, 4096);
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
		cmocka_unit_test(test_resolve_pids),
		cmocka_unit_test(test_resolve_user),
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

	return cmocka_run_group_tests_name("config", tests, setup_proc, teardown_proc);
}
