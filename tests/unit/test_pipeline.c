// SPDX-License-Identifier: GPL-2.0
/*
 * test_pipeline.c - the record pipeline (user/pipeline.c) as `analyze` drives it:
 * the frames a log gave an event reach the sinks as they were, and the
 * finding that event completes names the same frames; an event without
 * known frames reaches them with its addresses only.  The NDJSON log the
 * pipeline writes is read back as text.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "pipeline.h"
#include "log/logread.h"

struct state {
	char dir[64];
	char log[128];
	char text[65536];
	int saved_stdout;
};

static int setup(void **pstate)
{
	struct state *st = calloc(1, sizeof(*st));

	if (!st)
		return -1;
	strcpy(st->dir, "/tmp/test_app.XXXXXX");
	if (!mkdtemp(st->dir)) {
		free(st);
		return -1;
	}
	snprintf(st->log, sizeof(st->log), "%s/log.json", st->dir);
	st->saved_stdout = -1;
	*pstate = st;
	return 0;
}

static int teardown(void **pstate)
{
	struct state *st = *pstate;

	if (st->saved_stdout >= 0) {
		dup2(st->saved_stdout, STDOUT_FILENO);
		close(st->saved_stdout);
	}
	unlink(st->log);
	rmdir(st->dir);
	free(st);
	return 0;
}

/* The text view goes to standard output: not into the test's. */
static void quiet_stdout(struct state *st)
{
	int null = open("/dev/null", O_WRONLY);

	assert_true(null >= 0);
	fflush(stdout);
	st->saved_stdout = dup(STDOUT_FILENO);
	dup2(null, STDOUT_FILENO);
	close(null);
}

static struct pipeline *replay_pipeline(struct state *st)
{
	struct pipeline_opts o = {.log_path = st->log, .quiet = true};
	struct sw_header h;
	char err[256];
	struct pipeline *pl;

	logread_default_header(&h);
	h.mode = "analyze";
	h.tool_version = SHMWATCH_VERSION;
	quiet_stdout(st);
	pl = pipeline__new(&o, &h, err, sizeof(err));
	if (!pl)
		fail_msg("pipeline__new: %s", err);
	assert_int_equal(pipeline__publish(pl), 0);
	return pl;
}

static const char *log_text(struct state *st, struct pipeline *pl)
{
	FILE *f;
	size_t n;

	pipeline__finish(pl);
	assert_int_equal(pipeline__free(pl), 0);
	f = fopen(st->log, "r");
	assert_non_null(f);
	n = fread(st->text, 1, sizeof(st->text) - 1, f);
	st->text[n] = '\0';
	fclose(f);
	return st->text;
}

/* A shmget of 2 TiB that failed: an oversized-request finding at once,
 * whose site is the call's own stack. */
static void oversized_shmget(struct sw_event *e)
{
	memset(e, 0, sizeof(*e));
	e->kind = SW_EV_CALL;
	e->call = SW_SHMGET;
	e->ts_ns = 1000;
	e->pid = e->tid = 100;
	e->seq = 1;
	strcpy(e->comm, "app");
	e->c.args[1] = 1ULL << 41;
	e->c.args[2] = 01000 | 0600;
	e->c.ret = -ENOMEM;
	e->n_frames = 2;
	e->stack[0] = 0x1000;
	e->stack[1] = 0x2000;
}

#define FRAMES_JSON                                                                                \
	"[{\"ip\":4096,\"module\":\"/usr/lib/libc.so.6\",\"function\":\"shmget\",\"offset\":8,"    \
	"\"file\":\"shmget.c\",\"line\":30},{\"ip\":8192,\"module\":\"/usr/bin/app\","             \
	"\"function\":\"main\",\"offset\":16,\"file\":null,\"line\":null}]"

static void count_lines_with(const char *text, const char *a, const char *b, int want)
{
	int n = 0;

	for (const char *l = text; *l;) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		char line[8192];

		snprintf(line, sizeof(line), "%.*s", (int)len, l);
		n += strstr(line, a) && strstr(line, b);
		l += len + (nl != NULL);
	}
	if (n != want)
		fail_msg("%d lines with %s and %s, expected %d, in:\n%s", n, a, b, want, text);
}

static void test_logged_frames_reach_event_and_finding(void **pstate)
{
	struct state *st = *pstate;
	const struct sw_frame frames[] = {
	    {.ip = 0x1000,
	     .module = "/usr/lib/libc.so.6",
	     .function = "shmget",
	     .offset = 8,
	     .file = "shmget.c",
	     .line = 30},
	    {.ip = 0x2000, .module = "/usr/bin/app", .function = "main", .offset = 16},
	};
	struct pipeline *pl = replay_pipeline(st);
	struct sw_event e;
	const char *text;

	oversized_shmget(&e);
	pipeline__replay_event(pl, &e, frames);
	text = log_text(st, pl);
	count_lines_with(text, "\"type\":\"event\"", "\"stack\":" FRAMES_JSON, 1);
	count_lines_with(text, "\"rule\":\"oversized-request\"", "\"stack\":" FRAMES_JSON, 1);
}

