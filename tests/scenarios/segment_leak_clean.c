// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * segment_leak_clean.c - the clean twin of segment_leak.c: the same two
 * segments, each removed with IPC_RMID before exit.
 */
#define CLEAN
#include "segment_leak.c"
