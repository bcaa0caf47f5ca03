// SPDX-License-Identifier: GPL-2.0
/* expect: sigbus-explained 1 */
/* expect-text: sigbus-explained in /dev/shm/shmwatch-test-pastend-\d+ .*offset 256 KiB is past the object.s end \(64 KiB\): it was mapped beyond its size */
/*
 * shm_past_end.c - touching a POSIX shm mapping past the object's end.
 *
 * The object is sized to 64 KiB but mapped at 1 MiB, as when a reader
 * maps what it believes the size to be before the writer has grown the
 * object.  mmap accepts the longer length; the first access beyond the
 * last page of the object (a write at 256 KiB) raises SIGBUS.  A handler
 * jumps back so the program can unmap, unlink the object and exit 0;
 * the kernel has raised the SIGBUS all the same.  Exits 1 if the write
 * does not fault.
 *
 * The clean twin (shm_past_end_clean.c) sizes the object to the whole
 * 1 MiB first, so the same write stays inside it; it exits 1 if the
 * write faults.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "scenario.h"

#define MAP_LEN (1024 * 1024)
#define OBJ_SIZE (DEFECT ? 64 * 1024 : MAP_LEN) /* the defect: too small */
#define TOUCH_AT (256 * 1024)

int main(void)
{
	char name[64];
	int fd, faulted, ret = 0;
	char *p;

	if (catch_sigbus()) {
		perror("shm_past_end: sigaction");
		return 1;
	}
	snprintf(name, sizeof(name), "/shmwatch-test-pastend-%d", getpid());
	fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
	if (fd < 0) {
		perror("shm_past_end: shm_open");
		return 1;
	}
	if (ftruncate(fd, OBJ_SIZE)) {
		perror("shm_past_end: ftruncate");
		ret = 1;
		goto out;
	}
	p = mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("shm_past_end: mmap");
		ret = 1;
		goto out;
	}
	faulted = write_faults(p + TOUCH_AT); /* SIGBUS if past the end */
	if (faulted != DEFECT) {
		fprintf(stderr, "shm_past_end: the write %s\n",
			DEFECT ? "past the end did not fault" : "faulted");
		ret = 1;
	}
	if (munmap(p, MAP_LEN))
		perror("shm_past_end: munmap");
out:
	close(fd);
	if (shm_unlink(name))
		perror("shm_past_end: shm_unlink");
	/* Stay a moment: the tracer reads our maps to symbolize the fault. */
	usleep(300 * 1000);
	return ret;
}
