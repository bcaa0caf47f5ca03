// SPDX-License-Identifier: GPL-2.0
/*
 * test_usage.c - the usage views: per mount (analyzer__usage) what it
 * holds, its biggest objects, its growers and its creators, ranked; per
 * IPC namespace (analyzer__sysv_usage) its segments; for both the peak,
 * what held it and what would have sufficed; and the live view, which
 * shows only what changed, emptied or not.
 */
#include "builder.h"

static void test_usage_ranks_objects_growers_and_creators(void **state)
{
	struct usage_rec r = { 0 };
	const struct sw_mount_usage *u;

	start();
	shm_open_(600, "/dev/shm/small", 301);
	shm_truncate(600, 301, 1 * MiB);
	shm_open_(600, "/dev/shm/big", 302);
	shm_truncate(600, 302, 8 * MiB);
	shm_map(601, MAP_ADDR, 4 * MiB, 302, 8 * MiB);
	shm_open_(602, "/dev/shm/mid", 303);
	shm_truncate(602, 303, 4 * MiB);
	shm_open_(602, "/dev/shm/gone", 304);
	shm_truncate(602, 304, 16 * MiB);
	unlink_(602, "/dev/shm/gone", 0); /* unlinked: no longer on the mount */
	analyzer__usage(T.a, T.ts, false, on_usage, &r);
	assert_int_equal(r.n, 1);
	u = &r.u[0];
	assert_int_equal(u->dev, SHM_DEV);
	assert_string_equal(u->label, "/dev/shm");
	assert_int_equal(u->n_objects, 3);
	assert_int_equal(u->object_bytes, 13 * MiB);
	/* Biggest first, with who made it and who maps it now. */
	assert_int_equal(u->n_biggest, 3);
	assert_string_equal(u->biggest[0].path, "/dev/shm/big");
	assert_int_equal(u->biggest[0].size, 8 * MiB);
	assert_int_equal(u->biggest[0].creator_pid, 600);
	assert_int_equal(u->biggest[0].mapped_by, 1);
	assert_string_equal(u->biggest[1].path, "/dev/shm/mid");
	assert_int_equal(u->biggest[1].mapped_by, 0);
	assert_string_equal(u->biggest[2].path, "/dev/shm/small");
	/* Each grew from the size it was first seen at (0). */
	assert_int_equal(u->n_growers, 3);
	assert_string_equal(u->growers[0].path, "/dev/shm/big");
	assert_int_equal(u->growers[0].from, 0);
	assert_int_equal(u->growers[0].to, 8 * MiB);
	/* Creators by the bytes of their linked objects. */
	assert_int_equal(u->n_creators, 2);
	assert_int_equal(u->creators[0].pid, 600);
	assert_int_equal(u->creators[0].objects, 2);
	assert_int_equal(u->creators[0].bytes, 9 * MiB);
	assert_false(u->creators[0].gone);
	assert_int_equal(u->creators[1].pid, 602);
	assert_int_equal(u->creators[1].objects, 1);
	assert_int_equal(u->creators[1].bytes, 4 * MiB);
	/* The creator's exit shows in the view. */
	exit_(602);
	r.n = 0;
	analyzer__usage(T.a, T.ts, false, on_usage, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.u[0].creators[1].pid, 602);
	assert_true(r.u[0].creators[1].gone);
}

/* Only SW_USAGE_TOP make each list, the biggest ones. */
static void test_usage_keeps_the_top(void **state)
{
	struct usage_rec r = { 0 };
	char path[32];

	start();
	for (int i = 0; i < SW_USAGE_TOP + 3; i++) {
		snprintf(path, sizeof(path), "/dev/shm/o%d", i);
		shm_open_(610, path, 400 + i);
		shm_truncate(610, 400 + i, (__u64)(i + 1) * MiB);
	}
	analyzer__usage(T.a, T.ts, false, on_usage, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.u[0].n_objects, SW_USAGE_TOP + 3);
	assert_int_equal(r.u[0].n_biggest, SW_USAGE_TOP);
	assert_int_equal(r.u[0].n_growers, SW_USAGE_TOP);
	for (int i = 0; i < SW_USAGE_TOP; i++)
		assert_int_equal(r.u[0].biggest[i].size, (__u64)(SW_USAGE_TOP + 3 - i) * MiB);
}

