// SPDX-License-Identifier: GPL-2.0
/*
 * test_procfs.c - the /proc parsers (lib/procfs) and the seeding built on
 * them (analyzer/seed.c), from a fake /proc tree built under /tmp:
 * /PID/maps and /PID/comm for a running process, /sysvipc/shm for the
 * segments, and what the analyzer then knows.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "../fakeproc.h"
#include "analyzer/analyzer.h"
#include "analyzer/objects.h"
#include "analyzer/space.h"
#include "analyzer/seed.h"
#include "lib/procfs.h"

static char root[256];
static struct analyzer *an;
static int n_findings;
static struct sw_finding last;

static void on_finding(void *ctx, const struct sw_finding *f)
{
	n_findings++;
	last = *f;
}

static void write_file(const char *rel, const char *text)
{
	fakeproc_write(root, rel, text);
}

static void make_dir(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static const char maps_4242[] =
	"55d0c0a00000-55d0c0a01000 r--p 00000000 08:01 1234                       /usr/bin/server\n"
	"7f0000000000-7f0000200000 rw-s 00000000 00:01 17170465                   /SYSV1234abcd (deleted)\n"
	"7f0000200000-7f0000201000 r--s 00000000 00:01 17170466                   /SYSV00000000 (deleted)\n"
	"7f1000000000-7f1000001000 rw-s 00000000 00:01 125015                     /dev/zero (deleted)\n"
	"7f1000001000-7f1000002000 rw-s 00000000 00:01 125016                     /memfd:frame buf (deleted)\n"
	"7f1000002000-7f1000012000 rw-s 00000000 00:19 77                         /dev/shm/wayland.pool\n"
	"7f1000012000-7f1000013000 rw-p 00000000 00:00 0 \n"
	"7f1000013000-7f1000014000 rw-p 00000000 00:01 125017                     /dev/zero (deleted)\n"
	"7f1000020000-7f1000030000 rw-s 00000000 08:01 999                        /var/db/data file.db\n"
	"7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]\n";

static const char sysvipc_shm[] =
	"       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n"
	" 305441741   17170465   600               2097152  4242  4242      1     0     0     0     0 1795713789          0 1795713789                     0                     0\n"
	"         0   17170466  1600                  4096  4242  4242      1     0     0     0     0 1795713789          0 1795713789                     0                     0\n"
	"         0   17170467   600                  8192  9999  9999      0     0     0     0     0 1795713789          0 1795713789                     0                     0\n";

static int setup(void **state)
{
	struct analyzer_opts o = { .on_finding = on_finding };

	snprintf(root, sizeof(root), "/tmp/shmwatch-procfs-XXXXXX");
	assert_non_null(mkdtemp(root));
	make_dir("4242");
	make_dir("sysvipc");
	write_file("4242/maps", maps_4242);
	write_file("4242/comm", "server\n");
	write_file("sysvipc/shm", sysvipc_shm);
	an = analyzer__new(&o);
	assert_non_null(an);
	n_findings = 0;
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	analyzer__free(an);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void test_seed_pid_mappings(void **state)
{
	struct proc *p;
	struct mapping *r;

	/* Two SysV, /dev/zero, memfd, /dev/shm and a shared file: six. */
	assert_int_equal(seed_pid(an, root, 4242), 6);
	p = model_proc(an, 4242);
	assert_non_null(p);
	assert_string_equal(p->comm, "server");
	assert_int_equal(p->mm->n_attach, 2);
	assert_int_equal(p->mm->n_map, 4);

	r = model_range_at(p->mm, 0x7f0000000000 + 100);
	assert_non_null(r);
	assert_int_equal(r->kind, SW_RANGE_ATTACH);
	assert_int_equal(r->shmid, 17170465);
	assert_int_equal(r->rn.end, 0x7f0000200000);

	r = model_range_at(p->mm, 0x7f1000000000);
	assert_int_equal(r->backing, SW_BK_ANON_SHARED);
	r = model_range_at(p->mm, 0x7f1000001000);
	assert_int_equal(r->backing, SW_BK_MEMFD);
	r = model_range_at(p->mm, 0x7f1000002000);
	assert_int_equal(r->backing, SW_BK_SHMEM_FILE);
	assert_int_equal(r->ino, 77);
	r = model_range_at(p->mm, 0x7f1000020000);
	assert_int_equal(r->backing, SW_BK_FILE_SHARED);
	/* Private mappings are not shared memory. */
	assert_null(model_range_at(p->mm, 0x7f1000012000));
	assert_null(model_range_at(p->mm, 0x7f1000013000));
	assert_null(model_range_at(p->mm, 0x55d0c0a00000));
}

