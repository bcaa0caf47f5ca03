/* SPDX-License-Identifier: GPL-2.0 */
/*
 * symbolize.h - user stack addresses to module, function+offset and
 * file:line, with elfutils' libdwfl.  A process's module map is read from
 * /proc/PID/maps while it lives and kept after it exits (bounded), so
 * findings printed at exit still resolve; modules are cached by path and
 * build-id, not per event.
 */
#ifndef SHMWATCH_SYMBOLIZE_H
#define SHMWATCH_SYMBOLIZE_H

#include <stdbool.h>
#include <linux/types.h>

/* Strings are owned by the symbolizer and live until symbolizer__free;
 * NULL when unknown. */
struct sw_frame {
	__u64 ip;
	const char *module;   /* path of the ELF file */
	const char *function; /* symbol, demangled when C++ */
	__u64 offset;	      /* ip - symbol start */
	const char *file;     /* source file, from DWARF */
	int line;	      /* 0 when unknown */
};

/* How a stack's address is looked up. */
enum sym_ip_kind {
	SYM_IP_RETURN, /* a return address, or the instruction after a
			 syscall: the call is the instruction before it */
	SYM_IP_EXACT,  /* the instruction itself: where a fault happened */
};

/* Frame i of a stack whose first frame may be where a fault happened. */
static inline enum sym_ip_kind sym_ip_kind_of(bool at_fault, __u32 i)
{
	return at_fault && i == 0 ? SYM_IP_EXACT : SYM_IP_RETURN;
}

/* An executable mapping of a file, as the kernel saw it. */
struct sym_mapping {
	__u64 start, end;
	__u64 offset;	  /* in the file, of start */
	__u64 dev, ino;	  /* the file's identity, dev as stat gives it */
	const char *path; /* as the process names it */
};

struct symbolizer;

/* With the real /proc, the image stores of podman, docker and containerd
 * are searched for the files of containers that are gone. */
struct symbolizer *symbolizer__new(const char *proc_root);
void symbolizer__free(struct symbolizer *s);
/* Another store of image layers: dir/LAYER/sub is one layer's tree. */
int symbolizer__add_image_store(struct symbolizer *s, const char *dir, const char *sub);
/* Make sure pid's module map covers ips (reads /proc/PID/maps when it
 * does not yet); call as soon as a stack arrives, while pid lives. */
int symbolizer__note(struct symbolizer *s, __u32 pid, const __u64 *ips, int n);
/* A mapping of pid's described by the kernel, for a process that may be
 * gone before its maps can be read.  While the process lives it is kept
 * only when its path, through the process's root, is the inode m names:
 * -ENOENT when not.  Once it is gone, its file is looked for on the host
 * and in the image stores by device and inode; when none is found, the
 * mapping is kept for module+offset frames. */
int symbolizer__add_mapping(struct symbolizer *s, __u32 pid, const struct sym_mapping *m);
/* child was forked by parent: until it execs it has parent's mappings. */
int symbolizer__fork(struct symbolizer *s, __u32 parent, __u32 child);
/* The process exited (or exec'd): its map is kept, but may be evicted
 * among the oldest once many processes are gone. */
void symbolizer__exit(struct symbolizer *s, __u32 pid);
/* Resolve one address of pid; fills f (ip always).  Returns 0, or
 * -ENOENT when not even the module is known. */
int symbolizer__resolve(struct symbolizer *s, __u32 pid, __u64 ip, enum sym_ip_kind kind,
			struct sw_frame *f);
/* A frame already resolved elsewhere (read from a saved log), so that
 * `analyze` prints what the live run printed. */
int symbolizer__add_frame(struct symbolizer *s, __u32 pid, enum sym_ip_kind kind,
			  const struct sw_frame *f);

#endif
