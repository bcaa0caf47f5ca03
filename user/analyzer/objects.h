/* SPDX-License-Identifier: GPL-2.0 */
/*
 * objects.h - the shm objects (objects.c): POSIX shm and other tmpfs
 * files, memfds, and the mounts they live on; how the file calls change
 * them.
 */
#ifndef SHMWATCH_OBJECTS_H
#define SHMWATCH_OBJECTS_H

#include "analyzer/state.h"

struct shmobj *model_obj(const struct analyzer *a, __u32 dev, __u64 ino);
/* The linked tmpfs object that a process of mount namespace mnt_ns (0:
 * not known) means by path: the one created in that namespace, else the
 * only one with that path; NULL when there is none, or several from other
 * namespaces and a name alone cannot tell which. */
struct shmobj *model_obj_by_path(const struct analyzer *a, const char *path, __u32 mnt_ns);
/* A linked tmpfs object with this path that a process of mnt_ns may see:
 * one created in that namespace, or where either namespace is not known. */
struct shmobj *model_obj_seen_at(const struct analyzer *a, const char *path, __u32 mnt_ns);
/* The mount with dev, NULL if no event showed it. */
struct mount *model_mount(struct analyzer *a, __u32 dev);
/* m's use is at a new peak that is about to end (an object shrinks or
 * goes, or an event shows less used): remember what holds it.  Does
 * nothing for NULL or when no new peak is pending. */
void model_mount_peak_take(struct analyzer *a, struct mount *m);
/* A SIGBUS in a tmpfs file's mapping: the mount as full as it was, and
 * short of the rest of the object. */
void model_mount_fault(struct analyzer *a, const struct sw_event *e);
/* m's usage view, as analyzer__usage gives it (usage.c). */
void model_mount_usage(struct analyzer *a, struct mount *m, __u64 ts_ns,
		       struct sw_mount_usage *u);
/* The biggest objects on mount dev into rows (SW_USAGE_TOP of them),
 * biggest first: the linked ones, and with held also those unlinked
 * that a mapping still holds, which occupy the mount all the same (and
 * then without mapped_by, a walk of every address space: a peak can end
 * at any event).  Returns how many. */
int model_mount_biggest(const struct analyzer *a, __u32 dev, bool held,
			struct sw_usage_object *rows);
/* A call refused for want of space (ENOSPC): how many bytes more than
 * the object had it asked for; 0 for any other event or when unknown. */
__u64 model_space_wanted(const struct sw_event *e);
/* The bytes an event's size-limited tmpfs had in use, the kernel's count
 * corrected where the event shows the mount full. */
__u64 model_space_used(const struct analyzer *a, const struct sw_event *e);
/* Is a mount with used of size bytes in use full but for the lag of the
 * kernel's count (SW_FULL_SLACK, or what the traced machine's CPUs may
 * hold)? */
bool model_space_nearly_full(const struct analyzer *a, __u64 used, __u64 size);
/* openat, memfd_create, ftruncate, fallocate, unlink, unlinkat. */
void model_obj_call(struct analyzer *a, struct proc *p, const struct sw_event *e);
/* A shared mapping of a memory-filesystem file was made. */
void model_obj_mapped(struct analyzer *a, struct proc *p, const struct sw_event *e);
/* Live processes that map the object now (a walk of every address
 * space: for reports, not for every event; o->n_maps says whether any
 * range maps it). */
unsigned int model_obj_holders(const struct analyzer *a, const struct shmobj *o);
/* A live process other than not_pid that maps o, or NULL (same walk). */
struct proc *model_obj_holder(const struct analyzer *a, const struct shmobj *o, __u32 not_pid);
/* A range that maps a file was made (+1) or is going (-1). */
void model_obj_range(struct analyzer *a, const struct mapping *r, int delta);
/* The leak rule is done with o: it waits no more. */
void model_obj_unwait(struct analyzer *a, struct shmobj *o);
/* p is going away: mark the objects it created. */
void model_obj_creator_exit(struct analyzer *a, struct proc *p, const struct sw_event *e);
/* Forget objects nobody can reach any more (unlinked or memfd, creator
 * gone, unmapped).  Returns how many went. */
unsigned int model_obj_collect(struct analyzer *a);
void model_obj_free(struct analyzer *a, struct shmobj *o);
/* Is this an object the leak rule watches: a linked tmpfs file that a
 * traced process created, under /dev/shm or mapped shared? */
bool model_obj_leak_candidate(const struct shmobj *o);

#endif /* SHMWATCH_OBJECTS_H */
