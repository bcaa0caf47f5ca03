// SPDX-License-Identifier: GPL-2.0
/*
 * test_rules_ids.c - removed-while-in-use and ipc-namespace-mismatch: a
 * call the kernel refused because its segment is gone or was never in the
 * caller's IPC namespace, told apart from failed-then-used's bad ids; and
 * the model keeping one segment per (namespace, id).
 */
#include "builder.h"

#define REMOVED "removed-while-in-use"
#define NSX "ipc-namespace-mismatch"
#define FTU "failed-then-used"
#define NS_A 4026532451U
#define NS_B 4026532452U
#define KEY 0x5d0a1b2c

static __u64 lookup_(__u32 pid, __s32 key, __s64 ret)
{
	return call(pid, 0, SW_SHMGET, ret, (__u64)(__s64)key, 0, 0600, 0);
}

/* Creator 800 makes segment 5 and lets it go; 900 (ipcrm) removes it. */
static __u64 removed_by_ipcrm(void)
{
	T.comm_pid = 900;
	T.comm = "ipcrm";
	start();
	shmget_(800, KEY, 64 * KiB, 5);
	shmat_(800, 0, 5, SEG_ADDR, 64 * KiB);
	shmdt_(800, 0, SEG_ADDR, 0);
	lookup_(900, KEY, 5);
	return shmctl_(900, 5, IPC_RMID_CMD, 0);
}

static void test_removed_by_outsider(void **state)
{
	const struct sw_finding *f;
	__u64 rmid = removed_by_ipcrm(), bad;

	assert_null(model_seg(T.a, 0, 5));
	assert_int_equal(T.n_findings, 0);
	bad = shmat_(800, 0, 5, -EINVAL, 0);
	assert_int_equal(count_rule(REMOVED), 1);
	assert_int_equal(count_rule(FTU), 0);
	f = find_rule(REMOVED);
	assert_int_equal(f->severity, SW_SEV_ERROR);
	assert_int_equal(f->pid, 800);
	assert_true(has_evidence(f, rmid));
	assert_true(has_evidence(f, bad));
	assert_contains(f->message, "shmat(5) failed with EINVAL: segment 5 (key 0x5d0a1b2c, 64 KiB, made by pid 800 prog800)");
	assert_contains(f->message, "removed with IPC_RMID at seq");
	assert_contains(f->message, "by pid 900 ipcrm, uid 0, which neither created nor attached it");
	/* The remover's own fix. */
	assert_string_equal(f->producer, "ipcrm");
	assert_true(f->producer_fix);
	assert_contains(f->hint, "ipcs -m -p");
	/* Once per process and removal; another victim by key. */
	shmctl_(800, 5, 2 /* IPC_STAT */, -EINVAL);
	assert_int_equal(count_rule(REMOVED), 1);
	lookup_(801, KEY, -ENOENT);
	assert_int_equal(count_rule(REMOVED), 2);
	assert_contains(T.findings[1].message, "shmget(0x5d0a1b2c) failed with ENOENT: segment 5");
	assert_int_equal(count_rule(FTU), 0);
}

/* The remover failing on what it removed is no victim of anyone. */
static void test_remover_itself(void **state)
{
	removed_by_ipcrm();
	shmat_(900, 0, 5, -EINVAL, 0);
	assert_int_equal(count_rule(REMOVED), 0);
	assert_int_equal(count_rule(FTU), 1);
	assert_contains(find_rule(FTU)->message, "which does not exist (EINVAL): it was removed with IPC_RMID at seq");
}

/* Removed by its creator, or by a process that had it attached: the
 * program's own business, failed-then-used's, saying when it went. */
static void test_removed_by_users(void **state)
{
	__u64 rmid;

	start();
	shmget_(810, IPC_PRIVATE_KEY, 4096, 7);
	rmid = shmctl_(810, 7, IPC_RMID_CMD, 0);
	shmat_(811, 0, 7, -EINVAL, 0);
	assert_int_equal(count_rule(REMOVED), 0);
	assert_int_equal(count_rule(FTU), 1);
	assert_true(has_evidence(find_rule(FTU), rmid));
	assert_contains(find_rule(FTU)->message, "by pid 810 prog810");

	/* 821 attaches, removes, detaches (the last user cleans up). */
	shmget_(820, IPC_PRIVATE_KEY, 4096, 8);
	shmat_(821, 0, 8, SEG_ADDR, 4096);
	shmctl_(821, 8, IPC_RMID_CMD, 0);
	shmdt_(821, 0, SEG_ADDR, 0);
	shmat_(820, 0, 8, -EINVAL, 0);
	assert_int_equal(count_rule(REMOVED), 0);
	assert_int_equal(count_rule(FTU), 2);
}

