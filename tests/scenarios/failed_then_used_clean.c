// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * failed_then_used_clean.c - the clean twin of failed_then_used.c: the
 * same five failing calls, each result checked before it could be used.
 */
#define CLEAN
#include "failed_then_used.c"
