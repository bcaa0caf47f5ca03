// SPDX-License-Identifier: GPL-2.0
/* expect: failed-then-used 2 */
/* expect-text: failed-then-used no recent failed shmget of this thread leads to it */
/*
 * minus_one_probe_clean.c - the twin of minus_one_probe.c without its
 * defect: the EEXIST is handled and the result never used.  The two
 * probes of id -1 remain, as warnings that blame no failure.
 */
#define CLEAN
#include "minus_one_probe.c"