/* A segment removed but still attached is still there: shmat by id works
 * on Linux, and a refusal then is not the removal's. */
static void test_still_attached(void **state)
{
	T.comm_pid = 900;
	T.comm = "ipcrm";
	start();
	shmget_(830, IPC_PRIVATE_KEY, 4096, 9);
	shmat_(830, 0, 9, SEG_ADDR, 4096);
	shmctl_(900, 9, IPC_RMID_CMD, 0);
	assert_non_null(model_seg(T.a, 0, 9));
	/* SHM_REMAP without an address: EINVAL whatever the id. */
	call(831, 0, SW_SHMAT, -EINVAL, 9, 0, 040000, 0);
	assert_int_equal(T.n_findings, 0);
}

/* logind's RemoveIPC: its fix, and the finding names it. */
static void test_logind(void **state)
{
	const struct sw_finding *f;

	T.comm_pid = 1;
	T.comm = "systemd-logind";
	start();
	shmget_(840, KEY, 4096, 11);
	shmctl_(1, 11, IPC_RMID_CMD, 0);
	lookup_(840, KEY, -ENOENT);
	f = find_rule(REMOVED);
	assert_non_null(f);
	assert_string_equal(f->producer, "systemd-logind");
	assert_contains(f->hint, "RemoveIPC=no");
	assert_contains(f->message, "by pid 1 systemd-logind");
}

/* An unknown removal explains nothing: a bad key stays unexplained, and
 * an id never seen is failed-then-used's. */
static void test_nothing_remembered(void **state)
{
	start();
	lookup_(850, KEY, -ENOENT);
	shmat_(850, 0, 12, -EINVAL, 0);
	assert_int_equal(count_rule(REMOVED), 0);
	assert_int_equal(count_rule(NSX), 0);
	assert_int_equal(count_rule(FTU), 1);
	assert_lacks(find_rule(FTU)->message, "removed");
}

/* Python's cpython #82300: 700 creates /dev/shm/psm_0badf00d; 710
 * attaches it by name and exits, and 710's resource tracker (720)
 * unlinks it; 730 then fails to attach it. */
#define PSM "/dev/shm/psm_0badf00d"
static const char tracker_argv[] =
	"/usr/bin/python3\0-c\0from multiprocessing.resource_tracker import main;main(5)";

static __u64 unlinked_by_tracker(void)
{
	T.comm_pid = 720;
	T.comm = "python3";
	start();
	shm_open_(700, PSM, 61);
	shm_truncate(700, 61, 1 * MiB);
	shm_map(700, SEG_ADDR, 1 * MiB, 61, 1 * MiB);
	shm_map(710, SEG_ADDR, 1 * MiB, 61, 1 * MiB);
	fork_(710, 720, false);
	exec_argv(720, "/usr/bin/python3", tracker_argv, sizeof(tracker_argv));
	munmap_(710, SEG_ADDR, 1 * MiB, 0);
	exit_(710);
	return unlink_(720, PSM, 0);
}

static void test_unlinked_by_resource_tracker(void **state)
{
	const struct sw_finding *f;
	__u64 gone = unlinked_by_tracker(), bad;

	assert_int_equal(T.n_findings, 0);
	bad = open_gone(730, PSM);
	assert_int_equal(count_rule(REMOVED), 1);
	f = find_rule(REMOVED);
	assert_int_equal(f->pid, 730);
	assert_true(has_evidence(f, gone));
	assert_true(has_evidence(f, bad));
	assert_contains(f->message, "openat(" PSM ") failed with ENOENT: " PSM " (1.0 MiB, made by pid 700 prog700) was unlinked at seq");
	assert_contains(f->message, "by pid 720 python3, uid 0, /usr/bin/python3 -c from multiprocessing.resource_tracker import main;main(5), which neither created nor mapped it");
	assert_string_equal(f->producer, "Python resource tracker");
	assert_contains(f->hint, "track=False");
	/* Once per victim and removal; the creator is a victim too. */
	open_gone(730, PSM);
	assert_int_equal(count_rule(REMOVED), 1);
	open_gone(700, PSM);
	assert_int_equal(count_rule(REMOVED), 2);
}

/* Unlinked by its creator, or by a process that maps it: the program's
 * own protocol, whoever opens the name afterwards. */
