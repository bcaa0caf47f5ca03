// SPDX-License-Identifier: GPL-2.0
/*
 * module.c - the ELF files of module.h: finding the file a process
 * mapped, one Dwfl each (at most MAX_OPEN open, the least recently used
 * closed and reopened from the path when needed again), the PT_LOAD
 * headers that turn a file offset into an ELF address, and symbol and
 * line lookup with C++ names demangled.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sym/module.h"

#define MAX_OPEN 256

/* __cxa_demangle when libstdc++ can be found; the raw name otherwise. */
static const char *demangled(struct modules *ms, const char *name)
{
	char *d;
	const char *r;
	int status = -1;

	if (strncmp(name, "_Z", 2))
		return strtab_intern(ms->strs, name);
	if (!ms->demangle_tried) {
		ms->demangle_tried = true;
		ms->demangle = (demangle_fn)dlsym(RTLD_DEFAULT, "__cxa_demangle");
		if (!ms->demangle) {
			ms->libstdcxx = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);
			if (ms->libstdcxx)
				ms->demangle = (demangle_fn)dlsym(ms->libstdcxx, "__cxa_demangle");
		}
	}
	if (!ms->demangle)
		return strtab_intern(ms->strs, name);
	d = ms->demangle(name, NULL, NULL, &status);
	r = strtab_intern(ms->strs, status == 0 && d ? d : name);
	free(d);
	return r;
}

static void module_close(struct modules *ms, struct module *f)
{
	if (!f->dwfl)
		return;
	list_del(&f->lru);
	dwfl_end(f->dwfl);
	f->dwfl = NULL;
	f->mod = NULL;
	ms->n_open--;
}

struct module *module_get(struct modules *ms, const char *path, __u64 dev, __u64 ino)
{
	__u64 h = strtab_hash(path);
	struct module *f;
	struct hnode *e;

