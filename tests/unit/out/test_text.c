// SPDX-License-Identifier: GPL-2.0
/*
 * test_text.c - the text sink (user/out/out_text.c) against golden lines:
 * records built by hand, as the pipeline hands them over (stacks already
 * resolved), written with colour off and on, and the exact lines read
 * back from the file.  Times are shown in the local zone, so TZ is UTC.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "out/sink.h"

/* 01:02:03.456789 with a zero wall-clock offset. */
#define TS (3723ULL * 1000000000ULL + 456789123ULL)

#define RED	 "\033[31m"
#define BOLD_RED "\033[31;1m"
#define OFF	 "\033[0m"

struct state {
	char path[64];
	struct sink *sink;
	char text[16384];
};

static int setup(void **pstate)
{
	struct state *st = calloc(1, sizeof(*st));
	int fd;

	if (!st)
		return -1;
	strcpy(st->path, "/tmp/test_text.XXXXXX");
	fd = mkstemp(st->path);
	if (fd < 0) {
		free(st);
		return -1;
	}
	close(fd);
	unlink(st->path);
	*pstate = st;
	return 0;
}

static int teardown(void **pstate)
{
	struct state *st = *pstate;

	if (st->sink)
		sink__close(st->sink);
	unlink(st->path);
	free(st);
	return 0;
}

static void open_text(struct state *st, bool color, bool events, int depth)
{
	struct outfile_opts oo = {.path = st->path};
	struct sink_text_opts to = {.color = color, .events = events, .stack_depth = depth};
	struct sw_header h = {.schema = SW_SCHEMA_VERSION, .wall_offset_ns = 0};
	struct outfile *out = outfile__open(&oo);

	assert_non_null(out);
	st->sink = sink_text__new(out, &to);
	assert_non_null(st->sink);
	st->sink->ops->header(st->sink, &h);
}

/* Closes the sink and reads what it wrote. */
static const char *written(struct state *st)
{
	FILE *f;
	size_t n;

	assert_int_equal(sink__close(st->sink), 0);
	st->sink = NULL;
	f = fopen(st->path, "r");
	assert_non_null(f);
	n = fread(st->text, 1, sizeof(st->text) - 1, f);
	st->text[n] = '\0';
	fclose(f);
	return st->text;
}

static void assert_text(struct state *st, const char *want)
{
	const char *got = written(st);

	if (strcmp(got, want))
		fail_msg("text sink wrote:\n%s\nexpected:\n%s", got, want);
}

/* ---- records ---- */

static void base_event(struct sw_event *e, __u32 kind, __u32 call, __u64 seq)
{
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->call = call;
	e->ts_ns = TS;
	e->pid = 100;
	e->tid = 101;
	e->seq = seq;
	strcpy(e->comm, "app");
}

static void put_event(struct state *st, const struct sw_event *e)
{
	struct sink_event se = {.e = e, .seq = e->seq, .stack_from = e->stack_from};

	st->sink->ops->event(st->sink, &se);
}

static void shmget_event(struct sw_event *e)
{
	base_event(e, SW_EV_CALL, SW_SHMGET, 7);
	e->c.args[0] = 0;
	e->c.args[1] = 65536;
	e->c.args[2] = 01000 | 0600; /* IPC_CREAT|0600 */
	e->c.ret = 17;
}

static void failed_shmat_event(struct sw_event *e)
{
	base_event(e, SW_EV_CALL, SW_SHMAT, 8);
	e->c.args[0] = (__u64)-1;
	e->c.ret = -EINVAL;
	e->lost_before = 3;
}

static void mmap_event(struct sw_event *e)
{
	base_event(e, SW_EV_CALL, SW_MMAP, 9);
	e->c.args[1] = 1 << 20;
	e->c.args[2] = 3; /* PROT_READ|PROT_WRITE */
	e->c.args[3] = 1; /* MAP_SHARED */
	e->c.args[4] = 4;
	e->c.ret = 0x7f0000000000;
	e->c.backing = SW_BK_SHMEM_FILE;
	e->c.map_size = 1 << 20;
	e->c.shmid = -1;
	strcpy(e->c.name, "/dev/shm/pool");
}

