// SPDX-License-Identifier: GPL-2.0
/*
 * test_state.c - drive the analyzer with synthetic event sequences:
 * the state the analyzer keeps: partial unmaps, fork, vfork, dontfork,
 * exec, exit and pid reuse, threads, a lost-event gap, summaries, the
 * rule table, seeding, and that stacks kept with objects are bounded and
 * freed with them.
 */
#include "builder.h"

/* ---- address spaces ----------------------------------------------------- */

static void test_partial_munmap_and_mremap(void **state)
{
	struct proc *p;

	start();
	shared_map(920, MAP_ADDR, 4 * 4096);
	munmap_(920, MAP_ADDR + 4096, 4096, 0); /* punch a hole */
	p = model_proc(T.a, 920);
	assert_int_equal(p->mm->n_map, 2);
	assert_int_equal(p->mm->bytes, 3 * 4096);
	signal_(920, 0, 11, 1, MAP_ADDR + 4096 + 8);
	assert_int_equal(count_rule("use-after-detach"), 1);
	/* mremap moves the tail piece away; the old address is stale. */
	mremap_(920, MAP_ADDR + 2 * 4096, 2 * 4096, 4 * 4096, 0x7f2000000000);
	assert_int_equal(p->mm->bytes, 4096 + 4 * 4096);
	signal_(920, 0, 11, 1, MAP_ADDR + 2 * 4096);
	assert_int_equal(count_rule("use-after-detach"), 2);
	assert_contains(T.findings[T.n_findings - 1].message, "mremap");
	munmap_(920, MAP_ADDR, 1 << 20, 0);
	munmap_(920, 0x7f2000000000, 4 * 4096, 0);
	assert_int_equal(model_holdings(p->mm), 0);
	assert_int_equal(p->mm->bytes, 0);
}

/* ---- lifecycle ---------------------------------------------------------- */

static void test_fork_copies_attachments(void **state)
{
	const struct sw_proc_summary *s;

	start();
	shmget_(1000, IPC_PRIVATE_KEY, 4096, 51);
	shmat_(1000, 0, 51, SEG_ADDR, 4096);
	shared_map(1000, MAP_ADDR, 8192);
	fork_(1000, 1001, false);
	assert_int_equal(model_seg(T.a, 0, 51)->nattch, 2);
	assert_int_equal(model_holdings(model_proc(T.a, 1001)->mm), 2);
	/* The child detaches what it inherited: no finding. */
	shmdt_(1001, 0, SEG_ADDR, 0);
	assert_int_equal(model_seg(T.a, 0, 51)->nattch, 1);
	signal_(1001, 0, 11, 1, SEG_ADDR);
	assert_int_equal(count_rule("use-after-detach"), 1);
	assert_int_equal(find_rule("use-after-detach")->pid, 1001);
	/* The parent's own attachment is untouched by the child's detach. */
	signal_(1000, 0, 11, 1, SEG_ADDR);
	assert_int_equal(count_rule("use-after-detach"), 1);
	exit_(1001);
	s = summary_of(1001);
	assert_non_null(s);
	assert_true(s->exited);
	assert_int_equal(s->held_attachments, 1); /* the shared mapping */
	assert_int_equal(s->detaches, 1);
	shmctl_(1000, 51, IPC_RMID_CMD, 0);
	exit_(1000);
	assert_null(model_seg(T.a, 0, 51));
	assert_int_equal(count_rule("segment-leak"), 0);
}

static void test_vfork_shares_address_space(void **state)
{
	start();
	shmget_(1100, IPC_PRIVATE_KEY, 4096, 61);
	shmat_(1100, 0, 61, SEG_ADDR, 4096);
	fork_(1100, 1101, true);
	assert_ptr_equal(model_proc(T.a, 1101)->mm, model_proc(T.a, 1100)->mm);
	assert_int_equal(model_seg(T.a, 0, 61)->nattch, 1);
	exit_(1101); /* _exit without exec: the parent keeps everything */
	assert_int_equal(model_seg(T.a, 0, 61)->nattch, 1);
	fork_(1100, 1102, true);
	exec_(1102);
	assert_int_equal(model_holdings(model_proc(T.a, 1100)->mm), 1);
	assert_int_equal(model_holdings(model_proc(T.a, 1102)->mm), 0);
}

