// SPDX-License-Identifier: GPL-2.0
/*
 * test_rules_objects.c - drive the analyzer with synthetic event sequences:
 * shm-object-leak, the rule about tmpfs files and memfds left behind,
 * and the stacks its findings carry.
 */
#include "builder.h"

/* ---- shm-object-leak ---------------------------------------------------- */

static void test_objleak_creator_exits(void **state)
{
	__u64 op, tr, mp, ex;
	const struct sw_finding *f;

	start();
	op = shm_open_(3000, "/dev/shm/x", 77);
	tr = shm_truncate(3000, 77, 1 * MiB);
	mp = shm_map(3000, MAP_ADDR, 1 * MiB, 77, 1 * MiB);
	assert_int_equal(T.n_findings, 0);
	T.ts += SEC;
	ex = exit_(3000);
	assert_int_equal(T.n_findings, 1);
	f = find_rule("shm-object-leak");
	assert_non_null(f);
	assert_int_equal(f->severity, SW_SEV_WARNING);
	assert_int_equal(f->pid, 3000);
	assert_string_equal(f->comm, "prog3000");
	assert_int_equal(f->ts_ns, T.ts);
	assert_false(f->uncertain);
	assert_true(has_evidence(f, op));
	assert_true(has_evidence(f, tr));
	assert_true(has_evidence(f, mp));
	assert_true(has_evidence(f, ex));
	assert_contains(f->message, "/dev/shm/x");
	assert_contains_size(f->message, 1 * MiB);
	assert_contains(f->message, "ino 77");
	assert_contains(f->message, "never unlinked");
	assert_int_equal(summary_of(3000)->findings[SW_RULE_SHM_OBJECT_LEAK], 1);
	/* A leaked object stays in the tmpfs, and in the model. */
	assert_non_null(model_obj(T.a, SHM_DEV, 77));
	/* Once per object: a later user that maps and lets go adds nothing. */
	shm_map(3001, MAP_ADDR, 1 * MiB, 77, 1 * MiB);
	munmap_(3001, MAP_ADDR, 1 * MiB, 0);
	exit_(3001);
	assert_int_equal(count_rule("shm-object-leak"), 1);
}

static void test_objleak_clean_twins(void **state)
{
	const struct sw_finding *f;

	start();
	/* shm_unlink: unlink("/dev/shm/x") before the exit. */
	shm_open_(3100, "/dev/shm/x", 80);
	shm_truncate(3100, 80, 64 * KiB);
	shm_map(3100, MAP_ADDR, 64 * KiB, 80, 64 * KiB);
	unlink_(3100, "/dev/shm/x", 0);
	exit_(3100);
	assert_int_equal(T.n_findings, 0);
	assert_null(model_obj(T.a, SHM_DEV, 80)); /* nameless and unmapped: gone */
	/* unlinkat(AT_FDCWD, "/dev/shm/y", 0) spelled as it was created. */
	shm_open_(3101, "/dev/shm/y", 81);
	shm_map(3101, MAP_ADDR, 4096, 81, 4096);
	unlinkat_(3101, "/dev/shm/y", 0);
	exit_(3101);
	assert_int_equal(T.n_findings, 0);
	assert_null(model_obj(T.a, SHM_DEV, 81));
	/* Unlinked early, while still mapped: the usual shm_open dance. */
	shm_open_(3102, "/dev/shm/w", 82);
	shm_map(3102, MAP_ADDR, 4096, 82, 4096);
	shm_map(3103, MAP_ADDR, 4096, 82, 4096);
	unlink_(3102, "/dev/shm/w", 0);
	exit_(3102);
	munmap_(3103, MAP_ADDR, 4096, 0);
	exit_(3103);
	assert_int_equal(T.n_findings, 0);
	assert_null(model_obj(T.a, SHM_DEV, 82));
	/* A failed unlink and the unlink of another path remove nothing. */
	shm_open_(3104, "/dev/shm/z", 83);
	unlink_(3104, "/dev/shm/z", -ENOENT);
	unlink_(3104, "/dev/shm/zz", 0);
	unlinkat_(3104, "/dev/shm/z", -EACCES);
	exit_(3104);
	assert_int_equal(count_rule("shm-object-leak"), 1);
	f = find_rule("shm-object-leak");
	assert_int_equal(f->pid, 3104);
	assert_contains(f->message, "/dev/shm/z ");
}

