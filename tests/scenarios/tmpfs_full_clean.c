// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * tmpfs_full_clean.c - the clean twin of tmpfs_full.c: the same filler and
 * buffer on the same small tmpfs, but only as much of the buffer written
 * as fits.
 */
#define CLEAN
#include "tmpfs_full.c"
