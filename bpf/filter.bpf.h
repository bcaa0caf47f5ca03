// SPDX-License-Identifier: GPL-2.0
/*
 * filter.bpf.h - which processes are traced.  The filters are read-only
 * globals the loader sets before load, so the verifier drops the checks a
 * run does not ask for, plus the map of traced tgids that the fork hook
 * extends when following children.  traced_current() asks about the task
 * that is running, with the cheapest helpers; traced_task() about any
 * task, for the hooks that run in another process than the one they
 * report (a signal and its sender).  Included once, by shmwatch.bpf.c.
 */
#ifndef SW_FILTER_BPF_H
#define SW_FILTER_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "events.h"

/* The filters, written by the loader before load. */
const volatile bool filter_pid = false;	 /* only tgids in traced_pids */
const volatile bool follow = false;	 /* add forked children to traced_pids */
const volatile bool filter_uid = false;
const volatile __u32 target_uid = 0;
const volatile bool filter_comm = false;
const volatile char target_comm[SW_COMM_LEN] = {};
const volatile bool filter_cgroup = false; /* task under cgroup_filter[0] */
const volatile __u64 target_cgroup = 0;	   /* that cgroup's id, for traced_task */
const volatile bool filter_cgroups = false; /* task's cgroup in traced_cgroups */
const volatile __u32 self_tgid = 0;	 /* shmwatch itself, never traced */

/* Set by the loader when it stops: from then on nothing is recorded, so
 * that what is left in the ring buffer is all there is to drain, however
 * busy the host is. */
bool stopping = false;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, __u8);
} traced_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroup_filter SEC(".maps");

/*
 * --container: the cgroups of the selected containers, by id (the
 * cgroup's own, not an ancestor's: userspace puts in every cgroup of a
 * container, its sub-cgroups too), and the cgroups made while tracing
 * until userspace has told whose they are (SW_REC_CGROUP).
 */
#define SW_CGROUP_TRACED 1
#define SW_CGROUP_PENDING 2

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, __u8);
} traced_cgroups SEC(".maps");

static __always_inline bool comm_matches(const char *comm)
{
	for (int i = 0; i < SW_COMM_LEN; i++) {
		if (comm[i] != target_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

/* The pid filter and what is never traced: the same for a task and for
 * current. */
static __always_inline bool traced_tgid(__u32 tgid)
{
	if (stopping || tgid == self_tgid)
		return false;
	return !filter_pid || bpf_map_lookup_elem(&traced_pids, &tgid);
}

/* Does the current task pass every filter?  The syscall, fork, exec and
 * exit hooks run in the process they are about, and the helpers that ask
 * about current are the cheapest. */
static __always_inline bool traced_current(void)
{
	if (!traced_tgid(bpf_get_current_pid_tgid() >> 32))
		return false;
	if (filter_uid && (__u32)bpf_get_current_uid_gid() != target_uid)
		return false;
	if (filter_comm) {
		char comm[SW_COMM_LEN];

		bpf_get_current_comm(comm, sizeof(comm));
		if (!comm_matches(comm))
			return false;
	}
	if (filter_cgroup && bpf_current_task_under_cgroup(&cgroup_filter, 0) != 1)
		return false;
	if (filter_cgroups) {
		__u64 id = bpf_get_current_cgroup_id();

		if (!bpf_map_lookup_elem(&traced_cgroups, &id))
			return false;
	}
	return true;
}

#define CGROUP_DEPTH_MAX 32

/* Is t in target_cgroup or below it?  bpf_current_task_under_cgroup only
 * asks about current, and the kfunc that asks about any task is newer
 * than 6.1: walk up t's cgroups and compare their ids. */
static __always_inline bool task_under_target_cgroup(struct task_struct *t)
{
	struct cgroup *cg = BPF_CORE_READ(t, cgroups, dfl_cgrp);
	__u64 self_off = bpf_core_field_offset(struct cgroup, self);

	for (int i = 0; i < CGROUP_DEPTH_MAX && cg; i++) {
		struct cgroup_subsys_state *up;

		if (BPF_CORE_READ(cg, kn, id) == target_cgroup)
			return true;
		up = BPF_CORE_READ(cg, self.parent);
		cg = up ? (void *)up - self_off : NULL;
	}
	return false;
}

/* Does task t pass every filter?  For the hooks that run in another
 * process than the one they are about: a signal is judged by the
 * process it is sent to, not by its sender. */
static __always_inline bool traced_task(struct task_struct *t)
{
	if (!traced_tgid(BPF_CORE_READ(t, tgid)))
		return false;
	if (filter_uid && BPF_CORE_READ(t, cred, uid.val) != target_uid)
		return false;
	if (filter_comm) {
		char comm[SW_COMM_LEN];

		BPF_CORE_READ_STR_INTO(&comm, t, comm);
		if (!comm_matches(comm))
			return false;
	}
	if (filter_cgroup && !task_under_target_cgroup(t))
		return false;
	if (filter_cgroups) {
		__u64 id = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id);

		if (!bpf_map_lookup_elem(&traced_cgroups, &id))
			return false;
	}
	return true;
}

#endif