/*
 * MADV_DONTFORK keeps an attachment out of a fork's child, as stress-ng's
 * shm-sysv stressor does at random: the child gets only the shared
 * mapping, so once the parent detaches and removes the segment, the
 * segment is gone while the child lives on.
 */
static void test_dontfork_leaves_the_attachment_to_the_parent(void **state)
{
	start();
	shmget_(1300, IPC_PRIVATE_KEY, 8 << 20, 81);
	shmat_(1300, 0, 81, SEG_ADDR, 8 << 20);
	shared_map(1300, MAP_ADDR, 8192);
	madvise_(1300, SEG_ADDR, 8 << 20, SW_MADV_DONTFORK, 0);
	fork_(1300, 1301, false);
	assert_null(model_range_at(model_proc(T.a, 1301)->mm, SEG_ADDR));
	assert_non_null(model_range_at(model_proc(T.a, 1301)->mm, MAP_ADDR));
	assert_int_equal(model_seg(T.a, 0, 81)->nattch, 1);
	shmdt_(1300, 0, SEG_ADDR, 0);
	shmctl_(1300, 81, IPC_RMID_CMD, 0);
	assert_null(model_seg(T.a, 0, 81));
}

/* Advice on part of an attachment splits it, as the kernel splits the
 * VMA (each piece one attach); MADV_DOFORK takes DONTFORK back. */
static void test_dofork_on_part_of_a_dontfork_attachment(void **state)
{
	struct mm *child;

	start();
	shmget_(1400, IPC_PRIVATE_KEY, 3 * 4096, 91);
	shmat_(1400, 0, 91, SEG_ADDR, 3 * 4096);
	madvise_(1400, SEG_ADDR, 3 * 4096, SW_MADV_DONTFORK, 0);
	assert_int_equal(model_seg(T.a, 0, 91)->nattch, 1);
	madvise_(1400, SEG_ADDR + 4096, 4096, SW_MADV_DOFORK, 0);
	assert_int_equal(model_seg(T.a, 0, 91)->nattch, 3);
	/* Failed advice changed nothing. */
	madvise_(1400, SEG_ADDR, 4096, SW_MADV_DOFORK, -22);
	fork_(1400, 1401, false);
	child = model_proc(T.a, 1401)->mm;
	assert_null(model_range_at(child, SEG_ADDR));
	assert_non_null(model_range_at(child, SEG_ADDR + 4096));
	assert_null(model_range_at(child, SEG_ADDR + 2 * 4096));
	assert_int_equal(model_seg(T.a, 0, 91)->nattch, 4);
}

static void test_exec_drops_attachments(void **state)
{
	start();
	shmget_(1200, IPC_PRIVATE_KEY, 4096, 71);
	shmat_(1200, 0, 71, SEG_ADDR, 4096);
	shmdt_(1200, 0, SEG_ADDR, 0);
	shmat_(1200, 0, 71, SEG_ADDR + 0x10000, 4096);
	exec_(1200);
	assert_int_equal(model_seg(T.a, 0, 71)->nattch, 0);
	assert_int_equal(model_holdings(model_proc(T.a, 1200)->mm), 0);
	/* The new image knows nothing of the old tombstones. */
	signal_(1200, 0, 11, 1, SEG_ADDR);
	assert_int_equal(count_rule("use-after-detach"), 0);
	/* The process still is the creator: leak decided at its exit. */
	assert_int_equal(T.n_findings, 0);
	exit_(1200);
	assert_int_equal(count_rule("segment-leak"), 1);
}

static void test_exit_before_other_threads_last_call(void **state)
{
	__u64 late_ts;

	start();
	shmget_(1300, IPC_PRIVATE_KEY, 4096, 81);
	shmat_(1300, 1301, 81, SEG_ADDR, 4096);
	late_ts = T.ts + 5;
	T.ts += 10;
	exit_(1300);
	assert_null(model_proc(T.a, 1300));
	/* Thread 1301's last calls, stamped before the exit, arrive after. */
	T.ts = late_ts;
	shmdt_(1300, 1301, SEG_ADDR, 0);
	shmget_(1300, IPC_PRIVATE_KEY, 4096, 82);
	/* No ghost process is made up from them... */
	assert_null(model_proc(T.a, 1300));
	/* ...but the segment the dead process made is a leak, once each. */
	assert_int_equal(count_rule("segment-leak"), 2);
	assert_int_equal(count_rule("invalid-detach"), 0);
	analyzer__finish(T.a, T.ts);
	assert_int_equal(T.n_summaries, 1);
}

