// SPDX-License-Identifier: GPL-2.0
/*
 * metrics_http.c - GET /metrics with libmicrohttpd (see metrics_http.h).
 */
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "out/metrics_http.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct metrics_http {
	struct MHD_Daemon *daemon;
	pthread_mutex_t lock;
	char *text;
	size_t len;
};

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_len, void **state)
{
	static const char not_found[] = "shmwatch serves /metrics\n";
	struct metrics_http *h = cls;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	unsigned int status = MHD_HTTP_OK;
	char *copy = NULL;
	size_t len = 0;

	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return MHD_NO; /* closes the connection */
	if (!strcmp(url, "/metrics")) {
		pthread_mutex_lock(&h->lock);
		copy = malloc(h->len ? h->len : 1);
		if (copy) {
			memcpy(copy, h->text ? h->text : "", h->len);
			len = h->len;
		}
		pthread_mutex_unlock(&h->lock);
		if (!copy)
			return MHD_NO;
		resp = MHD_create_response_from_buffer(len, copy, MHD_RESPMEM_MUST_FREE);
	} else {
		status = MHD_HTTP_NOT_FOUND;
		resp = MHD_create_response_from_buffer(sizeof(not_found) - 1, (void *)not_found,
						       MHD_RESPMEM_PERSISTENT);
	}
	if (!resp) {
		free(copy);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, CONTENT_TYPE);
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* HOST:PORT, [V6]:PORT, :PORT into an address to bind. */
static int resolve(const char *addr, struct sockaddr_storage *ss, char *err, size_t len)
{
	char host[256];
	const char *colon = strrchr(addr, ':');
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE |
								     AI_NUMERICSERV };
	struct addrinfo *res;
	size_t n;
	int rc;

	if (!colon || !colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
	    atoi(colon + 1) > 65535) {
		snprintf(err, len, "invalid metrics address '%s' (HOST:PORT or :PORT)", addr);
		return -EINVAL;
	}
	n = (size_t)(colon - addr);
	if (n >= 2 && addr[0] == '[' && addr[n - 1] == ']') {
		addr++;
		n -= 2;
	}
	if (n >= sizeof(host)) {
		snprintf(err, len, "invalid metrics address: host too long");
		return -EINVAL;
	}
	memcpy(host, addr, n);
	host[n] = '\0';
	rc = getaddrinfo(n ? host : NULL, colon + 1, &hints, &res);
	if (rc) {
		snprintf(err, len, "can't resolve metrics address '%s': %s", host, gai_strerror(rc));
		return -EINVAL;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
}

struct metrics_http *metrics_http__new(const char *addr, char *err, size_t len)
{
	struct metrics_http *h = calloc(1, sizeof(*h));
	struct sockaddr_storage ss = { 0 };
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;

	if (!h) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	if (resolve(addr, &ss, err, len)) {
		free(h);
		return NULL;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	pthread_mutex_init(&h->lock, NULL);
	h->daemon = MHD_start_daemon(flags, 0, NULL, NULL, answer, h, MHD_OPTION_SOCK_ADDR, &ss,
				     MHD_OPTION_CONNECTION_LIMIT, 16U,
				     MHD_OPTION_CONNECTION_TIMEOUT, 10U, MHD_OPTION_END);
	if (!h->daemon) {
		snprintf(err, len, "can't serve metrics on %s (address in use, or not ours?)", addr);
		pthread_mutex_destroy(&h->lock);
		free(h);
		return NULL;
	}
	return h;
}

void metrics_http__set(struct metrics_http *h, char *text, size_t len)
{
	char *old;

	pthread_mutex_lock(&h->lock);
	old = h->text;
	h->text = text;
	h->len = len;
	pthread_mutex_unlock(&h->lock);
	free(old);
}

void metrics_http__free(struct metrics_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->daemon);
	pthread_mutex_destroy(&h->lock);
	free(h->text);
	free(h);
}
