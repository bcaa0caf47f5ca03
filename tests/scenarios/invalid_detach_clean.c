// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/* options: --all-mmaps */
/*
 * invalid_detach_clean.c - the clean twin of invalid_detach.c: the same
 * attachment and shared mapping, each released exactly once.
 */
#define CLEAN
#include "invalid_detach.c"