static void fork_and_exit(struct state *st)
{
	struct sw_event e;

	base_event(&e, SW_EV_FORK, SW_CALL_NONE, 10);
	e.fork.child_pid = 102;
	e.fork.shares_vm = true;
	put_event(st, &e);
	base_event(&e, SW_EV_EXIT, SW_CALL_NONE, 11);
	e.exit.exit_code = 3 << 8;
	put_event(st, &e);
	base_event(&e, SW_EV_EXIT, SW_CALL_NONE, 12);
	e.exit.exit_code = 9; /* SIGKILL */
	put_event(st, &e);
}

static const struct sw_frame site_frames[] = {
    {.ip = 0x401000,
     .module = "/usr/lib/libc.so.6",
     .function = "shmget",
     .file = "shmget.c",
     .line = 30},
    {.ip = 0x401234, .module = "/usr/bin/app", .function = "main", .offset = 0x1f},
    {.ip = 0x402000, .module = "/usr/lib/libc.so.6", .offset = 0x2a},
};

static const struct sw_frame origin_frames[] = {
    {.ip = 0x1234},
};

static void put_finding(struct state *st, bool uncertain, bool stacks)
{
	struct sw_finding f = {
	    .rule = "segment-leak",
	    .severity = uncertain ? SW_SEV_WARNING : SW_SEV_ERROR,
	    .pid = 100,
	    .tid = 100,
	    .ts_ns = TS,
	    .n_evidence = 2,
	    .evidence = {7, 9},
	    .uncertain = uncertain,
	};
	struct sink_finding sf = {.f = &f};

	strcpy(f.comm, "app");
	strcpy(f.message, "segment 17 was left behind");
	if (stacks) {
		sf.site = (struct sink_stack){.frames = site_frames, .n = 3};
		sf.origin = (struct sink_stack){.frames = origin_frames, .n = 1};
		f.hint = "remove it\n with IPC_RMID"; /* escaped like the message */
	}
	st->sink->ops->finding(st->sink, &sf);
}

/* ---- tests ---- */

static void test_events_plain(void **pstate)
{
	struct state *st = *pstate;
	struct sw_event e;

	open_text(st, false, true, 0);
	shmget_event(&e);
	put_event(st, &e);
	failed_shmat_event(&e);
	put_event(st, &e);
	mmap_event(&e);
	put_event(st, &e);
	fork_and_exit(st);
	assert_text(
	    st, "01:02:03.456789 #7 100/101 app shmget(IPC_PRIVATE, 64 KiB, IPC_CREAT|0600) = 17\n"
		"01:02:03.456789 --- 3 records lost here (ring buffer full): what they did is "
		"unknown, and findings that rest on it are marked uncertain ---\n"
		"01:02:03.456789 #8 100/101 app shmat(-1, NULL, 0) = -1 EINVAL\n"
		"01:02:03.456789 #9 100/101 app mmap(NULL, 1.0 MiB, PROT_READ|PROT_WRITE, "
		"MAP_SHARED, 4, 0) = 0x7f0000000000 [shmem_file 1.0 MiB /dev/shm/pool]\n"
		"01:02:03.456789 #10 100/101 app fork() = 102 (shares vm)\n"
		"01:02:03.456789 #11 100/101 app exit(3)\n"
		"01:02:03.456789 #12 100/101 app exit: killed by SIGKILL\n");
}

static void test_events_colour(void **pstate)
{
	struct state *st = *pstate;
	struct sw_event e;

	open_text(st, true, true, 0);
	shmget_event(&e);
	put_event(st, &e);
	failed_shmat_event(&e);
	put_event(st, &e);
	assert_text(
	    st,
	    "01:02:03.456789 #7 100/101 app shmget(IPC_PRIVATE, 64 KiB, IPC_CREAT|0600) = 17\n"
	    "01:02:03.456789 " BOLD_RED "--- 3 records lost here (ring buffer full): what "
	    "they did is unknown, and findings that rest on it are marked uncertain ---" OFF "\n"
	    "01:02:03.456789 #8 100/101 app shmat(-1, NULL, 0) = " RED "-1 EINVAL" OFF "\n");
}

