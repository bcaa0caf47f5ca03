/* SPDX-License-Identifier: GPL-2.0 */
/*
 * procfs.h - seed the analyzer from /proc for processes that were already
 * running when tracing started, so what they already hold is known and
 * not taken for misuse.
 *
 * proc_root is the procfs mount ("/proc"; NULL means the same), a
 * parameter so tests can point it at a fake tree.
 */
#ifndef SHMWATCH_PROCFS_H
#define SHMWATCH_PROCFS_H

#include "analyzer/analyzer.h"

/*
 * Seed one process from PROC_ROOT/PID/comm and PROC_ROOT/PID/maps: SysV
 * attachments and shared mappings (perms 's').  Returns the number of
 * mappings seeded or a negative errno (-ENOENT: no such process).
 */
int procfs_seed_pid(struct analyzer *a, const char *proc_root, __u32 pid);

/*
 * Seed every SysV segment from PROC_ROOT/sysvipc/shm.  Call it after the
 * processes, so segments their creators made are tied to them.  Returns
 * the number of segments seeded or a negative errno.
 */
int procfs_seed_segments(struct analyzer *a, const char *proc_root);

/*
 * Seed every process under PROC_ROOT that holds a SysV attachment or a
 * shared mapping (others stay unknown until their first event), except
 * exclude (shmwatch itself).  For a system-wide trace whose state is
 * checked at the end (--check-state).  Returns the processes seeded.
 */
int procfs_seed_all(struct analyzer *a, const char *proc_root, __u32 exclude);

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
};

/* Split a maps line; false if it is not one.  Shared by the seeding, the
 * state check and the symbolizer, which all read maps. */
bool procfs_parse_maps_line(char *line, struct procfs_maps_line *l);

/*
 * The parsers behind the seeding, for whoever else compares with the
 * kernel (checkstate.c): fn gets each SysV attachment and shared mapping
 * of PROC_ROOT/PID/maps, or each segment of PROC_ROOT/sysvipc/shm, and
 * stops the walk by returning non-zero.  Return the number of entries
 * passed or a negative errno (-ENOENT: no such process).
 */
typedef int (*procfs_mapping_fn)(void *ctx, const struct sw_seed_mapping *m);
typedef int (*procfs_segment_fn)(void *ctx, const struct sw_seed_segment *s);
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

/* Read PROC_ROOT/PID/stat and status (a thread's id works too).
 * 0, or a negative errno (-ENOENT: no such task). */
int procfs_read_task(const char *proc_root, __u32 pid, struct procfs_task *t);

#endif /* SHMWATCH_PROCFS_H */
