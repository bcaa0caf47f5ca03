// SPDX-License-Identifier: GPL-2.0
/*
 * workload.c - the programs the benchmark runs under each tracer.
 *
 *   workload MODE ITERS [--hold] [--rate N]
 *
 * Each loop mode runs ITERS iterations and prints one line,
 *   result mode=M iters=N calls=C elapsed_ns=E ns_per_iter=X
 * timed with CLOCK_MONOTONIC around the loop only, so a tracer's start-up,
 * ld.so and process exit never count.  "calls" is how many calls the loop
 * made that shmwatch records (shmget, shmat, ... memfd_create, and
 * ftruncate, unlink on tmpfs), for loss accounting.
 *
 * The openat, creat and unlink modes use one regular file, made before the loop
 * in a fresh directory under the working directory, which must not be a
 * memory filesystem (the point is the path shmwatch does not record).  The
 * file and directory, and posixshm's /dev/shm/shmwatch-bench-PID, are
 * removed at exit and on SIGINT/SIGTERM/SIGHUP; the driver runs workloads
 * in a scratch directory it removes, and sweeps /dev/shm, for SIGKILL.
 *
 * --hold: print "ready" and wait for a line on stdin before the loop, so
 * the driver can attach a tracer to this pid first (-p mode).
 * --rate N: failstorm only; pace to N calls per second in 1 ms batches.
 *
 * The two hold modes keep many objects alive for the tracer's RSS:
 *   sysv-hold N   N attached 4 KiB SysV segments
 *   mmap-hold N   N distinct MAP_SHARED|MAP_ANONYMOUS pages
 * They print "held N", wait for a line on stdin, release everything, print
 * "released" and exit.  Segments are removed on SIGINT/SIGTERM/SIGHUP and on
 * EOF too; the driver also sweeps /proc/sysvipc/shm by creator pid.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SEG_SIZE (64 * 1024)
#define PAGE 4096
#define TMPFS_MAGIC 0x01021994
#define HUGETLBFS_MAGIC 0x958458f6

extern char **environ;

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "workload: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Bytes of each new object the sysv, mmap and memfd loops write to, a
 * byte per page: all of it, or one byte in the light modes, where the
 * traced calls are most of the loop's time. */
static size_t touch_len = SEG_SIZE;

static void touch_light(void)
{
	touch_len = 1;
}

static void touch_pages(volatile char *p, size_t len)
{
	for (size_t off = 0; off < len; off += PAGE)
		p[off] = 1;
}

/* (a) one SysV segment's whole life: 4 traced calls. */
static long loop_sysv(long iters)
{
	for (long i = 0; i < iters; i++) {
		int id = shmget(IPC_PRIVATE, SEG_SIZE, IPC_CREAT | 0600);
		char *p;

		if (id < 0)
			die("shmget");
		p = shmat(id, NULL, 0);
		if (p == (void *)-1) {
			shmctl(id, IPC_RMID, NULL);
			die("shmat");
		}
		touch_pages(p, touch_len);
		shmdt(p);
		shmctl(id, IPC_RMID, NULL);
	}
	return iters * 4;
}

/* (b) anonymous shared mapping: mmap, touch, munmap. */
static long loop_mmap(long iters)
{
	for (long i = 0; i < iters; i++) {
		char *p = mmap(NULL, SEG_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			       -1, 0);

		if (p == MAP_FAILED)
			die("mmap");
		touch_pages(p, touch_len);
		munmap(p, SEG_SIZE);
	}
	return iters * 2;
}

/* (c) memfd: create, size, map, touch, unmap, close.  Recorded: memfd_create,
 * ftruncate (a size change of a memory file), mmap, munmap. */
