/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scenario.h - what the scenarios share: the switch between a defective
 * scenario and its clean twin, the SIGBUS catcher and core-dump guard
 * that several of them need, and a small tmpfs of their own.
 *
 * A pair X.c / X_clean.c is one program: X_clean.c defines CLEAN and
 * includes X.c, so the twin cannot drift from its sibling.  X.c tests
 * DEFECT in plain C where it can (both branches then compile in both
 * builds) and keeps the two builds apart only where the defect is.
 */
#ifndef SCENARIO_H
#define SCENARIO_H

#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

/* 1 in the defective build, 0 in its clean twin. */
#ifdef CLEAN
#define DEFECT 0
#else
#define DEFECT 1
#endif

static __attribute__((unused)) sigjmp_buf fault_jmp;

static inline void on_sigbus(int sig)
{
	siglongjmp(fault_jmp, 1);
}

/* After this a SIGBUS jumps back to the last sigsetjmp(fault_jmp, 1). */
static inline int catch_sigbus(void)
{
	struct sigaction sa = { .sa_handler = on_sigbus };

	sigemptyset(&sa.sa_mask);
	return sigaction(SIGBUS, &sa, NULL);
}

/*
 * 1 if writing *p raised SIGBUS, 0 if it went through.  Not inline: a
 * function that calls sigsetjmp must still be running when the handler
 * jumps back, and the fault's stack should name it.
 */
static __attribute__((noinline, unused)) int write_faults(volatile char *p)
{
	if (sigsetjmp(fault_jmp, 1))
		return 1;
	*p = 1;
	return 0;
}

/* A child meant to die of a signal should not leave a core behind. */
static inline void no_core_dumps(void)
{
	struct rlimit no_core = { 0, 0 };

	setrlimit(RLIMIT_CORE, &no_core);
}

/*
 * A tmpfs mounted with opts ("size=4m") on a new directory under /tmp, in
 * a private mount namespace: seen only by this process and its children,
 * and gone with them even if they are killed (only the empty directory,
 * /tmp/shmwatch-test-tmpfs-PID-XXXXXX, would be left then).  Needs root
 * (CAP_SYS_ADMIN) for unshare and mount.  who prefixes error messages.
 */
static __attribute__((unused)) int private_tmpfs(const char *who, const char *opts, char *dir,
						 size_t dirlen)
{
	if (unshare(CLONE_NEWNS)) {
		fprintf(stderr, "%s: ", who);
		perror("unshare(CLONE_NEWNS)");
		return -1;
	}
	/* Otherwise a shared / would propagate our mount to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		fprintf(stderr, "%s: ", who);
		perror("make / private");
		return -1;
	}
	snprintf(dir, dirlen, "/tmp/shmwatch-test-tmpfs-%d-XXXXXX", getpid());
	if (!mkdtemp(dir)) {
		fprintf(stderr, "%s: ", who);
		perror("mkdtemp");
		return -1;
	}
	if (mount("tmpfs", dir, "tmpfs", 0, opts)) {
		fprintf(stderr, "%s: ", who);
		perror("mount tmpfs");
		rmdir(dir);
		return -1;
	}
	return 0;
}

#endif