/* The live view: a mount once per change; an emptied mount still shows
 * (with nothing on it), where the end-of-trace view leaves it out. */
static void test_usage_changed_only(void **state)
{
	struct usage_rec r = { 0 };

	start();
	shm_open_(620, "/dev/shm/x", 501);
	shm_truncate(620, 501, 1 * MiB);
	analyzer__usage(T.a, T.ts, true, on_usage, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.u[0].n_objects, 1);
	analyzer__usage(T.a, T.ts, true, on_usage, &r);
	assert_int_equal(r.n, 1); /* nothing changed since */
	unlink_(620, "/dev/shm/x", 0);
	analyzer__usage(T.a, T.ts, true, on_usage, &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.u[1].n_objects, 0);
	r.n = 0;
	analyzer__usage(T.a, T.ts, false, on_usage, &r);
	assert_int_equal(r.n, 0);
}

/* What held a mount's peak: the objects as they were when the use first
 * fell from it, including one whose name went first and one unlinked
 * but still mapped; and, while the use is still at a peak, now. */
static void test_usage_peak_held(void **state)
{
	struct usage_rec r = { 0 };
	const struct sw_mount_usage *u;

	start();
	T.fs_used = 1 * MiB;
	shm_open_(600, "/dev/shm/a", 301);
	shm_truncate(600, 301, 1 * MiB);
	T.fs_used = 5 * MiB;
	shm_open_(600, "/dev/shm/b", 302);
	shm_truncate(600, 302, 4 * MiB);
	/* The name goes with its pages: the peak was a and b. */
	unlink_(600, "/dev/shm/a", 0);
	T.fs_used = 4 * MiB;
	shm_open_(600, "/dev/shm/c", 303);
	analyzer__usage(T.a, T.ts, false, on_usage, &r);
	assert_int_equal(r.n, 1);
	u = &r.u[0];
	assert_int_equal(u->peak_used, 5 * MiB);
	assert_int_equal(u->n_peak_held, 2);
	assert_string_equal(u->peak_held[0].path, "/dev/shm/b");
	assert_int_equal(u->peak_held[0].size, 4 * MiB);
	assert_int_equal(u->peak_held[0].creator_pid, 600);
	assert_string_equal(u->peak_held[1].path, "/dev/shm/a");
	assert_int_equal(u->peak_held[1].size, 1 * MiB);
	assert_false(u->peak_held[1].unlinked);
	/* b is unlinked while mapped: it still occupies the mount, and a
	 * new peak (c grows) shows it as such. */
	shm_map(601, MAP_ADDR, 4 * MiB, 302, 4 * MiB);
	unlink_(600, "/dev/shm/b", 0);
	T.fs_used = 7 * MiB;
	shm_truncate(600, 303, 3 * MiB);
	/* Read while the use is still at its peak: what holds it now. */
	r.n = 0;
	analyzer__usage(T.a, T.ts, false, on_usage, &r);
	u = &r.u[0];
	assert_int_equal(u->peak_used, 7 * MiB);
	assert_int_equal(u->n_peak_held, 2);
	assert_string_equal(u->peak_held[0].path, "/dev/shm/b");
	assert_true(u->peak_held[0].unlinked);
	assert_string_equal(u->peak_held[1].path, "/dev/shm/c");
	/* Unlinked objects are not in the view of what is there now. */
	assert_int_equal(u->n_biggest, 1);
	assert_string_equal(u->biggest[0].path, "/dev/shm/c");
	/* c shrinks: the peak stays as it was taken. */
	T.fs_used = 5 * MiB;
	shm_truncate(600, 303, 1 * MiB);
	r.n = 0;
	analyzer__usage(T.a, T.ts, false, on_usage, &r);
	u = &r.u[0];
	assert_int_equal(u->n_peak_held, 2);
	assert_int_equal(u->peak_held[1].size, 3 * MiB);
}

