// SPDX-License-Identifier: GPL-2.0
/*
 * outfile.c - whole-line buffered output with rotation; see outfile.h.
 *
 * Lines are gathered in a buffer and written with write(2) only at line
 * boundaries, so a rotation, a crash or kill -9 never splits a record.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "outfile.h"

#define OUTBUF_SIZE (256 * 1024)

struct outfile {
	char *path; /* NULL for stdout */
	int fd;
	__u64 rotate_size;
	int rotate_keep;
	int mode;
	__u64 file_bytes; /* bytes in the current file, buffered included */
	char *buf;
	size_t used;
	int error;
	bool tty;
};

static int open_path(struct outfile *o)
{
	/* O_NOFOLLOW: a symlink planted at the path is not followed. */
	o->fd = open(o->path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, o->mode);
	if (o->fd < 0)
		return -errno;
	o->file_bytes = 0;
	return 0;
}

struct outfile *outfile__open(const struct outfile_opts *opts)
{
	struct outfile *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->buf = malloc(OUTBUF_SIZE);
	o->rotate_size = opts->rotate_size;
	o->rotate_keep = opts->rotate_keep;
	o->mode = opts->mode ? opts->mode : 0600;
	if (!o->buf)
		goto fail;
	if (!opts->path || !strcmp(opts->path, "-")) {
		o->fd = STDOUT_FILENO;
		o->tty = isatty(o->fd);
		return o;
	}
	o->path = strdup(opts->path);
	if (!o->path)
		goto fail;
	errno = -open_path(o);
	if (o->fd < 0)
		goto fail;
	return o;
fail:
	free(o->buf);
	free(o->path);
	free(o);
	return NULL;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int outfile__flush(struct outfile *o)
{
	int ret;

	if (o->error)
		return o->error;
	ret = write_all(o->fd, o->buf, o->used);
	o->used = 0;
	if (ret)
		o->error = ret;
	return ret;
}

/* path.N-1 -> path.N ... path -> path.1, then a fresh path. */
static int rotate(struct outfile *o)
{
	size_t len = strlen(o->path) + 16;
	char *from = malloc(len), *to = malloc(len);
	int ret = outfile__flush(o);

	if (!from || !to)
		ret = -ENOMEM;
	if (ret)
		goto out;
	close(o->fd);
	for (int i = o->rotate_keep; i > 1; i--) {
		snprintf(from, len, "%s.%d", o->path, i - 1);
		snprintf(to, len, "%s.%d", o->path, i);
		rename(from, to); /* a missing older file is fine */
	}
	snprintf(to, len, "%s.1", o->path);
	if (o->rotate_keep > 0)
		rename(o->path, to);
	ret = open_path(o);
	if (ret)
		o->error = ret;
out:
	free(from);
	free(to);
	return ret;
}

int outfile__line(struct outfile *o, const char *line, size_t len)
{
	int ret;

	if (o->error)
		return o->error;
	if (o->path && o->rotate_size && o->file_bytes &&
	    o->file_bytes + len + 1 > o->rotate_size) {
		ret = rotate(o);
		if (ret)
			return ret;
	}
	if (o->used + len + 1 > OUTBUF_SIZE) {
		ret = outfile__flush(o);
		if (ret)
			return ret;
	}
	if (len + 1 > OUTBUF_SIZE) { /* a line larger than the buffer */
		ret = write_all(o->fd, line, len);
		if (!ret)
			ret = write_all(o->fd, "\n", 1);
		if (ret)
			o->error = ret;
		o->file_bytes += len + 1;
		return ret;
	}
	memcpy(o->buf + o->used, line, len);
	o->buf[o->used + len] = '\n';
	o->used += len + 1;
	o->file_bytes += len + 1;
	return 0;
}

int outfile__reopen(struct outfile *o)
{
	int ret;

	if (!o->path)
		return 0;
	ret = outfile__flush(o);
	if (ret)
		return ret;
	close(o->fd);
	/* logrotate's create mode made a new file, or moved ours away:
	 * either way continue at the path, appending to what is there. */
	o->fd = open(o->path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, o->mode);
	if (o->fd < 0) {
		o->error = -errno;
		return o->error;
	}
	o->file_bytes = (__u64)lseek(o->fd, 0, SEEK_END);
	return 0;
}

bool outfile__is_tty(const struct outfile *o)
{
	return o->tty;
}

int outfile__error(const struct outfile *o)
{
	return o->error;
}

int outfile__close(struct outfile *o)
{
	int ret;

	if (!o)
		return 0;
	ret = outfile__flush(o);
	if (o->path) {
		if (fsync(o->fd) && !ret && errno != EINVAL)
			ret = -errno;
		if (close(o->fd) && !ret)
			ret = -errno;
	}
	free(o->buf);
	free(o->path);
	free(o);
	return ret;
}
