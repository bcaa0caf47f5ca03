// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * shm_past_end_clean.c - clean twin of shm_past_end.c.
 *
 * The same 1 MiB mapping of a POSIX shm object and the same write at
 * 256 KiB, but the object is sized to the whole 1 MiB first, so the
 * write stays inside it.  The same SIGBUS handler is installed; the
 * program exits 1 if it ever runs.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#define OBJ_SIZE (1024 * 1024)
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
	int fd, ret = 0;
	char *p;

	if (catch_sigbus()) {
		perror("shm_past_end_clean: sigaction");
		return 1;
	}
	snprintf(name, sizeof(name), "/shmwatch-test-pastend-%d", getpid());
	fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
	if (fd < 0) {
		perror("shm_past_end_clean: shm_open");
		return 1;
	}
	if (ftruncate(fd, OBJ_SIZE)) {
		perror("shm_past_end_clean: ftruncate");
		ret = 1;
		goto out;
	}
	p = mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("shm_past_end_clean: mmap");
		ret = 1;
		goto out;
	}
	if (write_faults(p + TOUCH_AT)) {
		fprintf(stderr, "shm_past_end_clean: unexpected SIGBUS\n");
		ret = 1;
	}
	if (munmap(p, MAP_LEN))
		perror("shm_past_end_clean: munmap");
out:
	close(fd);
	if (shm_unlink(name))
		perror("shm_past_end_clean: shm_unlink");
	/* Stay a moment, like the faulting twin. */
	usleep(300 * 1000);
	return ret;
}