/* The fd went over a socket: B maps the object A created, without fork.
 * B may know the name too: decided when B, unmapped, exits. */
static void test_objleak_handover_munmap(void **state)
{
	__u64 op, ex, bex, moved = 0x7f3000000000ULL;
	const struct sw_finding *f;

	start();
	op = shm_open_(3200, "/dev/shm/ring", 90);
	shm_truncate(3200, 90, 2 * MiB);
	shm_map(3200, MAP_ADDR, 2 * MiB, 90, 2 * MiB);
	shm_map(3201, MAP_ADDR + 0x10000000, 2 * MiB, 90, 2 * MiB);
	ex = exit_(3200);
	assert_int_equal(T.n_findings, 0); /* B still maps it */
	/* B moves its mapping, then lets go of a piece: still holds it. */
	mremap_(3201, MAP_ADDR + 0x10000000, 2 * MiB, 4 * MiB, (__s64)moved);
	assert_int_equal(T.n_findings, 0);
	munmap_(3201, moved, 4096, 0);
	assert_int_equal(T.n_findings, 0);
	/* Unmapping something else changes nothing either. */
	shared_map(3201, MAP_ADDR, 4096);
	munmap_(3201, MAP_ADDR, 4096, 0);
	assert_int_equal(T.n_findings, 0);
	munmap_(3201, moved + 4096, 4 * MiB - 4096, 0);
	assert_int_equal(T.n_findings, 0); /* B could still unlink it */
	T.ts += SEC;
	bex = exit_(3201);
	assert_int_equal(T.n_findings, 1);
	f = find_rule("shm-object-leak");
	assert_non_null(f);
	assert_int_equal(f->pid, 3200); /* the creator, not the last user */
	assert_string_equal(f->comm, "prog3200");
	assert_int_equal(f->ts_ns, T.ts);
	assert_true(has_evidence(f, op));
	assert_true(has_evidence(f, ex));
	assert_true(has_evidence(f, bex));
	assert_contains(f->message, "/dev/shm/ring");
	assert_contains_size(f->message, 2 * MiB);
	assert_int_equal(count_rule("shm-object-leak"), 1);
}

static void test_objleak_handover_exit_exec_fork(void **state)
{
	__u64 ex, fixed;
	const struct sw_finding *f;

	start();
	/* B exits instead of unmapping: decided at B's exit. */
	shm_open_(3300, "/dev/shm/a", 91);
	shm_map(3300, MAP_ADDR, 4096, 91, 4096);
	shm_map(3301, MAP_ADDR, 4096, 91, 4096);
	exit_(3300);
	assert_int_equal(T.n_findings, 0);
	ex = exit_(3301);
	assert_int_equal(T.n_findings, 1);
	f = &T.findings[0];
	assert_string_equal(f->rule, "shm-object-leak");
	assert_int_equal(f->pid, 3300);
	assert_true(has_evidence(f, ex));
	assert_contains(f->message, "/dev/shm/a");
	/* C execs: its new image maps nothing, but C may still know the
	 * name (in its arguments, say): decided at C's exit. */
	shm_open_(3310, "/dev/shm/b", 92);
	shm_map(3311, MAP_ADDR, 4096, 92, 4096);
	exit_(3310);
	assert_int_equal(T.n_findings, 1);
	exec_(3311);
	assert_int_equal(T.n_findings, 1);
	ex = exit_(3311);
	assert_int_equal(T.n_findings, 2);
	f = &T.findings[1];
	assert_int_equal(f->pid, 3310);
	assert_true(has_evidence(f, ex));
	assert_contains(f->message, "/dev/shm/b");
	/* D maps something private over it with MAP_FIXED, then exits. */
	shm_open_(3320, "/dev/shm/c", 93);
	shm_map(3321, MAP_ADDR, 4096, 93, 4096);
	exit_(3320);
	fixed = mmap_(3321, 0, 4096, PROT_RW, MAP_PRIVATE_FLAG | MAP_ANON_FLAG, MAP_ADDR,
		      SW_BK_ANON_PRIVATE);
	assert_int_equal(T.n_findings, 2);
	ex = exit_(3321);
	assert_int_equal(T.n_findings, 3);
	f = &T.findings[2];
	assert_int_equal(f->pid, 3320);
	assert_false(has_evidence(f, fixed));
	assert_true(has_evidence(f, ex));
	assert_contains(f->message, "/dev/shm/c");
	/* A fork child inherits the mapping and holds it past the parent. */
	shm_open_(3330, "/dev/shm/d", 94);
	shm_map(3330, MAP_ADDR, 4096, 94, 4096);
	fork_(3330, 3331, false);
	exit_(3330);
	assert_int_equal(T.n_findings, 3);
	ex = exit_(3331);
	assert_int_equal(T.n_findings, 4);
	f = &T.findings[3];
	assert_int_equal(f->pid, 3330);
	assert_true(has_evidence(f, ex));
	assert_contains(f->message, "/dev/shm/d");
	assert_int_equal(count_rule("shm-object-leak"), 4);
}

