// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * missing_rollback_clean.c - the clean twin of missing_rollback.c: shmat
 * fails the same way, and the error path removes the segment.
 */
#define CLEAN
#include "missing_rollback.c"