/* What a traced process names reaches the terminal escaped. */
static void test_controlled_bytes_escaped(void **pstate)
{
	struct state *st = *pstate;
	struct sw_event e;

	open_text(st, false, true, 0);
	base_event(&e, SW_EV_EXEC, SW_CALL_NONE, 1);
	strcpy(e.comm, "a\033[2Jb");
	strcpy(e.exec.filename, "/tmp/x\ny\"z");
	put_event(st, &e);
	assert_text(st, "01:02:03.456789 #1 100/101 a\\x1b[2Jb exec(\"/tmp/x\\x0ay\\\"z\")\n");
}

/* An exec's arguments follow it, quoted where they hold a space. */
static void test_exec_argv(void **pstate)
{
	static const char argv[] = "python3\0-c\0import os\0x\033";
	struct state *st = *pstate;
	struct sw_event e;

	open_text(st, false, true, 0);
	base_event(&e, SW_EV_EXEC, SW_CALL_NONE, 1);
	strcpy(e.comm, "python3");
	strcpy(e.exec.filename, "/usr/bin/python3");
	memcpy(e.exec.argv, argv, sizeof(argv) - 1);
	e.exec.argv_len = sizeof(argv) - 1;
	e.exec.argv_cut = 1;
	put_event(st, &e);
	assert_text(st, "01:02:03.456789 #1 100/101 python3 exec(\"/usr/bin/python3\") argv: "
			"python3 -c 'import os' x\\x1b...\n");
}

/* A line's time is the record's own, when the second changes and when it
 * comes back (records of two CPUs interleave), and "0x" numbers and
 * negative ones are written as printf would. */
static void test_event_times_and_numbers(void **pstate)
{
	struct state *st = *pstate;
	struct sw_event e;

	open_text(st, false, true, 0);
	base_event(&e, SW_EV_CALL, SW_SHMDT, 20);
	e.c.args[0] = 0xdeadbeef000;
	e.c.ret = -EINVAL;
	put_event(st, &e);
	base_event(&e, SW_EV_CALL, SW_SHMAT, 21);
	e.ts_ns = TS + 1000000000ULL - 456789123ULL; /* the next second, .000000 */
	e.c.args[0] = 2147483647;
	e.c.ret = 0x7f00000000ff;
	e.c.backing = SW_BK_SYSV;
	e.c.map_size = 10199;
	e.c.shmid = 2147483647;
	put_event(st, &e);
	base_event(&e, SW_EV_CALL, SW_SHMCTL, 22);
	e.ts_ns = TS - 1000ULL; /* back: the earlier second */
	e.c.args[0] = (__u64)-2;
	e.c.ret = 0;
	put_event(st, &e);
	assert_text(st, "01:02:03.456789 #20 100/101 app shmdt(0xdeadbeef000) = -1 EINVAL\n"
			"01:02:04.000000 #21 100/101 app shmat(2147483647, NULL, 0) = 0x7f00000000ff "
			"[sysv 10.0 KiB shmid 2147483647]\n"
			"01:02:03.456788 #22 100/101 app shmctl(-2, IPC_RMID, NULL) = 0\n");
}

static void test_quiet_leaves_out_events(void **pstate)
{
	struct state *st = *pstate;
	struct sw_event e;

	open_text(st, false, false, 0);
	shmget_event(&e);
	put_event(st, &e);
	put_finding(st, false, false);
	assert_text(st, "01:02:03.456789 FINDING error segment-leak pid 100 (app): segment 17 was "
			"left behind [events #7 #9]\n");
}

static void test_finding_stacks_by_depth(void **pstate)
{
	struct state *st = *pstate;

	/* Two of three frames: the rest is marked. */
	open_text(st, false, true, 2);
	put_finding(st, false, true);
	assert_text(st, "01:02:03.456789 FINDING error segment-leak pid 100 (app): segment 17 was "
			"left behind [events #7 #9]\n"
			"    at shmget (shmget.c:30) <- main+0x1f (app) <- ...\n"
			"    from 0x1234\n"
			"    hint: remove it\\x0a with IPC_RMID\n");

	/* The default depth, 4, shows all three. */
	open_text(st, false, true, 0);
	put_finding(st, false, true);
	assert_text(st, "01:02:03.456789 FINDING error segment-leak pid 100 (app): segment 17 was "
			"left behind [events #7 #9]\n"
			"    at shmget (shmget.c:30) <- main+0x1f (app) <- libc.so.6+0x2a\n"
			"    from 0x1234\n"
			"    hint: remove it\\x0a with IPC_RMID\n");
}

