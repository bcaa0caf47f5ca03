// SPDX-License-Identifier: GPL-2.0
/*
 * vfs.bpf.h - what the kernel's files tell: the classification of a
 * mapping's or an fd's file (SysV, memfd, POSIX shm, hugetlbfs, plain
 * file), its identity and size, the usage of its tmpfs and the files of
 * that tmpfs holding the most, and the path of a dentry as a task sees it.
 * Included once, by shmwatch.bpf.c.
 */
#ifndef SW_VFS_BPF_H
#define SW_VFS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "events.h"
#include "kabi.h"
#include "lib/hash.h"

/* What bpf_find_vma's callback (or an fd lookup) learned about one
 * mapping or file. */
struct vma_info {
	__u64 start;
	__u64 size;
	__u64 pgoff;
	__u64 obj_size;
	__u64 obj_alloc; /* bytes allocated to the file (i_blocks) */
	__u64 ino;
	__u64 fs_used;
	__u64 fs_size;
	__u64 file_addr; /* a tmpfs file's struct file, for announce_created */
	__u32 dev;
	__u32 fs_gen; /* a tmpfs: which instance of dev (sw_call_info) */
	__u32 backing;
	__s32 shmid;
	__u32 mnt_ns; /* announced: its creator's mount namespace */
	__u16 created;
	__u16 name_cut; /* name is not the whole path */
};

/*
 * The name that goes with the vma_info being filled: kept in a map, not
 * in the struct, because bpf_find_vma wants its callback's data on the
 * stack and 6.1's verifier counts the stacks of every frame down to a
 * first stack's mapping records together, against 512 bytes.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[SW_NAME_LEN]);
} vma_name SEC(".maps");

static __always_inline char *vma_name_buf(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&vma_name, &zero);
}

static __always_inline bool has_prefix(const char *s, const char *p, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] != p[i])
			return false;
	return true;
}

/* A tmpfs's usage.  The kernel counts used blocks only on a mount with a
 * size limit, in a percpu counter: the count read here lags by what other
 * CPUs have not folded into it yet, even at the limit (a refused
 * allocation folds nothing; the analyzer knows when an event shows the
 * mount full, objects.c model_space_used).  Summing the CPUs' parts here
 * would need their per-CPU offsets, which a kernel without
 * CONFIG_KALLSYMS_ALL does not give BPF. */
static __always_inline void read_tmpfs_usage(struct super_block *sb, struct vma_info *vi)
{
	struct shmem_sb_info *sbi = BPF_CORE_READ(sb, s_fs_info);
	__s64 used;

	if (!sbi)
		return;
	used = BPF_CORE_READ(sbi, used_blocks.count);
	/* Random for each inode tmpfs makes, the root's too. */
	vi->fs_gen = BPF_CORE_READ(sb, s_root, d_inode, i_generation);
	vi->fs_size = (__u64)BPF_CORE_READ(sbi, max_blocks) << K_PAGE_SHIFT;
	vi->fs_used = used > 0 ? (__u64)used << K_PAGE_SHIFT : 0;
}

/*
 * Describe the file behind a mapping or an fd: identity, size, name, and
 * for memory filesystems the mount's usage.  Classification: hugetlbfs;
 * not tmpfs: a plain file; a tmpfs someone mounted (POSIX shm in
 * /dev/shm); the kernel's internal shmem mount, whose file names tell
 * SysV segments, memfds and shared anonymous memory apart.  shared says
 * whether the mapping shares (an fd is always "shared").
 */