static void test_objleak_not_candidates(void **state)
{
	start();
	/* A tmpfs file outside /dev/shm, never mapped: a plain temp file. */
	create_file(3400, "/run/user/1000/cache.tmp", RUN_DEV, 100, SW_BK_SHMEM_FILE);
	ftruncate_(3400, RUN_DEV, 100, SW_BK_SHMEM_FILE, 1 * MiB);
	exit_(3400);
	/* A memfd has no name to unlink: it goes with its last fd. */
	memfd_(3401, "pool", 101);
	ftruncate_(3401, MEMFD_DEV, 101, SW_BK_MEMFD, 1 * MiB);
	obj_map(3401, MAP_ADDR, 1 * MiB, MEMFD_DEV, 101, SW_BK_MEMFD, 1 * MiB);
	obj_map(3402, MAP_ADDR, 1 * MiB, MEMFD_DEV, 101, SW_BK_MEMFD, 1 * MiB);
	exit_(3401);
	munmap_(3402, MAP_ADDR, 1 * MiB, 0);
	exit_(3402);
	assert_null(model_obj(T.a, MEMFD_DEV, 101));
	/* A hugetlbfs file is not on a tmpfs. */
	create_file(3403, "/dev/hugepages/buf", HUGE_DEV, 102, SW_BK_HUGETLB);
	obj_map(3403, MAP_ADDR, 2 * MiB, HUGE_DEV, 102, SW_BK_HUGETLB, 2 * MiB);
	exit_(3403);
	/* Created before tracing: no creator to wait for. */
	shm_map(3404, MAP_ADDR, 4096, 103, 4096);
	munmap_(3404, MAP_ADDR, 4096, 0);
	exit_(3404);
	/* A live creator is not decided at the end of the trace. */
	shm_open_(3405, "/dev/shm/live", 104);
	analyzer__finish(T.a, T.ts);
	assert_int_equal(T.n_findings, 0);
}

/* Outside /dev/shm, a file becomes a candidate once it is mapped shared,
 * even after its creator has gone. */
static void test_objleak_candidate_by_mapping(void **state)
{
	__u64 op, mp, un;
	const struct sw_finding *f;

	start();
	op = create_file(3500, "/run/app/frames", RUN_DEV, 110, SW_BK_SHMEM_FILE);
	ftruncate_(3500, RUN_DEV, 110, SW_BK_SHMEM_FILE, 8 * MiB);
	exit_(3500);
	assert_int_equal(T.n_findings, 0);
	mp = obj_map(3501, MAP_ADDR, 8 * MiB, RUN_DEV, 110, SW_BK_SHMEM_FILE, 8 * MiB);
	assert_int_equal(T.n_findings, 0);
	munmap_(3501, MAP_ADDR, 8 * MiB, 0);
	assert_int_equal(T.n_findings, 0);
	un = exit_(3501);
	assert_int_equal(count_rule("shm-object-leak"), 1);
	f = find_rule("shm-object-leak");
	assert_int_equal(f->pid, 3500);
	assert_true(has_evidence(f, op));
	assert_true(has_evidence(f, mp));
	assert_true(has_evidence(f, un));
	assert_contains(f->message, "/run/app/frames");
	assert_contains(f->message, "/run/app"); /* the mount, by its directory */
	assert_contains_size(f->message, 8 * MiB);
}

