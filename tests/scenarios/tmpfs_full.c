// SPDX-License-Identifier: GPL-2.0
/* expect: sigbus-explained 1 */
/* expect-text: sigbus-explained inside the object \(4.0 MiB\) but \S+ was full, .*biggest: \S+/filler 3.0 MiB */
/*
 * tmpfs_full.c - a shared file mapping on a tmpfs that runs out of space.
 *
 * ftruncate on tmpfs reserves nothing: a file can be sized and mapped far
 * beyond the free space, and the page that does not fit is only found
 * when it is first touched, as a SIGBUS (the /dev/shm of a container
 * with a small size= limit fails the same way).  Here a 4 MiB tmpfs
 * holds a 3 MiB "filler" file, fully written, and a 4 MiB "buffer" file
 * is then mapped and written one page after another: the write to the
 * first page past the free space faults.  A handler jumps back so the
 * program can unmap and unlink both files, unmount and exit 0.  Exits 1
 * if the buffer does not fault.
 *
 * The tmpfs is mounted in a private mount namespace (private_tmpfs), so
 * it vanishes with the process even if the process is killed.  Needs
 * root.
 *
 * The clean twin (tmpfs_full_clean.c) maps the same 4 MiB buffer next to
 * the same filler but writes only its first 512 KiB, which fit in the
 * space left; it exits 1 if that write faults.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <unistd.h>

#include "scenario.h"

#define TMPFS_OPTS "size=4m"
#define FILLER_SIZE (3 * 1024 * 1024)
#define BUFFER_SIZE (4 * 1024 * 1024)
/* The defect: writing all of a buffer the tmpfs has no room for. */
#define BUFFER_USED (DEFECT ? BUFFER_SIZE : 512 * 1024)

/* Writes one byte per page of p[0..len), in order; returns the offset
 * whose write raised SIGBUS, or -1 if every write went through. */
static long touch_pages(volatile char *p, size_t len)
{
	size_t page = sysconf(_SC_PAGESIZE);
	volatile size_t off = 0;

	if (sigsetjmp(fault_jmp, 1))
		return off;
	for (off = 0; off < len; off += page)
		p[off] = 1;
	return -1;
}

/* Creates path, sizes it and maps all of it shared; NULL on error. */
static char *map_new_file(const char *path, size_t size)
{
	char *p;
	int fd;

	fd = open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		perror("tmpfs_full: open");
		return NULL;
	}
	if (ftruncate(fd, size)) {
		perror("tmpfs_full: ftruncate");
		close(fd);
		return NULL;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		perror("tmpfs_full: mmap");
		return NULL;
	}
	return p;
}

static void remove_file(const char *path)
{
	if (unlink(path) && errno != ENOENT)
		perror("tmpfs_full: unlink");
}

int main(void)
{
	char dir[64], filler_path[96], buffer_path[96];
	char *filler = NULL, *buffer = NULL;
	int faulted, ret = 1;

	if (catch_sigbus()) {
		perror("tmpfs_full: sigaction");
		return 1;
	}
	if (private_tmpfs("tmpfs_full", TMPFS_OPTS, dir, sizeof(dir)))
		return 1;
	snprintf(filler_path, sizeof(filler_path), "%s/filler", dir);
	snprintf(buffer_path, sizeof(buffer_path), "%s/buffer", dir);

	filler = map_new_file(filler_path, FILLER_SIZE);
	if (!filler)
		goto out;
	if (touch_pages(filler, FILLER_SIZE) >= 0) {
		fprintf(stderr, "tmpfs_full: the filler does not fit\n");
		goto out;
	}
	buffer = map_new_file(buffer_path, BUFFER_SIZE);
	if (!buffer)
		goto out;
	faulted = touch_pages(buffer, BUFFER_USED) >= 0; /* SIGBUS once full */
	if (faulted == DEFECT)
		ret = 0;
	else
		fprintf(stderr, "tmpfs_full: the buffer %s\n",
			DEFECT ? "never hit a full tmpfs" : "faulted");
out:
	if (buffer && munmap(buffer, BUFFER_SIZE))
		perror("tmpfs_full: munmap buffer");
	if (filler && munmap(filler, FILLER_SIZE))
		perror("tmpfs_full: munmap filler");
	remove_file(buffer_path);
	remove_file(filler_path);
	if (umount(dir))
		perror("tmpfs_full: umount");
	if (rmdir(dir))
		perror("tmpfs_full: rmdir");
	/* Stay a moment: the tracer reads our maps to symbolize the fault. */
	usleep(300 * 1000);
	return ret;
}
