/* SPDX-License-Identifier: GPL-2.0 */
/*
 * procfs.h - parsers for the /proc files shmwatch reads: PID/maps lines,
 * the SysV attachments and shared mappings among them, sysvipc/shm,
 * PID/stat and status, PID/comm.  No analyzer here: analyzer/seed.h
 * feeds what they read to it.
 *
 * proc_root is the procfs mount ("/proc"; NULL means the same), a
 * parameter so tests can point it at a fake tree.
 */
#ifndef SHMWATCH_PROCFS_H
#define SHMWATCH_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include "events.h" /* SW_NAME_LEN, SW_COMM_LEN, enum sw_backing */

/* proc_root, or "/proc" when it is NULL or empty. */
const char *procfs_root(const char *proc_root);

/* Undo the \ooo escapes of a mountinfo field (space, tab, newline and
 * backslash), in place. */
void procfs_unescape_octal(char *s);

/* One line of PROC_ROOT/PID/maps, split in place. */
struct procfs_maps_line {
	__u64 start;
	__u64 end;
	__u64 offset;
	__u64 ino;
	unsigned int major;
	unsigned int minor;
	char perms[8]; /* "rw-s" */
	char *path;    /* into the line: no newline, no " (deleted)"; "" if none */
	bool deleted;  /* the path ended in " (deleted)" */
};

/* Split a maps line; false if it is not one.  Shared by procfs_read_maps
 * and the symbolizer, which reads executable mappings. */
bool procfs_parse_maps_line(char *line, struct procfs_maps_line *l);

/* One segment of PROC_ROOT/sysvipc/shm. */
struct procfs_segment {
	__s32 shmid;
	__s32 key;
	__u64 size;
	__u32 cpid;
	__u32 lpid;
	__u32 nattch;
	bool removed; /* SHM_DEST in the mode: IPC_RMID done, still attached */
	__u32 mode;   /* permission bits */
	__u32 uid;    /* owner */
	__u32 cuid;   /* creator's uid */
	__u64 ctime;  /* creation or last IPC_SET, seconds since the epoch */
	__u64 rss;    /* bytes resident */
	__u64 swap;   /* bytes swapped out */
};

/* A SysV attachment or shared mapping of PROC_ROOT/PID/maps. */
struct procfs_mapping {
	__u32 pid;
	__u64 start;
	__u64 end;
	__u32 backing;	/* enum sw_backing */
	__s32 shmid;	/* SW_BK_SYSV: the id from the inode column, else -1 */
	__u32 dev;	/* kernel encoding, major << 20 | minor */
	__u64 ino;
	__u64 offset;	/* file offset of start */
	char name[SW_NAME_LEN];
};

/*
 * fn gets each SysV attachment and shared mapping of PROC_ROOT/PID/maps,
 * or each segment of PROC_ROOT/sysvipc/shm, and stops the walk by
 * returning non-zero.  Return the number of entries passed or a negative
 * errno (-ENOENT: no such process).
 */
typedef int (*procfs_mapping_fn)(void *ctx, const struct procfs_mapping *m);
typedef int (*procfs_segment_fn)(void *ctx, const struct procfs_segment *s);
int procfs_read_maps(const char *proc_root, __u32 pid, procfs_mapping_fn fn, void *ctx);
int procfs_read_segments(const char *proc_root, procfs_segment_fn fn, void *ctx);

/* What /proc says of one task (a process or a thread), for checking the
 * pids a user asks to trace. */
struct procfs_task {
	__u32 tgid;   /* the process it belongs to: itself, unless a thread */
	char state;   /* 'R', 'S', 'Z' (exited, not reaped), ... */
	bool kthread; /* a kernel thread: it makes no system calls */
	char comm[SW_COMM_LEN];
};

/* PROC_ROOT/PID/comm without its newline; "" when unreadable. */
void procfs_read_comm(const char *proc_root, __u32 pid, char *comm, size_t len);

/* Read PROC_ROOT/PID/stat and status (a thread's id works too).
 * 0, or a negative errno (-ENOENT: no such task). */
int procfs_read_task(const char *proc_root, __u32 pid, struct procfs_task *t);

/* The kernel's limits a log carries so that it is judged the same later:
 * kernel.shmmax, kernel.shmall, kernel.shmmni, kernel.shm_rmid_forced and
 * RAM + swap from meminfo.  The sysctls are those of the reader's IPC
 * namespace.  What cannot be read stays 0. */
struct procfs_kernel_limits {
	__u64 shmmax;
	__u64 shmall; /* pages */
	__u64 shmmni;
	bool shm_rmid_forced;
	__u64 mem_total;
	__u32 ipc_ns; /* of the reader, as procfs_ipc_ns gives it */
};
/* The IPC namespace of PROC_ROOT/PID (pid 0: the reader), as sw_event.ipc_ns
 * records it: its inode number, 0 for the initial namespace or when it
 * cannot be read. */
__u32 procfs_ipc_ns(const char *proc_root, __u32 pid);

void procfs_read_kernel_limits(const char *proc_root, struct procfs_kernel_limits *l);

#endif /* SHMWATCH_PROCFS_H */