/* The hint comes last, indented like the stacks; a known producer's fix
 * names the producer, and so does a producer's library in the stacks. */
static void test_finding_hint(void **pstate)
{
	static const struct sw_frame qt_frames[] = {
	    {.ip = 0x1000, .module = "/usr/lib/libc.so.6", .function = "shmget"},
	    {.ip = 0x2000, .module = "/usr/lib/x86_64-linux-gnu/libQt6XcbQpa.so.6"},
	};
	struct state *st = *pstate;
	struct sw_finding f = {
	    .rule = "shm-object-leak",
	    .severity = SW_SEV_WARNING,
	    .pid = 100,
	    .tid = 100,
	    .ts_ns = TS,
	    .hint = "give /dev/shm room",
	    .producer = "PyTorch",
	    .producer_fix = true,
	};
	struct sink_finding sf = {.f = &f};

	strcpy(f.comm, "app");
	strcpy(f.message, "/dev/shm/torch_1_2 was never unlinked");
	open_text(st, false, false, 0);
	st->sink->ops->finding(st->sink, &sf);
	/* The producer's object with the rule's advice: not the producer's
	 * word, so not attributed to it. */
	f.producer_fix = false;
	f.hint = "shm_unlink() it";
	st->sink->ops->finding(st->sink, &sf);
	f.producer = NULL;
	st->sink->ops->finding(st->sink, &sf);
	sf.origin = (struct sink_stack){.frames = qt_frames, .n = 2};
	st->sink->ops->finding(st->sink, &sf);
	assert_text(st, "01:02:03.456789 FINDING warning shm-object-leak pid 100 (app): "
			"/dev/shm/torch_1_2 was never unlinked [events]\n"
			"    hint (PyTorch): give /dev/shm room\n"
			"01:02:03.456789 FINDING warning shm-object-leak pid 100 (app): "
			"/dev/shm/torch_1_2 was never unlinked [events]\n"
			"    hint: shm_unlink() it\n"
			"01:02:03.456789 FINDING warning shm-object-leak pid 100 (app): "
			"/dev/shm/torch_1_2 was never unlinked [events]\n"
			"    hint: shm_unlink() it\n"
			"01:02:03.456789 FINDING warning shm-object-leak pid 100 (app): "
			"/dev/shm/torch_1_2 was never unlinked [events]\n"
			"    from shmget+0x0 (libc.so.6) <- libQt6XcbQpa.so.6+0x0\n"
			"    hint (Qt xcb): QT_XCB_NO_MITSHM=1 makes Qt's xcb plugin draw without "
			"shared memory; from a container, share the X server's IPC namespace "
			"(docker --ipc=host)\n");
}

static void test_finding_colour(void **pstate)
{
	struct state *st = *pstate;

	open_text(st, true, true, 0);
	put_finding(st, false, false);
	put_finding(st, true, false);
	assert_text(st, "01:02:03.456789 " BOLD_RED "FINDING error segment-leak" OFF
			" pid 100 (app): segment 17 was left behind [events #7 #9]\n"
			"01:02:03.456789 \033[33mUNCERTAIN warning segment-leak" OFF
			" pid 100 (app): segment 17 was left behind [events #7 #9]\n");
}

static void test_summary(void **pstate)
{
	struct state *st = *pstate;
	struct sw_proc_summary p = {
	    .pid = 100,
	    .exited = true,
	    .segs_created = 2,
	    .attaches = 1,
	    .detaches = 1,
	    .peak_shared_bytes = 65536,
	    .held_attachments = 1,
	    .held_bytes = 4096,
	};

	char want[1024];

	strcpy(p.comm, "app");
	p.findings[0] = 2;
	p.findings[1] = 1;
	open_text(st, false, true, 0);
	st->sink->ops->summary(st->sink, &p);
	p.exited = false;
	p.findings[0] = p.findings[1] = 0;
	st->sink->ops->summary(st->sink, &p);
	snprintf(want, sizeof(want),
		 "summary pid 100 (app): segments 2 created, 0 removed; attaches 1, detaches 1; "
		 "shared maps 0, unmaps 0; peak 64 KiB shared; held at exit: 1 (4.0 KiB); "
		 "findings: %s 2, %s 1\n"
		 "summary pid 100 (app) (running): segments 2 created, 0 removed; attaches 1, "
		 "detaches 1; shared maps 0, unmaps 0; peak 64 KiB shared; held now: 1 (4.0 KiB)\n",
		 sw_rules[0].id, sw_rules[1].id);
	assert_text(st, want);
}

