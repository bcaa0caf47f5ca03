/* SPDX-License-Identifier: GPL-2.0 */
/*
 * seed.h - seed the analyzer from /proc for processes that were already
 * running when tracing started, so what they already hold is known and
 * not taken for misuse.
 *
 * proc_root is the procfs mount ("/proc"; NULL means the same), a
 * parameter so tests can point it at a fake tree.
 */
#ifndef SHMWATCH_SEED_H
#define SHMWATCH_SEED_H

#include "analyzer/analyzer.h"

/*
 * Seed one process from PROC_ROOT/PID/comm and PROC_ROOT/PID/maps: SysV
 * attachments and shared mappings (perms 's').  Returns the number of
 * mappings seeded or a negative errno (-ENOENT: no such process).
 */
int seed_pid(struct analyzer *a, const char *proc_root, __u32 pid);

/*
 * Seed every SysV segment from PROC_ROOT/sysvipc/shm.  Call it after the
 * processes, so segments their creators made are tied to them.  Returns
 * the number of segments seeded or a negative errno.
 */
int seed_segments(struct analyzer *a, const char *proc_root);

/*
 * Seed every process under PROC_ROOT that holds a SysV attachment or a
 * shared mapping (others stay unknown until their first event), except
 * exclude (shmwatch itself).  For a system-wide trace whose state is
 * checked at the end (--check-state).  Returns the processes seeded.
 */
int seed_all(struct analyzer *a, const char *proc_root, __u32 exclude);

/*
 * Seed every file of the /dev/shm and hugetlbfs mounts of shmwatch's own
 * mount namespace (the inventory's walk, inventory/inventory.h), with
 * its mount's usage.  Call it after the processes, so the mappings they
 * hold count.  Returns the files seeded or a negative errno.
 */
int seed_objects(struct analyzer *a, const char *proc_root);

#endif /* SHMWATCH_SEED_H */
