// SPDX-License-Identifier: GPL-2.0
/*
 * linesrc.c - the log reader's line source behind linesrc.h: raw bytes
 * from a descriptor or a stream, gzip inflated member after member, and
 * lines cut from them without ever buffering more than one bounded line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <zlib.h>
#include "log/linesrc.h"
#include "log/logread.h"

#define RAW_SIZE (64 * 1024)

/* A gzip input: logrotate compresses the logs it rotates (FILE.2.gz). */
struct gunzip {
	z_stream z;
	bool member_end; /* gzip -d reads on into a member that follows */
	bool done;	 /* the end, or what follows is not read */
	unsigned char out[RAW_SIZE];
};

struct linesrc {
	struct linesrc_opts o;
	/* The input: a stream, or else fd. */
	FILE *f;
	int fd;
	bool own_fd;
	unsigned char *raw; /* RAW_SIZE bytes as read */
	size_t raw_len;
	bool raw_eof;
	struct gunzip *gz; /* NULL: the input is not compressed */
	/* The bytes lines are cut from, and how far they are used. */
	const unsigned char *data;
	size_t data_len;
	size_t data_pos;
	unsigned long lines; /* returned so far */
	char *buf;	     /* LOGREAD_MAX_LINE + 1 */
	/* Of the input as stored (compressed when gzip'd), for progress. */
	__u64 bytes_read;
	__u64 size; /* 0: not a regular file */
};

static void report(struct linesrc *s, enum linesrc_report what, unsigned long line,
		   const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->o.report(s->o.ctx, what, line, msg);
}

/*
 * Up to n bytes of the input as they come: 0 at its end, or -errno.  A
 * stream is read up to a newline at a time, since stdio would wait for
 * all n bytes of a pipe and hold back the lines written so far.
 */
static ssize_t read_raw(struct linesrc *s, unsigned char *p, size_t n)
{
	ssize_t got = 0;
	int c;

	/* A signal that interrupts the read is the caller's to judge (a
	 * stop, while a pipe is waited on): -EINTR. */
	if (!s->f) {
		got = read(s->fd, p, n);
		if (got < 0)
			return -errno;
		s->bytes_read += (__u64)got;
		return got;
	}
	while ((size_t)got < n && (c = getc_unlocked(s->f)) != EOF) {
		p[got++] = (unsigned char)c;
		if (c == '\n')
			break;
	}
	if (!got && ferror(s->f))
		return errno ? -errno : -EIO;
	s->bytes_read += (__u64)got;
	return got;
}

/* Read more after the keep bytes that are left at s->raw's start: 1, 0 at
 * the end of the input, or -errno. */
static int read_more(struct linesrc *s, size_t keep)
{
	ssize_t n;

	if (s->raw_eof)
		return 0;
	n = read_raw(s, s->raw + keep, RAW_SIZE - keep);
	if (n <= 0) {
		s->raw_eof = !n;
		return (int)n;
	}
	s->raw_len = keep + (size_t)n;
	return 1;
}

/* The compressed bytes not inflated yet, at the start of s->raw: enough
 * to tell whether another member follows, or all that is left. */
static int gunzip_input(struct linesrc *s, size_t want)
{
	z_stream *z = &s->gz->z;
	int ret = 1;

	memmove(s->raw, z->next_in, z->avail_in);
	s->raw_len = z->avail_in;
	while (ret > 0 && s->raw_len < want)
		ret = read_more(s, s->raw_len);
	z->next_in = s->raw;
	z->avail_in = (uInt)s->raw_len;
	return ret < 0 ? ret : 0;
}

/* After a member's end: 1 when another one starts, 0 at the end. */
static int gunzip_next_member(struct linesrc *s)
{
	z_stream *z = &s->gz->z;
	int ret = gunzip_input(s, 2);

	if (ret < 0)
		return ret;
	if (!z->avail_in)
		return 0;
	if (z->avail_in < 2 || z->next_in[0] != 0x1f || z->next_in[1] != 0x8b) {
		s->gz->done = true;
		report(s, LINESRC_WARNING, 0, "data after the end of the compressed log, ignored");
		return 0;
	}
	s->gz->member_end = false;
	return inflateReset(z) == Z_OK ? 1 : -ENOMEM;
}

/* The next inflated bytes into s->data: 1, 0 at the end, -errno, or
 * -EBADMSG after saying that the data is damaged. */
