// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/* options: --writes */
/*
 * shm_write_full_clean.c - the clean twin of shm_write_full.c: the same
 * writer on the same 1 MiB tmpfs, writing 512 KiB, which fits.
 */
#define CLEAN
#include "shm_write_full.c"