/* A file sized with ftruncate and then refused room by fallocate held
 * nothing of the peak: it counts with what it had allocated (here none),
 * not with its size. */
static void test_usage_peak_refused_file(void **state)
{
	struct usage_rec r = { 0 };

	start();
	T.fs_used = 2 * MiB;
	shm_open_(600, "/dev/shm/full", 301);
	shm_truncate(600, 301, 2 * MiB);
	shm_open_(601, "/dev/shm/asked", 302);
	shm_truncate(601, 302, 4 * MiB);
	obj_call(601, SW_FALLOCATE, -28, "", SHM_DEV, 302, SW_BK_SHMEM_FILE, 4 * MiB);
	analyzer__usage(T.a, T.ts, false, on_usage, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.u[0].n_peak_held, 2);
	assert_string_equal(r.u[0].peak_held[0].path, "/dev/shm/full");
	assert_string_equal(r.u[0].peak_held[1].path, "/dev/shm/asked");
	assert_int_equal(r.u[0].peak_held[1].size, 0);
	/* What is there now is still the files' sizes. */
	assert_string_equal(r.u[0].biggest[0].path, "/dev/shm/asked");
	assert_int_equal(r.u[0].biggest[0].size, 4 * MiB);
}

/* Files there before the trace count on their mount once an event shows
 * it; a mount only the seeding showed is not reported. */
static void test_usage_seeded_objects(void **state)
{
	struct usage_rec r = { 0 };
	struct sw_seed_object so = { .dev = SHM_DEV, .ino = 90, .backing = SW_BK_SHMEM_FILE,
				     .path = "/dev/shm/old", .size = 8 * MiB, .alloc = 8 * MiB,
				     .fs_used = 8 * MiB, .fs_size = 64 * MiB };

	start();
	analyzer__seed_object(T.a, &so);
	analyzer__usage(T.a, T.ts, false, on_usage, &r);
	assert_int_equal(r.n, 0);
	T.fs_used = 9 * MiB;
	shm_open_(600, "/dev/shm/new", 301);
	shm_truncate(600, 301, 1 * MiB);
	analyzer__usage(T.a, T.ts, false, on_usage, &r);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.u[0].label, "/dev/shm");
	assert_int_equal(r.u[0].n_objects, 2);
	assert_string_equal(r.u[0].biggest[0].path, "/dev/shm/old");
	assert_int_equal(r.u[0].biggest[0].creator_pid, 0);
	assert_int_equal(r.u[0].peak_used, 9 * MiB);
	/* No leak is claimed for it: who made it is not known. */
	exit_(600);
	analyzer__finish(T.a, T.ts);
	assert_int_equal(count_rule("shm-object-leak"), 1);
	assert_contains(find_rule("shm-object-leak")->message, "/dev/shm/new");
}

#define CTR_DEV 0x3f	   /* a container's own /dev/shm */
#define CTR_CGROUP 9001	   /* its processes' cgroup */
#define CTR_CGROUP_SUB 9002 /* a cgroup below it (systemd in the container) */
#define HOST_CGROUP 17

static const struct sw_mount_usage *usage_of(const struct usage_rec *r, __u32 dev)
{
	for (int i = 0; i < r->n && i < MAX_USAGE; i++)
		if (r->u[i].dev == dev)
			return &r->u[i];
	fail_msg("no usage of dev %#x", dev);
	return NULL;
}

/*
 * Whose mount it is: the cgroup of the first call that created or sized
 * an object on it, and of one more that did (a third is not kept); a
 * mapping of an object it did not create does not count, nor does
 * anything on the memfd mount, which every process's memfds share.
 */
