// SPDX-License-Identifier: GPL-2.0
/*
 * test_held.c - shared memory held by creating stack (analyzer/held.c):
 * each segment alive and object known counts its size at the site of its
 * creating call, now and at the peak of the total; sites of one stack in
 * one process add up, a removal takes the bytes away, and the value at
 * the peak stays what it was when later changes come.
 */
#include "builder.h"
#include "analyzer/state.h"

#define SEG_LEN (64 * KiB)

struct seen {
	int n;
	struct {
		__u32 pid;
		__u32 n;
		__u64 ip0;
		__u64 now;
		__u64 at_peak;
	} s[16];
};

static int collect(void *ctx, const struct sw_held_site *h)
{
	struct seen *v = ctx;

	assert_true(v->n < 16);
	v->s[v->n].pid = h->pid;
	v->s[v->n].n = h->n;
	v->s[v->n].ip0 = h->n ? h->ip[0] : 0;
	v->s[v->n].now = h->now;
	v->s[v->n].at_peak = h->at_peak;
	v->n++;
	return 0;
}

/* The site of pid whose innermost frame is ip0 (0: the no-stack site). */
static int site(const struct seen *v, __u32 pid, __u64 ip0)
{
	for (int i = 0; i < v->n; i++)
		if (v->s[i].pid == pid && v->s[i].ip0 == ip0)
			return i;
	return -1;
}

static struct seen walk(void)
{
	struct seen v = { 0 };

	analyzer__foreach_held(T.a, collect, &v);
	return v;
}

/* Two segments from one site, one from another: the first site holds
 * both, the removal of one takes it away, and the peak (all three) keeps
 * what each held then. */
static void test_segments_by_site(void **state)
{
	struct sw_held_total t;
	struct seen v;
	int a, b;

	start();
	with_stack(0x1000, 3);
	shmget_(100, IPC_PRIVATE_KEY, SEG_LEN, 7);
	with_stack(0x1000, 3);
	shmget_(100, IPC_PRIVATE_KEY, SEG_LEN, 8);
	with_stack(0x2000, 2);
	shmget_(100, IPC_PRIVATE_KEY, 4 * SEG_LEN, 9);
	T.ts += SEC;
	shmctl_(100, 9, IPC_RMID_CMD, 0);
	shmctl_(100, 7, IPC_RMID_CMD, 0);
	v = walk();
	a = site(&v, 100, 0x1000);
	b = site(&v, 100, 0x2000);
	assert_int_equal(v.n, 2);
	assert_true(a >= 0 && b >= 0);
	assert_int_equal(v.s[a].n, 3);
	assert_int_equal(v.s[a].now, SEG_LEN);
	assert_int_equal(v.s[a].at_peak, 2 * SEG_LEN);
	assert_int_equal(v.s[b].now, 0);
	assert_int_equal(v.s[b].at_peak, 4 * SEG_LEN);
	analyzer__held_total(T.a, &t);
	assert_int_equal(t.now, SEG_LEN);
	assert_int_equal(t.peak, 6 * SEG_LEN);
	assert_int_equal(t.peak_ts_ns, T.ts - SEC);
}

/* A new, higher peak replaces the old one: a site that held bytes only
 * at the old peak is gone, one that grew since holds its new share. */
static void test_a_higher_peak_replaces_the_old(void **state)
{
	struct seen v;
	int a, b;

	start();
	with_stack(0x1000, 1);
	shmget_(100, IPC_PRIVATE_KEY, 4 * SEG_LEN, 7);
	shmctl_(100, 7, IPC_RMID_CMD, 0);
	with_stack(0x2000, 1);
	shmget_(100, IPC_PRIVATE_KEY, 8 * SEG_LEN, 8);
	v = walk();
	assert_int_equal(v.n, 1);
	b = site(&v, 100, 0x2000);
	assert_true(b >= 0);
	assert_int_equal(v.s[b].at_peak, 8 * SEG_LEN);
	assert_int_equal(v.s[b].now, 8 * SEG_LEN);
	a = site(&v, 100, 0x1000);
	assert_int_equal(a, -1);
}

/* A POSIX object counts its size at its creating call's site, follows
 * its resizes, and goes when unlinked and unmapped; a memfd too. */
