// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * use_after_detach_clean.c - the clean twin of use_after_detach.c: the
 * same children write only while the memory is attached or mapped.
 */
#define CLEAN
#include "use_after_detach.c"