static void test_usage_mount_owner(void **state)
{
	struct usage_rec r = { 0 };
	const struct sw_mount_usage *u;

	start();
	T.cgroup = CTR_CGROUP;
	create_file(600, "/dev/shm/a", CTR_DEV, 301, SW_BK_SHMEM_FILE);
	ftruncate_(600, CTR_DEV, 301, SW_BK_SHMEM_FILE, 4 * MiB);
	memfd_(600, "buf", 302);
	ftruncate_(600, MEMFD_DEV, 302, SW_BK_MEMFD, 1 * MiB);
	T.cgroup = HOST_CGROUP;
	shm_open_(700, "/dev/shm/h", 401);
	shm_truncate(700, 401, 2 * MiB);
	/* The host process maps the container's object: its mount stays
	 * the container's. */
	obj_map(700, MAP_ADDR, 4 * MiB, CTR_DEV, 301, SW_BK_SHMEM_FILE, 4 * MiB);
	analyzer__usage(T.a, T.ts, false, on_usage, &r);
	assert_int_equal(r.n, 3);
	u = usage_of(&r, CTR_DEV);
	assert_int_equal(u->cgroup_id, CTR_CGROUP);
	assert_int_equal(u->other_cgroup_id, 0);
	assert_null(u->container); /* the pipeline's to fill */
	u = usage_of(&r, SHM_DEV);
	assert_int_equal(u->cgroup_id, HOST_CGROUP);
	assert_int_equal(u->other_cgroup_id, 0);
	u = usage_of(&r, MEMFD_DEV);
	assert_int_equal(u->cgroup_id, 0);
	assert_int_equal(u->other_cgroup_id, 0);
	/* Sizing by a second cgroup is kept beside the first, a third is
	 * not: two are enough to tell a shared mount. */
	T.cgroup = CTR_CGROUP_SUB;
	create_file(601, "/dev/shm/b", CTR_DEV, 303, SW_BK_SHMEM_FILE);
	T.cgroup = HOST_CGROUP;
	ftruncate_(700, CTR_DEV, 303, SW_BK_SHMEM_FILE, 1 * MiB);
	r.n = 0;
	analyzer__usage(T.a, T.ts, false, on_usage, &r);
	u = usage_of(&r, CTR_DEV);
	assert_int_equal(u->cgroup_id, CTR_CGROUP);
	assert_int_equal(u->other_cgroup_id, CTR_CGROUP_SUB);
}

/* A summary carries the cgroup of the process's latest event. */
static void test_summary_cgroup(void **state)
{
	start();
	T.cgroup = CTR_CGROUP;
	shm_open_(600, "/dev/shm/a", 301);
	shm_truncate(600, 301, 1 * MiB);
	shm_map(600, MAP_ADDR, 1 * MiB, 301, 1 * MiB);
	T.cgroup = HOST_CGROUP;
	shmget_(700, IPC_PRIVATE_KEY, 1 * MiB, 5);
	analyzer__finish(T.a, T.ts);
	assert_int_equal(summary_of(600)->cgroup_id, CTR_CGROUP);
	assert_null(summary_of(600)->container);
	assert_int_equal(summary_of(700)->cgroup_id, HOST_CGROUP);
}

static struct usage_rec told_at_end;

static void on_end_usage(void *ctx, const struct sw_mount_usage *u)
{
	on_usage(&told_at_end, u);
}

/*
 * A container's /dev/shm is mounted anew at each start and may get the
 * dev of one that is gone, its first file the same inode number: a new
 * fs_gen says it is another tmpfs.  The old one is told a last time, with
 * its peak from a SIGBUS (full, short of the rest of the object), and
 * none of its files is taken for the new one's.
 */