static void test_usage(void **pstate)
{
	struct state *st = *pstate;
	struct sw_mount_usage u = {
	    .dev = 27,
	    .label = "/dev/shm",
	    .fs_used = 3 << 20,
	    .fs_size = 64 << 20,
	    .n_objects = 2,
	    .object_bytes = 3 << 20,
	    .n_biggest = 1,
	    .n_creators = 1,
	    .n_growers = 1,
	};

	strcpy(u.biggest[0].path, "/dev/shm/a");
	u.biggest[0].size = 2 << 20;
	u.biggest[0].creator_pid = 12;
	strcpy(u.biggest[0].creator_comm, "python3");
	u.biggest[0].creator_gone = true;
	u.creators[0] =
	    (struct sw_usage_creator){.pid = 12, .gone = true, .objects = 1, .bytes = 2 << 20};
	strcpy(u.creators[0].comm, "python3");
	strcpy(u.growers[0].path, "/dev/shm/a");
	u.growers[0].to = 2 << 20;
	open_text(st, false, true, 0);
	st->sink->ops->usage(st->sink, &u);
	assert_text(st, "tmpfs /dev/shm (0:27): 2 objects, 3.0 MiB; mount 3.0 MiB/64 MiB used when "
			"last seen\n"
			"  biggest: /dev/shm/a 2.0 MiB (pid 12 python3, exited; mapped by 0)\n"
			"  by creator: pid 12 (python3, exited) 2.0 MiB in 1\n"
			"  growing: /dev/shm/a 0 B -> 2.0 MiB\n");
}

/* The high-water mark and the sizes to paste: 61 MiB sufficed; then a
 * refusal, after which only a lower bound is known. */
static void test_usage_sizing(void **pstate)
{
	struct state *st = *pstate;
	struct sw_mount_usage u = {
	    .dev = 27,
	    .label = "/dev/shm",
	    .fs_used = 1 << 20,
	    .fs_size = 64 << 20,
	    .peak_used = 61 << 20,
	    .peak_ts_ns = TS,
	    .sufficient_size = 61 << 20,
	    .roomy_size = 128 << 20,
	};

	open_text(st, false, true, 0);
	st->sink->ops->usage(st->sink, &u);
	u.needed = 700 << 20;
	u.sufficient_size = 700 << 20;
	u.roomy_size = 1ULL << 30;
	st->sink->ops->usage(st->sink, &u);
	assert_text(st, "tmpfs /dev/shm (0:27): 0 objects, 0 B; mount 1.0 MiB/64 MiB used when "
			"last seen\n"
			"  peak 61 MiB of 64 MiB at 01:02:03.456789; 61 MiB would have sufficed, "
			"128 MiB leaves room (--shm-size=128m, sizeLimit: 128Mi)\n"
			"tmpfs /dev/shm (0:27): 0 objects, 0 B; mount 1.0 MiB/64 MiB used when "
			"last seen\n"
			"  peak 61 MiB of 64 MiB at 01:02:03.456789; it ran out of space: at least "
			"700 MiB was needed; try 1.0 GiB "
			"(--shm-size=1g, sizeLimit: 1Gi) and run again\n");
}

/* A container's own /dev/shm is named as the container sees it, after
 * the runtime's name for the container, else its short id; its summary
 * carries the name after the comm as its events do. */
