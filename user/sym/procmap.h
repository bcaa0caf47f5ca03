/* SPDX-License-Identifier: GPL-2.0 */
/*
 * procmap.h - the executable mappings of each process the symbolizer has
 * seen a stack of, kept after the process exits so that findings printed
 * later still resolve.
 */
#ifndef SW_SYM_PROCMAP_H
#define SW_SYM_PROCMAP_H

#include "lib/hmap.h"
#include "lib/list.h"
#include "sym/module.h"
#include "sym/strtab.h"
#include "sym/symbolize.h"

#define MAX_MISSING 64

enum map_kind { MAP_FILE, MAP_PSEUDO, MAP_ANON };

struct code_map {
	__u64 start, end, pgoff;
	enum map_kind kind;
	struct module *file; /* MAP_FILE */
	const char *name;    /* file path or "[vdso]"; NULL for anonymous code */
};

struct proc {
	struct hnode node; /* key: pid */
	__u32 pid;
	bool exited;
	struct code_map *maps; /* sorted by start, disjoint */
	int n_maps;
	__u64 missing[MAX_MISSING]; /* ips no map covered right after a read */
	int n_missing, next_missing;
	struct list_node exited_link; /* exited, oldest first */
};

struct procs {
	struct hmap map;
	struct list_node exited;
	int n_exited;
	const char *proc_root; /* the symbolizer's */
	struct strtab *strs;
	struct modules *mods;
};

int procs_init(struct procs *ps, const char *proc_root, struct strtab *strs, struct modules *mods);
/* Frees every process, and so puts every module reference. */
void procs_fini(struct procs *ps);

/* Inline, as every resolve takes these two. */
static inline struct proc *proc_find(const struct procs *ps, __u32 pid)
{
	struct hnode *e = hmap_get(&ps->map, pid);

	return e ? hmap_entry(e, struct proc, node) : NULL;
}

/* The mapping of p that holds ip, or NULL. */
static inline const struct code_map *map_find(const struct proc *p, __u64 ip)
{
	int lo = 0, hi = p->n_maps;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (ip < p->maps[mid].start)
			hi = mid;
		else if (ip >= p->maps[mid].end)
			lo = mid + 1;
		else
			return &p->maps[mid];
	}
	return NULL;
}

/* What symbolizer__note, __add_mapping, __fork and __exit do. */
int procs_note(struct procs *ps, __u32 pid, const __u64 *ips, int n);
int procs_add_mapping(struct procs *ps, __u32 pid, const struct sym_mapping *m);
int procs_fork(struct procs *ps, __u32 parent, __u32 child);
void procs_exit(struct procs *ps, __u32 pid);

#endif
