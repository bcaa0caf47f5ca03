// SPDX-License-Identifier: GPL-2.0
/*
 * test_checkstate.c - checkstate.c against a fake /proc tree: an analyzer
 * seeded from the tree agrees with it; changing the tree afterwards gives
 * one mismatch line per difference.  With -p or a command, the segments
 * compared are those traced processes had to do with, gone or not.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "../fakeproc.h"
#include "analyzer/checkstate.h"
#include "analyzer/seed.h"
#include "lib/procfs.h"

#define ROOT_TEMPLATE "/tmp/shmwatch-checkstate-XXXXXX"
static char root[sizeof(ROOT_TEMPLATE)];

static void write_file(const char *rel, const char *text)
{
	fakeproc_write(root, rel, text);
}

static const char shm_hdr[] =
	"       key      shmid perms                  size  cpid  lpid nattch   uid   gid  "
	"cuid  cgid      atime      dtime      ctime                   rss                  swap\n";

/* /proc/sysvipc/shm with rows "key shmid perms size cpid lpid nattch". */
static void write_segments(const char *rows)
{
	char text[1024];

	snprintf(text, sizeof(text), "%s%s", shm_hdr, rows);
	write_file("sysvipc/shm", text);
}

static void make_empty_tree(void)
{
	char path[512];

	memcpy(root, ROOT_TEMPLATE, sizeof(root));
	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/sysvipc", root);
	mkdir(path, 0700);
	write_segments("");
}

static void make_tree(void)
{
	char path[512];

	make_empty_tree();
	snprintf(path, sizeof(path), "%s/100", root);
	mkdir(path, 0700);
	write_segments("      1234         7   600               1048576   100   100      1     0     0"
		       "     0     0          0          0          0               0                   0\n");
	write_file("100/comm", "app\n");
	write_file("100/maps",
		   "7f0000000000-7f0000100000 rw-s 00000000 00:01 7       /SYSV000004d2 (deleted)\n"
		   "7f0000200000-7f0000300000 rw-s 00000000 00:01 99      /dev/zero (deleted)\n"
		   "7f0000400000-7f0000500000 rw-p 00000000 00:00 0 \n");
}

