// SPDX-License-Identifier: GPL-2.0
/*
 * capture.c - the capture integration workload (issue 2, "Done when").
 *
 * Makes a known list of shared-memory calls (successes and failures, SysV
 * and mmap, in two threads and in a forked child) and writes a manifest of
 * exactly what it did, one JSON object per line, to argv[1] (stdout if
 * absent).  The integration test traces this program and checks that every
 * manifest line has a matching event in shmwatch's log.
 *
 * Every traced call goes through syscall() with each argument widened to a
 * 64-bit value here, so the manifest holds the very register values the
 * kernel saw; glibc wrappers could reshape them (an int passed through
 * varargs has undefined upper bits, shmctl may add IPC_64 on some arches).
 *
 * glibc itself maps thread stacks and malloc arenas (private mappings) and
 * may munmap parts of them; those calls are not in the manifest, so the test
 * should match the manifest against the log, not the log against it.
 *
 * WORKLOAD_WAIT=1: print "ready", then wait for a line on stdin before the
 * first call, so a tracer can attach with -p to a running process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "workload_wait.h"

#define MIB (1UL << 20)

struct arg {
	const char *name;
	uint64_t val;
};

static int out_fd = STDOUT_FILENO;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static int unexpected; /* calls that did not end the way the list says */

/*
 * One manifest line per call.  Built on the stack and written with one
 * write(2): no stdio buffer that a forked child could flush a second time,
 * no malloc in the threads (an arena mmap would be noise in the log).
 */
static void record(const char *call, const struct arg *a, int n,
		   const char *name, int64_t ret)
{
	char line[1024];
	int len, i;

	len = snprintf(line, sizeof(line),
		       "{\"call\":\"%s\",\"pid\":%d,\"tid\":%d,\"args\":{",
		       call, getpid(), gettid());
	if (name)
		len += snprintf(line + len, sizeof(line) - len,
				"\"name\":\"%s\",", name);
	for (i = 0; i < n; i++)
		len += snprintf(line + len, sizeof(line) - len,
				"%s\"%s\":%" PRIu64, i ? "," : "",
				a[i].name, a[i].val);
	if (ret < 0)
		len += snprintf(line + len, sizeof(line) - len,
				"},\"ret\":%" PRId64 ",\"errno\":\"%s\"}\n",
				ret, strerrorname_np((int)-ret));
	else
		len += snprintf(line + len, sizeof(line) - len,
				"},\"ret\":%" PRId64 ",\"errno\":null}\n", ret);

	pthread_mutex_lock(&out_lock);
	if (write(out_fd, line, len) != len)
		unexpected++;
	pthread_mutex_unlock(&out_lock);
}

/*
 * syscall() folds a failure into -1 and errno; undo that so ret is what the
 * kernel returned.  No successful id, fd or address here can be -1.
 */
static int64_t kernel_ret(long r)
{
	return r == -1 ? -(int64_t)errno : r;
}

static int64_t traced(const char *call, long nr, const struct arg *a, int n)
{
	uint64_t v[6] = { 0 };
	int64_t ret;
	int i;

	for (i = 0; i < n; i++)
		v[i] = a[i].val;
	ret = kernel_ret(syscall(nr, v[0], v[1], v[2], v[3], v[4], v[5]));
	record(call, a, n, NULL, ret);
	return ret;
}

static int64_t x_shmget(uint64_t key, uint64_t size, uint64_t shmflg)
{
	struct arg a[] = { { "key", key }, { "size", size },
			   { "shmflg", shmflg } };

	return traced("shmget", SYS_shmget, a, 3);
}

static int64_t x_shmat(uint64_t shmid, uint64_t shmaddr, uint64_t shmflg)
{
	struct arg a[] = { { "shmid", shmid }, { "shmaddr", shmaddr },
			   { "shmflg", shmflg } };

	return traced("shmat", SYS_shmat, a, 3);
}

static int64_t x_shmdt(uint64_t shmaddr)
{
	struct arg a[] = { { "shmaddr", shmaddr } };

	return traced("shmdt", SYS_shmdt, a, 1);
}

static int64_t x_shmctl(uint64_t shmid, uint64_t cmd, uint64_t buf)
{
	struct arg a[] = { { "shmid", shmid }, { "cmd", cmd }, { "buf", buf } };

	return traced("shmctl", SYS_shmctl, a, 3);
}

static int64_t x_mmap(uint64_t addr, uint64_t length, uint64_t prot,
		      uint64_t flags, uint64_t fd, uint64_t offset)
{
	struct arg a[] = { { "addr", addr },	{ "length", length },
			   { "prot", prot },	{ "flags", flags },
			   { "fd", fd },	{ "offset", offset } };

	return traced("mmap", SYS_mmap, a, 6);
}

static int64_t x_munmap(uint64_t addr, uint64_t length)
{
	struct arg a[] = { { "addr", addr }, { "length", length } };

	return traced("munmap", SYS_munmap, a, 2);
}

static int64_t x_mremap(uint64_t old_address, uint64_t old_size,
			uint64_t new_size, uint64_t flags, uint64_t new_address)
{
	struct arg a[] = { { "old_address", old_address },
			   { "old_size", old_size },
			   { "new_size", new_size },
			   { "flags", flags },
			   { "new_address", new_address } };

	return traced("mremap", SYS_mremap, a, 5);
}

/* The name is a pointer to the kernel; the manifest carries the string. */
static int64_t x_memfd_create(const char *name, uint64_t flags)
{
	struct arg a[] = { { "flags", flags } };
	int64_t ret;

	ret = kernel_ret(syscall(SYS_memfd_create, name, flags));
	record("memfd_create", a, 1, name, ret);
	return ret;
}

