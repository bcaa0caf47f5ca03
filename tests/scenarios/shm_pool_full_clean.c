// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * shm_pool_full_clean.c - the clean twin of shm_pool_full.c: the same pool
 * of workers on an 8 MiB tmpfs, where every buffer fits.
 */
#define CLEAN
#include "shm_pool_full.c"