static void test_usage_in_container(void **pstate)
{
	struct state *st = *pstate;
	struct container_info ci = {
	    .ref = {.runtime = CONTAINER_RT_PODMAN,
		    .id = "9f7e0129c3a4e1b29f7e0129c3a4e1b29f7e0129c3a4e1b29f7e0129c3a4e1b2"},
	};
	struct sw_mount_usage u = {
	    .dev = 63,
	    .label = "/dev/shm",
	    .fs_used = 5 << 20,
	    .fs_size = 8 << 20,
	    .peak_used = 6 << 20,
	    .peak_ts_ns = TS,
	    .sufficient_size = 6 << 20,
	    .roomy_size = 16 << 20,
	    .container = &ci,
	};
	struct sw_proc_summary p = {.pid = 100, .exited = true, .container = &ci};

	strcpy(p.comm, "app");
	strcpy(ci.names.name, "web-1");
	open_text(st, false, true, 0);
	st->sink->ops->usage(st->sink, &u);
	st->sink->ops->summary(st->sink, &p);
	ci.names.name[0] = '\0';
	st->sink->ops->usage(st->sink, &u);
	assert_text(st, "tmpfs /dev/shm in container web-1 (0:63): 0 objects, 0 B; mount 5.0 MiB/8.0 MiB "
			"used when last seen\n"
			"  peak 6.0 MiB of 8.0 MiB at 01:02:03.456789; 6.0 MiB would have sufficed, "
			"16 MiB leaves room (--shm-size=16m, sizeLimit: 16Mi)\n"
			"summary pid 100 (app@web-1): segments 0 created, 0 removed; attaches 0, "
			"detaches 0; shared maps 0, unmaps 0; peak 0 B shared; held at exit: 0 (0 B)\n"
			"tmpfs /dev/shm in container podman:9f7e0129c3a4 (0:63): 0 objects, 0 B; mount "
			"5.0 MiB/8.0 MiB used when last seen\n"
			"  peak 6.0 MiB of 8.0 MiB at 01:02:03.456789; 6.0 MiB would have sufficed, "
			"16 MiB leaves room (--shm-size=16m, sizeLimit: 16Mi)\n");
}

/* What held the peak: no "mapped by" (that count is of a later moment),
 * and an unlinked object that a mapping kept says so. */
static void test_usage_peak_held(void **pstate)
{
	struct state *st = *pstate;
	struct sw_mount_usage u = { .dev = 27, .label = "/dev/shm", .n_peak_held = 2 };

	strcpy(u.peak_held[0].path, "/dev/shm/torch_1");
	u.peak_held[0].size = 40 << 20;
	u.peak_held[0].unlinked = true;
	u.peak_held[0].mapped_by = 3;
	u.peak_held[0].creator_pid = 12;
	strcpy(u.peak_held[0].creator_comm, "python3");
	strcpy(u.peak_held[1].path, "/dev/shm/other");
	u.peak_held[1].size = 8 << 20;
	open_text(st, false, true, 0);
	st->sink->ops->usage(st->sink, &u);
	assert_text(st, "tmpfs /dev/shm (0:27): 0 objects, 0 B\n"
			"  at the peak: /dev/shm/torch_1 40 MiB (unlinked, still mapped; pid 12 "
			"python3), /dev/shm/other 8.0 MiB\n");
}

/* SysV per namespace: the peak, the sysctls that would have sufficed
 * (and those set, in shmwatch's namespace), what held the peak. */