static void test_unlinked_by_users(void **state)
{
	start();
	shm_open_(740, "/dev/shm/a", 62);
	unlink_(740, "/dev/shm/a", 0);
	open_gone(741, "/dev/shm/a");
	shm_open_(750, "/dev/shm/b", 63);
	shm_truncate(750, 63, 4096);
	shm_map(751, SEG_ADDR, 4096, 63, 4096);
	unlink_(751, "/dev/shm/b", 0);
	open_gone(752, "/dev/shm/b");
	assert_int_equal(T.n_findings, 0);
}

/* A file that was there before the trace (seeded from the inventory):
 * its creator is not known, so an unlink is an outsider's only when the
 * remover maps nothing of it while another process maps it. */
static void seed_psm(void)
{
	struct sw_seed_object so = { .dev = SHM_DEV, .ino = 64, .backing = SW_BK_SHMEM_FILE,
				     .path = PSM, .size = 2 * MiB, .alloc = 2 * MiB,
				     .fs_used = 2 * MiB, .fs_size = 64 * MiB };

	analyzer__seed_object(T.a, &so);
}

static void test_seeded_object_unlinked_under_its_user(void **state)
{
	const struct sw_finding *f;
	__u64 gone, bad;

	start();
	seed_psm();
	shm_map(760, SEG_ADDR, 2 * MiB, 64, 2 * MiB);
	gone = unlink_(761, PSM, 0);
	bad = open_gone(762, PSM);
	assert_int_equal(count_rule(REMOVED), 1);
	f = find_rule(REMOVED);
	assert_true(has_evidence(f, gone));
	assert_true(has_evidence(f, bad));
	assert_contains(f->message, "openat(" PSM ") failed with ENOENT: " PSM " (2.0 MiB, there before the trace) was unlinked at seq");
	assert_contains(f->message, "by pid 761 prog761, uid 0, which did not map it while pid 760 prog760 did");
}

/* Its twin: nobody mapped it when it went (a cleanup of a file nobody
 * used), or the remover mapped it itself. */
static void test_seeded_object_unlinked_unused(void **state)
{
	start();
	seed_psm();
	unlink_(761, PSM, 0);
	open_gone(762, PSM);
	seed_psm();
	shm_map(763, SEG_ADDR, 2 * MiB, 64, 2 * MiB);
	unlink_(763, PSM, 0);
	open_gone(762, PSM);
	assert_int_equal(T.n_findings, 0);
}

/* Another mount namespace's /dev/shm (a container's) is another
 * directory: the same name unlinked there explains nothing here; nor
 * does a name created again since, nor one never seen. */
static void test_unlinked_elsewhere(void **state)
{
	start();
	T.mnt_ns = 4026532600U;
	shm_open_(760, "/dev/shm/c", 64);
	unlink_(761, "/dev/shm/c", 0);
	T.mnt_ns = 0;
	open_gone(762, "/dev/shm/c");
	assert_int_equal(T.n_findings, 0);
	T.mnt_ns = 4026532600U;
	shm_open_(763, "/dev/shm/c", 65);
	open_gone(764, "/dev/shm/c");
	assert_int_equal(T.n_findings, 0);
	open_gone(764, "/dev/shm/never");
	assert_int_equal(T.n_findings, 0);
	/* The first removal still explains an open in its namespace. */
	unlink_(761, "/dev/shm/c", 0);
	open_gone(764, "/dev/shm/c");
	assert_int_equal(count_rule(REMOVED), 1);
	assert_lacks(T.findings[0].message, "resource_tracker");
	assert_null(T.findings[0].producer);
}

/* A container's client hands the host's X server an id of its own
 * namespace. */
static void test_namespace_mismatch(void **state)
{
	const struct sw_finding *f;
	__u64 made, bad;

	T.comm_pid = 861;
	T.comm = "Xorg";
	start();
	T.ipc_ns = NS_A;
	made = shmget_(860, IPC_PRIVATE_KEY, 3 * MiB, 0);
	shmat_(860, 0, 0, SEG_ADDR, 3 * MiB);
	T.ipc_ns = 0;
	bad = shmat_(861, 0, 0, -EINVAL, 0);
	assert_int_equal(count_rule(NSX), 1);
	assert_int_equal(count_rule(FTU), 0);
	f = find_rule(NSX);
	assert_int_equal(f->pid, 861);
	assert_true(has_evidence(f, made));
	assert_true(has_evidence(f, bad));
	assert_contains(f->message, "shmat(0) failed with EINVAL in the initial IPC namespace: no segment 0 there, but segment 0 (3.0 MiB, made by pid 860 prog860) lives in IPC namespace ipc:[4026532451]");
	/* The X server's own fix. */
	assert_string_equal(f->producer, "MIT-SHM");
	assert_contains(f->hint, "--ipc=host");
	/* Nothing was attached on the host's side. */
	assert_null(model_seg(T.a, 0, 0));
}

