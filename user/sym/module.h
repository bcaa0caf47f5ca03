/* SPDX-License-Identifier: GPL-2.0 */
/*
 * module.h - the ELF files processes map, one per path and inode, shared
 * by every process that maps it and freed with its last mapping; each
 * with a libdwfl module while open.  A file is taken only when it is the
 * one the process mapped: its inode, and from the second open on the
 * file and build-id the first open found.
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

#define BUILD_ID_MAX 32 /* bytes kept: 20 for the usual SHA-1 */

struct module {
	struct hnode node;  /* key: FNV-1a of the path; dev and ino tell apart */
	const char *path;   /* as the maps name it (interned) */
	__u64 dev, ino;	    /* from the maps: the identity */
	__u64 serial;	    /* never reused, unlike the pointer: a cache key */
	int refs;	    /* mappings of kept processes */
	bool broken;	    /* not an ELF we can read: module+offset only */
	bool absent;	    /* not found by path once the process was gone */
	bool not_in_stores; /* the image stores were searched in vain */
	/* What the first open found, which a reopen must find again. */
	__u64 opened_dev, opened_ino; /* as stat gives them; 0: never opened */
	unsigned char build_id[BUILD_ID_MAX];
	int build_id_len; /* 0: none, or never opened */
	Dwfl *dwfl;	  /* NULL while closed */
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

/* Where container images keep their layers: dir/LAYER/sub is one
 * layer's tree, as the processes of a container see it. */
struct image_store {
	const char *dir, *sub;
};

#define MAX_STORES 8

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
	struct image_store stores[MAX_STORES];
	int n_stores;
	/* While module_open runs: the tree the file was found in ("" for
	 * the host's), where its debug file is looked for first. */
	const char *open_root;
};

int modules_init(struct modules *ms, const char *proc_root, struct strtab *strs);
/* Adds a store of image layers (strings interned); -ENOSPC past MAX_STORES. */
int modules_add_store(struct modules *ms, const char *dir, const char *sub);
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
 * Then the path on the host, then in each layer of the image stores,
 * each only with the device and inode f names.  Its debug file is looked
 * for by build-id and .gnu_debuglink in the tree the file was found in,
 * then on the host; only one of the same build-id is taken.
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