static void test_seed_pid_missing(void **state)
{
	assert_int_equal(seed_pid(an, root, 1), -ENOENT);
	assert_null(model_proc(an, 1));
}

static void test_seed_segments(void **state)
{
	struct segment *s;

	assert_int_equal(seed_pid(an, root, 4242), 6);
	assert_int_equal(seed_segments(an, root), 3);
	s = model_seg(an, 0, 17170465);
	assert_non_null(s);
	assert_int_equal(s->key, 0x1234abcd);
	assert_int_equal(s->size, 2097152);
	assert_int_equal(s->nattch, 1);
	assert_false(s->rmid);
	assert_true(s->creator_known);
	assert_ptr_equal(s->creator, model_proc(an, 4242));
	s = model_seg(an, 0, 17170466);
	assert_true(s->rmid); /* perms 1600: SHM_DEST */
	/* Made by a process we do not trace: no creator to judge. */
	s = model_seg(an, 0, 17170467);
	assert_non_null(s);
	assert_false(s->creator_known);
	assert_int_equal(seed_segments(an, "/nonexistent-proc-root"), -ENOENT);
}

/* What seeding is for: the analyzer knows what was attached before. */
static void test_seeded_then_traced(void **state)
{
	struct sw_event e = { .kind = SW_EV_CALL, .call = SW_SHMDT, .pid = 4242, .tid = 4242 };

	seed_pid(an, root, 4242);
	seed_segments(an, root);
	e.c.args[0] = 0x7f0000200000;
	e.seq = 1;
	e.ts_ns = 1;
	analyzer__event(an, &e); /* detach the IPC_RMID'd one: destroyed */
	assert_null(model_seg(an, 0, 17170466));
	e.c.args[0] = 0x7f0000000000;
	e.seq = 2;
	analyzer__event(an, &e);
	assert_int_equal(model_seg(an, 0, 17170465)->nattch, 0);
	assert_int_equal(n_findings, 0);

	memset(&e, 0, sizeof(e));
	e.kind = SW_EV_SIGNAL;
	e.pid = e.tid = 4242;
	e.seq = 3;
	e.ts_ns = 2;
	e.sig.signo = 11;
	e.sig.code = 1;
	e.sig.addr = 0x7f0000000010;
	analyzer__event(an, &e);
	assert_int_equal(n_findings, 1);
	assert_string_equal(last.rule, "use-after-detach");

	memset(&e, 0, sizeof(e));
	e.kind = SW_EV_EXIT;
	e.pid = e.tid = 4242;
	e.seq = 4;
	e.ts_ns = 3;
	analyzer__event(an, &e);
	assert_int_equal(n_findings, 2);
	assert_string_equal(last.rule, "segment-leak");
	assert_int_equal(last.pid, 4242);
	assert_string_equal(last.comm, "server");
}

static void test_default_root(void **state)
{
	/* NULL means /proc: our own process is there. */
	assert_true(seed_pid(an, NULL, (__u32)getpid()) >= 0);
	assert_non_null(model_proc(an, (__u32)getpid()));
}

/* The parsers alone, as checkstate.c uses them: the SysV attachments and
 * shared mappings of a maps file, classified, and the segments. */
struct parsed {
	int n;
	struct procfs_mapping m[16];
	struct procfs_segment s[8];
};

static int keep_mapping(void *ctx, const struct procfs_mapping *m)
{
	struct parsed *p = ctx;

	p->m[p->n++] = *m;
	return 0;
}

static int keep_segment(void *ctx, const struct procfs_segment *s)
{
	struct parsed *p = ctx;

	p->s[p->n++] = *s;
	return p->n == 2; /* stops the walk */
}