static void test_pid_reuse(void **state)
{
	start();
	shmget_(1400, IPC_PRIVATE_KEY, 300 << 20, 91);
	shmat_(1400, 0, 91, SEG_ADDR, 300 << 20);
	shmctl_(1400, 91, IPC_RMID_CMD, 0);
	assert_int_equal(count_rule("oversized-request"), 1);
	/* Its exit is lost; the pid comes back as a child of 1. */
	T.ts += SEC;
	fork_(1, 1400, false);
	assert_int_equal(T.n_summaries, 1); /* the old one is retired */
	assert_int_equal(summary_of(1400)->attaches, 1);
	assert_null(model_seg(T.a, 0, 91)); /* its attachment went with it */
	assert_int_equal(model_holdings(model_proc(T.a, 1400)->mm), 0);
	/* A new process: the same request is a new finding. */
	shmget_(1400, IPC_PRIVATE_KEY, 300 << 20, 92);
	assert_int_equal(count_rule("oversized-request"), 2);
	/* And a proper exit then reuse. */
	shmctl_(1400, 92, IPC_RMID_CMD, 0);
	exit_(1400);
	T.ts += SEC;
	fork_(1, 1400, false);
	shmget_(1400, IPC_PRIVATE_KEY, 300 << 20, 93);
	assert_int_equal(count_rule("oversized-request"), 3);
	assert_int_equal(model_proc(T.a, 1400)->sum.segs_created, 1);
}

static void test_interleaved_threads(void **state)
{
	__u64 bad;
	struct proc *p;

	start();
	shmget_(1500, IPC_PRIVATE_KEY, 4096, 101);
	shmget_(1500, IPC_PRIVATE_KEY, 4096, 102);
	bad = mmap_(1500, 1501, 1 << 20, PROT_RW, MAP_SHARED_FLAG | MAP_ANON_FLAG, -ENOMEM,
		    SW_BK_ANON_SHARED);
	shmat_(1500, 1502, 101, SEG_ADDR, 4096);
	mmap_(1500, 1502, 4096, PROT_RW, MAP_SHARED_FLAG | MAP_ANON_FLAG, MAP_ADDR,
	      SW_BK_ANON_SHARED); /* another thread's success clears nothing */
	shmat_(1500, 1501, 102, SEG_ADDR + 0x10000, 4096);
	shmdt_(1500, 1502, SEG_ADDR + 0x10000, 0); /* detach by another thread */
	shmdt_(1500, 1501, SEG_ADDR, 0);
	p = model_proc(T.a, 1500);
	assert_int_equal(p->mm->n_attach, 0);
	assert_int_equal(T.n_findings, 0);
	munmap_(1500, (__u64)-1, 1 << 20, -EINVAL);
	call(1500, 1501, SW_MUNMAP, -EINVAL, (__u64)-1, 1 << 20, 0, 0);
	assert_int_equal(count_rule("failed-then-used"), 1);
	/* The pid-wide finding came from thread 1500 with no failure of its
	 * own; the evidence falls back to none but the call. */
	assert_false(has_evidence(find_rule("failed-then-used"), bad));
	shmctl_(1500, 101, IPC_RMID_CMD, 0);
	shmctl_(1500, 102, IPC_RMID_CMD, 0);
	exit_(1500);
	assert_int_equal(count_rule("segment-leak"), 0);
}

/* ---- loss ----------------------------------------------------------- */

static void test_lost_gap_marks_uncertain(void **state)
{
	const struct sw_finding *f;

	start();
	shmget_(1700, IPC_PRIVATE_KEY, 4096, 111);
	shmat_(1700, 0, 111, SEG_ADDR, 4096);
	shmdt_(1700, 0, SEG_ADDR, 0);
	/* The IPC_RMID may have been in the hole. */
	analyzer__lost(T.a, T.ts, 5);
	shmget_(1700, IPC_PRIVATE_KEY, 4096, 112); /* made after the hole */
	shmdt_(1700, 0, 0x9000, -EINVAL);	   /* the kernel's verdict */
	exit_(1700);
	assert_int_equal(count_rule("segment-leak"), 2);
	for (int i = 0; i < T.n_findings; i++) {
		f = &T.findings[i];
		if (!strcmp(f->rule, "segment-leak") && strstr(f->message, "segment 111")) {
			assert_true(f->uncertain);
			assert_contains(f->message, "(uncertain: 5 records were lost after what it rests on was seen)");
		} else {
			assert_false(f->uncertain);
			assert_null(strstr(f->message, "uncertain"));
		}
	}
	assert_int_equal(count_rule("invalid-detach"), 1);
}

