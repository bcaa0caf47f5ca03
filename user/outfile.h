/* SPDX-License-Identifier: GPL-2.0 */
/*
 * outfile.h - where a sink's lines go: a file descriptor written in whole
 * lines only, with a userspace buffer, size-based rotation and reopen on
 * SIGHUP.  A killed writer leaves a file that ends with a complete line.
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
};

struct outfile;

/* Returns NULL with errno set. The file is created without following a
 * symlink and truncated. */
struct outfile *outfile__open(const struct outfile_opts *opts);
/* Append one complete line (the newline is added). Returns 0 or -errno;
 * after an error the outfile stays failed and refuses further lines. */
int outfile__line(struct outfile *o, const char *line, size_t len);
int outfile__flush(struct outfile *o);
/* Close and open the path again (after logrotate moved it). */
int outfile__reopen(struct outfile *o);
/* A terminal? (colours, highlighting) */
bool outfile__is_tty(const struct outfile *o);
/* The first write error, 0 if none. */
int outfile__error(const struct outfile *o);
/* Flush and close; returns the first error, 0 if none. */
int outfile__close(struct outfile *o);

#endif
