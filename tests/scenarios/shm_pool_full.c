// SPDX-License-Identifier: GPL-2.0
/* expect: shm-space-exhausted 1 */
/* expect-text: shm-space-exhausted fallocate of \S+/w3 to 1.5 MiB failed with ENOSPC: \S+ \(4.0 MiB\) had \S+ \S+ free, .*biggest: .*\(deleted, still held; */
/*
 * shm_pool_full.c - a pool of workers fills a small tmpfs, as data-loader
 * or NCCL workers fill a container's 64 MiB /dev/shm.
 *
 * Each of three workers makes a 1.5 MiB buffer file on a 4 MiB tmpfs with
 * posix_fallocate (as NCCL and PostgreSQL do), reports to the parent, and
 * keeps its file until the parent says the round is over.  Worker 1
 * unlinks its file at once and keeps only the fd: a deleted file that
 * still occupies the mount, which ls does not show.  Worker 3 finds no
 * room: its fallocate fails with ENOSPC, it retries twice and then tries
 * writing the buffer in 64 KiB pieces, which fails too.  All of that is
 * one object: one finding, which names the mount, how full it was, and
 * the two files that hold it.  Every worker removes its own file before
 * it exits, and the parent unmounts the tmpfs.
 *
 * The clean twin (shm_pool_full_clean.c) gives the same pool an 8 MiB
 * tmpfs: every buffer fits, no finding.  Exits 1 when a worker's result
 * is not the one its build expects.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scenario.h"

#define WORKERS 3
#define BUFFER_SIZE (1536 * 1024)
#define PIECE (64 * 1024)
/* The defect: a pool whose buffers do not fit in its tmpfs. */
#define TMPFS_OPTS (DEFECT ? "size=4m" : "size=8m")

/* Fills fd with BUFFER_SIZE bytes: fallocate with retries, then
 * writes; 0, or the errno of the last failure. */
static int fill_buffer(int fd)
{
	static char piece[PIECE];
	int err = 0;

	for (int i = 0; i < 3; i++) {
		err = posix_fallocate(fd, 0, BUFFER_SIZE);
		if (!err)
			return 0;
	}
	memset(piece, 1, sizeof(piece));
	for (size_t off = 0; off < BUFFER_SIZE; off += PIECE)
		if (write(fd, piece, PIECE) != PIECE)
			return errno ? errno : EIO;
	return 0;
}

/* Worker n: its buffer, its report (0 or an errno) on report_fd, then it
 * waits for the end of the round on go_fd (EOF). */
static int worker(const char *dir, int n, int report_fd, int go_fd)
{
	char path[128], c;
	int fd, err;

	snprintf(path, sizeof(path), "%s/w%d", dir, n);
	fd = open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		perror("shm_pool_full: open");
		return 1;
	}
	err = fill_buffer(fd);
	if (n == 1 && unlink(path)) /* deleted, still held */
		perror("shm_pool_full: unlink");
	if (write(report_fd, &err, sizeof(err)) != sizeof(err))
		perror("shm_pool_full: report");
	while (read(go_fd, &c, 1) > 0)
		;
	close(fd);
	if (n != 1 && unlink(path))
		perror("shm_pool_full: unlink");
	return 0;
}

int main(void)
{
	int report[2], go[2], ret = 0, status;
	pid_t pids[WORKERS];
	char dir[64];

	if (private_tmpfs("shm_pool_full", TMPFS_OPTS, dir, sizeof(dir)))
		return 1;
	if (pipe(report) || pipe(go)) {
		perror("shm_pool_full: pipe");
		return 1;
	}
	for (int i = 0; i < WORKERS; i++) {
		int err = -1;

		pids[i] = fork();
		if (pids[i] < 0) {
			perror("shm_pool_full: fork");
			return 1;
		}
		if (!pids[i]) {
			close(go[1]);
			_exit(worker(dir, i + 1, report[1], go[0]));
		}
		/* One at a time, so that the third is the one refused. */
		if (read(report[0], &err, sizeof(err)) != sizeof(err))
			err = -1;
		if (err != (DEFECT && i == 2 ? ENOSPC : 0)) {
			fprintf(stderr, "shm_pool_full: worker %d: %s\n", i + 1,
				err < 0 ? "no report" : strerror(err));
			ret = 1;
		}
	}
	close(go[1]); /* the round is over */
	for (int i = 0; i < WORKERS; i++)
		if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			ret = 1;
	if (umount(dir))
		perror("shm_pool_full: umount");
	if (rmdir(dir))
		perror("shm_pool_full: rmdir");
	return ret;
}
