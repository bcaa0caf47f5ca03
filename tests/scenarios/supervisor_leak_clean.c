// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * supervisor_leak_clean.c - the clean twin of supervisor_leak.c: the
 * supervisor removes every object and segment its workers made, after
 * the workers (one of them SIGKILLed) have exited and another worker has
 * used them all.
 */
#define CLEAN
#include "supervisor_leak.c"