static __always_inline void read_file(struct file *file, bool shared, struct vma_info *vi)
{
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	struct super_block *sb = BPF_CORE_READ(inode, i_sb);
	unsigned long magic = BPF_CORE_READ(sb, s_magic);
	char *name = vma_name_buf();
	int mnt_flags;

	if (!name)
		return;
	vi->ino = BPF_CORE_READ(inode, i_ino);
	vi->obj_size = BPF_CORE_READ(inode, i_size);
	/* In 512-byte units whatever the filesystem; a sparse tmpfs file
	 * (sized, never written) has none. */
	vi->obj_alloc = (__u64)BPF_CORE_READ(inode, i_blocks) << 9;
	vi->dev = BPF_CORE_READ(sb, s_dev);
	bpf_probe_read_kernel_str(name, SW_NAME_LEN, BPF_CORE_READ(file, f_path.dentry, d_name.name));
	if (magic == K_HUGETLBFS_MAGIC) {
		vi->backing = SW_BK_HUGETLB;
		return;
	}
	if (magic != K_TMPFS_MAGIC) {
		vi->backing = shared ? SW_BK_FILE_SHARED : SW_BK_FILE_PRIVATE;
		return;
	}
	read_tmpfs_usage(sb, vi);
	mnt_flags = BPF_CORE_READ(file, f_path.mnt, mnt_flags);
	if (!(mnt_flags & K_MNT_INTERNAL))
		/* Mapped privately a tmpfs file shares nothing: a library
		 * loaded from a tmpfs root, say. */
		vi->backing = shared ? SW_BK_SHMEM_FILE : SW_BK_FILE_PRIVATE;
	else if (has_prefix(name, "SYSV", 4))
		vi->backing = SW_BK_SYSV;
	else if (has_prefix(name, "memfd:", 6))
		vi->backing = SW_BK_MEMFD;
	else
		vi->backing = SW_BK_ANON_SHARED; /* "dev/zero" */
}

static long read_vma(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct vma_info *vi = data;
	__u64 vm_flags = vma->vm_flags; /* vma is a BTF pointer: plain loads */
	/* MAP_SHARED of a file opened read-only has VM_MAYSHARE but not
	 * VM_SHARED (it can never write back); /proc/PID/maps calls it
	 * shared, and so do we. */
	bool shared = vm_flags & (K_VM_SHARED | K_VM_MAYSHARE);
	struct file *file = BPF_CORE_READ(vma, vm_file);

	vi->start = vma->vm_start;
	vi->size = vma->vm_end - vi->start;
	vi->pgoff = vma->vm_pgoff;
	vi->shmid = -1;
	if (!file) {
		vi->backing = (vm_flags & K_VM_HUGETLB) ? SW_BK_HUGETLB :
			      shared ? SW_BK_ANON_SHARED :
						       SW_BK_ANON_PRIVATE;
		return 1;
	}
	read_file(file, shared, vi);
	if (vm_flags & K_VM_HUGETLB)
		vi->backing = SW_BK_HUGETLB;
	if (vi->backing == SW_BK_SHMEM_FILE)
		vi->file_addr = (__u64)BPF_CORE_READ(vma, vm_file); /* a number */
	return 1;
}

/* For a SysV attachment the VMA's file is a shm_file_data wrapper whose
 * inner shmem file carries the segment's true size and id. */
static long read_shm_vma(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct vma_info *vi = data;
	struct shm_file_data *sfd;

	read_vma(task, vma, data);
	sfd = BPF_CORE_READ(vma, vm_file, private_data);
	if (!sfd)
		return 1;
	vi->shmid = BPF_CORE_READ(sfd, id);
	vi->obj_size = BPF_CORE_READ(sfd, file, f_inode, i_size);
	vi->backing = SW_BK_SYSV;
	return 1;
}

/* The name read last into vma_name, or an empty one. */
static __always_inline void copy_vma_name(char *out)
{
	char *name = vma_name_buf();

	if (name)
		__builtin_memcpy(out, name, SW_NAME_LEN);
}

#define PATH_BUF 128
#define PATH_PARTS 8

