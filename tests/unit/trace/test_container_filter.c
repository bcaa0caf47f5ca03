// SPDX-License-Identifier: GPL-2.0
/*
 * test_container_filter.c - --container's cgroup set, on a cgroup tree,
 * a /proc and a podman state of the test's own: the scan puts in the
 * selected container's cgroups (its sub-cgroups too) and nothing else; a
 * cgroup made while tracing is told from its record's path, by name, so
 * a container made again under the same name is in and another is out;
 * a cut path or a lost record is told from /proc, checked against the
 * cgroup's id; the cgroup v2 mount is found in mountinfo.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "../fakeproc.h"
#include "trace/container_filter.h"

#define WEB "1111111111111111111111111111111111111111111111111111111111111111"
#define WEB2 "2222222222222222222222222222222222222222222222222222222222222222"
#define DB "3333333333333333333333333333333333333333333333333333333333333333"

static char root[256], cg[300], proc[300];

/* What the filter told the kernel, and the pipeline. */
struct seen {
	__u64 ids[16];
	enum capture_cgroup how[16];
	int n;
	int learnt;
	char learnt_name[64];
};

static int set(void *ctx, __u64 id, enum capture_cgroup how)
{
	struct seen *s = ctx;

	assert_true(s->n < 16);
	s->ids[s->n] = id;
	s->how[s->n++] = how;
	return 0;
}

static void learnt(void *ctx, __u64 id, const struct container_info *ci)
{
	struct seen *s = ctx;

	s->learnt++;
	strcpy(s->learnt_name, ci->names.name);
}

static void mkdirs(const char *rel)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/%s'", root, rel);
	assert_int_equal(system(cmd), 0);
}