/* An id the caller's namespace had and removed is its own stale id. */
static void test_own_stale_id_is_no_mismatch(void **state)
{
	start();
	shmget_(870, IPC_PRIVATE_KEY, 4096, 0);
	shmctl_(870, 0, IPC_RMID_CMD, 0);
	T.ipc_ns = NS_A;
	shmget_(871, IPC_PRIVATE_KEY, 4096, 0);
	T.ipc_ns = 0;
	shmat_(870, 0, 0, -EINVAL, 0);
	assert_int_equal(count_rule(NSX), 0);
	assert_int_equal(count_rule(FTU), 1);
}

/* Two namespaces number their first segments 0 alike: two segments, each
 * used and removed in its own; one left behind in B is B's leak. */
static void test_same_id_two_namespaces(void **state)
{
	const struct sw_finding *f;

	start();
	T.ipc_ns = NS_A;
	shmget_(880, IPC_PRIVATE_KEY, 4096, 0);
	shmat_(880, 0, 0, SEG_ADDR, 4096);
	T.ipc_ns = NS_B;
	shmget_(890, IPC_PRIVATE_KEY, 8192, 0);
	shmat_(890, 0, 0, SEG_ADDR, 8192);
	assert_int_equal(model_seg(T.a, NS_A, 0)->size, 4096);
	assert_int_equal(model_seg(T.a, NS_B, 0)->size, 8192);
	assert_null(model_seg(T.a, 0, 0));
	/* A's removal does not touch B's segment. */
	T.ipc_ns = NS_A;
	shmctl_(880, 0, IPC_RMID_CMD, 0);
	shmdt_(880, 0, SEG_ADDR, 0);
	exit_(880);
	assert_null(model_seg(T.a, NS_A, 0));
	assert_non_null(model_seg(T.a, NS_B, 0));
	assert_int_equal(model_seg(T.a, NS_B, 0)->nattch, 1);
	T.ipc_ns = NS_B;
	shmdt_(890, 0, SEG_ADDR, 0);
	exit_(890);
	assert_int_equal(T.n_findings, 1);
	f = find_rule("segment-leak");
	assert_non_null(f);
	assert_int_equal(f->pid, 890);
	assert_contains(f->message, "segment 0 (IPC_PRIVATE, 8.0 KiB, IPC namespace ipc:[4026532452])");
	assert_contains(f->message, "as long as its namespace lives");
}

/* A shmget refused in a container's namespace: its segments counted, no
 * value of shmwatch's own namespace quoted. */
static void test_limits_of_another_namespace(void **state)
{
	const struct sw_finding *f;

	T.opts.shmmni = 4;
	T.opts.shmall = 1ULL << 40;
	start();
	for (int i = 0; i < 4; i++)
		shmget_(895, IPC_PRIVATE_KEY, 4096, 100 + i);
	T.ipc_ns = NS_A;
	shmget_(896, IPC_PRIVATE_KEY, 4096, 0);
	shmget_(896, IPC_PRIVATE_KEY, 4096, -ENOSPC);
	f = find_rule("shm-limit-reached");
	assert_non_null(f);
	assert_contains(f->message, "of its IPC namespace ipc:[4026532451] reached: at least 4.0 KiB in 1 segment in use");
	assert_contains(f->message, "nsenter --ipc --target 896 ipcs -m -l");
	assert_lacks(f->message, "kernel.shmmni (4)");
}

#define T_(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T_(test_removed_by_outsider),
		T_(test_remover_itself),
		T_(test_removed_by_users),
		T_(test_still_attached),
		T_(test_logind),
		T_(test_nothing_remembered),
		T_(test_unlinked_by_resource_tracker),
		T_(test_unlinked_by_users),
		T_(test_seeded_object_unlinked_under_its_user),
		T_(test_seeded_object_unlinked_unused),
		T_(test_unlinked_elsewhere),
		T_(test_namespace_mismatch),
		T_(test_own_stale_id_is_no_mismatch),
		T_(test_same_id_two_namespaces),
		T_(test_limits_of_another_namespace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