/* Scratch for building a path: wider than SW_NAME_LEN so that a name
 * copied at any offset below SW_NAME_LEN stays inside it. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[PATH_BUF]);
} path_buf SEC(".maps");

#define PATH_CUT 1

/*
 * The path helpers are global functions: the verifier checks each once
 * per program, on its own, instead of once for every call site with the
 * caller's state, and the loops of build_path are bpf_loop callbacks,
 * checked once whatever the number of rounds.  So they take kernel
 * pointers as numbers and work in this CPU's path_buf, not on the
 * caller's stack.
 */

/* FNV-1a of the string in path_buf. */
__noinline __u64 hash_path_buf(void)
{
	__u32 zero = 0;
	char *buf = bpf_map_lookup_elem(&path_buf, &zero);
	__u64 h = HASH_FNV_BASIS;

	if (!buf)
		return 0;
	for (int i = 0; i < SW_NAME_LEN && buf[i]; i++)
		h = hash_fnv_byte(h, buf[i]);
	return h;
}

/* Where a path walk is, and what it has found so far. */
struct path_walk {
	__u64 d;      /* struct dentry * */
	__u64 m;      /* struct mount * */
	__u64 root_d; /* the task's root: where its paths begin */
	__u64 root_m;
	__u64 parts[PATH_PARTS]; /* names, innermost first */
	__u32 n;
	__u32 end; /* 0: not yet, WALK_WHOLE, PATH_CUT */
	__u32 pos; /* joining: bytes written */
};

#define WALK_WHOLE 2

/* The walk's state lives in a map, not on the stack: with the callers
 * of build_path (a stack's mapping records) 6.1's verifier counts every
 * frame's stack together, against 512 bytes. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct path_walk);
} path_walks SEC(".maps");

/* One step up: to the parent dentry, or across a mount point. */
static long walk_up(__u32 i, void *ctx)
{
	__u32 zero = 0;
	struct path_walk *w = bpf_map_lookup_elem(&path_walks, &zero);
	struct dentry *d, *up;
	struct mount *m;

	if (!w)
		return 1;
	d = (struct dentry *)w->d;
	m = (struct mount *)w->m;

	if (w->d == w->root_d && w->m == w->root_m)
		goto whole;
	if (d == BPF_CORE_READ(m, mnt.mnt_root)) {
		struct mount *parent = BPF_CORE_READ(m, mnt_parent);

		if (parent == m)
			goto whole; /* the top of the mount tree */
		w->d = (__u64)BPF_CORE_READ(m, mnt_mountpoint);
		w->m = (__u64)parent;
		return 0;
	}
	if (w->n >= PATH_PARTS) {
		w->end = PATH_CUT;
		return 1;
	}
	w->parts[w->n & (PATH_PARTS - 1)] = (__u64)BPF_CORE_READ(d, d_name.name);
	w->n++;
	up = BPF_CORE_READ(d, d_parent);
	if (up == d)
		goto whole;
	w->d = (__u64)up;
	return 0;
whole:
	w->end = WALK_WHOLE;
	return 1;
}

/* Append "/NAME" for the next name, outermost first. */
static long join_part(__u32 i, void *ctx)
{
	__u32 zero = 0, k;
	struct path_walk *w = bpf_map_lookup_elem(&path_walks, &zero);
	char *buf = bpf_map_lookup_elem(&path_buf, &zero);
	long len;

	if (!w || !buf || i >= w->n)
		return 1;
	if (w->pos >= SW_NAME_LEN - 1) {
		w->end = PATH_CUT;
		return 1;
	}
	k = w->n - 1 - i;
	buf[w->pos & (SW_NAME_LEN - 1)] = '/';
	w->pos++;
	len = bpf_probe_read_kernel_str(&buf[w->pos & (SW_NAME_LEN - 1)], SW_NAME_LEN,
					(void *)w->parts[k & (PATH_PARTS - 1)]);
	if (len > 1)
		w->pos += len - 1;
	return 0;
}

