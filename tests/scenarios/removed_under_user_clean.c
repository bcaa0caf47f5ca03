// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/* The clean twin of removed_under_user.c: the cleanup job removes a
 * segment whose maker has exited, and the service runs undisturbed. */
#define CLEAN
#include "removed_under_user.c"