static __u64 ino_of(const char *rel)
{
	char path[600];
	struct stat st;

	snprintf(path, sizeof(path), "%s/cg%s", root, rel);
	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

static int setup(void **state)
{
	snprintf(root, sizeof(root), "/tmp/shmwatch-cfilter-XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(cg, sizeof(cg), "%s/cg", root);
	snprintf(proc, sizeof(proc), "%s/proc", root);
	mkdirs("cg/user.slice/session-1.scope");
	mkdirs("cg/libpod_parent/libpod-" WEB "/container");
	mkdirs("cg/libpod_parent/libpod-" DB);
	mkdirs("cg/libpod_parent/conmon");
	mkdirs("proc/self");
	mkdirs("proc/10");
	mkdirs("var/lib/containers/storage/overlay-containers");
	fakeproc_write(root, "var/lib/containers/storage/overlay-containers/containers.json",
		       "[{\"id\":\"" WEB "\",\"names\":[\"web-1\"],\"image\":\"i\"},"
		       "{\"id\":\"" WEB2 "\",\"names\":[\"web-1\"],\"image\":\"i\"},"
		       "{\"id\":\"" DB "\",\"names\":[\"db\"],\"image\":\"i\"}]");
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static struct container_filter *filter(const char *sel, struct seen *s)
{
	struct container_filter_ops ops = { .set = set, .learnt = learnt, .ctx = s };
	struct container_filter *f = container_filter__new(sel, proc, root, cg, &ops);

	assert_non_null(f);
	return f;
}

static void test_scan_by_name(void **state)
{
	struct seen s = { 0 };
	struct container_filter *f = filter("web-1", &s);

	assert_int_equal(container_filter__scan(f), 2);
	assert_int_equal(s.n, 2);
	for (int i = 0; i < 2; i++)
		assert_int_equal(s.how[i], CAPTURE_CGROUP_ADD);
	assert_true((s.ids[0] == ino_of("/libpod_parent/libpod-" WEB) &&
		     s.ids[1] == ino_of("/libpod_parent/libpod-" WEB "/container")) ||
		    (s.ids[1] == ino_of("/libpod_parent/libpod-" WEB) &&
		     s.ids[0] == ino_of("/libpod_parent/libpod-" WEB "/container")));
	assert_int_equal(s.learnt, 2);
	assert_string_equal(s.learnt_name, "web-1");
	assert_int_equal(container_filter__cgroups(f), 2);
	container_filter__free(f);
}

static void test_scan_by_id_and_host(void **state)
{
	struct seen s = { 0 };
	struct container_filter *f = filter("3333", &s);

	assert_int_equal(container_filter__scan(f), 1);
	assert_int_equal(s.ids[0], ino_of("/libpod_parent/libpod-" DB));
	container_filter__free(f);
	/* The host: the root and every cgroup of no container (conmon is
	 * podman's monitor, not a container). */
	memset(&s, 0, sizeof(s));
	f = filter("host", &s);
	assert_int_equal(container_filter__scan(f), 5); /* /, user.slice, session, libpod_parent, conmon */
	assert_int_equal(s.learnt, 0);
	container_filter__free(f);
}

static struct sw_event cgroup_rec(__u64 id, const char *path)
{
	struct sw_event e = { .kind = SW_REC_CGROUP };

	e.cg.id = id;
	snprintf(e.cgroup_path, sizeof(e.cgroup_path), "%s", path);
	e.cg.path_len = strlen(e.cgroup_path);
	return e;
}

static struct sw_event call_in(__u64 cgroup_id, __u32 pid)
{
	struct sw_event e = { .kind = SW_EV_CALL, .call = SW_MMAP, .cgroup_id = cgroup_id, .pid = pid };

	return e;
}

static void test_made_while_tracing(void **state)
{
	struct seen s = { 0 };
	struct container_filter *f = filter("web-1", &s);
	struct sw_event again = cgroup_rec(500, "/libpod_parent/libpod-" WEB2);
	struct sw_event other = cgroup_rec(501, "/libpod_parent/libpod-" DB);
	struct sw_event host = cgroup_rec(502, "/user.slice/session-2.scope");
	struct sw_event e;

	assert_false(container_filter__admit(f, &again)); /* taken, not handed on */
	assert_false(container_filter__admit(f, &other));
	assert_false(container_filter__admit(f, &host));
	assert_int_equal(s.n, 3);
	assert_int_equal(s.ids[0], 500);
	assert_int_equal(s.how[0], CAPTURE_CGROUP_CONFIRM);
	assert_int_equal(s.how[1], CAPTURE_CGROUP_DROP);
	assert_int_equal(s.how[2], CAPTURE_CGROUP_DROP);
	assert_int_equal(s.learnt, 1);
	e = call_in(500, 77);
	assert_true(container_filter__admit(f, &e));
	e = call_in(501, 77);
	assert_false(container_filter__admit(f, &e)); /* in flight before the drop */
	e = call_in(502, 77);
	assert_false(container_filter__admit(f, &e));
	assert_int_equal(s.n, 3); /* nothing asked of /proc */
	assert_int_equal(container_filter__untold(f), 0);
	container_filter__free(f);
}

static void test_untold_from_proc(void **state)
{
	struct seen s = { 0 };
	struct container_filter *f = filter("web-1", &s);
	__u64 web = ino_of("/libpod_parent/libpod-" WEB);
	struct sw_event cut = cgroup_rec(web, "/libpod_parent/libpod-" WEB);
	struct sw_event e;

	/* A record whose path may be cut tells nothing. */
	cut.cg.path_len = SW_CGROUP_PATH_LEN - 1;
	assert_false(container_filter__admit(f, &cut));
	assert_int_equal(s.n, 0);
	/* Its first event: /proc says, and the directory is that id's. */
	fakeproc_write(root, "proc/10/cgroup",
		       "4:memory:/libpod_parent/libpod-" WEB "\n0::/libpod_parent/libpod-" WEB "\n");
	e = call_in(web, 10);
	assert_true(container_filter__admit(f, &e));
	assert_int_equal(s.n, 1);
	assert_int_equal(s.how[0], CAPTURE_CGROUP_CONFIRM);
	/* /proc names a directory that is not the event's cgroup: the
	 * process moved; nothing is told, the event is left out. */
	e = call_in(web + 1000, 10);
	assert_false(container_filter__admit(f, &e));
	/* Gone before it was read. */
	e = call_in(web + 2000, 11);
	assert_false(container_filter__admit(f, &e));
	assert_int_equal(container_filter__untold(f), 2);
	/* A mapping record always goes on: only recorded processes send one. */
	e.kind = SW_REC_MAPPING;
	assert_true(container_filter__admit(f, &e));
	container_filter__free(f);
}

static void test_cgroup2_mount_point(void **state)
{
	char buf[256];

	fakeproc_write(root, "proc/self/mountinfo",
		       "25 1 0:23 / /sys rw - sysfs sysfs rw\n"
		       "40 31 0:37 /sub /elsewhere rw - cgroup2 cgroup2 rw\n"
		       "41 31 0:38 / /sys/fs/cgroup/uni\\040fied rw,relatime - cgroup2 cgroup2 rw\n");
	assert_int_equal(cgroup2_mount_point(proc, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/sys/fs/cgroup/uni fied");
	assert_int_equal(cgroup2_mount_point(proc, buf, 8), -ENAMETOOLONG);
	fakeproc_write(root, "proc/self/mountinfo", "25 1 0:23 / /sys rw - sysfs sysfs rw\n");
	assert_int_equal(cgroup2_mount_point(proc, buf, sizeof(buf)), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_scan_by_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_by_id_and_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_made_while_tracing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_untold_from_proc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cgroup2_mount_point, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
