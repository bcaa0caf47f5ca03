// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * attach_leak_clean.c - the clean twin of attach_leak.c: the same frame
 * loop, and each frame is detached once it is drawn.
 */
#define CLEAN
#include "attach_leak.c"