/* ---- summaries and the table -------------------------------------- */

static void test_summary_counts(void **state)
{
	const struct sw_proc_summary *s;

	start();
	shmget_(1800, IPC_PRIVATE_KEY, 1 << 20, 121);
	shmat_(1800, 0, 121, SEG_ADDR, 1 << 20);
	shared_map(1800, MAP_ADDR, 1 << 20);
	shmctl_(1800, 121, IPC_RMID_CMD, 0);
	shmdt_(1800, 0, SEG_ADDR, 0);
	shared_map(1800, MAP_ADDR + (4 << 20), 4096);
	exit_(1800);
	s = summary_of(1800);
	assert_non_null(s);
	assert_string_equal(s->comm, "prog1800");
	assert_int_equal(s->segs_created, 1);
	assert_int_equal(s->segs_removed, 1);
	assert_int_equal(s->attaches, 1);
	assert_int_equal(s->detaches, 1);
	assert_int_equal(s->shared_maps, 2);
	assert_int_equal(s->peak_shared_bytes, 2 << 20);
	assert_int_equal(s->held_attachments, 2);
	assert_int_equal(s->held_bytes, (1 << 20) + 4096);
	/* Held at exit is not a finding. */
	assert_int_equal(T.n_findings, 0);
	/* A live process is summarized at the end, once. */
	shared_map(1801, MAP_ADDR, 4096);
	analyzer__finish(T.a, T.ts);
	analyzer__finish(T.a, T.ts);
	assert_int_equal(T.n_summaries, 2);
	assert_false(summary_of(1801)->exited);
	assert_int_equal(summary_of(1801)->held_attachments, 1);
}

/* glibc maps its locale cache shared and read-only in most programs: a
 * disk file, not shared memory, so no summary for it alone. */
static void test_summary_skips_disk_files_alone(void **state)
{
	start();
	mmap_(1810, 0, 27 << 10, PROT_READ_FLAG, MAP_SHARED_FLAG, MAP_ADDR, SW_BK_FILE_SHARED);
	exit_(1810);
	assert_int_equal(T.n_summaries, 0);
	mmap_(1811, 0, 27 << 10, PROT_READ_FLAG, MAP_SHARED_FLAG, MAP_ADDR, SW_BK_FILE_SHARED);
	mmap_(1811, 0, 4096, PROT_RW, MAP_SHARED_FLAG, MAP_ADDR + (1 << 20), SW_BK_MEMFD);
	exit_(1811);
	assert_int_equal(T.n_summaries, 1);
	assert_int_equal(summary_of(1811)->shared_maps, 2);
	assert_int_equal(summary_of(1811)->held_attachments, 2);
}

static void test_rule_table(void **state)
{
	static const char *const ids[] = { "segment-leak", "attach-leak", "failed-then-used",
					   "oversized-request", "missing-rollback",
					   "invalid-detach", "use-after-detach",
					   "shm-object-leak", "sigbus-explained",
					   "shm-limit-reached",
					   "shm-space-exhausted",
					   "removed-while-in-use",
					   "ipc-namespace-mismatch" };
	FILE *f;

	assert_int_equal(sw_rule_count, 13);
	assert_int_equal(sw_rule_count, SW_RULE_COUNT);
	for (int i = 0; i < sw_rule_count; i++) {
		assert_string_equal(sw_rules[i].id, ids[i]);
		assert_int_equal(sw_rule_index(ids[i]), i);
		assert_true(strlen(sw_rules[i].summary) > 10);
		assert_true(strlen(sw_rules[i].advice) > 10);
	}
	assert_int_equal(sw_rule_index("no-such-rule"), -ENOENT);
	/* docs/rules.md documents every rule (when run from the tree). */
	f = fopen("docs/rules.md", "r");
	if (f) {
		char buf[65536];
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);

		buf[n] = '\0';
		fclose(f);
		for (int i = 0; i < sw_rule_count; i++) {
			char head[64];

			snprintf(head, sizeof(head), "## `%s`", sw_rules[i].id);
			assert_contains(buf, head);
		}
	}
}

