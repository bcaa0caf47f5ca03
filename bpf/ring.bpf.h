// SPDX-License-Identifier: GPL-2.0
/*
 * ring.bpf.h - the ring buffer every record goes through, and the count
 * of the records it had no room for, per CPU by record kind and in total.
 * Included once, by shmwatch.bpf.c.
 */
#ifndef SW_RING_BPF_H
#define SW_RING_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "events.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20); /* resized by the loader */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SW_LOST_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/*
 * Records that could not be reserved, on all CPUs together.  Every record
 * carries its value (lost_mark), so the reader sees a gap at the point in
 * the stream where it is, not at the next read of the per-CPU counters
 * below.  Written only when a record is lost: read-mostly otherwise.
 */
__u64 lost_records = 0;

static __always_inline void count_lost(__u32 kind, __u32 call)
{
	__u32 slot = SW_LOST_SLOT(kind, call);
	__u64 *n = bpf_map_lookup_elem(&lost, &slot);

	if (n)
		*n += 1;
	__sync_fetch_and_add(&lost_records, 1);
}

/* What every record carries first: its kind, call, time and the running
 * loss count (see lost_records). */
static __always_inline void stamp_record(struct sw_event *e, __u32 kind, __u32 call)
{
	e->kind = kind;
	e->call = call;
	e->ts_ns = bpf_ktime_get_ns();
	e->lost_mark = (__u32)lost_records;
}

#endif
