/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scenario.h - what the scenarios share: the switch between a defective
 * scenario and its clean twin, and the SIGBUS catcher and core-dump guard
 * that several of them need.
 *
 * A pair X.c / X_clean.c is one program: X_clean.c defines CLEAN and
 * includes X.c, so the twin cannot drift from its sibling.  X.c tests
 * DEFECT in plain C where it can (both branches then compile in both
 * builds) and keeps the two builds apart only where the defect is.
 */
#ifndef SCENARIO_H
#define SCENARIO_H

#include <setjmp.h>
#include <signal.h>
#include <sys/resource.h>

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

#endif
