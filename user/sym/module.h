/* SPDX-License-Identifier: GPL-2.0 */
/*
 * module.h - the ELF files processes map, one per path and inode, shared
 * by every process that maps it and freed with its last mapping; each
 * with a libdwfl module while open.
 */
#ifndef SW_SYM_MODULE_H
#define SW_SYM_MODULE_H

#include <stdbool.h>
#include <elfutils/libdwfl.h>
#include "lib/hmap.h"
#include "lib/list.h"
#include "sym/strtab.h"

/* A PT_LOAD header: file offsets [off, off + filesz) sit at vaddr. */
struct load_seg {
	__u64 off, vaddr, filesz;
};

struct module {
	struct hnode node; /* key: FNV-1a of the path; dev and ino tell apart */
	const char *path;  /* as the maps name it (interned) */
	__u64 dev, ino;	   /* from the maps: the identity */
	__u64 serial;	   /* never reused, unlike the pointer: a cache key */
	int refs;	   /* mappings of kept processes */
	bool broken;	   /* not an ELF we can read: module+offset only */
	bool absent;	   /* not found by path once the process was gone */
	Dwfl *dwfl;	   /* NULL while closed */
	Dwfl_Module *mod;
	Dwarf_Addr bias;
	struct load_seg *loads; /* read on the first open, kept when closed */
	int n_loads;
	struct list_node lru; /* open modules, most recent first */
};

/* What one ELF address of a module is. */
struct sym_info {
	__u64 sym_start;      /* ELF address of the symbol, when has_sym */
	const char *function; /* interned, demangled */
	const char *file;     /* interned source file, or NULL */
	int line;	      /* 0 when unknown */
	bool has_sym;
};

typedef char *(*demangle_fn)(const char *, char *, size_t *, int *);

struct modules {
	struct hmap map;
	struct list_node lru;
	int n_open;
	__u64 next_serial;
	const char *proc_root; /* the symbolizer's */
	struct strtab *strs;
	void *libstdcxx;
	demangle_fn demangle;
	bool demangle_tried;
	char *debuginfo_path; /* NULL: libdwfl's default search path */
	Dwfl_Callbacks callbacks;
};

int modules_init(struct modules *ms, const char *proc_root, struct strtab *strs);
/* Frees every module left (none once every mapping is put). */
void modules_fini(struct modules *ms);

/* The module of path and inode, with a reference taken; NULL on ENOMEM. */
struct module *module_get(struct modules *ms, const char *path, __u64 dev, __u64 ino);
static inline void module_ref(struct module *f)
{
	f->refs++;
}
/* Drops a reference (f may be NULL); the last frees f. */
void module_put(struct modules *ms, struct module *f);
/*
 * Opens f's Dwfl if it is closed; false when the file cannot be used.
 * pid: a live process that maps f at [start, end) (end 0: unknown), whose
 * root and map_files may reach the file; 0 when the process is gone.
 */
bool module_open(struct modules *ms, struct module *f, __u32 pid, __u64 start, __u64 end);
/* The ELF address of file offset off; false when no PT_LOAD holds it.
 * Inline: every resolve takes it. */
static inline bool module_vaddr(const struct module *f, __u64 off, __u64 *vaddr)
{
	int i;

	for (i = 0; i < f->n_loads; i++) {
		const struct load_seg *l = &f->loads[i];

		if (off >= l->off && off - l->off < l->filesz) {
			*vaddr = l->vaddr + (off - l->off);
			return true;
		}
	}
	return false;
}
/* Symbol and line of ELF address vaddr of f, which must be open. */
void module_lookup(struct modules *ms, struct module *f, __u64 vaddr, struct sym_info *c);

#endif
