/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linesrc.h - where the log reader's lines come from: a file, a pipe or
 * an open stream, inflated on the way when it is gzip'd, cut into
 * bounded lines.  It knows nothing of JSON; logread.c parses what it
 * returns.
 */
#ifndef SHMWATCH_LINESRC_H
#define SHMWATCH_LINESRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

/* What a line source says about its input, through linesrc_report_fn. */
enum linesrc_report {
	LINESRC_WARNING, /* worth a word, reading goes on */
	LINESRC_ERROR,	 /* the input is not a log, or is damaged */
	LINESRC_CUT,	 /* a compressed input ends early: a line is lost */
};

/* line: the line the message is about, 0 for the whole input. */
typedef void (*linesrc_report_fn)(void *ctx, enum linesrc_report what, unsigned long line,
				  const char *msg);

struct linesrc_opts {
	const char *name; /* for messages; must outlive the source */
	bool is_path;	  /* name is a path the user gave (quoted in hints) */
	linesrc_report_fn report;
	void *ctx;
};

/* linesrc__read() results besides 0 (a line) and -errno. */
enum {
	LINESRC_EOF = 1,
	LINESRC_TOO_LONG, /* longer than LOGREAD_MAX_LINE: dropped */
	LINESRC_ENDLESS,  /* no newline in LOGREAD_MAX_RUN bytes: no log */
};

struct linesrc;

/*
 * Read f when it is not NULL, else fd (closed by linesrc__free when
 * own_fd, and on failure).  What cannot hold a log is refused: a
 * directory with -EISDIR, a device or another compression than gzip with
 * -EBADMSG once reported.  0 with *out set, or -errno.
 */
int linesrc__open(struct linesrc **out, FILE *f, int fd, bool own_fd,
		  const struct linesrc_opts *o);
/*
 * The next line, without its newline and NUL-terminated, in *line (valid
 * until the next call); *newline says whether it had one (a last line
 * may not).  0, one of the LINESRC_* results, or -errno.
 */
int linesrc__read(struct linesrc *s, char **line, size_t *len, bool *newline);
/* How many bytes of the input were read so far, and its size (0: not a
 * regular file, so not known), both as stored: compressed when gzip'd. */
void linesrc__progress(const struct linesrc *s, __u64 *bytes_read, __u64 *size);
void linesrc__free(struct linesrc *s);

#endif
