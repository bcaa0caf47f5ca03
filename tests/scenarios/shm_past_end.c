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
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#define OBJ_SIZE (64 * 1024)
#define MAP_LEN (1024 * 1024)
#define TOUCH_AT (256 * 1024)

static sigjmp_buf fault_jmp;

static void on_sigbus(int sig)
{
	siglongjmp(fault_jmp, 1);
}

static int catch_sigbus(void)
{
	struct sigaction sa = { .sa_handler = on_sigbus };

	sigemptyset(&sa.sa_mask);
	return sigaction(SIGBUS, &sa, NULL);
}

/* 1 if writing *p raised SIGBUS, 0 if it went through. */
static int write_faults(volatile char *p)
{
	if (sigsetjmp(fault_jmp, 1))
		return 1;
	*p = 1;
	return 0;
}

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
	faulted = write_faults(p + TOUCH_AT); /* SIGBUS: past the end */
	if (!faulted) {
		fprintf(stderr, "shm_past_end: write past the end did not fault\n");
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