static void test_seeded_state(void **state)
{
	struct sw_seed_segment seg = { .shmid = 131, .key = 0x77, .size = 8192, .cpid = 1900,
				       .nattch = 1 };
	struct sw_seed_mapping m = { .pid = 1900, .start = SEG_ADDR, .end = SEG_ADDR + 8192,
				     .backing = SW_BK_SYSV, .shmid = 131 };

	start();
	analyzer__seed_process(T.a, 1900, "server");
	analyzer__seed_mapping(T.a, &m);
	analyzer__seed_segment(T.a, &seg);
	assert_int_equal(model_seg(T.a, 0, 131)->nattch, 1);
	shmdt_(1900, 0, SEG_ADDR, 0);
	assert_int_equal(model_seg(T.a, 0, 131)->nattch, 0);
	signal_(1900, 0, 11, 1, SEG_ADDR + 4);
	assert_int_equal(count_rule("use-after-detach"), 1);
	exit_(1900);
	assert_int_equal(count_rule("segment-leak"), 1);
	assert_string_equal(find_rule("segment-leak")->comm, "server");
}

static void test_seeded_segment_before_mapping(void **state)
{
	struct sw_seed_segment seg = { .shmid = 141, .key = 0, .size = 4096, .cpid = 1950,
				       .nattch = 1 };
	struct sw_seed_mapping m = { .pid = 1950, .start = SEG_ADDR, .end = SEG_ADDR + 4096,
				     .backing = SW_BK_SYSV, .shmid = 141 };

	start();
	analyzer__seed_process(T.a, 1950, "client");
	analyzer__seed_segment(T.a, &seg);
	analyzer__seed_mapping(T.a, &m);
	assert_int_equal(model_seg(T.a, 0, 141)->nattch, 1);
	shmdt_(1950, 0, SEG_ADDR, 0);
	exit_(1950);
	assert_int_equal(count_rule("segment-leak"), 1);
	assert_int_equal(find_rule("segment-leak")->severity, SW_SEV_ERROR);
}

/* ---- stacks ------------------------------------------------------------ */

static void test_stacks_fork_shares(void **state)
{
	const struct sw_finding *f;

	start();
	shmget_(2080, IPC_PRIVATE_KEY, 4096, 281);
	with_stack(0xa000, 3);
	shmat_(2080, 0, 281, SEG_ADDR, 4096);
	with_stack(0xb000, 2);
	shared_map(2080, MAP_ADDR, 8192);
	fork_(2080, 2081, false);
	fork_(2080, 2082, true); /* vfork: the same address space */
	exit_(2082);
	/* Parent detaches and exits first; the child's copy still knows
	 * where it was attached (in the parent, before the fork). */
	shmdt_(2080, 0, SEG_ADDR, 0);
	shmctl_(2080, 281, IPC_RMID_CMD, 0);
	exit_(2080);
	shmdt_(2081, 0, SEG_ADDR, 0);
	with_stack(0xd000, 1);
	signal_(2081, 0, 11, 1, SEG_ADDR);
	f = find_rule("use-after-detach");
	assert_non_null(f);
	assert_int_equal(f->pid, 2081);
	assert_stack(&f->origin, 2080, 0xa000, 3);
	assert_stack(&f->site, 2081, 0xd000, 1);
	exit_(2081);
	assert_int_equal(T.a->n_stacks, 0);
}

/* Stacks live as long as the objects holding them: a long churn of
 * stack-bearing events with a constant set of live objects keeps a
 * constant number of stacks, and none is left once everything is gone. */
