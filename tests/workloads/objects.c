// SPDX-License-Identifier: GPL-2.0
/*
 * objects.c - the shm-object integration workload (tests/integration/
 * test_objects.py).
 *
 * Usage: objects MANIFEST DISKDIR
 *
 * Makes a known list of file calls, some that shmwatch must record (POSIX
 * shm, memfds, a file on a tmpfs, their sizing and removal, a SIGBUS past
 * a memfd's end) and some it must not (files on the disk, an open that
 * neither creates nor truncates), and writes one JSON object per call to
 * MANIFEST: the step, the call, whether it should be recorded, and what
 * really happened (return value, inode and device from fstat, sizes,
 * addresses), so the test compares the log with this run, not with
 * constants.  DISKDIR must be a directory on a disk filesystem (the test
 * checks "fs_type" of the first line).
 *
 * Device numbers are written as the kernel numbers them inside
 * (major << 20 | minor), which is what shmwatch's "dev" holds, not as
 * stat's st_dev.
 *
 * The tmpfs of step "tmpfs" is mounted in a private mount namespace, so it
 * vanishes with the process even if it is killed; only its empty mount
 * point, /tmp/shmwatch-test-tmpfs-PID-XXXXXX, would be left.  Needs root.
 * Exits 0 when every call ended as expected, 1 otherwise, after staying
 * alive 300 ms so the tracer can still read the process's maps.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#define KIB	   1024L
#define SHM_DIR	   "/dev/shm/"
#define TMPFS_OPTS "size=1m"
/* A length nothing else uses, to look for in the log. */
#define ODD_LENGTH 12345

static int out_fd = -1;
static int unexpected; /* calls that did not end the way the list says */

/*
 * One manifest line: the common members, then the caller's own (fmt, a
 * list of JSON members without the leading comma, or "").  Paths here are
 * made by this program and need no escaping.
 */
static void note(const char *step, const char *call, bool recorded, int64_t ret, const char *fmt,
		 ...)
{
	char line[1024];
	va_list ap;
	int len;

	len = snprintf(line, sizeof(line),
		       "{\"step\":\"%s\",\"call\":\"%s\",\"recorded\":%s,"
		       "\"pid\":%d,\"ret\":%" PRId64,
		       step, call, recorded ? "true" : "false", getpid(), ret);
	if (*fmt) {
		line[len++] = ',';
		va_start(ap, fmt);
		len += vsnprintf(line + len, sizeof(line) - len, fmt, ap);
		va_end(ap);
	}
	len += snprintf(line + len, sizeof(line) - len, "}\n");
	if (write(out_fd, line, len) != len)
		unexpected++;
}

static int64_t kernel_ret(long r)
{
	return r == -1 ? -(int64_t)errno : r;
}

static void expect_ok(const char *what, int64_t ret)
{
	if (ret < 0) {
		fprintf(stderr, "objects: %s failed: %s\n", what, strerror((int)-ret));
		unexpected++;
	}
}

/* What fstat says about a file, with the device as the kernel numbers it. */
struct ident {
	uint64_t ino;
	uint64_t dev;
	int64_t size;
};

static struct ident ident_of(int fd)
{
	struct ident id = {0};
	struct stat st;

	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "objects: fstat(%d) failed\n", fd);
		unexpected++;
		return id;
	}
	id.ino = st.st_ino;
	id.dev = ((uint64_t)major(st.st_dev) << 20) | minor(st.st_dev);
	id.size = st.st_size;
	return id;
}

/* A mount's size limit in bytes, as statvfs reports it (0: none). */
static uint64_t fs_size_of(const char *path)
{
	struct statvfs sv;

	if (statvfs(path, &sv)) {
		unexpected++;
		return 0;
	}
	return (uint64_t)sv.f_blocks * sv.f_frsize;
}

static int64_t x_openat(int dfd, const char *path, int flags, int mode)
{
	return kernel_ret(syscall(SYS_openat, (long)dfd, path, (long)flags, (long)mode));
}

static int64_t x_ftruncate(int fd, int64_t length)
{
	return kernel_ret(syscall(SYS_ftruncate, (long)fd, (long)length));
}

static int64_t x_fallocate(int fd, int mode, int64_t offset, int64_t len)
{
	return kernel_ret(syscall(SYS_fallocate, (long)fd, (long)mode, (long)offset, (long)len));
}

