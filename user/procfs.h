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

#include "analyzer.h"

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

#endif /* SHMWATCH_PROCFS_H */