/*
 * The path of (dentry, mnt) as the current task sees it, into path_buf:
 * up the dentries to the mount's root, then on from the mount point in
 * the parent mount, until the task's root directory (a chroot, a
 * container's root) or the top of the mount tree.  Returns 0 for a whole
 * path, PATH_CUT when it is not whole (more than PATH_PARTS components or
 * SW_NAME_LEN - 1 bytes, or too many mounts), -1 when the scratch buffer
 * is missing.  The root comes by plain loads through current's
 * task_struct (see read_who), not four CO-RE reads.
 */
__noinline int build_path(__u64 dentry, __u64 vfsmount)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u64 mnt_off = bpf_core_field_offset(struct mount, mnt);
	__u32 zero = 0;
	struct path_walk *w = bpf_map_lookup_elem(&path_walks, &zero);
	char *buf = bpf_map_lookup_elem(&path_buf, &zero);

	if (!w || !buf)
		return -1;
	__builtin_memset(w, 0, sizeof(*w));
	w->d = dentry;
	w->m = vfsmount - mnt_off;
	w->root_d = (__u64)t->fs->root.dentry;
	w->root_m = (__u64)t->fs->root.mnt - mnt_off;
	bpf_loop(2 * PATH_PARTS, walk_up, NULL, 0);
	buf[0] = '/';
	buf[1] = '\0';
	bpf_loop(PATH_PARTS, join_part, NULL, 0);
	/* The last name may have run into the end of the buffer. */
	if (w->pos >= SW_NAME_LEN - 1)
		w->end = PATH_CUT;
	buf[SW_NAME_LEN - 1] = '\0';
	return w->end == WALK_WHOLE ? 0 : PATH_CUT;
}

/*
 * Append "/" (unless the path in path_buf is the root) and the user
 * string at name (an address in the current process) to the path in
 * path_buf.  0, or PATH_CUT when the result is longer than
 * SW_NAME_LEN - 1 bytes, or -1.
 */
__noinline int join_user_name(__u64 name)
{
	__u32 zero = 0;
	char *buf = bpf_map_lookup_elem(&path_buf, &zero);
	int len = 0;
	long n;

	if (!buf)
		return -1;
	for (int i = 0; i < SW_NAME_LEN && buf[i]; i++)
		len = i + 1;
	if (len > 1) /* the root is "/" already */
		buf[len++ & (SW_NAME_LEN - 1)] = '/';
	if (len >= SW_NAME_LEN - 1)
		return PATH_CUT;
	n = bpf_probe_read_user_str(&buf[len & (SW_NAME_LEN - 1)], SW_NAME_LEN, (void *)name);
	if (n < 1)
		return -1;
	if (len + n - 1 > SW_NAME_LEN - 1)
		return PATH_CUT;
	buf[SW_NAME_LEN - 1] = '\0';
	return 0;
}

/* build_path() for the current task; out (SW_NAME_LEN bytes, or NULL)
 * gets a copy.  0, PATH_CUT or -1. */
static __always_inline int path_of(struct dentry *d, struct vfsmount *vm, char *out)
{
	__u32 zero = 0;
	char *buf;
	int ret;

	ret = build_path((__u64)d, (__u64)vm);
	if (ret < 0 || !out)
		return ret;
	buf = bpf_map_lookup_elem(&path_buf, &zero);
	if (!buf)
		return -1;
	__builtin_memcpy(out, buf, SW_NAME_LEN);
	return ret;
}

/* The file fd names in the current process, or NULL. */
static __always_inline struct file *file_of_fd(long fd)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;

	if (fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	bpf_core_read(&f, sizeof(f), fds + fd);
	return f;
}

/* Is the file on a memory filesystem, where pages are the object? */
static __always_inline bool on_memory_fs(struct file *f)
{
	unsigned long magic = BPF_CORE_READ(f, f_inode, i_sb, s_magic);

	return magic == K_TMPFS_MAGIC || magic == K_HUGETLBFS_MAGIC;
}

/* The directory a relative path starts from, dfd's or the cwd; 0, or -1
 * when dfd names no file. */
