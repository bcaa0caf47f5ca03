// SPDX-License-Identifier: GPL-2.0
/*
 * test_checkstate.c - checkstate.c against a fake /proc tree: an analyzer
 * seeded from the tree agrees with it; changing the tree afterwards gives
 * one mismatch line per difference.
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
#include "checkstate.h"
#include "procfs.h"

static char root[] = "/tmp/shmwatch-checkstate-XXXXXX";

static void write_file(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char shm_hdr[] =
	"       key      shmid perms                  size  cpid  lpid nattch   uid   gid  "
	"cuid  cgid      atime      dtime      ctime                   rss                  swap\n";

static void make_tree(void)
{
	char path[512], shm[1024];

	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/sysvipc", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/100", root);
	mkdir(path, 0700);
	snprintf(shm, sizeof(shm), "%s%s", shm_hdr,
		 "      1234         7   600               1048576   100   100      1     0     0"
		 "     0     0          0          0          0               0                   0\n");
	write_file("sysvipc/shm", shm);
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

static struct checkstate_result run_check(struct analyzer *a)
{
	struct checkstate_opts o = { .proc_root = root, .system_wide = true,
				     .out = fopen("/dev/null", "w") };
	struct checkstate_result r;

	assert_int_equal(checkstate__run(a, &o, &r), 0);
	fclose(o.out);
	return r;
}

static void test_agrees_then_differs(void **state)
{
	struct analyzer_opts ao = { .max_size = 256ULL << 20 };
	struct analyzer *a = analyzer__new(&ao);
	struct checkstate_result r;

	make_tree();
	assert_true(procfs_seed_pid(a, root, 100) >= 0);
	assert_true(procfs_seed_segments(a, root) >= 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agrees_then_differs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
