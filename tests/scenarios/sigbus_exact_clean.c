// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * sigbus_exact_clean.c - the clean twin of sigbus_exact.c: the same
 * memfd and mapping, written in its last page inside the object.
 */
#define CLEAN
#include "sigbus_exact.c"