static __always_inline int base_dir(long dfd, struct dentry **dir, struct vfsmount **mnt)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct file *f;

	/* Read as numbers, not followed as BTF pointers: build_path, a
	 * global function, takes them as scalars. */
	if ((int)dfd == -100) { /* AT_FDCWD */
		*dir = BPF_CORE_READ(t, fs, pwd.dentry);
		*mnt = BPF_CORE_READ(t, fs, pwd.mnt);
		return 0;
	}
	f = file_of_fd((int)dfd);
	if (!f)
		return -1;
	*dir = BPF_CORE_READ(f, f_path.dentry);
	*mnt = BPF_CORE_READ(f, f_path.mnt);
	return 0;
}

static __always_inline bool has_slash(const char *s)
{
	for (int i = 0; i < SW_NAME_LEN && s[i]; i++)
		if (s[i] == '/')
			return true;
	return false;
}

/*
 * The files of a tmpfs holding the most memory (allocated blocks), walked
 * from the superblock's inode list at the moment of a SIGBUS.  The walk
 * reads without the list's lock: good enough for a report, and bounded.
 * One step per bpf_loop iteration, so the verifier checks it once.
 */
#define TOP_SCAN 1024

/* The list being built lives in this CPU's top_buf, not on the stack:
 * the walk runs deep in the resize and fault paths, whose combined stack
 * is near the verifier's 512 bytes (6.1 refused it with the list there). */
struct top_list {
	struct sw_holder top[SW_TOP_HOLDERS];
	__u32 nlink[SW_TOP_HOLDERS];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct top_list);
} top_buf SEC(".maps");

struct top_walk {
	struct list_head *pos;
	struct list_head *head;
	__u64 link; /* offset of i_sb_list in struct inode */
};

static long top_step(__u64 i, void *data)
{
	struct top_walk *w = data;
	struct list_head *pos = w->pos; /* a local: CO-RE must not relocate w */
	struct top_list *t;
	struct inode *inode;
	__u64 bytes, ino;
	__u32 nlink, zero = 0;

	if (!pos || pos == w->head)
		return 1;
	t = bpf_map_lookup_elem(&top_buf, &zero);
	if (!t)
		return 1;
	inode = (void *)pos - w->link;
	bytes = (__u64)BPF_CORE_READ(inode, i_blocks) << 9;
	ino = BPF_CORE_READ(inode, i_ino);
	nlink = BPF_CORE_READ(inode, i_nlink);
	for (int j = 0; j < SW_TOP_HOLDERS; j++) {
		if (bytes > t->top[j].bytes) {
			__u64 b = t->top[j].bytes, n = t->top[j].ino;
			__u32 l = t->nlink[j];

			t->top[j].bytes = bytes;
			t->top[j].ino = ino;
			t->nlink[j] = nlink;
			bytes = b;
			ino = n;
			nlink = l;
		}
	}
	w->pos = BPF_CORE_READ(pos, next);
	return 0;
}

/* nlink may be NULL: a SIGBUS's list has no room for it. */
static __always_inline void top_holders(struct super_block *sb, struct sw_holder *top,
					__u32 *nlink)
{
	struct top_walk w = {
		.pos = BPF_CORE_READ(sb, s_inodes.next),
		.head = (void *)sb + bpf_core_field_offset(struct super_block, s_inodes),
		.link = bpf_core_field_offset(struct inode, i_sb_list),
	};
	__u32 zero = 0;
	struct top_list *t = bpf_map_lookup_elem(&top_buf, &zero);

	if (!t)
		return;
	__builtin_memset(t, 0, sizeof(*t));
	bpf_loop(TOP_SCAN, top_step, &w, 0);
	__builtin_memcpy(top, t->top, sizeof(t->top));
	if (nlink)
		__builtin_memcpy(nlink, t->nlink, sizeof(t->nlink));
}

#endif
