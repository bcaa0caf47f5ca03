// SPDX-License-Identifier: GPL-2.0
/*
 * test_container_cache.c - the container of each cgroup id, learnt once
 * from the first process seen in it (a /proc of the test's own), never
 * from cgroup id 0, asked again of the next process when the first was
 * gone; the host's entries forgotten past a bound while a container's
 * stay where the sinks point; and what a log says of a cgroup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "../fakeproc.h"
#include "lib/container_cache.h"

#define ID "99884d358da9d8a32f38433f61af229a3f76b16e144f4398d8b440f89d036432"

static char root[256];

static void mkpid(unsigned int pid, const char *cgroup)
{
	char path[300], rel[64];

	snprintf(path, sizeof(path), "%s/%u", root, pid);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(rel, sizeof(rel), "%u/cgroup", pid);
	fakeproc_write(root, rel, cgroup);
}

static int setup(void **state)
{
	snprintf(root, sizeof(root), "/tmp/shmwatch-ccache-XXXXXX");
	assert_non_null(mkdtemp(root));
	mkpid(10, "0::/libpod_parent/libpod-" ID "\n");
	mkpid(20, "0::/user.slice/user-0.slice/session-1.scope\n");
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void test_learnt_once_per_cgroup(void **state)
{
	struct container_cache *cc = container_cache__new(root, root);
	const struct container_info *a, *b;

	assert_non_null(cc);
	a = container_cache__lookup(cc, 1000, 10);
	assert_non_null(a);
	assert_int_equal(a->ref.runtime, CONTAINER_RT_PODMAN);
	assert_string_equal(a->ref.id, ID);
	/* Once known, the pid does not matter (nor exist): the same info. */
	b = container_cache__lookup(cc, 1000, 99999);
	assert_ptr_equal(a, b);
	assert_null(container_cache__lookup(cc, 2000, 20)); /* the host */
	assert_null(container_cache__lookup(cc, 0, 10));    /* id 0: not known */
	/* Gone before it was read: the next process of the cgroup tells. */
	assert_null(container_cache__lookup(cc, 3000, 30));
	assert_null(container_cache__lookup(cc, 3000, 30));
	mkpid(31, "0::/docker/" ID "\n");
	a = container_cache__lookup(cc, 3000, 31);
	assert_non_null(a);
	assert_int_equal(a->ref.runtime, CONTAINER_RT_DOCKER);
	container_cache__free(cc);
}

/* Many host cgroups come and go; a container's info stays put. */
static void test_host_entries_bounded(void **state)
{
	struct container_cache *cc = container_cache__new(root, root);
	const struct container_info *a = container_cache__lookup(cc, 1, 10);

	assert_non_null(a);
	for (__u64 id = 2; id < 20000; id++)
		assert_null(container_cache__lookup(cc, id, 20));
	assert_ptr_equal(container_cache__lookup(cc, 1, 0), a);
	assert_string_equal(a->ref.id, ID);
	container_cache__free(cc);
}

/* From a saved log: no /proc, what the log said, and names for the view. */
static void test_from_a_log(void **state)
{
	struct container_cache *cc = container_cache__new(NULL, "");
	struct container_info ci = { .ref = { .runtime = CONTAINER_RT_PODMAN } };
	char name[128];

	assert_null(container_cache__lookup(cc, 5, 10));
	snprintf(ci.ref.id, sizeof(ci.ref.id), "%s", ID);
	snprintf(ci.names.name, sizeof(ci.names.name), "web\033-1");
	assert_int_equal(container_cache__set(cc, 5, &ci), 0);
	assert_string_equal(container_cache__lookup(cc, 5, 0)->names.name, "web\033-1");
	/* Terminal-safe. */
	assert_string_equal(container_info_name(container_cache__lookup(cc, 5, 0), name,
						sizeof(name)), "web\\x1b-1");
	ci.names.name[0] = '\0';
	assert_string_equal(container_info_name(&ci, name, sizeof(name)), "podman:99884d358da9");
	container_cache__free(cc);
}

/* --container: ids and pod UIDs by prefix, names whole. */
static void test_selector_matches(void **state)
{
	struct container_info web = { .ref = { .runtime = CONTAINER_RT_PODMAN, .id = ID } };
	struct container_info pod = {
		.ref = { .runtime = CONTAINER_RT_CONTAINERD, .kubernetes = true, .id = ID,
			 .pod_uid = "0b1f3c4e-5a6d-4e7f-8a9b-0c1d2e3f4a5b" },
	};

	strcpy(web.names.name, "web-1");
	strcpy(pod.names.pod_name, "loader-7");
	strcpy(pod.names.pod_namespace, "ml");
	strcpy(pod.names.k8s_container, "worker");
	assert_true(container_info_matches(&web, "web-1"));
	assert_true(container_info_matches(&web, "99884d358da9"));
	assert_true(container_info_matches(&web, ID));
	assert_false(container_info_matches(&web, "web"));   /* no name prefix */
	assert_false(container_info_matches(&web, "web-1x"));
	assert_false(container_info_matches(&web, "host"));
	assert_false(container_info_matches(&web, ""));
	assert_true(container_info_matches(NULL, "host"));
	assert_false(container_info_matches(NULL, "web-1"));
	assert_true(container_info_matches(&pod, "loader-7"));
	assert_true(container_info_matches(&pod, "ml/loader-7"));
	assert_true(container_info_matches(&pod, "loader-7/worker"));
	assert_true(container_info_matches(&pod, "0b1f3c4e"));
	assert_false(container_info_matches(&pod, "ml/loader"));
	assert_false(container_info_matches(&pod, "loader-7/"));
	assert_false(container_info_matches(&pod, "/worker"));
	assert_false(container_info_matches(&pod, "worker"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_learnt_once_per_cgroup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_entries_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_from_a_log, setup, teardown),
		cmocka_unit_test(test_selector_matches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
