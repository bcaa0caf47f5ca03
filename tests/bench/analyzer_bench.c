// SPDX-License-Identifier: GPL-2.0
/*
 * analyzer_bench.c - feed the analyzer N synthetic events with a steady
 * number of live objects and report events per second and max RSS.
 *
 * Each of P processes keeps a window of L live SysV attachments and L
 * shared mappings; every cycle creates, attaches and removes one segment,
 * maps one region, and releases the oldest of each, so the model neither
 * grows nor empties.  Event building is inside the timed loop, so the
 * figure is a lower bound for the analyzer alone.
 *
 * FRAMES gives the creating calls (shmget, shmat, mmap) a user stack of
 * that many frames, as the capture does, so the model keeps one per
 * object.  Without it the run is done twice: with no stacks, then with
 * 16-frame stacks.
 *
 *   analyzer_bench [EVENTS] [PROCS] [LIVE] [FRAMES]   (default 20000000 16 64)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "analyzer/analyzer.h"
#include "defaults.h"

#define SEG_BASE 0x7f0000000000ULL
#define MAP_BASE 0x7e0000000000ULL
#define SLOT 0x200000ULL

struct bench {
	struct analyzer *a;
	struct sw_event e;
	__u64 seq;
	__u64 findings;
	__u32 frames;
};

static void on_finding(void *ctx, const struct sw_finding *f)
{
	((struct bench *)ctx)->findings++;
}

static void feed(struct bench *b, __u32 pid, __u32 call, __s64 ret, __u64 a0, __u64 a1,
		 __u64 a2, __u64 a3)
{
	struct sw_event *e = &b->e;

	e->kind = SW_EV_CALL;
	e->call = call;
	e->pid = pid;
	e->tid = pid;
	e->seq = ++b->seq;
	e->ts_ns += 1000; /* 1 us apart */
	e->c.ret = ret;
	e->c.args[0] = a0;
	e->c.args[1] = a1;
	e->c.args[2] = a2;
	e->c.args[3] = a3;
	e->c.shmid = call == SW_SHMAT ? (__s32)a0 : -1;
	e->c.seg_size = call == SW_SHMAT ? 65536 : 0;
	e->c.map_size = call == SW_SHMAT || call == SW_MMAP ? 65536 : 0;
	e->c.backing = call == SW_SHMAT ? SW_BK_SYSV : call == SW_MMAP ? SW_BK_ANON_SHARED : 0;
	e->n_frames = call == SW_SHMGET || call == SW_SHMAT || call == SW_MMAP ? b->frames : 0;
	if (e->n_frames)
		e->stack[0] = 0x401000 + (b->seq & 0xfff); /* the call site varies */
	analyzer__event(b->a, e);
}

/* One cycle of process p, slot i of its window: 6 events. */
static void cycle(struct bench *b, __u32 pid, __u64 n, __u32 live)
{
	__s32 id = (__s32)(pid * 1000000 + (n % 1000000));
	__s32 old_id = (__s32)(pid * 1000000 + ((n + 1000000 - live) % 1000000));
	__u64 slot = n % live; /* also the slot of the oldest, released first */
	__u64 seg = SEG_BASE + (__u64)pid * 0x100000000ULL + slot * SLOT;
	__u64 map = MAP_BASE + (__u64)pid * 0x100000000ULL + slot * SLOT;

	/* Release the oldest first: it sits in the slot about to be reused. */
	if (n >= live) {
		feed(b, pid, SW_SHMDT, 0, SEG_BASE + (__u64)pid * 0x100000000ULL + slot * SLOT,
		     0, 0, 0);
		feed(b, pid, SW_MUNMAP, 0, MAP_BASE + (__u64)pid * 0x100000000ULL + slot * SLOT,
		     65536, 0, 0);
	} else {
		feed(b, pid, SW_SHMCTL, 0, (__u64)old_id, 2 /* IPC_STAT */, 0, 0);
		feed(b, pid, SW_MUNMAP, 0, 0x1000, 4096, 0, 0);
	}
	feed(b, pid, SW_SHMGET, id, 0 /* IPC_PRIVATE */, 65536, 01000 | 0600, 0);
	feed(b, pid, SW_SHMAT, (__s64)seg, (__u64)id, 0, 0, 0);
	feed(b, pid, SW_SHMCTL, 0, (__u64)id, 0 /* IPC_RMID */, 0, 0);
	feed(b, pid, SW_MMAP, (__s64)map, 0, 65536, 3, 0x21 /* SHARED|ANON */);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long max_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* One timed run; returns non-zero on allocation failure. */
static int run(__u64 events, __u32 procs, __u32 live, __u32 frames)
{
	struct bench b = { .frames = frames };
	/* With the state cap on, as shmwatch runs it by default. */
	struct analyzer_opts o = { .on_finding = on_finding, .ctx = &b,
				   .state_max = SW_DEFAULT_STATE_MAX };
	long rss_half = 0;
	double t0, dt;
	__u64 n = 0;

	b.a = analyzer__new(&o);
	if (!b.a) {
		fprintf(stderr, "analyzer_bench: out of memory\n");
		return 1;
	}
	snprintf(b.e.comm, sizeof(b.e.comm), "bench");
	for (__u32 i = 0; i < SW_MAX_FRAMES; i++)
		b.e.stack[i] = 0x400000 + i * 0x40;
	t0 = now_s();
	while (b.seq < events) {
		for (__u32 p = 1; p <= procs; p++)
			cycle(&b, 1000 + p, n, live);
		n++;
		if (!rss_half && b.seq >= events / 2)
			rss_half = max_rss_kib();
	}
	dt = now_s() - t0;
	printf("stacks: %u frames on shmget/shmat/mmap\n", frames);
	printf("events: %llu in %.3f s: %.2f million events/s\n", (unsigned long long)b.seq, dt,
	       b.seq / dt / 1e6);
	printf("live objects: %u processes x %u attachments + %u mappings\n", procs, live, live);
	printf("max RSS: %ld KiB at half-way, %ld KiB at the end\n", rss_half, max_rss_kib());
	printf("findings: %llu\n", (unsigned long long)b.findings);
	analyzer__finish(b.a, b.e.ts_ns);
	analyzer__free(b.a);
	return 0;
}

int main(int argc, char **argv)
{
	__u64 events = argc > 1 ? strtoull(argv[1], NULL, 0) : 20000000;
	__u32 procs = argc > 2 ? (__u32)strtoul(argv[2], NULL, 0) : 16;
	__u32 live = argc > 3 ? (__u32)strtoul(argv[3], NULL, 0) : 64;
	__u32 frames = argc > 4 ? (__u32)strtoul(argv[4], NULL, 0) : 0;

	if (!procs || !live || frames > SW_MAX_FRAMES) {
		fprintf(stderr, "usage: %s [EVENTS] [PROCS] [LIVE] [FRAMES]\n", argv[0]);
		return 2;
	}
	if (argc > 4)
		return run(events, procs, live, frames);
	if (run(events, procs, live, 0))
		return 1;
	printf("\n");
	return run(events, procs, live, 16);
}