static void test_mount_replaced(void **state)
{
	struct usage_rec r = { 0 };
	struct sw_signal_info bus = bus_info(MAP_ADDR, 4 * MiB, CTR_DEV, 2, SW_BK_SHMEM_FILE,
					     6 * MiB);
	const struct sw_mount_usage *u;

	memset(&told_at_end, 0, sizeof(told_at_end));
	T.opts.on_usage = on_end_usage;
	start();
	T.cgroup = CTR_CGROUP;
	T.fs_gen = 0x1111;
	create_file(600, "/dev/shm/fill", CTR_DEV, 2, SW_BK_SHMEM_FILE);
	ftruncate_(600, CTR_DEV, 2, SW_BK_SHMEM_FILE, 6 * MiB);
	obj_map(600, MAP_ADDR, 6 * MiB, CTR_DEV, 2, SW_BK_SHMEM_FILE, 6 * MiB);
	bus.fs_used = 4 * MiB;
	bus.fs_size = 4 * MiB;
	sigbus_(600, &bus);
	exit_(600);
	/* The same tmpfs again: nothing is replaced. */
	ftruncate_(601, CTR_DEV, 2, SW_BK_SHMEM_FILE, 6 * MiB);
	/* A log from before fs_gen: not known, nothing is replaced. */
	T.fs_gen = 0;
	ftruncate_(601, CTR_DEV, 2, SW_BK_SHMEM_FILE, 6 * MiB);
	assert_int_equal(told_at_end.n, 0);
	T.cgroup = CTR_CGROUP_SUB + 100;
	T.fs_gen = 0x2222;
	create_file(700, "/dev/shm/tidy", CTR_DEV, 2, SW_BK_SHMEM_FILE);
	ftruncate_(700, CTR_DEV, 2, SW_BK_SHMEM_FILE, 1 * MiB);
	assert_int_equal(told_at_end.n, 1);
	u = &told_at_end.u[0];
	assert_int_equal(u->dev, CTR_DEV);
	assert_int_equal(u->peak_used, 4 * MiB);
	assert_int_equal(u->sufficient_size, 6 * MiB);
	assert_int_equal(u->cgroup_id, CTR_CGROUP);
	assert_int_equal(u->n_biggest, 1);
	assert_string_equal(u->biggest[0].path, "/dev/shm/fill");
	analyzer__usage(T.a, T.ts, false, on_usage, &r);
	u = usage_of(&r, CTR_DEV);
	assert_int_equal(u->cgroup_id, CTR_CGROUP_SUB + 100);
	assert_int_equal(u->peak_used, 0);
	assert_int_equal(u->n_objects, 1);
	assert_int_equal(u->n_biggest, 1);
	assert_string_equal(u->biggest[0].path, "/dev/shm/tidy");
	assert_int_equal(u->biggest[0].creator_pid, 700);
	assert_int_equal(u->n_growers, 1);
	assert_string_equal(u->growers[0].path, "/dev/shm/tidy");
	assert_int_equal(u->growers[0].from, 0);
}

/* SysV per namespace: the segments alive, a removed one counted until
 * its last detach as the kernel does, the peak in bytes and segments,
 * what held it, and the limits that would have sufficed; the limits set
 * are known for shmwatch's own namespace only. */
