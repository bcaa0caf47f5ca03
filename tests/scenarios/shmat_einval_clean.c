// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * shmat_einval_clean.c - the clean twin of shmat_einval.c: the same
 * calls that fail for their flags or address, and no use of the removed
 * id.
 */
#define CLEAN
#include "shmat_einval.c"
