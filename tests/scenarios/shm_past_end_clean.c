// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * shm_past_end_clean.c - the clean twin of shm_past_end.c: the object is
 * sized to the whole mapping, so the same write lands inside it.
 */
#define CLEAN
#include "shm_past_end.c"
