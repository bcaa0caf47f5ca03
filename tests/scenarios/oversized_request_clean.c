// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * oversized_request_clean.c - the clean twin of oversized_request.c: the
 * same two requests at honest sizes.
 */
#define CLEAN
#include "oversized_request.c"
