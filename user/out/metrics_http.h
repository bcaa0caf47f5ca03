/* SPDX-License-Identifier: GPL-2.0 */
/*
 * metrics_http.h - the Prometheus endpoint: GET /metrics on an address
 * (libmicrohttpd, its own thread), answering with the latest text the
 * metrics sink handed over.  The event path only swaps a pointer under a
 * mutex; a scrape copies the text and never waits for the analyzer.
 */
#ifndef SHMWATCH_METRICS_HTTP_H
#define SHMWATCH_METRICS_HTTP_H

#include <stddef.h>

struct metrics_http;

/* addr is HOST:PORT, [IPV6]:PORT or :PORT (every address).  NULL with
 * one line in err (a bad address, a port in use). */
struct metrics_http *metrics_http__new(const char *addr, char *err, size_t len);
/* The text to serve from now on; takes text (malloc'd), frees the last. */
void metrics_http__set(struct metrics_http *h, char *text, size_t len);
/* Stops serving; NULL is fine. */
void metrics_http__free(struct metrics_http *h);

#endif /* SHMWATCH_METRICS_HTTP_H */