static void test_sysv_usage(void **pstate)
{
	struct state *st = *pstate;
	struct sw_sysv_usage u = {
	    .segments = 1, .bytes = 1 << 20,
	    .peak_bytes = 48 << 20, .peak_ts_ns = TS, .peak_bytes_segments = 2,
	    .peak_segments = 3, .biggest_size = 32 << 20,
	    .shmmax = 1ULL << 40, .shmall = 1ULL << 28, .shmmni = 4096,
	    .sufficient_shmall = 12288, .sufficient_shmmni = 3, .sufficient_shmmax = 32 << 20,
	    .n_peak_held = 2, .n_biggest = 1,
	};

	u.peak_held[0] = (struct sw_usage_segment){ .key = 0x1234, .shmid = 7, .size = 32 << 20,
						    .creator_pid = 42, .nattch = 2 };
	strcpy(u.peak_held[0].creator_comm, "postgres");
	u.peak_held[1] = (struct sw_usage_segment){ .shmid = 8, .size = 16 << 20,
						    .creator_pid = 43, .creator_gone = true,
						    .removed = true, .nattch = 1 };
	strcpy(u.peak_held[1].creator_comm, "x");
	u.biggest[0] = u.peak_held[1];
	open_text(st, false, true, 0);
	st->sink->ops->sysv_usage(st->sink, &u);
	u.ipc_ns = 4026532999U;
	u.shmmni = 0;
	u.n_peak_held = 0;
	u.n_biggest = 0;
	u.peak_ts_ns = 0;
	st->sink->ops->sysv_usage(st->sink, &u);
	assert_text(st, "sysv, initial IPC namespace: 1 segment, 1.0 MiB\n"
			"  peak 48 MiB in 2 segments at 01:02:03.456789; most segments at once 3, "
			"biggest 32 MiB\n"
			"  kernel.shmall=12288 kernel.shmmni=3 kernel.shmmax=33554432 would have "
			"sufficed (set: kernel.shmall=268435456 kernel.shmmni=4096 "
			"kernel.shmmax=1099511627776)\n"
			"  at the peak: key 0x00001234 id 7 32 MiB (pid 42 postgres), "
			"IPC_PRIVATE id 8 16 MiB (pid 43 x, exited)\n"
			"  biggest: IPC_PRIVATE id 8 16 MiB (pid 43 x, exited; removed, attached 1)\n"
			"sysv, IPC namespace ipc:[4026532999]: 1 segment, 1.0 MiB\n"
			"  peak 48 MiB in 2 segments; most segments at once 3, biggest 32 MiB\n"
			"  kernel.shmall=12288 kernel.shmmni=3 kernel.shmmax=33554432 would have "
			"sufficed\n");
}

/* A call a full mount refused names the file, created or not. */
static void test_refused_call_names_its_object(void **pstate)
{
	struct state *st = *pstate;
	struct sw_event e = {.kind = SW_EV_CALL, .call = SW_WRITE, .pid = 5, .tid = 5,
			     .ts_ns = TS, .seq = 9};

	strcpy(e.comm, "w");
	e.c.ret = -28;
	e.c.args[0] = 4;
	e.c.args[2] = 65536;
	e.c.backing = SW_BK_SHMEM_FILE;
	e.c.ino = 3;
	e.c.dev = 40;
	e.c.fs_used = 1 << 20;
	e.c.fs_size = 1 << 20;
	strcpy(e.c.name, "frames");
	open_text(st, false, true, 0);
	put_event(st, &e);
	assert_text(st, "01:02:03.456789 #9 5/5 w write(4, NULL, 64 KiB) = -1 ENOSPC "
			"[shmem_file 0 B ino 3 frames; mount 1.0 MiB/1.0 MiB]\n");
}

static void test_stats(void **pstate)
{
	struct state *st = *pstate;
	struct sw_stats s = {.events = 12, .lost = 5, .findings = 2};
	char line[256];

	s.calls[SW_SHMGET] = 3;
	s.calls[SW_SHMAT] = 2;
	s.failed[SW_SHMAT] = 1;
	sink_format_stats_line(line, sizeof(line), &s);
	assert_string_equal(line, "shmwatch: 12 events: shmget 3 shmat 2; 1 failed; 2 findings; "
				  "5 lost");

	open_text(st, true, true, 0);
	st->sink->ops->stats(st->sink, &s);
	s.final = true; /* the final counters go to stderr, not here */
	st->sink->ops->stats(st->sink, &s);
	s.final = false;
	s.lost = 0;
	st->sink->ops->stats(st->sink, &s);
	assert_text(st, BOLD_RED "shmwatch: 5 events lost so far (ring buffer full)" OFF "\n");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_events_plain),
	    T(test_events_colour),
	    T(test_controlled_bytes_escaped), T(test_exec_argv), T(test_event_times_and_numbers),
	    T(test_quiet_leaves_out_events),
	    T(test_finding_stacks_by_depth),
	    T(test_finding_hint),
	    T(test_finding_colour),
	    T(test_summary),
	    T(test_usage),
	    T(test_usage_sizing),
	    T(test_usage_in_container),
	    T(test_usage_peak_held),
	    T(test_sysv_usage),
	    T(test_refused_call_names_its_object),
	    T(test_stats),
	};

	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