static int gunzip_fill(struct linesrc *s)
{
	struct gunzip *gz = s->gz;
	z_stream *z = &gz->z;
	int ret;

	for (;;) {
		if (gz->done)
			return 0;
		if (gz->member_end && (ret = gunzip_next_member(s)) <= 0)
			return ret;
		z->next_out = gz->out;
		z->avail_out = sizeof(gz->out);
		ret = inflate(z, Z_NO_FLUSH);
		if (ret == Z_STREAM_END) {
			gz->member_end = true;
		} else if (ret != Z_OK && ret != Z_BUF_ERROR) {
			report(s, LINESRC_ERROR, s->lines + 1, "corrupt compressed data: %s",
			     z->msg ? z->msg : zError(ret));
			gz->done = true;
			return -EBADMSG;
		}
		s->data = gz->out;
		s->data_len = sizeof(gz->out) - z->avail_out;
		if (s->data_len)
			return 1;
		if (gz->member_end)
			continue;
		/* Inflate needs more input: none left is a cut file. */
		ret = gunzip_input(s, 1);
		if (ret < 0)
			return ret;
		if (!z->avail_in) {
			report(s, LINESRC_CUT, s->lines + 1, "the compressed log ends early (cut short?)");
			gz->done = true;
			return 0;
		}
	}
}

/* The next bytes into s->data: 1, 0 at the end of the input, or -errno. */
static int fill(struct linesrc *s)
{
	int ret;

	s->data_pos = s->data_len = 0;
	if (s->gz)
		return gunzip_fill(s);
	ret = read_more(s, 0);
	if (ret > 0) {
		s->data = s->raw;
		s->data_len = s->raw_len;
	}
	return ret;
}

/* Append the next piece of the current line, up to a newline, to s->buf
 * while it fits; *len counts the whole line. */
static bool take_piece(struct linesrc *s, size_t *len)
{
	const unsigned char *p = s->data + s->data_pos;
	size_t avail = s->data_len - s->data_pos;
	const unsigned char *nl = memchr(p, '\n', avail);
	size_t n = nl ? (size_t)(nl - p) : avail;
	size_t room = *len < LOGREAD_MAX_LINE ? LOGREAD_MAX_LINE - *len : 0;

	if (room)
		memcpy(s->buf + *len, p, n < room ? n : room);
	*len += n;
	s->data_pos += n + (nl != NULL);
	return nl != NULL;
}

/*
 * Read one line into s->buf without its newline.  getline() would grow
 * its buffer to the whole line; a damaged log may hold gigabytes without
 * a newline, so an overlong line is read to its end and dropped instead,
 * and one that has not ended after LOGREAD_MAX_RUN bytes (/dev/zero
 * through a pipe, a disk image) is no log at all.
 */
static int read_line(struct linesrc *s, size_t *len, bool *newline)
{
	int ret;

	*len = 0;
	*newline = false;
	while (!*newline) {
		if (s->data_pos == s->data_len) {
			ret = fill(s);
			if (ret < 0)
				return ret;
			if (!ret)
				break;
		}
		*newline = take_piece(s, len);
		if (*len > LOGREAD_MAX_RUN)
			return LINESRC_ENDLESS;
	}
	if (!*len && !*newline)
		return LINESRC_EOF;
	if (*len > LOGREAD_MAX_LINE)
		return LINESRC_TOO_LONG;
	s->buf[*len] = '\0';
	return 0;
}

/*
 * Refuse what cannot hold a log before reading it: a directory fails
 * every read, and a device never ends (/dev/zero), holds no log (a disk)
 * or waits for someone to type (a terminal).  Pipes, FIFOs and sockets
 * are read.  0, or -errno after saying why.
 */
static int check_input(struct linesrc *s, int fd)
{
	const char *what = NULL;
	struct stat st;

	if (fd < 0 || fstat(fd, &st))
		return 0;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (S_ISCHR(st.st_mode))
		what = isatty(fd) ? "a terminal" : "a character device";
	else if (S_ISBLK(st.st_mode))
		what = "a block device";
	if (!what)
		return 0;
	report(s, LINESRC_ERROR, 0, "not an NDJSON log: %s", what);
	return -EBADMSG;
}

/* Formats analyze names but does not read, by their first bytes. */
static const struct {
	const char *magic;
	size_t len;
	const char *name;
} other_compressions[] = {
	{ "\xfd" "7zXZ\0", 6, "xz" },
	{ "\x28\xb5\x2f\xfd", 4, "zstd" },
	{ "BZh", 3, "bzip2" },
	{ "\x04\x22\x4d\x18", 4, "lz4" },
};

#define MAGIC_LEN 6 /* the longest magic above */

