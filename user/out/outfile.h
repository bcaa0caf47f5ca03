/* SPDX-License-Identifier: GPL-2.0 */
/*
 * outfile.h - where a sink's lines go: a file descriptor written in whole
 * lines only, with a userspace buffer, a flush policy for live output,
 * size-based rotation and reopen on SIGHUP.  A killed writer, or one that
 * ran out of disk, leaves a file that ends with a complete line.
 *
 * A log file is never written in place: what is at the path must be
 * absent or a regular file with one link owned by the caller, anything
 * else is refused.  The log is a new file under a temporary name in the
 * path's directory, renamed over the path when published; an outfile
 * closed before that leaves the path as it was.  The directory is looked
 * up once, so later renames and reopens do not depend on the working
 * directory or root.
 */
#ifndef SHMWATCH_OUTFILE_H
#define SHMWATCH_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct outfile_opts {
	const char *path;  /* NULL or "-": standard output */
	__u64 rotate_size; /* rotate before a line would pass this; 0: never */
	int rotate_keep;   /* rotated files kept: path.1 .. path.N */
	int mode;	   /* creation mode, 0600 by default */
	bool held;	   /* keep the temporary name until outfile__publish() */
	char *why;	   /* if not NULL, why outfile__open failed, one phrase */
	size_t why_len;
};

struct outfile;

/* Returns NULL with errno set and opts->why filled. */
struct outfile *outfile__open(const struct outfile_opts *opts);
/* Flush what is buffered, then rename a held file over its path (the
 * existing file there is checked again); 0 or -errno.  Standard output
 * and published files: 0. */
int outfile__publish(struct outfile *o);
/* Did publishing replace an existing file? */
bool outfile__replaced(const struct outfile *o);
/* Append one complete line (the newline is added). Returns 0 or -errno;
 * after an error the outfile stays failed and refuses further lines. */
int outfile__line(struct outfile *o, const char *line, size_t len);
/* Text of len bytes, as lines cut at its newlines (a last line without
 * one is a line too); 0 or the first -errno. */
int outfile__text(struct outfile *o, const char *text, size_t len);
int outfile__flush(struct outfile *o);
/* Call often with a monotonic clock: flushes what is buffered once the
 * last flush of a terminal or pipe is 100 ms old, of a regular file 1 s. */
int outfile__tick(struct outfile *o, __u64 now_ns);
/* Close and open the path again (after logrotate moved it), under the
 * same rules as the first open; nothing to do before publishing. */
int outfile__reopen(struct outfile *o);
/* fn is called before anything is written to a terminal (to clear a
 * progress line drawn there on standard error); NULL: nothing. */
void outfile_before_tty_write(void (*fn)(void));
/* A terminal? (colours, highlighting) */
bool outfile__is_tty(const struct outfile *o);
/* The first error, 0 if none. */
int outfile__error(const struct outfile *o);
/* The first error in words: why a path was refused, else strerror. */
const char *outfile__strerror(const struct outfile *o);
/* Flush and close, or remove a file never published; returns the first
 * error, 0 if none. */
int outfile__close(struct outfile *o);

#endif