static void test_parsers_alone(void **state)
{
	static struct parsed p;
	char comm[SW_COMM_LEN];

	memset(&p, 0, sizeof(p));
	assert_int_equal(procfs_read_maps(root, 4242, keep_mapping, &p), 6);
	assert_int_equal(p.m[0].backing, SW_BK_SYSV);
	assert_int_equal(p.m[0].shmid, 17170465);
	assert_int_equal(p.m[0].pid, 4242);
	assert_string_equal(p.m[0].name, "SYSV1234abcd");
	assert_int_equal(p.m[2].backing, SW_BK_ANON_SHARED);
	assert_int_equal(p.m[2].shmid, -1);
	assert_int_equal(p.m[3].backing, SW_BK_MEMFD);
	assert_string_equal(p.m[3].name, "memfd:frame buf");
	assert_int_equal(p.m[4].backing, SW_BK_SHMEM_FILE);
	assert_int_equal(p.m[4].dev, 0x19);
	assert_int_equal(p.m[4].ino, 77);
	assert_string_equal(p.m[4].name, "wayland.pool");
	assert_int_equal(p.m[5].backing, SW_BK_FILE_SHARED);
	assert_int_equal(p.m[5].dev, 8 << 20 | 1);
	assert_int_equal(procfs_read_maps(root, 1, keep_mapping, &p), -ENOENT);

	memset(&p, 0, sizeof(p));
	assert_int_equal(procfs_read_segments(root, keep_segment, &p), 2);
	assert_int_equal(p.s[0].shmid, 17170465);
	assert_int_equal(p.s[0].key, 305441741);
	assert_int_equal(p.s[0].size, 2097152);
	assert_int_equal(p.s[0].cpid, 4242);
	assert_false(p.s[0].removed);
	assert_true(p.s[1].removed); /* mode 1600: SHM_DEST */

	procfs_read_comm(root, 4242, comm, sizeof(comm));
	assert_string_equal(comm, "server");
	procfs_read_comm(root, 1, comm, sizeof(comm));
	assert_string_equal(comm, "");
	assert_string_equal(procfs_root(NULL), "/proc");
	assert_string_equal(procfs_root(""), "/proc");
	assert_string_equal(procfs_root(root), root);
}

/* The limits a log's header carries: the sysctls and RAM + swap. */
static void test_kernel_limits(void **state)
{
	struct procfs_kernel_limits l;
	char meminfo[512], path[512];

	make_dir("sys");
	make_dir("sys/kernel");
	write_file("sys/kernel/shmmax", "18446744073692774399\n");
	write_file("sys/kernel/shmall", "2097152\n");
	write_file("sys/kernel/shmmni", "4096\n");
	write_file("sys/kernel/shm_rmid_forced", "1\n");
	write_file("meminfo", "MemTotal:       24576000 kB\nMemFree:  100 kB\n"
			      "SwapTotal:       1024 kB\n");
	procfs_read_kernel_limits(root, &l);
	assert_int_equal(l.shmmax, 18446744073692774399ULL);
	assert_int_equal(l.shmall, 2097152);
	assert_int_equal(l.shmmni, 4096);
	assert_true(l.shm_rmid_forced);
	assert_int_equal(l.mem_total, (24576000ULL + 1024) * 1024);

	/* Nothing readable: zeros, never garbage. */
	write_file("sys/kernel/shmmax", "not a number\n");
	write_file("sys/kernel/shmall", "\n");
	snprintf(path, sizeof(path), "%s/sys/kernel/shmmni", root);
	assert_int_equal(unlink(path), 0);
	snprintf(meminfo, sizeof(meminfo), "%s/meminfo", root);
	assert_int_equal(unlink(meminfo), 0);
	procfs_read_kernel_limits(root, &l);
	assert_int_equal(l.shmmax, 0);
	assert_int_equal(l.shmall, 0);
	assert_int_equal(l.shmmni, 0);
	assert_int_equal(l.mem_total, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_seed_pid_mappings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parsers_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seed_pid_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seed_segments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seeded_then_traced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_limits, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