	for (e = hmap_get(&ms->map, h); e; e = hmap_get_next(e)) {
		f = hmap_entry(e, struct module, node);
		if (f->dev == dev && f->ino == ino && !strcmp(f->path, path)) {
			f->refs++;
			return f;
		}
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->path = strtab_intern(ms->strs, path);
	f->dev = dev;
	f->ino = ino;
	f->serial = ++ms->next_serial;
	f->refs = 1;
	list_init(&f->lru);
	if (!f->path) {
		free(f);
		return NULL;
	}
	f->node.key = h;
	hmap_put(&ms->map, &f->node);
	return f;
}

void module_put(struct modules *ms, struct module *f)
{
	if (!f || --f->refs > 0)
		return;
	module_close(ms, f);
	hmap_del(&ms->map, &f->node);
	free(f->loads);
	free(f);
}

int modules_init(struct modules *ms, const char *proc_root, struct strtab *strs)
{
	memset(ms, 0, sizeof(*ms));
	if (hmap_init(&ms->map, 64))
		return -ENOMEM;
	list_init(&ms->lru);
	ms->proc_root = proc_root;
	ms->strs = strs;
	ms->callbacks.find_elf = dwfl_build_id_find_elf;
	ms->callbacks.find_debuginfo = dwfl_standard_find_debuginfo;
	ms->callbacks.section_address = dwfl_offline_section_address;
	ms->callbacks.debuginfo_path = &ms->debuginfo_path;
	return 0;
}

void modules_fini(struct modules *ms)
{
	struct hmap_iter it;
	struct hnode *e;

	hmap_iter_init(&it, &ms->map);
	while ((e = hmap_iter_next(&it))) {
		struct module *f = hmap_entry(e, struct module, node);

		module_close(ms, f);
		free(f->loads);
		free(f);
	}
	hmap_fini(&ms->map);
	if (ms->libstdcxx)
		dlclose(ms->libstdcxx);
}

/* A regular file whose inode is the one the maps named (0: unknown). */
static int open_checked(const char *path, __u64 ino, bool check_ino)
{
	struct stat st;
	int fd;

	/* O_NONBLOCK: a FIFO in a fake tree must not hang us. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    (check_ino && ino && (__u64)st.st_ino != ino)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The file as the process sees it: through its root (containers), then by
 * path, then through map_files (deleted files; needs privileges).  Paths
 * must still be the inode the process mapped, or a rebuilt binary would
 * give wrong lines.  pid 0: the process is gone, the path alone.
 */
static int open_for(struct modules *ms, const struct module *f, __u32 pid, __u64 start, __u64 end)
{
	char buf[4096 + 64];
	int fd = -1;

	if (pid) {
		snprintf(buf, sizeof(buf), "%s/%u/root%s", ms->proc_root, pid, f->path);
		fd = open_checked(buf, f->ino, true);
	}
	if (fd < 0)
		fd = open_checked(f->path, f->ino, true);
	if (fd < 0 && pid && end) {
		snprintf(buf, sizeof(buf), "%s/%u/map_files/%llx-%llx", ms->proc_root, pid,
			 (unsigned long long)start, (unsigned long long)end);
		fd = open_checked(buf, 0, false);
	}
	return fd;
}

static int read_loads(struct module *f, Elf *elf)
{
	size_t n, i;
	GElf_Phdr ph;

	if (elf_getphdrnum(elf, &n) || !n || n > 4096)
		return -EINVAL;
	f->loads = calloc(n, sizeof(*f->loads));
	if (!f->loads)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		f->loads[f->n_loads++] = (struct load_seg){ph.p_offset, ph.p_vaddr, ph.p_filesz};
	}
	return f->n_loads ? 0 : -EINVAL;
}

bool module_open(struct modules *ms, struct module *f, __u32 pid, __u64 start, __u64 end)
{
	Dwfl *dwfl;
	Dwfl_Module *mod;
	Elf *elf;
	int fd;

	if (f->dwfl) {
		list_del(&f->lru);
		list_add(&ms->lru, &f->lru);
		return true;
	}
	if (f->broken || (f->absent && !pid))
		return false;
	fd = open_for(ms, f, pid, start, end);
	if (fd < 0) {
		/* A live process that maps it may still open it for us. */
		f->absent = !pid;
		return false;
	}
	dwfl = dwfl_begin(&ms->callbacks);
	if (!dwfl) {
		close(fd);
		return false;
	}
	dwfl_report_begin(dwfl);
	/* Base 0: ELF addresses plus bias, whatever the type. */
	mod = dwfl_report_elf(dwfl, f->path, f->path, fd, 0, false);
	dwfl_report_end(dwfl, NULL, NULL);
	if (!mod) {
		/* Not consumed on failure. */
		close(fd);
		dwfl_end(dwfl);
		f->broken = true;
		return false;
	}
	elf = dwfl_module_getelf(mod, &f->bias);
	if (!elf || (!f->loads && read_loads(f, elf))) {
		dwfl_end(dwfl);
		f->broken = true;
		return false;
	}
	f->dwfl = dwfl;
	f->mod = mod;
	list_add(&ms->lru, &f->lru);
	if (++ms->n_open > MAX_OPEN)
		module_close(ms, list_entry(list_last(&ms->lru), struct module, lru));
	return true;
}

void module_lookup(struct modules *ms, struct module *file, __u64 vaddr, struct sym_info *c)
{
	Dwarf_Addr at = vaddr + file->bias;
	const char *name, *src;
	GElf_Off symoff = 0;
	GElf_Sym sym;
	Dwfl_Line *line;
	int lineno = 0;

	memset(c, 0, sizeof(*c));
	name = dwfl_module_addrinfo(file->mod, at, &symoff, &sym, NULL, NULL, NULL);
	/* A sized symbol that ends before the address is a neighbour, not ours. */
	if (name && name[0] && !(sym.st_size && symoff >= sym.st_size)) {
		c->function = demangled(ms, name);
		c->sym_start = vaddr - symoff;
		c->has_sym = c->function != NULL;
	}
	line = dwfl_module_getsrc(file->mod, at);
	if (line) {
		src = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
		if (src && lineno > 0) {
			c->file = strtab_intern(ms->strs, src);
			c->line = c->file ? lineno : 0;
		}
	}
}
