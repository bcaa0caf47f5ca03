// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * shm_limit_clean.c - the clean twin of shm_limit.c: six workers under a
 * kernel.shmmni of 8 in the scenario's own IPC namespace, every segment
 * removed.
 */
#define CLEAN
#include "shm_limit.c"