static void test_stacks_memory_is_bounded(void **state)
{
	enum { LIVE = 8, CYCLES = 20000, WARM = 100 };
	__u64 steady = 0;

	start();
	for (int n = 0; n < CYCLES; n++) {
		__s32 id = 10000 + n % 100000;
		__u64 slot = (__u64)(n % LIVE) * 0x100000;

		if (n >= LIVE) {
			shmdt_(2090, 0, SEG_ADDR + slot, 0);
			munmap_(2090, MAP_ADDR + slot, 4096, 0);
		}
		with_stack(0x1000 + n, 3);
		shmget_(2090, IPC_PRIVATE_KEY, 4096, id);
		with_stack(0x2000 + n, 4);
		shmat_(2090, (__u32)(3000 + n % 16), id, SEG_ADDR + slot, 4096);
		shmctl_(2090, id, IPC_RMID_CMD, 0);
		with_stack(0x3000 + n, 2);
		shared_map(2090, MAP_ADDR + slot, 4096);
		/* Failed results, each thread its own, replaced and cleared. */
		with_stack(0x4000 + n, 5);
		mmap_(2090, (__u32)(3000 + n % 16), 1 << 20, PROT_RW,
		      MAP_SHARED_FLAG | MAP_ANON_FLAG, -ENOMEM, SW_BK_ANON_SHARED);
		with_stack(0x5000 + n, 1);
		call(2090, (__u32)(3000 + n % 16), SW_SHMAT, -EACCES, 7, 0, 0, 0);
		/* A child that inherits everything and goes. */
		if (n % 64 == 0) {
			fork_(2090, 2091, false);
			with_stack(0x6000 + n, 2);
			mremap_(2091, MAP_ADDR + slot, 4096, 8192, 0x7f5000000000);
			exit_(2091);
		}
		T.ts += MS;
		if (n == WARM)
			steady = T.a->n_stacks;
		if (n > WARM && n % 64 != 0)
			assert_true(T.a->n_stacks <= steady + 16);
	}
	/* At most: a segment, an attachment and a mapping per live slot,
	 * 2 per tombstone, 3 failed results in each remembered thread. */
	assert_true(steady > 0);
	assert_true(steady <= 3 * LIVE + 2 * SW_TOMBS + 3 * SW_THREADS);
	exit_(2090);
	assert_int_equal(T.a->n_stacks, 0);
	assert_null(model_proc(T.a, 2090));
}

/* analyzer__free with live processes, objects waiting for a holder,
 * leaked objects and mounts, all holding stacks: nothing may be left
 * (run under `make asan` to see it checked by LeakSanitizer). */
static void test_free_with_live_objects(void **state)
{
	start();
	with_stack(0x1000, 3);
	shm_open_(4540, "/dev/shm/live", 210);
	with_stack(0x2000, 3);
	shm_truncate(4540, 210, 1 * MiB);
	with_stack(0x3000, 3);
	shm_map(4540, MAP_ADDR, 1 * MiB, 210, 1 * MiB);
	with_stack(0x4000, 2);
	memfd_(4540, "live", 211);
	with_stack(0x5000, 2);
	obj_map(4541, MAP_ADDR, 4096, MEMFD_DEV, 211, SW_BK_MEMFD, 4096);
	/* Waiting: creator gone, another process maps it. */
	with_stack(0x6000, 2);
	shm_open_(4542, "/dev/shm/waiting", 212);
	with_stack(0x7000, 2);
	shm_map(4541, MAP_ADDR + MiB, 4096, 212, 4096);
	exit_(4542);
	/* Leaked. */
	with_stack(0x8000, 2);
	shm_open_(4543, "/dev/shm/leaked", 213);
	exit_(4543);
	assert_int_equal(count_rule("shm-object-leak"), 1);
	assert_non_null(model_obj(T.a, SHM_DEV, 210));
	assert_non_null(model_obj(T.a, MEMFD_DEV, 211));
	assert_non_null(model_obj(T.a, SHM_DEV, 212));
	assert_non_null(model_obj(T.a, SHM_DEV, 213));
	/* One object waits for its last holder: /dev/shm/waiting. */
	assert_false(list_empty(&T.a->objs_wait));
	assert_true(T.a->objs_wait.next->next == &T.a->objs_wait);
	assert_int_equal(list_entry(T.a->objs_wait.next, struct shmobj, wnode)->ino, 212);
	assert_int_equal(T.a->n_stacks, 8);
	/* teardown() frees the analyzer with all of this alive. */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T_(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T_(test_partial_munmap_and_mremap),
		T_(test_fork_copies_attachments),
		T_(test_vfork_shares_address_space),
		T_(test_dontfork_leaves_the_attachment_to_the_parent),
		T_(test_dofork_on_part_of_a_dontfork_attachment),
		T_(test_exec_drops_attachments),
		T_(test_exit_before_other_threads_last_call),
		T_(test_pid_reuse),
		T_(test_interleaved_threads),
		T_(test_lost_gap_marks_uncertain),
		T_(test_summary_counts),
		T_(test_summary_skips_disk_files_alone),
		T_(test_rule_table),
		T_(test_seeded_state),
		T_(test_seeded_segment_before_mapping),
		T_(test_stacks_fork_shares),
		T_(test_stacks_memory_is_bounded),
		T_(test_free_with_live_objects),
#undef T_
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