static void test_objleak_inode_reuse(void **state)
{
	__u64 old_op, new_op, ex;
	const struct sw_finding *f;

	start();
	old_op = shm_open_(3600, "/dev/shm/old", 120);
	shm_truncate(3600, 120, 1 * MiB);
	shm_map(3600, MAP_ADDR, 1 * MiB, 120, 1 * MiB);
	munmap_(3600, MAP_ADDR, 1 * MiB, 0);
	unlink_(3600, "/dev/shm/old", 0);
	/* The inode number comes back for a new file. */
	new_op = shm_open_(3600, "/dev/shm/new", 120);
	shm_truncate(3600, 120, 8 * KiB);
	ex = exit_(3600);
	assert_int_equal(count_rule("shm-object-leak"), 1);
	f = find_rule("shm-object-leak");
	assert_contains(f->message, "/dev/shm/new");
	assert_lacks(f->message, "/dev/shm/old");
	assert_contains_size(f->message, 8 * KiB);
	assert_true(has_evidence(f, new_op));
	assert_true(has_evidence(f, ex));
	assert_false(has_evidence(f, old_op));
	/* Reused by another process for a file that is no candidate: the
	 * old object's mapping and /dev/shm path do not carry over. */
	create_file(3610, "/run/app/first", RUN_DEV, 121, SW_BK_SHMEM_FILE);
	obj_map(3610, MAP_ADDR, 4096, RUN_DEV, 121, SW_BK_SHMEM_FILE, 4096);
	munmap_(3610, MAP_ADDR, 4096, 0);
	unlink_(3610, "/run/app/first", 0);
	create_file(3611, "/run/app/second", RUN_DEV, 121, SW_BK_SHMEM_FILE);
	exit_(3610);
	exit_(3611);
	assert_int_equal(count_rule("shm-object-leak"), 1);
	/* And the new object's unlink is its own, under its new path. */
	shm_open_(3620, "/dev/shm/p", 122);
	unlink_(3620, "/dev/shm/p", 0);
	shm_open_(3620, "/dev/shm/q", 122);
	exit_(3620);
	assert_int_equal(count_rule("shm-object-leak"), 2);
	assert_contains(T.findings[T.n_findings - 1].message, "/dev/shm/q");
}

/*
 * Regression (analyzer/objects.c, obj_unlinked once matched the first linked
 * object with a path in hash-table order, not the newest).
 * When a path is created again while an older object with the same path
 * is still believed linked (its removal was not traced: `rm` outside the
 * --comm/--cgroup filter, or lost), the new creator's proper unlink may
 * mark the stale object instead, and the new object is then reported as
 * leaked.  Input, per path: A creates /dev/shm/rK (ino 200+2K) and exits
 * (one correct leak); an untraced rm; B creates /dev/shm/rK again (ino
 * 201+2K), unlinks /dev/shm/rK (ret 0), exits.  Expected: 8 findings, all
 * for the A processes (the bug gave 10: the unlink marked the stale
 * object for K = 0 and 2, and pids 3701 and 3705 were reported too).
 * Now an unlink names the newest linked object with the path, and
 * creating a path retires an older linked object with it on that dev.
 */
static void test_objleak_unlink_names_newest_object(void **state)
{
	char path[32];

	start();
	for (int k = 0; k < 8; k++) {
		__u32 a = 3700 + 2 * k, b = a + 1;

		snprintf(path, sizeof(path), "/dev/shm/r%d", k);
		shm_open_(a, path, 200 + 2 * k);
		exit_(a);
		/* an untraced `rm path` here */
		shm_open_(b, path, 201 + 2 * k);
		unlink_(b, path, 0);
		exit_(b);
	}
	for (int i = 0; i < T.n_findings && i < MAX_FINDINGS; i++)
		if ((T.findings[i].pid - 3700) % 2)
			fail_msg("pid %u unlinked its object, yet: %s", T.findings[i].pid,
				 T.findings[i].message);
	assert_int_equal(count_rule("shm-object-leak"), 8);
}

/* ---- stacks ------------------------------------------------------------ */