static void test_objects_follow_their_size(void **state)
{
	struct sw_held_total t;
	struct seen v;
	int o, m;

	start();
	with_stack(0x3000, 2);
	shm_open_(100, "/dev/shm/pool", 900);
	shm_truncate(100, 900, 1 * MiB);
	with_stack(0x4000, 2);
	memfd_(100, "buf", 901);
	ftruncate_(100, MEMFD_DEV, 901, SW_BK_MEMFD, 2 * MiB);
	shm_truncate(100, 900, 3 * MiB);
	v = walk();
	o = site(&v, 100, 0x3000);
	m = site(&v, 100, 0x4000);
	assert_true(o >= 0 && m >= 0);
	assert_int_equal(v.s[o].now, 3 * MiB);
	assert_int_equal(v.s[m].now, 2 * MiB);
	assert_int_equal(v.s[o].at_peak, 3 * MiB);
	unlink_(100, "/dev/shm/pool", 0);
	v = walk();
	o = site(&v, 100, 0x3000);
	assert_true(o >= 0);
	assert_int_equal(v.s[o].now, 0);
	assert_int_equal(v.s[o].at_peak, 3 * MiB);
	analyzer__held_total(T.a, &t);
	assert_int_equal(t.now, 2 * MiB);
	assert_int_equal(t.peak, 5 * MiB);
}

/* The same stack in two processes is two sites (their addresses mean
 * something only in their own address space); without a stack, the
 * bytes go to the one site of no known stack. */
static void test_sites_per_process_and_no_stack(void **state)
{
	struct seen v;
	int a, b, none;

	start();
	with_stack(0x1000, 2);
	shmget_(100, IPC_PRIVATE_KEY, SEG_LEN, 7);
	with_stack(0x1000, 2);
	shmget_(101, IPC_PRIVATE_KEY, SEG_LEN, 8);
	shmget_(102, IPC_PRIVATE_KEY, 2 * SEG_LEN, 9);
	v = walk();
	assert_int_equal(v.n, 3);
	a = site(&v, 100, 0x1000);
	b = site(&v, 101, 0x1000);
	none = site(&v, 0, 0);
	assert_true(a >= 0 && b >= 0 && none >= 0);
	assert_int_equal(v.s[none].n, 0);
	assert_int_equal(v.s[none].now, 2 * SEG_LEN);
}

/* The clean twin: what is made and removed again leaves nothing now,
 * and a trace that held nothing has no site at all. */
static void test_nothing_held_nothing_reported(void **state)
{
	struct sw_held_total t;
	struct seen v;

	start();
	v = walk();
	assert_int_equal(v.n, 0);
	with_stack(0x1000, 2);
	shmget_(100, IPC_PRIVATE_KEY, SEG_LEN, 7);
	shmctl_(100, 7, IPC_RMID_CMD, 0);
	v = walk();
	assert_int_equal(v.n, 1);
	assert_int_equal(v.s[0].now, 0);
	analyzer__held_total(T.a, &t);
	assert_int_equal(t.now, 0);
	assert_int_equal(t.peak, SEG_LEN);
}

/* Sites that held bytes only at passed peaks are swept: many short-lived
 * segments, each a new peak by a little, keep the sites few. */
static void test_passed_peaks_are_swept(void **state)
{
	struct seen v;
	__u64 size = SEG_LEN;

	start();
	for (int i = 0; i < 2000; i++) {
		with_stack(0x10000 + (__u64)i * 16, 1);
		shmget_(100, IPC_PRIVATE_KEY, size, 10 + i);
		shmctl_(100, 10 + i, IPC_RMID_CMD, 0);
		size += 4096;
	}
	assert_true(hmap_count(&T.a->held.sites) < 200);
	v = walk();
	assert_int_equal(v.n, 1);
	assert_int_equal(v.s[0].at_peak, size - 4096);
}

#define T_(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T_(test_segments_by_site),
		T_(test_a_higher_peak_replaces_the_old),
		T_(test_objects_follow_their_size),
		T_(test_sites_per_process_and_no_stack),
		T_(test_nothing_held_nothing_reported),
		T_(test_passed_peaks_are_swept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