static long loop_memfd(long iters)
{
	for (long i = 0; i < iters; i++) {
		int fd = memfd_create("bench", 0);
		char *p;

		if (fd < 0)
			die("memfd_create");
		if (ftruncate(fd, SEG_SIZE))
			die("ftruncate");
		p = mmap(NULL, SEG_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			die("mmap");
		touch_pages(p, touch_len);
		munmap(p, SEG_SIZE);
		close(fd);
	}
	return iters * 4;
}

/* (d) the cheapest traced call there is: shmdt on an address never attached. */
static long loop_failstorm(long iters)
{
	for (long i = 0; i < iters; i++)
		shmdt((void *)0x10);
	return iters;
}

/* (d) paced: `rate` calls per second, issued in batches every millisecond.
 * When the loop falls behind it does not sleep, so the achieved rate shows
 * what the machine could do. */
static long loop_failstorm_paced(long iters, long rate)
{
	struct timespec next;
	double per_ms = rate / 1000.0, owed = 0;
	long done = 0;

	clock_gettime(CLOCK_MONOTONIC, &next);
	while (done < iters) {
		owed += per_ms;
		for (; owed >= 1 && done < iters; owed -= 1, done++)
			shmdt((void *)0x10);
		next.tv_nsec += 1000000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_nsec -= 1000000000;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	return done;
}

/* (e) private heap churn, 16 KiB to 64 KiB blocks: no shared memory. */
static long loop_malloc(long iters)
{
	enum { SLOTS = 64 };
	void *slot[SLOTS] = { 0 };
	uint32_t x = 2463534242u;

	for (long i = 0; i < iters; i++) {
		unsigned int k;
		size_t size;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		k = x % SLOTS;
		size = 16384 + (x >> 8) % (65536 - 16384 + 1);
		free(slot[k]);
		slot[k] = malloc(size);
		if (!slot[k])
			die("malloc");
		*(volatile char *)slot[k] = 1;
	}
	for (int k = 0; k < SLOTS; k++)
		free(slot[k]);
	return 0;
}

/* (e) process spawning: ld.so's private mmaps, fork/exec/exit hooks. */
static long loop_spawn(long iters)
{
	char *argv[] = { "true", NULL };

	for (long i = 0; i < iters; i++) {
		pid_t pid;
		int status;

		errno = posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
		if (errno)
			die("posix_spawn");
		if (waitpid(pid, &status, 0) < 0)
			die("waitpid");
	}
	return 0;
}

/* (e) a syscall nobody traces: the per-syscall tracepoint tax. */
static long loop_getppid(long iters)
{
	for (long i = 0; i < iters; i++)
		syscall(SYS_getppid);
	return 0;
}

/*
 * The scratch file of the openat modes and posixshm's object name.  Fixed
 * buffers filled before the loop, so the signal handler only calls
 * unlink and rmdir, which are async-signal-safe.
 */
static char scratch_dir[64], scratch_file[80], scratch_link[80], shm_name[64], shm_path[80];

static void remove_scratch(void)
{
	if (shm_path[0])
		unlink(shm_path); /* what shm_unlink does, without its name check */
	if (scratch_file[0])
		unlink(scratch_file);
	if (scratch_link[0])
		unlink(scratch_link);
	if (scratch_dir[0])
		rmdir(scratch_dir);
}

/* One regular file on the working directory's filesystem, which must not
 * be tmpfs or hugetlbfs: there shmwatch records the creat mode's opens. */
static void setup_scratch_file(void)
{
	struct statfs sfs;
	int fd;

	strcpy(scratch_dir, "shmwatch-bench-XXXXXX");
	if (!mkdtemp(scratch_dir)) {
		scratch_dir[0] = '\0';
		die("mkdtemp in the working directory");
	}
	snprintf(scratch_file, sizeof(scratch_file), "%s/file", scratch_dir);
	snprintf(scratch_link, sizeof(scratch_link), "%s/link", scratch_dir); /* unlink mode */
	fd = open(scratch_file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		die("create the scratch file");
	if (fstatfs(fd, &sfs))
		die("fstatfs");
	close(fd);
	if (sfs.f_type == TMPFS_MAGIC || sfs.f_type == HUGETLBFS_MAGIC) {
		fprintf(stderr, "workload: the working directory is on a memory filesystem; "
				"the openat modes need a disk one\n");
		exit(1);
	}
}

static void setup_shm_name(void)
{
	snprintf(shm_name, sizeof(shm_name), "/shmwatch-bench-%d", (int)getpid());
	snprintf(shm_path, sizeof(shm_path), "/dev/shm%s", shm_name);
}

/* (e) the ordinary open: a regular file read-only, then close.  shmwatch
 * has no program on openat (until an object is unlinked under its users);
 * this pays only the syscall-tracepoint floor. */
static long loop_openat(long iters)
{
	for (long i = 0; i < iters; i++) {
		int fd = openat(AT_FDCWD, scratch_file, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			die("openat");
		close(fd);
	}
	return 0;
}

/* (e) a creating open of a regular file: the open that creates an shm
 * object, on a disk; as above, nothing recorded. */
static long loop_creat(long iters)
{
	for (long i = 0; i < iters; i++) {
		int fd = openat(AT_FDCWD, scratch_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
				0600);

		if (fd < 0)
			die("openat O_CREAT");
		close(fd);
	}
	return 0;
}

/* (e) what rm and build tools do to ordinary files: unlink one by its
 * bare name against the directory's fd.  The name is a second hard link
 * to the scratch file, made again each time: creating and freeing an
 * inode made the loop's time vary by a third from run to run, a link
 * much less.  shmwatch's unlinkat program sees each unlink and lets it go
 * (the directory is on no memory filesystem); nothing is recorded. */
static long loop_unlink(long iters)
{
	int dir = open(scratch_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dir < 0)
		die("open the scratch directory");
	for (long i = 0; i < iters; i++) {
		if (linkat(dir, "file", dir, "link", 0))
			die("linkat");
		if (unlinkat(dir, "link", 0))
			die("unlinkat");
	}
	close(dir);
	return 0;
}

/* (e) the host's most common syscall: a small write (to /dev/null, the
 * cheapest file).  shmwatch's write program sees every write on the host
 * and leaves at its first comparison unless the write failed with ENOSPC;
 * set against (e3), whose syscall has no program, this is that program's
 * cost. */
static long loop_write(long iters)
{
	static const char buf[64];
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		die("open /dev/null");
	for (long i = 0; i < iters; i++)
		if (write(fd, buf, sizeof(buf)) != sizeof(buf))
			die("write");
	close(fd);
	return 0;
}

/* (f) one POSIX shm object's whole life.  Recorded: ftruncate (which
 * announces the object), mmap, munmap, unlink (shm_unlink); shm_open's
 * openat is not traced. */
static long loop_posixshm(long iters)
{
	for (long i = 0; i < iters; i++) {
		int fd = shm_open(shm_name, O_CREAT | O_EXCL | O_RDWR, 0600);
		char *p;

		if (fd < 0)
			die("shm_open");
		if (ftruncate(fd, SEG_SIZE))
			die("ftruncate");
		p = mmap(NULL, SEG_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			die("mmap");
		*(volatile char *)p = 1;
		munmap(p, SEG_SIZE);
		close(fd);
		if (shm_unlink(shm_name))
			die("shm_unlink");
	}
	return iters * 4;
}

/* (e) an open of a name that is not there, outside /dev/shm (the dynamic
 * loader's library search, a config file looked for): the failed open
 * that shmwatch's openat program, once attached, reads the path of. */
static long loop_openat_missing(long iters)
{
	for (long i = 0; i < iters; i++)
		if (openat(AT_FDCWD, scratch_link, O_RDONLY | O_CLOEXEC) >= 0 || errno != ENOENT)
			die("openat of a missing file");
	return 0;
}

struct loop_mode {
	const char *name;
	long (*run)(long iters);
	void (*setup)(void); /* before the clock starts; NULL for none */
};

static const struct loop_mode loop_modes[] = {
	{ "sysv", loop_sysv, NULL },
	{ "mmap", loop_mmap, NULL },
	{ "memfd", loop_memfd, NULL },
	{ "failstorm", loop_failstorm, NULL },
	{ "malloc", loop_malloc, NULL },
	{ "spawn", loop_spawn, NULL },
	{ "getppid", loop_getppid, NULL },
	{ "openat", loop_openat, setup_scratch_file },
	{ "creat", loop_creat, setup_scratch_file },
	{ "missing", loop_openat_missing, setup_scratch_file },
	{ "unlink", loop_unlink, setup_scratch_file },
	{ "write", loop_write, NULL },
	{ "posixshm", loop_posixshm, setup_shm_name },
	/* The same, writing one byte of each object (posixshm does already). */
	{ "sysv-light", loop_sysv, touch_light },
	{ "mmap-light", loop_mmap, touch_light },
	{ "memfd-light", loop_memfd, touch_light },
};

/* Block until the driver sends a line; EOF means it went away. */
static int wait_line(void)
{
	char buf[64];

	return fgets(buf, sizeof(buf), stdin) ? 0 : -1;
}

/* Hold modes.  Globals so the signal handler can release what exists. */
static int *held_ids;
static void **held_maps; /* sysv-hold: attach addresses; mmap-hold: mappings */
static volatile long n_held;

static void release_segments(void)
{
	for (long i = 0; i < n_held; i++)
		shmctl(held_ids[i], IPC_RMID, NULL);
}

static void on_fatal_signal(int sig)
{
	if (held_ids)
		release_segments(); /* shmctl is a plain syscall: safe here */
	remove_scratch();
	_exit(128 + sig);
}

static int hold_sysv(long n)
{
	held_ids = calloc(n, sizeof(*held_ids));
	held_maps = calloc(n, sizeof(*held_maps));
	if (!held_ids || !held_maps)
		die("calloc");
	for (long i = 0; i < n; i++) {
		int id = shmget(IPC_PRIVATE, PAGE, IPC_CREAT | 0600);

		if (id < 0) {
			int e = errno;

			release_segments();
			errno = e;
			die("shmget");
		}
		held_ids[n_held++] = id;
		held_maps[i] = shmat(id, NULL, 0);
		if (held_maps[i] == (void *)-1) {
			int e = errno;

			release_segments();
			errno = e;
			die("shmat");
		}
	}
	printf("held %ld\n", n);
	fflush(stdout);
	wait_line();
	/* Detach first, then remove: the order a careful program uses. */
	for (long i = 0; i < n; i++) {
		shmdt(held_maps[i]);
		shmctl(held_ids[i], IPC_RMID, NULL);
	}
	n_held = 0;
	return 0;
}

static int hold_mmap(long n)
{
	held_maps = calloc(n, sizeof(*held_maps));
	if (!held_maps)
		die("calloc");
	for (long i = 0; i < n; i++) {
		held_maps[i] = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
				    -1, 0);
		if (held_maps[i] == MAP_FAILED)
			die("mmap");
		n_held = i + 1;
	}
	printf("held %ld\n", n);
	fflush(stdout);
	wait_line();
	for (long i = 0; i < n; i++)
		munmap(held_maps[i], PAGE);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: workload MODE ITERS [--hold] [--rate N]\n"
			"modes: sysv mmap memfd failstorm malloc spawn getppid openat creat missing unlink write "
			"posixshm\n"
			"       sysv-light mmap-light memfd-light\n"
			"       sysv-hold mmap-hold\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *mode;
	long iters, rate = 0, calls;
	long long t0, t1;
	int hold = 0;
	struct sigaction sa = { .sa_handler = on_fatal_signal };

	if (argc < 3)
		usage();
	mode = argv[1];
	iters = atol(argv[2]);
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--hold"))
			hold = 1;
		else if (!strcmp(argv[i], "--rate") && i + 1 < argc)
			rate = atol(argv[++i]);
		else
			usage();
	}
	if (iters <= 0)
		usage();
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (hold) {
		printf("ready\n");
		fflush(stdout);
		if (wait_line())
			return 1;
	}
	if (!strcmp(mode, "sysv-hold"))
		return hold_sysv(iters);
	if (!strcmp(mode, "mmap-hold"))
		return hold_mmap(iters);

	for (size_t i = 0; i < sizeof(loop_modes) / sizeof(loop_modes[0]); i++) {
		if (strcmp(mode, loop_modes[i].name))
			continue;
		if (loop_modes[i].setup) {
			atexit(remove_scratch);
			loop_modes[i].setup();
		}
		t0 = now_ns();
		if (rate > 0 && !strcmp(mode, "failstorm"))
			calls = loop_failstorm_paced(iters, rate);
		else
			calls = loop_modes[i].run(iters);
		t1 = now_ns();
		printf("result mode=%s iters=%ld calls=%ld elapsed_ns=%lld ns_per_iter=%.2f\n", mode,
		       iters, calls, t1 - t0, (double)(t1 - t0) / iters);
		return 0;
	}
	usage();
	return 2;
}
