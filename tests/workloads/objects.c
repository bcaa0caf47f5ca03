// SPDX-License-Identifier: GPL-2.0
/*
 * objects.c - the shm-object integration workload (tests/integration/
 * test_objects.py).
 *
 * Usage: objects MANIFEST DISKDIR
 *
 * Makes a known list of file calls, some that shmwatch must record (POSIX
 * shm, memfds, files on a tmpfs, their sizing, shared mappings and
 * removal, a SIGBUS past a memfd's end) and some it must not (every
 * openat, files on the disk, failed unlinks, a directory removed from
 * /dev/shm), and writes one JSON object per call to
 * MANIFEST: the step, the call, whether it should be recorded, and what
 * really happened (return value, inode and device from fstat, sizes,
 * addresses), so the test compares the log with this run, not with
 * constants.  DISKDIR must be a directory on a disk filesystem (the test
 * checks "fs_type" of the first line).
 *
 * No openat is recorded: a tmpfs file's creation is announced by the
 * first ftruncate, fallocate or shared mmap made through the open file
 * that created it, which then carries the file's absolute path.  Each
 * object here is announced in a known way: the POSIX shm object by an
 * ftruncate, "rel" by an ftruncate, "mapped" by an mmap after an
 * ftruncate through another open file, "cwdrel" by an ftruncate; the
 * second POSIX shm object is never sized, so never announced.
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
static void disk_files(const char *dir, char *regular, size_t len, struct ident *regular_id)
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
	*regular_id = id;
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

/* No openat is recorded, whatever its flags. */
static int64_t shm_open_noted(const char *step, const char *name, int oflag, mode_t mode)
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
	note(step, "openat", false, fd,
	     "\"path\":\"%s\",\"oflag\":%d,\"mode\":%d,\"ino\":%" PRIu64 ",\"dev\":%" PRIu64
	     ",\"size_before\":%" PRId64 ",\"size\":%" PRId64 ",\"fs_size\":%" PRIu64,
	     path, oflag, (int)mode, id.ino, id.dev, before, id.size, fs_size_of(SHM_DIR));
	return fd;
}

/*
 * Steps "shm_create", "shm_reopen", "shm_trunc", "shm_resize": a POSIX shm
 * object created, opened again plainly, opened with O_TRUNC and sized:
 * the first ftruncate, through the creating fd, announces it; the
 * fallocate after it does not.  Returns the first fd (still open), or -1.
 */
