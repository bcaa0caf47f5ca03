// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/* The clean twin of ipc_ns_cross.c: the server runs in the client's IPC
 * namespace. */
#define CLEAN
#include "ipc_ns_cross.c"
