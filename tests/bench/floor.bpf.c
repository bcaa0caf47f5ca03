// SPDX-License-Identifier: GPL-2.0
/*
 * floor.bpf.c - the least a tracer built like shmwatch can do, for the
 * benchmark's design-floor columns (driven by floor.c).
 *
 * One program on the exit tracepoint of each call shmwatch traces, the
 * same attachment shmwatch makes.  With record off a program returns at
 * once: what the traced call then pays is the kernel's dispatch of a BPF
 * program from a syscall tracepoint.  With record on it also writes a
 * 32-byte record (time, pid, call, result) to a ring buffer without
 * waking the reader: the smallest record that still logs every call.
 * shmwatch's own records carry the process, the object and a stack; the
 * gap between these columns and shmwatch's is what that costs.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "../../user/events.h"

char LICENSE[] SEC("license") = "GPL";

const volatile bool record = false;

__u64 lost = 0;

struct floor_rec {
	__u64 ts_ns;
	__u64 pid_tgid;
	__s64 ret;
	__u32 call; /* enum sw_call */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20); /* shmwatch's default */
} records SEC(".maps");

static __always_inline int on_exit(struct trace_event_raw_sys_exit *ctx, __u32 call)
{
	struct floor_rec *r;

	if (!record)
		return 0;
	/* shmwatch keeps a write only when it failed with ENOSPC: so does
	 * the floor, or it would record every write on the host. */
	if ((call == SW_WRITE || call == SW_PWRITE64) && ctx->ret != -28)
		return 0;
	r = bpf_ringbuf_reserve(&records, sizeof(*r), 0);
	if (!r) {
		__sync_fetch_and_add(&lost, 1);
		return 0;
	}
	r->ts_ns = bpf_ktime_get_ns();
	r->pid_tgid = bpf_get_current_pid_tgid();
	r->ret = ctx->ret;
	r->call = call;
	r->pad = 0;
	bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
	return 0;
}

#define FLOOR_PROG(name, nr)                                         \
	SEC("tracepoint/syscalls/sys_exit_" #name)                   \
	int floor_##name(struct trace_event_raw_sys_exit *ctx)       \
	{                                                            \
		return on_exit(ctx, nr);                             \
	}

/* The fifteen calls of shmwatch's sys_exit programs (its openat program
 * is attached only once an object has been unlinked under its users). */
FLOOR_PROG(shmget, SW_SHMGET)
FLOOR_PROG(shmat, SW_SHMAT)
FLOOR_PROG(shmdt, SW_SHMDT)
FLOOR_PROG(shmctl, SW_SHMCTL)
FLOOR_PROG(mmap, SW_MMAP)
FLOOR_PROG(munmap, SW_MUNMAP)
FLOOR_PROG(mremap, SW_MREMAP)
FLOOR_PROG(memfd_create, SW_MEMFD_CREATE)
FLOOR_PROG(unlink, SW_UNLINK)
FLOOR_PROG(unlinkat, SW_UNLINKAT)
FLOOR_PROG(ftruncate, SW_FTRUNCATE)
FLOOR_PROG(fallocate, SW_FALLOCATE)
FLOOR_PROG(madvise, SW_MADVISE)
FLOOR_PROG(write, SW_WRITE)
FLOOR_PROG(pwrite64, SW_PWRITE64)
