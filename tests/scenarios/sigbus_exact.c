// SPDX-License-Identifier: GPL-2.0
/* expect: sigbus-explained 1 */
/* expect-text: sigbus-explained offset 33,550,336 B is past the object.s end \(33,546,240 B\) */
/*
 * sigbus_exact.c - a SIGBUS a page past an object's end, where both
 * sizes round to "32 MiB".
 *
 * A memfd is sized to 32 MiB minus two pages and mapped at 32 MiB; the
 * write to the last page, one page past the object's end, raises
 * SIGBUS.  Rounded alike, "offset 32 MiB is past the object's end (32
 * MiB)" would read as a contradiction: the finding gives both in exact
 * bytes.  A handler jumps back so the program can unmap and exit 0;
 * exits 1 if the write does not fault.  The clean twin
 * (sigbus_exact_clean.c) writes the last page inside the object
 * instead; it exits 1 if that write faults.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "scenario.h"

#define MAP_LEN (32 * 1024 * 1024)
#define OBJ_SIZE (MAP_LEN - 2 * 4096)
#define TOUCH_AT (DEFECT ? MAP_LEN - 4096 : OBJ_SIZE - 4096)

int main(void)
{
	int fd, faulted;
	char *p;

	if (catch_sigbus()) {
		perror("sigbus_exact: sigaction");
		return 1;
	}
	fd = memfd_create("sigbus_exact", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, OBJ_SIZE)) {
		perror("sigbus_exact: memfd");
		return 1;
	}
	p = mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		perror("sigbus_exact: mmap");
		return 1;
	}
	faulted = write_faults(p + TOUCH_AT);
	munmap(p, MAP_LEN);
	if (faulted != DEFECT) {
		fprintf(stderr, "sigbus_exact: the write %s\n", DEFECT ? "did not fault" : "faulted");
		return 1;
	}
	return 0;
}
