// SPDX-License-Identifier: GPL-2.0
/* expect: shm-space-exhausted 1 */
/* options: --writes */
/* expect-text: shm-space-exhausted write of 64 KiB to \S+/log failed with ENOSPC: \S+ \(1.0 MiB\) had 0 B free */
/*
 * shm_write_full.c - a program that writes a file on a small tmpfs until
 * it is full, as a logger or a cache that keeps its data in /dev/shm
 * does: the form of a full mount that only --writes records.
 *
 * On a 1 MiB tmpfs, 64 KiB writes to one file: the 17th is refused
 * (ENOSPC), and so is a retry; one object, one finding.  The program
 * then removes the file and the tmpfs.  The clean twin
 * (shm_write_full_clean.c) writes 512 KiB, which fits.  Exits 1 when the
 * writes do not end the way the build expects.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "scenario.h"

#define PIECE (64 * 1024)
/* The defect: writing more than the tmpfs holds. */
#define PIECES (DEFECT ? 32 : 8)

int main(void)
{
	static char piece[PIECE];
	char dir[64], path[96];
	int fd, refused = 0, ret;

	if (private_tmpfs("shm_write_full", "size=1m", dir, sizeof(dir)))
		return 1;
	snprintf(path, sizeof(path), "%s/log", dir);
	fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0) {
		perror("shm_write_full: open");
		return 1;
	}
	memset(piece, 'x', sizeof(piece));
	for (int i = 0; i < PIECES && refused < 2; i++)
		if (write(fd, piece, PIECE) < 0)
			refused += errno == ENOSPC;
	ret = refused == (DEFECT ? 2 : 0) ? 0 : 1;
	if (ret)
		fprintf(stderr, "shm_write_full: %d writes refused\n", refused);
	close(fd);
	if (unlink(path))
		perror("shm_write_full: unlink");
	if (umount(dir))
		perror("shm_write_full: umount");
	if (rmdir(dir))
		perror("shm_write_full: rmdir");
	return ret;
}