static void test_stacks_shm_object_leak(void **state)
{
	const struct sw_finding *f;

	start();
	/* shm_open's openat comes from libc without frame pointers: the
	 * creator's deeper ftruncate says more. */
	with_stack(0x1000, 1);
	shm_open_(4500, "/dev/shm/s1", 190);
	with_stack(0x2000, 4);
	shm_truncate(4500, 190, 4096);
	/* A full creation stack is kept over a shallower resize. */
	with_stack(0x3000, 5);
	shm_open_(4500, "/dev/shm/s2", 191);
	with_stack(0x4000, 2);
	shm_truncate(4500, 191, 4096);
	/* Another process's resize is no origin of the creator's object. */
	with_stack(0x5000, 1);
	shm_open_(4500, "/dev/shm/s3", 192);
	with_stack(0x6000, 6);
	shm_truncate(4501, 192, 4096);
	/* No stack captured at all. */
	shm_open_(4500, "/dev/shm/s4", 193);
	exit_(4500);
	assert_int_equal(count_rule("shm-object-leak"), 3);
	exit_(4501); /* it had the object open: it could have unlinked it */
	assert_int_equal(count_rule("shm-object-leak"), 4);
	f = find_message("/dev/shm/s1");
	assert_non_null(f);
	assert_stack(&f->origin, 4500, 0x2000, 4);
	assert_stack(&f->site, 0, 0, 0); /* decided by the exit */
	f = find_message("/dev/shm/s2");
	assert_non_null(f);
	assert_stack(&f->origin, 4500, 0x3000, 5);
	f = find_message("/dev/shm/s3");
	assert_non_null(f);
	assert_stack(&f->origin, 4500, 0x5000, 1);
	f = find_message("/dev/shm/s4");
	assert_non_null(f);
	assert_stack(&f->origin, 0, 0, 0);
	assert_stack(&f->site, 0, 0, 0);
}

/*
 * Regression (analyzer/rules_objects.c, objleak_check): rules say a finding's site is the
 * stack of the event that completed it; shm-object-leak once never
 * filled site.  A call completes it when the process that lets go of
 * the last mapping is none that could reach the object: here C, forked
 * by B (a user, not the creator's kin) with B's mapping, after A and B
 * have exited, mmaps MAP_FIXED over it with a 4-frame stack.  Expected:
 * site = C's mmap stack.
 */
static void test_stacks_shm_object_leak_site(void **state)
{
	const struct sw_finding *f;

	start();
	with_stack(0x1000, 3);
	shm_open_(4510, "/dev/shm/fx", 195);
	shm_map(4510, MAP_ADDR, 4096, 195, 4096);
	shm_map(4511, MAP_ADDR, 4096, 195, 4096);
	fork_(4511, 4512, false);
	exit_(4510);
	exit_(4511);
	assert_int_equal(T.n_findings, 0); /* C still maps it */
	with_stack(0x9000, 4);
	mmap_(4512, 0, 4096, PROT_RW, MAP_PRIVATE_FLAG | MAP_ANON_FLAG, MAP_ADDR,
	      SW_BK_ANON_PRIVATE);
	f = find_rule("shm-object-leak");
	assert_non_null(f);
	assert_int_equal(f->pid, 4510);
	assert_stack(&f->origin, 4510, 0x1000, 3);
	assert_stack(&f->site, 4512, 0x9000, 4);
}

/* Objects keep their stacks while they live: an unlinked or memfd object
 * goes, with them, once nobody can reach it; a leaked one stays until it
 * is removed. */
static void test_stacks_follow_objects(void **state)
{
	start();
	with_stack(0x1000, 2);
	shm_open_(4530, "/dev/shm/keep", 197);
	with_stack(0x2000, 3);
	shm_truncate(4530, 197, 1 * MiB);
	with_stack(0x3000, 1);
	shm_map(4530, MAP_ADDR, 1 * MiB, 197, 1 * MiB);
	with_stack(0x4000, 2);
	memfd_(4530, "tmp", 198);
	with_stack(0x5000, 2);
	obj_map(4531, MAP_ADDR, 4096, MEMFD_DEV, 198, SW_BK_MEMFD, 4096);
	with_stack(0x6000, 2);
	shm_open_(4530, "/dev/shm/gone", 199);
	unlink_(4530, "/dev/shm/gone", 0);
	/* Unlinked and mapped by nobody: gone at once, with its stack. */
	assert_null(model_obj(T.a, SHM_DEV, 199));
	assert_int_equal(T.a->n_stacks, 5);
	exit_(4530);
	/* The leaked object keeps its creation and resize; the memfd is
	 * still mapped by 4531; the unlinked one is gone. */
	assert_int_equal(count_rule("shm-object-leak"), 1);
	assert_null(model_obj(T.a, SHM_DEV, 199));
	assert_non_null(model_obj(T.a, MEMFD_DEV, 198));
	assert_int_equal(T.a->n_stacks, 4);
	exit_(4531);
	assert_null(model_obj(T.a, MEMFD_DEV, 198));
	assert_int_equal(T.a->n_stacks, 2);
	/* Someone removes the leftover, then exits. */
	unlink_(4532, "/dev/shm/keep", 0);
	exit_(4532);
	assert_null(model_obj(T.a, SHM_DEV, 197));
	assert_int_equal(T.a->n_stacks, 0);
}

