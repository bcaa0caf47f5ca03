// SPDX-License-Identifier: GPL-2.0
/* expect: none */
/*
 * memfd_socket_clean.c - the clean twin of memfd_socket.c: the client
 * seals the pool against shrinking before it hands it over, so its shrink
 * is refused and the compositor's write lands inside the pool.
 */
#define CLEAN
#include "memfd_socket.c"