static void expect_ok(const char *what, int64_t ret)
{
	if (ret < 0) {
		fprintf(stderr, "capture: %s failed: %s\n", what,
			strerror((int)-ret));
		unexpected++;
	}
}

static void expect_fail(const char *what, int64_t ret)
{
	if (ret >= 0) {
		fprintf(stderr, "capture: %s unexpectedly succeeded\n", what);
		unexpected++;
	}
}

/* shmget / shmat / touch / shmdt / IPC_RMID, the cycle every part repeats. */
static void sysv_cycle(void)
{
	int64_t id, addr;

	id = x_shmget(IPC_PRIVATE, MIB, IPC_CREAT | 0600);
	expect_ok("shmget", id);
	if (id < 0)
		return;
	addr = x_shmat(id, 0, 0);
	expect_ok("shmat", addr);
	if (addr >= 0) {
		memset((void *)addr, 0x5a, MIB);
		expect_ok("shmdt", x_shmdt(addr));
	}
	expect_ok("shmctl", x_shmctl(id, IPC_RMID, 0));
}

static void failing_sysv_calls(void)
{
	int64_t r;

	/* 64 TiB: above RAM plus swap, so ENOMEM (or EINVAL above SHMMAX). */
	r = x_shmget(IPC_PRIVATE, 1ULL << 46, IPC_CREAT | 0600);
	expect_fail("shmget of 64 TiB", r);
	if (r >= 0)
		x_shmctl(r, IPC_RMID, 0);

	/* An id far above any this machine hands out: EINVAL. */
	r = x_shmat(0x7ffffff0, 0, 0);
	expect_fail("shmat of a missing id", r);
	if (r >= 0)
		x_shmdt(r);

	/* Page-aligned, below mmap_min_addr's usual 64 KiB floor: never attached. */
	expect_fail("shmdt of an unattached address", x_shmdt(0x10000));
}

static void mmap_calls(void)
{
	const uint64_t rw = PROT_READ | PROT_WRITE;
	int64_t anon, mfd, fmap, r, grown;

	anon = x_mmap(0, MIB, rw, MAP_SHARED | MAP_ANONYMOUS, (uint64_t)-1, 0);
	expect_ok("mmap shared anonymous", anon);
	if (anon >= 0)
		memset((void *)anon, 1, MIB);

	fmap = -1;
	mfd = x_memfd_create("capture-test", MFD_CLOEXEC);
	expect_ok("memfd_create", mfd);
	if (mfd >= 0) {
		if (ftruncate(mfd, MIB))
			expect_ok("ftruncate", -errno);
		fmap = x_mmap(0, MIB, rw, MAP_SHARED, mfd, 0);
		expect_ok("mmap memfd", fmap);
		if (fmap >= 0)
			memset((void *)fmap, 2, MIB);
		close(mfd);
	}

	/* MAP_SHARED without MAP_ANONYMOUS needs a file: fd -1 is EBADF. */
	r = x_mmap(0, MIB, rw, MAP_SHARED, (uint64_t)-1, 0);
	expect_fail("mmap with fd -1", r);
	if (r >= 0)
		x_munmap(r, MIB);

	if (anon >= 0)
		expect_ok("munmap anonymous", x_munmap(anon, MIB));
	if (fmap >= 0)
		expect_ok("munmap memfd", x_munmap(fmap, MIB));

	anon = x_mmap(0, MIB, rw, MAP_SHARED | MAP_ANONYMOUS, (uint64_t)-1, 0);
	expect_ok("mmap for mremap", anon);
	if (anon < 0)
		return;
	memset((void *)anon, 3, MIB);
	grown = x_mremap(anon, MIB, 2 * MIB, MREMAP_MAYMOVE, 0);
	expect_ok("mremap", grown);
	if (grown < 0) {
		x_munmap(anon, MIB);
		return;
	}
	/*
	 * Only the first MiB has pages behind it: the shmem object of a shared
	 * anonymous mapping keeps its mmap-time size, so the grown tail SIGBUSes.
	 */
	memset((void *)grown, 4, MIB);
	expect_ok("munmap remapped", x_munmap(grown, 2 * MIB));
}

static pthread_barrier_t start_together;

static void *thread_cycle(void *unused)
{
	/* Both threads leave the barrier at once so their calls interleave. */
	pthread_barrier_wait(&start_together);
	sysv_cycle();
	return NULL;
}

static void threaded_cycles(void)
{
	pthread_t t[2];
	int i;

	pthread_barrier_init(&start_together, NULL, 2);
	for (i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, thread_cycle, NULL)) {
			fprintf(stderr, "capture: pthread_create failed\n");
			exit(1);
		}
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start_together);
}

static void child_cycle(void)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		perror("capture: fork");
		unexpected++;
		return;
	}
	if (pid == 0) {
		unexpected = 0;
		sysv_cycle();
		_exit(unexpected ? 1 : 0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "capture: child did not exit 0\n");
		unexpected++;
	}
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		out_fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			      0644);
		if (out_fd < 0) {
			fprintf(stderr, "capture: can't open %s: %s\n",
				argv[1], strerror(errno));
			return 2;
		}
	}
	wait_if_asked();

	sysv_cycle();
	failing_sysv_calls();
	mmap_calls();
	threaded_cycles();
	child_cycle();

	if (out_fd != STDOUT_FILENO)
		close(out_fd);
	return unexpected ? 1 : 0;
}