static void note_resize(const char *step, const char *call, bool recorded, int64_t ret, int fd,
			int64_t length)
{
	struct ident id = ident_of(fd);

	note(step, call, recorded, ret,
	     "\"fd\":%d,\"length\":%" PRId64 ",\"ino\":%" PRIu64 ",\"dev\":%" PRIu64
	     ",\"size\":%" PRId64,
	     fd, length, id.ino, id.dev, id.size);
}

/* Step "disk": files on the disk are never recorded, whatever the flags. */
static void disk_files(const char *dir, char *regular, size_t len)
{
	struct statfs sf = { 0 };
	struct ident id;
	int64_t fd, r;
	const int cflags = O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC;

	snprintf(regular, len, "%s/regular", dir);
	if (statfs(dir, &sf))
		unexpected++;

	fd = x_openat(AT_FDCWD, regular, cflags, 0600);
	expect_ok("open O_CREAT|O_TRUNC on disk", fd);
	id = ident_of(fd);
	note("disk", "openat", false, fd,
	     "\"dfd\":%d,\"path\":\"%s\",\"flags\":%d,\"ino\":%" PRIu64 ",\"dev\":%" PRIu64
	     ",\"fs_type\":%ld",
	     AT_FDCWD, regular, cflags, id.ino, id.dev, (long)sf.f_type);
	close(fd);

	fd = x_openat(AT_FDCWD, regular, O_RDONLY | O_CLOEXEC, 0);
	expect_ok("open O_RDONLY on disk", fd);
	note("disk", "openat", false, fd, "\"dfd\":%d,\"path\":\"%s\",\"flags\":%d", AT_FDCWD,
	     regular, O_RDONLY | O_CLOEXEC);
	close(fd);

	/* Step "disk_resize": sizing a disk file is not recorded either. */
	fd = x_openat(AT_FDCWD, regular, O_RDWR | O_CLOEXEC, 0);
	expect_ok("open O_RDWR on disk", fd);
	r = x_ftruncate(fd, ODD_LENGTH);
	expect_ok("ftruncate on disk", r);
	note_resize("disk_resize", "ftruncate", false, r, fd, ODD_LENGTH);
	r = x_fallocate(fd, 0, 0, 2 * ODD_LENGTH);
	expect_ok("fallocate on disk", r);
	note_resize("disk_resize", "fallocate", false, r, fd, 2 * ODD_LENGTH);
	close(fd);
}

static int64_t shm_open_noted(const char *step, bool recorded, const char *name, int oflag,
			      mode_t mode)
{
	char path[128];
	struct ident id;
	struct stat st;
	int64_t fd, before;

	/* The size the call found (-1: no file yet), to see O_TRUNC's work. */
	snprintf(path, sizeof(path), SHM_DIR "%s", name + 1);
	before = stat(path, &st) ? -1 : st.st_size;
	fd = kernel_ret(shm_open(name, oflag, mode));
	id = ident_of(fd);
	expect_ok(step, fd);
	note(step, "openat", recorded, fd,
	     "\"path\":\"%s\",\"oflag\":%d,\"mode\":%d,\"ino\":%" PRIu64 ",\"dev\":%" PRIu64
	     ",\"size_before\":%" PRId64 ",\"size\":%" PRId64 ",\"fs_size\":%" PRIu64,
	     path, oflag, (int)mode, id.ino, id.dev, before, id.size, fs_size_of(SHM_DIR));
	return fd;
}

/*
 * Steps "shm_create", "shm_reopen", "shm_trunc", "shm_resize": a POSIX shm
 * object created, opened again plainly, opened with O_TRUNC and sized.
 * Returns the first fd (still open), or -1.
 */
static int64_t posix_shm(const char *name, int64_t *trunc_fd)
{
	int64_t fd, plain, r;

	fd = shm_open_noted("shm_create", true, name, O_CREAT | O_EXCL | O_RDWR, 0600);
	plain = shm_open_noted("shm_reopen", false, name, O_RDWR, 0);
	/* Some bytes for O_TRUNC to cut: write(2) is not traced. */
	if (fd >= 0 && pwrite(fd, "shmwatch", 8, 0) != 8)
		unexpected++;
	*trunc_fd = shm_open_noted("shm_trunc", true, name, O_RDWR | O_TRUNC, 0);
	if (plain >= 0)
		close(plain);
	if (fd < 0)
		return -1;

	r = x_ftruncate(fd, 128 * KIB);
	expect_ok("ftruncate of shm", r);
	note_resize("shm_resize", "ftruncate", true, r, fd, 128 * KIB);
	r = x_fallocate(fd, 0, 0, 256 * KIB);
	expect_ok("fallocate of shm", r);
	note_resize("shm_resize", "fallocate", true, r, fd, 256 * KIB);
	return fd;
}