static void test_sysv_usage_peak(void **state)
{
	struct sysv_rec r = { 0 };
	const struct sw_sysv_usage *u;

	T.opts.shmmax = 1ULL << 40;
	T.opts.shmall = 1ULL << 30;
	T.opts.shmmni = 4096;
	start();
	T.ts = 1000 * SEC;
	shmget_(700, 0x1234, 1 * MiB, 10);
	shmget_(700, IPC_PRIVATE_KEY, 2 * MiB, 11);
	T.ts = 1001 * SEC;
	shmget_(701, IPC_PRIVATE_KEY, 4097, 12);
	shmat_(701, 0, 11, (__s64)MAP_ADDR, 2 * MiB);
	shmctl_(701, 11, IPC_RMID_CMD, 0); /* attached: it stays */
	shmctl_(700, 10, IPC_RMID_CMD, 0); /* the peak ends */
	analyzer__sysv_usage(T.a, T.ts, false, on_sysv, &r);
	assert_int_equal(r.n, 1);
	u = &r.u[0];
	assert_int_equal(u->ipc_ns, 0);
	assert_int_equal(u->segments, 2);
	assert_int_equal(u->bytes, 2 * MiB + 4097);
	assert_int_equal(u->peak_bytes, 3 * MiB + 4097);
	assert_int_equal(u->peak_ts_ns, 1001 * SEC);
	assert_int_equal(u->peak_bytes_segments, 3);
	assert_int_equal(u->peak_segments, 3);
	assert_int_equal(u->biggest_size, 2 * MiB);
	/* Pages as kernel.shmall counts them: each segment rounded up. */
	assert_int_equal(u->sufficient_shmall, 256 + 512 + 2);
	assert_int_equal(u->sufficient_shmmni, 3);
	assert_int_equal(u->sufficient_shmmax, 2 * MiB);
	assert_int_equal(u->shmmni, 4096);
	assert_int_equal(u->shmall, 1ULL << 30);
	assert_int_equal(u->n_peak_held, 3);
	assert_int_equal(u->peak_held[0].shmid, 11);
	assert_int_equal(u->peak_held[0].nattch, 1);
	assert_true(u->peak_held[0].removed);
	assert_int_equal(u->peak_held[1].shmid, 10);
	assert_int_equal(u->peak_held[1].key, 0x1234);
	assert_int_equal(u->peak_held[1].creator_pid, 700);
	assert_int_equal(u->peak_held[2].shmid, 12);
	assert_int_equal(u->n_biggest, 2);
	assert_int_equal(u->biggest[0].shmid, 11);
	/* The last detach destroys the removed one. */
	shmdt_(701, 0, MAP_ADDR, 0);
	r.n = 0;
	analyzer__sysv_usage(T.a, T.ts, true, on_sysv, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.u[0].segments, 1);
	assert_int_equal(r.u[0].bytes, 4097);
	assert_int_equal(r.u[0].peak_bytes, 3 * MiB + 4097);
	/* Nothing changed since: the live view is silent. */
	r.n = 0;
	analyzer__sysv_usage(T.a, T.ts, true, on_sysv, &r);
	assert_int_equal(r.n, 0);
	/* Another namespace is its own, its limits unknown. */
	T.ipc_ns = 4026532999U;
	shmget_(702, IPC_PRIVATE_KEY, 8 * MiB, 10);
	r.n = 0;
	analyzer__sysv_usage(T.a, T.ts, false, on_sysv, &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.u[1].ipc_ns, 4026532999U);
	assert_int_equal(r.u[1].peak_bytes, 8 * MiB);
	assert_int_equal(r.u[1].shmmni, 0);
	assert_int_equal(r.u[1].shmall, 0);
	assert_int_equal(r.u[0].bytes, 4097);
}

/* Segments that existed before the trace count from the start (peak
 * time 0), and a namespace that never held a segment is not reported. */
static void test_sysv_usage_seeded(void **state)
{
	struct sysv_rec r = { 0 };
	struct sw_seed_segment ss = { .shmid = 5, .key = 0x77, .size = 16 * MiB, .cpid = 42 };

	start();
	analyzer__sysv_usage(T.a, T.ts, false, on_sysv, &r);
	assert_int_equal(r.n, 0);
	analyzer__seed_segment(T.a, &ss);
	shmget_(700, IPC_PRIVATE_KEY, 1 * MiB, 6);
	analyzer__sysv_usage(T.a, T.ts, false, on_sysv, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.u[0].peak_bytes, 17 * MiB);
	assert_int_equal(r.u[0].peak_held[0].shmid, 5);
	assert_int_equal(r.u[0].peak_held[0].creator_pid, 42);
	assert_true(r.u[0].peak_held[0].creator_gone);
	assert_int_equal(r.u[0].peak_held[1].shmid, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T_(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T_(test_usage_ranks_objects_growers_and_creators),
		T_(test_usage_keeps_the_top),
		T_(test_usage_changed_only),
		T_(test_usage_peak_held),
		T_(test_usage_peak_refused_file),
		T_(test_usage_seeded_objects),
		T_(test_usage_mount_owner),
		T_(test_summary_cgroup),
		T_(test_mount_replaced),
		T_(test_sysv_usage_peak),
		T_(test_sysv_usage_seeded),
#undef T_
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
