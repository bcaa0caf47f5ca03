/* SPDX-License-Identifier: GPL-2.0 */
/*
 * folded.h - shared memory held by creating stack, written at the end of
 * a run in the folded format that flame graph tools read (Brendan Gregg's
 * flamegraph.pl, inferno, speedscope): one line per stack, its frames
 * outermost first joined by ';', a space and the bytes.  Two trees: the
 * first frame is "peak" (held when the total was at its most) or "end"
 * (held at the end of the run).
 */
#ifndef SHMWATCH_FOLDED_H
#define SHMWATCH_FOLDED_H

#include <stddef.h>
#include "analyzer/analyzer.h"
#include "sym/symbolize.h"

struct folded;

/* The file is created under a temporary name now and takes its path at
 * folded__write; NULL with one line in err. */
struct folded *folded__open(const char *path, char *err, size_t len);
/* Every site the analyzer holds bytes at, its frames resolved by sym;
 * the file then takes its path.  0 or -errno. */
int folded__write(struct folded *f, const struct analyzer *a, struct symbolizer *sym);
/* Closes it (removing it if never written); the first error, 0 if none. */
int folded__close(struct folded *f);

/* One frame as the folded format names it: the function, else the
 * module's file name and the offset ("libfoo.so+0x1234"), else the
 * address; with ';' and control characters replaced.  Returns buf. */
const char *folded_frame_name(char *buf, size_t len, const struct sw_frame *f);

#endif
