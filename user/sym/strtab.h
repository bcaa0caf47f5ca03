/* SPDX-License-Identifier: GPL-2.0 */
/*
 * strtab.h - the symbolizer's interned strings: module paths, function
 * and source file names are stored once and compared by pointer, and a
 * frame's strings live as long as the symbolizer.
 */
#ifndef SW_SYM_STRTAB_H
#define SW_SYM_STRTAB_H

#include "lib/hmap.h"

struct strtab {
	struct hmap map;
};

int strtab_init(struct strtab *t);
/* Frees every string. */
void strtab_fini(struct strtab *t);
/* The FNV-1a of str, as the table keys it: for tables keyed by a string. */
__u64 strtab_hash(const char *str);
/* The one copy of str; NULL when str is NULL or memory ran out. */
const char *strtab_intern(struct strtab *t, const char *str);

#endif
