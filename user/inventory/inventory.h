/* SPDX-License-Identifier: GPL-2.0 */
/*
 * inventory.h - what shared memory exists on the host now, read from /proc
 * and the memory filesystems, no BPF (`shmwatch ls`): SysV segments, the
 * files of every /dev/shm and hugetlbfs mount (each mount namespace's
 * own), memory-filesystem files that a process maps shared or holds open
 * after their unlink, and memfds; each with the processes that hold it
 * (by a mapping, an attachment or an open fd) and a verdict.
 *
 * inventory__collect() reads; inventory_judge() and inventory_sort() are
 * pure, so that the verdicts are unit-tested on made-up inventories.
 */
#ifndef SHMWATCH_INVENTORY_H
#define SHMWATCH_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include "events.h" /* SW_COMM_LEN */
#include "lib/container.h"
#include "lib/hmap.h"

#define INV_PATH_LEN 256

enum inv_kind {
	INV_SEGMENT, /* SysV, of the reader's IPC namespace */
	INV_FILE,    /* a file of a memory filesystem (tmpfs, hugetlbfs) */
	INV_MEMFD,   /* memfd_create */
};

enum inv_verdict {
	INV_IN_USE,	      /* someone holds it (or it is a memfd) */
	INV_ORPHANED,	      /* a segment nobody attaches whose creator is gone */
	INV_UNATTACHED,	      /* a segment nobody attaches; its creator lives */
	INV_UNHELD,	      /* a linked file nobody maps or holds open (who made
				 it is not known without a trace) */
	INV_DELETED_BUT_HELD, /* removed (IPC_RMID, unlink) and still held: it
				 occupies memory that ls and ipcs cannot name */
};

/* One process holding an object. */
struct inv_holder {
	__u32 pid;
	char comm[SW_COMM_LEN];
	__u32 maps; /* mappings or attachments of it */
	__u32 fds;  /* open fds on it */
	bool in_container;
	struct container_ref container; /* with in_container */
};

struct inv_object {
	struct hnode node; /* key: (dev, ino) for files and memfds, shmid for segments */
	enum inv_kind kind;
	__u64 size;
	__u64 allocated;   /* files: bytes allocated (st_blocks); segments: rss + swap */
	__u32 uid;	   /* the owner */
	int mount;	   /* files: index in inventory.mounts, -1 for memfds */
	/* files and memfds */
	__u32 dev;	   /* kernel encoding, major << 20 | minor */
	__u64 ino;
	char path[INV_PATH_LEN]; /* as its mount namespace names it; memfd:NAME */
	bool deleted;
	/* segments */
	__s32 key;
	__s32 shmid;
	__u32 nattch;	   /* the kernel's count: holders outside our sight too */
	bool removed;	   /* IPC_RMID done, waiting for the last detach */
	__u32 cpid, lpid;
	char creator_comm[SW_COMM_LEN];
	bool creator_alive;
	bool creator_in_container; /* alive, and in creator_container */
	struct container_ref creator_container;
	__u64 rss, swap;
	__u64 ctime;	   /* creation or last IPC_SET, seconds since the epoch */
	/* who holds it */
	struct inv_holder *holders;
	int n_holders, cap_holders;
	enum inv_verdict verdict;
};

/* A memory filesystem mount: one per device, as the first mount namespace
 * that showed it names it. */
struct inv_mount {
	__u32 dev;
	char fstype[16];
	char where[INV_PATH_LEN]; /* the mount point in that namespace */
	__u32 mnt_ns;		  /* 0: shmwatch's own */
	__u32 via_pid;		  /* a process of that namespace (0: own) */
	__u64 size;		  /* 0: no limit known */
	__u64 used;
	bool walked;		  /* its files are all listed (/dev/shm, hugetlbfs) */
	__u32 files;		  /* objects listed on it */
	/* Another mount namespace's, whose process via_pid runs in a
	 * container: that container's own /dev/shm, as a rule. */
	bool in_container;
	struct container_ref container;
};

struct inventory {
	struct inv_object **objects;
	size_t n_objects, cap_objects;
	struct inv_mount *mounts;
	int n_mounts, cap_mounts;
	struct hmap by_id; /* files and memfds by (dev, ino), segments by shmid */
	__u32 ipc_ns;	   /* the reader's, whose segments are listed */
	/* What could not be read (not root, or processes that went). */
	__u32 procs_seen;
	__u32 procs_unreadable;
	__u32 first_unreadable; /* its pid */
	int segments_error; /* 0, or the negative errno of /proc/sysvipc/shm */
};

struct inv_opts {
	const char *proc_root; /* NULL: /proc */
	/* Only the files of the reader's own walked mounts: no other mount
	 * namespace, no segments, no processes (the tracer's seeding). */
	bool own_files_only;
};

/* 0, or a negative errno (out of memory).  What cannot be read is counted
 * in the inventory, not an error. */
int inventory__collect(struct inventory *inv, const struct inv_opts *o);
void inventory__free(struct inventory *inv);

/* The verdict of every object from what was read. */
void inventory_judge(struct inventory *inv);
/* Segments first, then files by mount, then memfds; biggest first in each. */
void inventory_sort(struct inventory *inv);
/* Does the object matter to a user who asks for pid (0: any)? */
bool inventory_held_by(const struct inv_object *o, __u32 pid);

const char *inv_verdict_name(enum inv_verdict v);
/* A holder row for pid in o, added if missing; NULL when out of memory. */
struct inv_holder *inventory_holder(struct inv_object *o, __u32 pid, const char *comm);

#endif /* SHMWATCH_INVENTORY_H */