static int64_t posix_shm(const char *name, int64_t *trunc_fd)
{
	int64_t fd, plain, r;

	fd = shm_open_noted("shm_create", name, O_CREAT | O_EXCL | O_RDWR, 0600);
	plain = shm_open_noted("shm_reopen", name, O_RDWR, 0);
	/* Some bytes for O_TRUNC to cut: write(2) is not traced. */
	if (fd >= 0 && pwrite(fd, "shmwatch", 8, 0) != 8)
		unexpected++;
	*trunc_fd = shm_open_noted("shm_trunc", name, O_RDWR | O_TRUNC, 0);
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

/* An openat, never recorded; returns the fd, the file's identity in *id. */
static int64_t openat_noted(const char *step, int dfd, const char *path, int flags,
			    struct ident *id)
{
	int64_t fd = x_openat(dfd, path, flags, 0600);

	expect_ok(step, fd);
	*id = ident_of(fd);
	note(step, "openat", false, fd,
	     "\"dfd\":%d,\"path\":\"%s\",\"flags\":%d,\"mode\":%d,\"ino\":%" PRIu64
	     ",\"dev\":%" PRIu64,
	     dfd, path, flags, 0600, id->ino, id->dev);
	return fd;
}

static void note_unlink(const char *step, bool recorded, int64_t ret, const char *path,
			const struct ident *id)
{
	note(step, "unlink", recorded, ret, "\"path\":\"%s\",\"ino\":%" PRIu64 ",\"dev\":%" PRIu64,
	     path, id->ino, id->dev);
}

static void note_unlinkat(const char *step, bool recorded, int64_t ret, int dfd, const char *path,
			  int flags, const struct ident *id)
{
	note(step, "unlinkat", recorded, ret,
	     "\"dfd\":%d,\"path\":\"%s\",\"flags\":%d,\"ino\":%" PRIu64 ",\"dev\":%" PRIu64, dfd,
	     path, flags, id->ino, id->dev);
}

/* A MAP_SHARED mmap of fd, noted; returns the address or MAP_FAILED. */
static void *mmap_noted(const char *step, int fd, long length)
{
	struct ident id = ident_of(fd);
	void *p = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	int64_t r = p == MAP_FAILED ? -errno : (int64_t)(uintptr_t)p;

	expect_ok(step, r);
	note(step, "mmap", true, r,
	     "\"fd\":%d,\"length\":%ld,\"ino\":%" PRIu64 ",\"dev\":%" PRIu64 ",\"size\":%" PRId64,
	     fd, length, id.ino, id.dev, id.size);
	return p;
}

/*
 * Step "tmpfs": a file created by a path relative to a directory fd on a
 * tmpfs, sized (which announces it, with its absolute path), refused a
 * fallocate beyond the mount, and unlinked with the relative spelling.
 */
static void tmpfs_relative(const char *dir, int dfd)
{
	const int flags = O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC;
	struct ident id;
	int64_t fd, r;

	fd = x_openat(dfd, "rel", flags, 0600);
	expect_ok("openat rel", fd);
	id = ident_of(fd);
	note("tmpfs", "openat", false, fd,
	     "\"dfd\":%d,\"path\":\"rel\",\"flags\":%d,\"mode\":%d,\"ino\":%" PRIu64
	     ",\"dev\":%" PRIu64 ",\"fs_size\":%" PRIu64 ",\"dir\":\"%s\"",
	     dfd, flags, 0600, id.ino, id.dev, fs_size_of(dir), dir);
	if (fd < 0)
		return;
	r = x_ftruncate(fd, 64 * KIB);
	expect_ok("ftruncate rel", r);
	note_resize("tmpfs", "ftruncate", true, r, fd, 64 * KIB);
	/* More than the whole mount: tmpfs refuses it up front. */
	r = x_fallocate(fd, 0, 0, 2 * 1024 * KIB);
	if (r != -ENOSPC) {
		fprintf(stderr, "objects: fallocate past the tmpfs size: %" PRId64 "\n", r);
		unexpected++;
	}
	note_resize("tmpfs", "fallocate", true, r, fd, 2 * 1024 * KIB);
	close(fd);
	r = kernel_ret(syscall(SYS_unlinkat, (long)dfd, "rel", 0L));
	expect_ok("unlinkat rel", r);
	note_unlinkat("tmpfs", true, r, dfd, "rel", 0, &id);
}

/*
 * Step "tmpfs_map": a file created by its absolute path and sized through
 * a second, plain open of it (not announced: that open did not create
 * it); its first shared mmap through the creating fd announces it, the
 * second does not; unlink by the absolute path.
 */
static void tmpfs_mapped(const char *dir)
{
	const int flags = O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC;
	char path[128];
	struct ident id, id2;
	int64_t fd, fd2, r;
	void *p1, *p2;

	snprintf(path, sizeof(path), "%s/mapped", dir);
	fd = openat_noted("tmpfs_map", AT_FDCWD, path, flags, &id);
	fd2 = openat_noted("tmpfs_map", AT_FDCWD, path, O_RDWR | O_CLOEXEC, &id2);
	if (fd < 0 || fd2 < 0)
		return;
	r = x_ftruncate(fd2, 16 * KIB);
	expect_ok("ftruncate mapped", r);
	note_resize("tmpfs_map", "ftruncate", true, r, fd2, 16 * KIB);
	close(fd2);
	p1 = mmap_noted("tmpfs_map", fd, 16 * KIB);
	p2 = mmap_noted("tmpfs_map", fd, 16 * KIB);
	if (p1 != MAP_FAILED)
		munmap(p1, 16 * KIB);
	if (p2 != MAP_FAILED)
		munmap(p2, 16 * KIB);
	close(fd);
	r = kernel_ret(syscall(SYS_unlink, path));
	expect_ok("unlink mapped", r);
	note_unlink("tmpfs_map", true, r, path, &id);
}

/*
 * Step "tmpfs_cwd": a file created relative to the directory fd and sized
 * (announced), then unlinked by its bare name from the tmpfs directory as
 * the current directory.
 */
static void tmpfs_cwd(const char *dir, int dfd)
{
	const int flags = O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC;
	struct ident id;
	int64_t fd, here, r;

	fd = openat_noted("tmpfs_cwd", dfd, "cwdrel", flags, &id);
	if (fd < 0)
		return;
	r = x_ftruncate(fd, 8 * KIB);
	expect_ok("ftruncate cwdrel", r);
	note_resize("tmpfs_cwd", "ftruncate", true, r, fd, 8 * KIB);
	close(fd);
	here = x_openat(AT_FDCWD, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	expect_ok("open of the cwd", here);
	if (here < 0)
		return;
	if (chdir(dir)) {
		perror("objects: chdir to the tmpfs");
		unexpected++;
		close(here);
		return;
	}
	r = kernel_ret(syscall(SYS_unlink, "cwdrel"));
	expect_ok("unlink cwdrel", r);
	note_unlink("tmpfs_cwd", true, r, "cwdrel", &id);
	if (fchdir(here)) {
		perror("objects: fchdir back");
		unexpected++;
	}
	close(here);
}

/*
 * Steps "tmpfs", "tmpfs_map", "tmpfs_cwd" on a private tmpfs; then
 * "disk_unlink": the disk file unlinked, which is not recorded.
 */
static void tmpfs_files(const char *regular, const struct ident *regular_id)
{
	char dir[64];
	int64_t dfd, r;

	if (mount_private_tmpfs(dir, sizeof(dir))) {
		unexpected++;
		return;
	}
	dfd = x_openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	expect_ok("open of the tmpfs directory", dfd);
	if (dfd >= 0) {
		tmpfs_relative(dir, (int)dfd);
		tmpfs_mapped(dir);
		tmpfs_cwd(dir, (int)dfd);
		close(dfd);
	}
	r = kernel_ret(syscall(SYS_unlink, regular));
	expect_ok("unlink of the disk file", r);
	note_unlink("disk_unlink", false, r, regular, regular_id);

	if (umount(dir)) {
		perror("objects: umount");
		unexpected++;
	}
	if (rmdir(dir)) {
		perror("objects: rmdir");
		unexpected++;
	}
}

/*
 * Step "shm_other": under /dev/shm, a POSIX shm object that is never
 * sized or mapped (so never announced) is removed: recorded by its
 * path alone, without an object; a failed unlink and the removal of a
 * directory (AT_REMOVEDIR) are not recorded.
 */
static void shm_other(void)
{
	const struct ident none = {0};
	char name[64], path[128];
	struct ident id;
	int64_t fd, r;

	snprintf(name, sizeof(name), "/shmwatch-test-una-%d", getpid());
	snprintf(path, sizeof(path), SHM_DIR "%s", name + 1);
	fd = kernel_ret(shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600));
	expect_ok("shm_open of the unannounced object", fd);
	id = ident_of(fd);
	note("shm_other", "openat", false, fd, "\"path\":\"%s\"", path);
	if (fd >= 0)
		close(fd);
	r = kernel_ret(syscall(SYS_unlink, path));
	expect_ok("unlink of the unannounced object", r);
	note_unlink("shm_other", true, r, path, &id);

	/* Gone already: ENOENT. */
	r = kernel_ret(syscall(SYS_unlink, path));
	if (r != -ENOENT) {
		fprintf(stderr, "objects: second unlink of %s: %" PRId64 "\n", path, r);
		unexpected++;
	}
	note_unlink("shm_other", false, r, path, &none);

	snprintf(path, sizeof(path), SHM_DIR "shmwatch-test-dir-%d", getpid());
	if (mkdir(path, 0700)) {
		perror("objects: mkdir in /dev/shm");
		unexpected++;
		return;
	}
	r = kernel_ret(syscall(SYS_unlinkat, (long)AT_FDCWD, path, (long)AT_REMOVEDIR));
	expect_ok("rmdir in /dev/shm", r);
	note_unlinkat("shm_other", false, r, AT_FDCWD, path, AT_REMOVEDIR, &none);
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
	struct ident regular_id = {0}, id;
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

	disk_files(argv[2], regular, sizeof(regular), &regular_id);
	fd = posix_shm(name, &trunc_fd);
	memfd_mapped();
	tmpfs_files(regular, &regular_id);

	/* Step "shm_unlink": glibc removes /dev/shm/NAME, which fd still
	 * holds open (size: what it holds then). */
	r = kernel_ret(shm_unlink(name));
	expect_ok("shm_unlink", r);
	id = ident_of(fd);
	note("shm_unlink", "unlink", true, r,
	     "\"path\":\"" SHM_DIR "%s\",\"ino\":%" PRIu64 ",\"dev\":%" PRIu64 ",\"size\":%" PRId64,
	     name + 1, id.ino, id.dev, id.size);
	if (fd >= 0)
		close(fd);
	if (trunc_fd >= 0)
		close(trunc_fd);
	shm_other();

	sigbus_past_end();

	close(out_fd);
	nanosleep(&linger, NULL);
	return unexpected ? 1 : 0;
}