/* s in single quotes for a shell unless it needs none. */
static void shell_quote(char *dst, size_t size, const char *s)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./+,:=@%-";
	size_t n = 0;

	if (!s[strspn(s, plain)]) {
		snprintf(dst, size, "%s", s);
		return;
	}
	for (dst[n++] = '\''; *s && n + 5 < size; s++) {
		if (*s == '\'') {
			memcpy(dst + n, "'\\''", 4);
			n += 4;
		} else {
			dst[n++] = *s;
		}
	}
	dst[n++] = '\'';
	dst[n] = '\0';
}

/* A compression that is not gzip: say how to read it; -EBADMSG. */
static int refuse_compressed(struct linesrc *s, const char *format)
{
	char file[512];

	if (!s->o.is_path) {
		report(s, LINESRC_ERROR, 0,
		     "compressed with %s, which analyze does not read: decompress it first "
		     "(... | %s -dc | shmwatch analyze -)",
		     format, format);
		return -EBADMSG;
	}
	shell_quote(file, sizeof(file), s->o.name);
	report(s, LINESRC_ERROR, 0,
	     "compressed with %s, which analyze does not read: run \"%s -dc %s | "
	     "shmwatch analyze -\"",
	     format, format, file);
	return -EBADMSG;
}

static int start_gunzip(struct linesrc *s)
{
	s->gz = calloc(1, sizeof(*s->gz));
	if (!s->gz)
		return -ENOMEM;
	/* 16: a gzip header and trailer around the deflate data. */
	if (inflateInit2(&s->gz->z, 15 + 16) != Z_OK) {
		free(s->gz);
		s->gz = NULL;
		return -ENOMEM;
	}
	s->gz->z.next_in = s->raw;
	s->gz->z.avail_in = (uInt)s->raw_len;
	return 0;
}

/*
 * Read the first bytes and decide how the rest is read: gzip is inflated,
 * other compressions are refused, anything else is taken as text.
 */
static int detect_format(struct linesrc *s)
{
	int ret = 1;

	while (ret > 0 && s->raw_len < MAGIC_LEN)
		ret = read_more(s, s->raw_len);
	if (ret < 0)
		return ret;
	if (s->raw_len >= 2 && s->raw[0] == 0x1f && s->raw[1] == 0x8b)
		return start_gunzip(s);
	for (size_t i = 0; i < sizeof(other_compressions) / sizeof(other_compressions[0]); i++)
		if (s->raw_len >= other_compressions[i].len &&
		    !memcmp(s->raw, other_compressions[i].magic, other_compressions[i].len))
			return refuse_compressed(s, other_compressions[i].name);
	s->data = s->raw;
	s->data_len = s->raw_len;
	return 0;
}

/* The input is open: check it and look at its first bytes. */
static int start_input(struct linesrc *s, int fd)
{
	int ret = check_input(s, fd);

	return ret ? ret : detect_format(s);
}

int linesrc__read(struct linesrc *s, char **line, size_t *len, bool *newline)
{
	int ret = read_line(s, len, newline);

	if (ret >= 0 && ret != LINESRC_EOF)
		s->lines++;
	*line = s->buf;
	return ret;
}

int linesrc__open(struct linesrc **out, FILE *f, int fd, bool own_fd,
		  const struct linesrc_opts *o)
{
	struct linesrc *s = calloc(1, sizeof(*s));
	struct stat st;
	int ret;

	if (!s) {
		if (own_fd)
			close(fd);
		return -ENOMEM;
	}
	s->o = *o;
	s->f = f;
	s->fd = f ? fileno(f) : fd;
	s->own_fd = !f && own_fd;
	s->buf = malloc(LOGREAD_MAX_LINE + 1);
	s->raw = malloc(RAW_SIZE);
	if (!fstat(s->fd, &st) && S_ISREG(st.st_mode))
		s->size = (__u64)st.st_size;
	ret = !s->buf || !s->raw ? -ENOMEM : start_input(s, s->fd);
	if (ret) {
		linesrc__free(s);
		return ret;
	}
	*out = s;
	return 0;
}

void linesrc__progress(const struct linesrc *s, __u64 *bytes_read, __u64 *size)
{
	*bytes_read = s->bytes_read;
	*size = s->size;
}

void linesrc__free(struct linesrc *s)
{
	if (!s)
		return;
	if (s->own_fd)
		close(s->fd);
	if (s->gz)
		inflateEnd(&s->gz->z);
	free(s->gz);
	free(s->buf);
	free(s->raw);
	free(s);
}