static void remove_tree(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

static struct checkstate_result check_in(struct analyzer *a, bool system_wide)
{
	struct checkstate_opts o = { .proc_root = root, .system_wide = system_wide,
				     .out = fopen("/dev/null", "w") };
	struct checkstate_result r;

	assert_int_equal(checkstate_run(a, &o, &r), 0);
	fclose(o.out);
	return r;
}

static struct checkstate_result run_check(struct analyzer *a)
{
	return check_in(a, true);
}

static __u64 seq;

static void feed(struct analyzer *a, struct sw_event *e, __u32 pid)
{
	e->pid = e->tid = pid;
	e->seq = ++seq;
	e->ts_ns = seq * 1000;
	analyzer__event(a, e);
}

static void sysv_call(struct analyzer *a, __u32 pid, __u32 call, __s64 ret, __u64 a0,
		      __u64 a1, __u64 a2)
{
	struct sw_event e = { .kind = SW_EV_CALL, .call = call };

	e.c.ret = ret;
	e.c.args[0] = a0;
	e.c.args[1] = a1;
	e.c.args[2] = a2;
	e.c.shmid = -1;
	feed(a, &e, pid);
}

static void exit_of(struct analyzer *a, __u32 pid)
{
	struct sw_event e = { .kind = SW_EV_EXIT };

	feed(a, &e, pid);
}

#define IPC_CREAT_0600 (01000 | 0600)
#define IPC_RMID_CMD 0

static void test_agrees_then_differs(void **state)
{
	struct analyzer_opts ao = { .max_size = 256ULL << 20 };
	struct analyzer *a = analyzer__new(&ao);
	struct checkstate_result r;

	make_tree();
	assert_true(seed_pid(a, root, 100) >= 0);
	assert_true(seed_segments(a, root) >= 0);
	r = run_check(a);
	assert_int_equal(r.mismatches, 0);
	assert_int_equal(r.segments, 1);
	assert_int_equal(r.processes, 1);

	/* The kernel now shows the shared mapping split by an mprotect (no
	 * difference) and one more shared mapping (a difference). */
	write_file("100/maps",
		   "7f0000000000-7f0000100000 rw-s 00000000 00:01 7       /SYSV000004d2 (deleted)\n"
		   "7f0000200000-7f0000280000 rw-s 00000000 00:01 99      /dev/zero (deleted)\n"
		   "7f0000280000-7f0000300000 r--s 00080000 00:01 99      /dev/zero (deleted)\n"
		   "7f0000600000-7f0000700000 rw-s 00000000 00:01 98      /dev/shm/x\n");
	r = run_check(a);
	assert_int_equal(r.mismatches, 1);

	/* A process the analyzer holds but /proc no longer has exited after
	 * the drain: counted as gone, not as a difference. */
	write_file("100/maps", "");
	unlink(strcat(strcpy((char[600]){ 0 }, root), "/100/maps"));
	r = run_check(a);
	assert_int_equal(r.gone, 1);
	assert_int_equal(r.processes, 0);
	remove_tree();
	analyzer__free(a);
}

/* -p with nothing traced alive and no segment at all: empty views on
 * both sides (under UBSan, a NULL array handed to qsort aborts). */
static void test_nothing_to_compare(void **state)
{
	struct analyzer_opts ao = { .keep_exited = true };
	struct analyzer *a = analyzer__new(&ao);
	struct checkstate_result r;

	make_empty_tree();
	r = check_in(a, false);
	assert_int_equal(r.segments, 0);
	assert_int_equal(r.processes, 0);
	assert_int_equal(r.mismatches, 0);
	/* A segment nobody traced made: still nothing of ours. */
	write_segments("0 9 600 1048576 200 200 1\n");
	r = check_in(a, false);
	assert_int_equal(r.segments, 0);
	assert_int_equal(r.mismatches, 0);
	remove_tree();
	analyzer__free(a);
}

/*
 * A command created segment 7 and exited without removing it: after its
 * exit, 7 is still compared, and segment 8, which the kernel says it
 * created too but the analyzer never saw, is a difference.  Segment 9 of
 * an untraced process is not compared.
 */
static void test_segments_of_an_exited_command(void **state)
{
	struct analyzer_opts ao = { .keep_exited = true };
	struct analyzer *a = analyzer__new(&ao);
	struct checkstate_result r;

	make_empty_tree();
	sysv_call(a, 100, SW_SHMGET, 7, 0, 1 << 20, IPC_CREAT_0600);
	exit_of(a, 100);
	write_segments("0 7 600 1048576 100 100 0\n"
		       "0 9 600 1048576 200 200 1\n");
	r = check_in(a, false);
	assert_int_equal(r.segments, 1);
	assert_int_equal(r.mismatches, 0);

	write_segments("0 7 600 1048576 100 100 0\n"
		       "0 8 600 4096 100 100 0\n"
		       "0 9 600 1048576 200 200 1\n");
	r = check_in(a, false);
	assert_int_equal(r.segments, 1);
	assert_int_equal(r.mismatches, 1);
	remove_tree();
	analyzer__free(a);
}

/*
 * A traced process removed (IPC_RMID) a segment an untraced one made and
 * still holds, then exited: the kernel's creator and last attacher are
 * both untraced, yet the segment is compared.
 */
static void test_segment_a_gone_process_removed(void **state)
{
	struct analyzer_opts ao = { .keep_exited = true };
	struct analyzer *a = analyzer__new(&ao);
	struct checkstate_result r;

	make_empty_tree();
	write_segments("0 9 600 1048576 200 200 1\n");
	assert_int_equal(seed_segments(a, root), 1);
	sysv_call(a, 100, SW_SHMCTL, 0, 9, IPC_RMID_CMD, 0);
	exit_of(a, 100);
	write_segments("0 9 1600 1048576 200 200 1\n");
	r = check_in(a, false);
	assert_int_equal(r.segments, 1);
	assert_int_equal(r.mismatches, 0);
	/* The kernel says it was never removed: a difference. */
	write_segments("0 9 600 1048576 200 200 1\n");
	r = check_in(a, false);
	assert_int_equal(r.segments, 1);
	assert_int_equal(r.mismatches, 1);
	remove_tree();
	analyzer__free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agrees_then_differs),
		cmocka_unit_test(test_nothing_to_compare),
		cmocka_unit_test(test_segments_of_an_exited_command),
		cmocka_unit_test(test_segment_a_gone_process_removed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