/* Step "memfd": a memfd created, sized and mapped: one object throughout. */
static void memfd_mapped(void)
{
	const char *name = "shmwatch-test-m";
	struct ident id;
	int64_t fd, r;
	void *p;

	fd = kernel_ret(syscall(SYS_memfd_create, name, (long)MFD_CLOEXEC));
	expect_ok("memfd_create", fd);
	id = ident_of(fd);
	note("memfd", "memfd_create", true, fd,
	     "\"name\":\"%s\",\"flags\":%d,\"ino\":%" PRIu64 ",\"dev\":%" PRIu64, name, MFD_CLOEXEC,
	     id.ino, id.dev);
	if (fd < 0)
		return;
	r = x_ftruncate(fd, 64 * KIB);
	expect_ok("ftruncate of memfd", r);
	note_resize("memfd", "ftruncate", true, r, fd, 64 * KIB);
	p = mmap(NULL, 64 * KIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	r = p == MAP_FAILED ? -errno : (int64_t)(uintptr_t)p;
	expect_ok("mmap of memfd", r);
	note("memfd", "mmap", true, r,
	     "\"fd\":%d,\"length\":%ld,\"ino\":%" PRIu64 ",\"dev\":%" PRIu64, (int)fd, 64 * KIB,
	     id.ino, id.dev);
	if (p != MAP_FAILED)
		munmap(p, 64 * KIB);
	close(fd);
}

/* A small tmpfs on a new directory under /tmp, seen only by this process. */
static int mount_private_tmpfs(char *dir, size_t dirlen)
{
	if (unshare(CLONE_NEWNS)) {
		perror("objects: unshare(CLONE_NEWNS)");
		return -1;
	}
	/* Otherwise a shared / would propagate our mount to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		perror("objects: make / private");
		return -1;
	}
	snprintf(dir, dirlen, "/tmp/shmwatch-test-tmpfs-%d-XXXXXX", getpid());
	if (!mkdtemp(dir)) {
		perror("objects: mkdtemp");
		return -1;
	}
	if (mount("tmpfs", dir, "tmpfs", 0, TMPFS_OPTS)) {
		perror("objects: mount tmpfs");
		rmdir(dir);
		return -1;
	}
	return 0;
}

/*
 * Step "tmpfs": a file created by a path relative to a directory fd on a
 * tmpfs, and unlinked with the same spelling; then a disk file unlinked,
 * which is not recorded.
 */
static void tmpfs_relative(const char *regular)
{
	const int flags = O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC;
	char dir[64];
	struct ident id;
	int64_t dfd, fd, r;

	if (mount_private_tmpfs(dir, sizeof(dir))) {
		unexpected++;
		return;
	}
	dfd = x_openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	expect_ok("open of the tmpfs directory", dfd);
	if (dfd >= 0) {
		fd = x_openat(dfd, "rel", flags, 0600);
		expect_ok("openat rel", fd);
		id = ident_of(fd);
		note("tmpfs", "openat", true, fd,
		     "\"dfd\":%d,\"path\":\"rel\",\"flags\":%d,\"mode\":%d,\"ino\":%" PRIu64
		     ",\"dev\":%" PRIu64 ",\"fs_size\":%" PRIu64 ",\"dir\":\"%s\"",
		     (int)dfd, flags, 0600, id.ino, id.dev, fs_size_of(dir), dir);
		/* More than the whole mount: tmpfs refuses it up front. */
		r = x_fallocate(fd, 0, 0, 2 * 1024 * KIB);
		if (r != -ENOSPC) {
			fprintf(stderr, "objects: fallocate past the tmpfs size: %" PRId64 "\n", r);
			unexpected++;
		}
		note_resize("tmpfs", "fallocate", true, r, fd, 2 * 1024 * KIB);
		if (fd >= 0)
			close(fd);
		r = kernel_ret(syscall(SYS_unlinkat, (long)dfd, "rel", 0L));
		expect_ok("unlinkat rel", r);
		note("tmpfs", "unlinkat", true, r, "\"dfd\":%d,\"path\":\"rel\",\"flags\":0",
		     (int)dfd);
		close(dfd);
	}
	r = kernel_ret(unlink(regular));
	expect_ok("unlink of the disk file", r);
	note("tmpfs", "unlink", false, r, "\"path\":\"%s\"", regular);

	if (umount(dir)) {
		perror("objects: umount");
		unexpected++;
	}
	if (rmdir(dir)) {
		perror("objects: rmdir");
		unexpected++;
	}
}

static sigjmp_buf fault_jmp;

static void on_sigbus(int sig)
{
	siglongjmp(fault_jmp, 1);
}

/* Step "sigbus": a 64 KiB mapping of a 4 KiB memfd, touched at 32 KiB. */
static void sigbus_past_end(void)
{
	struct sigaction sa = {.sa_handler = on_sigbus};
	const char *name = "shmwatch-test-bus";
	volatile char *p;
	struct ident id;
	int64_t fd, r;
	int faulted;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL))
		unexpected++;
	fd = kernel_ret(syscall(SYS_memfd_create, name, (long)MFD_CLOEXEC));
	expect_ok("memfd_create for SIGBUS", fd);
	id = ident_of(fd);
	note("sigbus", "memfd_create", true, fd,
	     "\"name\":\"%s\",\"flags\":%d,\"ino\":%" PRIu64 ",\"dev\":%" PRIu64, name, MFD_CLOEXEC,
	     id.ino, id.dev);
	if (fd < 0)
		return;
	r = x_ftruncate(fd, 4 * KIB);
	expect_ok("ftruncate for SIGBUS", r);
	note_resize("sigbus", "ftruncate", true, r, fd, 4 * KIB);
	id = ident_of(fd);
	p = mmap(NULL, 64 * KIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	r = p == MAP_FAILED ? -errno : (int64_t)(uintptr_t)p;
	expect_ok("mmap for SIGBUS", r);
	note("sigbus", "mmap", true, r,
	     "\"fd\":%d,\"length\":%ld,\"ino\":%" PRIu64 ",\"dev\":%" PRIu64, (int)fd, 64 * KIB,
	     id.ino, id.dev);
	close(fd);
	if (p == MAP_FAILED)
		return;
	faulted = sigsetjmp(fault_jmp, 1);
	if (!faulted)
		p[32 * KIB] = 1;
	if (!faulted) {
		fprintf(stderr, "objects: no SIGBUS past the memfd's end\n");
		unexpected++;
	}
	note("sigbus", "signal", true, 0,
	     "\"signo\":%d,\"addr\":%" PRIu64 ",\"start\":%" PRIu64 ",\"offset\":%ld"
	     ",\"object_size\":%" PRId64 ",\"ino\":%" PRIu64 ",\"dev\":%" PRIu64,
	     SIGBUS, (uint64_t)(uintptr_t)(p + 32 * KIB), (uint64_t)(uintptr_t)p, 32 * KIB, id.size,
	     id.ino, id.dev);
	munmap((void *)p, 64 * KIB);
}

int main(int argc, char **argv)
{
	const struct timespec linger = {0, 300 * 1000 * 1000};
	char regular[4096], name[64];
	int64_t fd, trunc_fd = -1, r;

	if (argc != 3) {
		fprintf(stderr, "usage: objects MANIFEST DISKDIR\n");
		return 2;
	}
	out_fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out_fd < 0) {
		fprintf(stderr, "objects: can't open %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	snprintf(name, sizeof(name), "/shmwatch-test-obj-%d", getpid());

	disk_files(argv[2], regular, sizeof(regular));
	fd = posix_shm(name, &trunc_fd);
	memfd_mapped();
	tmpfs_relative(regular);

	/* Step "shm_unlink": glibc removes /dev/shm/NAME. */
	r = kernel_ret(shm_unlink(name));
	expect_ok("shm_unlink", r);
	note("shm_unlink", "unlink", true, r, "\"path\":\"" SHM_DIR "%s\"", name + 1);
	if (fd >= 0)
		close(fd);
	if (trunc_fd >= 0)
		close(trunc_fd);

	sigbus_past_end();

	close(out_fd);
	nanosleep(&linger, NULL);
	return unexpected ? 1 : 0;
}
