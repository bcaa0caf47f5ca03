// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * shm_remap.c - shmat with SHM_REMAP replaces what was mapped there.
 *
 *   1. A shared anonymous mapping reserves an address range; shmat with
 *      SHM_REMAP puts a segment over it.  The mapping is gone (the kernel
 *      unmapped it), so after shmdt nothing is left there and the program
 *      rightly does not munmap it.
 *   2. Segment A is attached; segment B is attached at the same address
 *      with SHM_REMAP, which silently detaches A.  One shmdt then detaches
 *      B, and both segments are removed: A's nattch is already 0.
 * No finding: a tracer that missed the replacement would see a mapping
 * or an attachment that no longer exists.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>

#define LEN (64 * 1024)

static int new_segment(void)
{
	int id = shmget(IPC_PRIVATE, LEN, IPC_CREAT | 0600);

	if (id < 0)
		perror("shm_remap: shmget");
	return id;
}

static int over_a_mapping(void)
{
	char *res, *p;
	int id, ret = 0;

	res = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED) {
		perror("shm_remap: mmap");
		return 1;
	}
	id = new_segment();
	if (id < 0) {
		munmap(res, LEN);
		return 1;
	}
	p = shmat(id, res, SHM_REMAP);
	shmctl(id, IPC_RMID, NULL);
	if (p != res) {
		perror("shm_remap: shmat SHM_REMAP over a mapping");
		munmap(res, LEN);
		return 1;
	}
	strcpy(p, "segment over the reservation");
	if (shmdt(p)) {
		perror("shm_remap: shmdt");
		ret = 1;
	}
	return ret;
}

static int over_an_attachment(void)
{
	int a, b, ret = 0;
	char *pa, *pb;

	a = new_segment();
	b = new_segment();
	if (a < 0 || b < 0)
		goto out;
	pa = shmat(a, NULL, 0);
	if (pa == (void *)-1) {
		perror("shm_remap: shmat A");
		ret = 1;
		goto out;
	}
	strcpy(pa, "A");
	pb = shmat(b, pa, SHM_REMAP);
	if (pb != pa) {
		perror("shm_remap: shmat B SHM_REMAP over A");
		shmdt(pa);
		ret = 1;
		goto out;
	}
	strcpy(pb, "B");
	if (shmdt(pb)) {
		perror("shm_remap: shmdt");
		ret = 1;
	}
out:
	if (a >= 0)
		shmctl(a, IPC_RMID, NULL);
	if (b >= 0)
		shmctl(b, IPC_RMID, NULL);
	return ret || a < 0 || b < 0;
}

int main(void)
{
	int ret = 0;

	ret |= over_a_mapping();
	ret |= over_an_attachment();
	return ret;
}