/*
 * Regression (analyzer/objects.c, obj_created): a container with a
 * /dev/shm of its own (another tmpfs) creates the name the host's object
 * has.  The new object was taken for a replacement at the host's path and
 * the host's object for removed, so its leak went unreported and the
 * host's /dev/shm showed nothing left.  And an unlink that the kernel
 * side matched to no object (ino 0) is of the object its caller's
 * namespace created, not of whichever has the name.
 */
#define CTR_SHM_DEV 0x28
#define MNT_CTR1 4026532601U
#define MNT_CTR2 4026532602U

static void test_objleak_same_name_in_two_namespaces(void **state)
{
	const struct sw_finding *f;

	start();
	shm_open_(3700, "/dev/shm/x", 90);
	shm_truncate(3700, 90, 64 * KiB);
	shm_map(3700, MAP_ADDR, 64 * KiB, 90, 64 * KiB);
	T.mnt_ns = MNT_CTR1;
	create_file(3710, "/dev/shm/x", CTR_SHM_DEV, 91, SW_BK_SHMEM_FILE);
	assert_false(model_obj(T.a, SHM_DEV, 90)->unlinked);
	unlink_(3710, "/dev/shm/x", 0); /* by name alone */
	exit_(3710);
	T.mnt_ns = 0;
	assert_null(model_obj(T.a, CTR_SHM_DEV, 91));
	assert_false(model_obj(T.a, SHM_DEV, 90)->unlinked);
	assert_int_equal(T.n_findings, 0);
	exit_(3700);
	assert_int_equal(count_rule("shm-object-leak"), 1);
	f = find_rule("shm-object-leak");
	assert_int_equal(f->pid, 3700);
	assert_contains(f->message, "ino 90");
}

static void test_objleak_unlink_by_name_from_a_third_namespace(void **state)
{
	start();
	shm_open_(3720, "/dev/shm/y", 92);
	T.mnt_ns = MNT_CTR1;
	create_file(3721, "/dev/shm/y", CTR_SHM_DEV, 93, SW_BK_SHMEM_FILE);
	/* Which of the two is meant cannot be told: neither goes. */
	T.mnt_ns = MNT_CTR2;
	unlink_(3730, "/dev/shm/y", 0);
	assert_false(model_obj(T.a, SHM_DEV, 92)->unlinked);
	assert_false(model_obj(T.a, CTR_SHM_DEV, 93)->unlinked);
	/* The host's own unlink by name is of the host's. */
	T.mnt_ns = 0;
	unlink_(3720, "/dev/shm/y", 0);
	assert_true(model_obj(T.a, SHM_DEV, 92) == NULL || model_obj(T.a, SHM_DEV, 92)->unlinked);
	assert_false(model_obj(T.a, CTR_SHM_DEV, 93)->unlinked);
	/* Now only one has the name: a removal from anywhere is of it
	 * (a /dev/shm shared with the host, as podman --ipc=host does). */
	T.mnt_ns = MNT_CTR2;
	unlink_(3730, "/dev/shm/y", 0);
	T.mnt_ns = 0;
	assert_true(model_obj(T.a, CTR_SHM_DEV, 93) == NULL ||
		    model_obj(T.a, CTR_SHM_DEV, 93)->unlinked);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T_(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T_(test_objleak_creator_exits),
		T_(test_objleak_clean_twins),
		T_(test_objleak_handover_munmap),
		T_(test_objleak_handover_exit_exec_fork),
		T_(test_objleak_not_candidates),
		T_(test_objleak_candidate_by_mapping),
		T_(test_objleak_inode_reuse),
		T_(test_objleak_unlink_names_newest_object),
		T_(test_objleak_same_name_in_two_namespaces),
		T_(test_objleak_unlink_by_name_from_a_third_namespace),
		T_(test_stacks_shm_object_leak),
		T_(test_stacks_shm_object_leak_site),
		T_(test_stacks_follow_objects),
#undef T_
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