static void test_unknown_frames_keep_their_addresses(void **pstate)
{
	struct state *st = *pstate;
	struct pipeline *pl = replay_pipeline(st);
	struct sw_event e;
	const char *text;

	oversized_shmget(&e);
	pipeline__event(pl, &e);
	text = log_text(st, pl);
	count_lines_with(
	    text, "\"type\":\"event\"",
	    "\"stack\":[{\"ip\":4096,\"module\":null,\"function\":null,\"offset\":null,"
	    "\"file\":null,\"line\":null},{\"ip\":8192,",
	    1);
	count_lines_with(text, "\"rule\":\"oversized-request\"", "\"stack\":[{\"ip\":4096,", 1);
}

/* A file created on the tmpfs dev and sized to size, by pid of cgroup. */
static void replay_create(struct pipeline *pl, __u64 seq, __u32 pid, __u64 cgroup, __u32 dev,
			  __u64 ino, const char *path, __u64 size)
{
	struct sw_event e = {
		.kind = SW_EV_CALL,
		.call = SW_FTRUNCATE,
		.ts_ns = 1000 + seq,
		.pid = pid,
		.tid = pid,
		.cgroup_id = cgroup,
		.seq = seq,
	};

	strcpy(e.comm, "app");
	e.c.args[1] = size;
	e.c.shmid = -1;
	e.c.dev = dev;
	e.c.ino = ino;
	e.c.backing = SW_BK_SHMEM_FILE;
	e.c.created = 1;
	e.c.seg_size = size;
	e.c.fs_used = size;
	e.c.fs_size = 8 << 20;
	snprintf(e.c.name, sizeof(e.c.name), "%s", path);
	pipeline__replay_event(pl, &e, NULL);
	/* A shared mapping of it: its creator gets a summary. */
	e.call = SW_MMAP;
	e.seq = seq + 1;
	e.ts_ns++;
	e.c.ret = 0x7f0000000000 + (__s64)(ino << 24);
	e.c.args[1] = size;
	e.c.args[2] = 3;
	e.c.args[3] = 1; /* MAP_SHARED */
	e.c.map_size = size;
	e.c.created = 0;
	pipeline__replay_event(pl, &e, NULL);
}

#define CTR_ID "9f7e0129c3a4e1b29f7e0129c3a4e1b29f7e0129c3a4e1b29f7e0129c3a4e1b2"

/* The record of type whose line has member in it names the container
 * name, or (name NULL) none. */
static void assert_named(const char *text, const char *type, const char *member, const char *name)
{
	char want_type[64], want_name[128];

	snprintf(want_type, sizeof(want_type), "\"type\":\"%s\"", type);
	snprintf(want_name, sizeof(want_name),
		 "\"container\":{\"runtime\":\"podman\",\"id\":\"" CTR_ID "\",\"name\":\"%s\"}",
		 name ? name : "");
	for (const char *l = text; *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		char line[8192];

		snprintf(line, sizeof(line), "%.*s", (int)n, l);
		l += n + (nl != NULL);
		if (!strstr(line, want_type) || !strstr(line, member))
			continue;
		if (name ? !strstr(line, want_name) : !!strstr(line, "\"container\""))
			fail_msg("%s %s: not named %s: %s", type, member, name ? name : "(none)", line);
		return;
	}
	fail_msg("no %s record with %s in:\n%s", type, member, text);
}

/*
 * A container's /dev/shm is named after the container in its tmpfs
 * records, from the container the replayed events named, and so are its
 * processes' summaries; the host's /dev/shm, and a container's mount the
 * host used too, are not.
 */
static void test_usage_and_summary_name_the_container(void **pstate)
{
	struct state *st = *pstate;
	struct container_info ci = {
	    .ref = {.runtime = CONTAINER_RT_PODMAN, .id = CTR_ID},
	    .names = {.name = "web-1"},
	};
	struct pipeline *pl = replay_pipeline(st);
	const char *text;

	pipeline__replay_container(pl, 501, &ci);
	replay_create(pl, 1, 100, 501, 63, 11, "/dev/shm/a", 4 << 20);
	replay_create(pl, 3, 200, 17, 27, 12, "/dev/shm/h", 1 << 20);
	replay_create(pl, 5, 100, 501, 64, 13, "/dev/shm/s", 1 << 20);
	replay_create(pl, 7, 200, 17, 64, 14, "/dev/shm/t", 1 << 20);
	text = log_text(st, pl);
	assert_named(text, "tmpfs", "\"dev\":63,", "web-1");
	assert_named(text, "tmpfs", "\"peak_used\":4194304,", "web-1");
	assert_named(text, "tmpfs", "\"dev\":27,", NULL);
	assert_named(text, "tmpfs", "\"dev\":64,", NULL);
	assert_named(text, "summary", "\"pid\":100,", "web-1");
	assert_named(text, "summary", "\"pid\":200,", NULL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_logged_frames_reach_event_and_finding),
	    T(test_unknown_frames_keep_their_addresses),
	    T(test_usage_and_summary_name_the_container),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
