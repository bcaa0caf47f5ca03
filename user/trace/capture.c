// SPDX-License-Identifier: GPL-2.0
/*
 * capture.c - the attach machinery: kernel feature checks, skeleton
 * open/load/attach, tracefs availability, ring-buffer polling and the
 * per-CPU loss counters.  Records go to one callback, unchanged but for
 * the sequence number.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <linux/perf_event.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "defaults.h"
#include "trace/capture.h"
#include "shmwatch.skel.h"

#define MAX_TP_LINKS 16
/* One syscall exit tracepoint per traced call. */
_Static_assert(MAX_TP_LINKS >= SW_CALL_MAX - 1, "MAX_TP_LINKS is short of the traced calls");
#define DRAIN_WAIT_NS 1000000000ULL /* for records still being written */
#define CLOCK_EVERY 64 /* records between two looks at the clock */

struct capture {
	struct shmwatch_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *links[MAX_TP_LINKS]; /* syscall tracepoints */
	int n_links;
	/* The openat program, attached only once capture__record_opens()
	 * asks (its tracepoint id is looked up with the others). */
	struct bpf_program *opens_prog;
	int opens_tp_id;
	bool opens_on;
	/* The ring buffer's consumer and producer positions, mapped read
	 * only: a drain is complete when they meet. */
	const unsigned long *cons_pos;
	const unsigned long *prod_pos;
	size_t page_size;
	/* The most bytes waiting in the ring buffer at the start of a
	 * poll's consumption, since capture__ring_fill() last asked. */
	__u64 fill_peak;
	capture_event_fn fn;
	void *ctx;
	__u64 seq;
	int ncpus;
	int cgroup_fd;
	__u32 lost_mark; /* of the previous record */
	__u64 gap;	 /* lost since the previous event */
	bool count_only;   /* a hurried drain ran out of time: count, skip */
	__u64 dropped[SW_LOST_SLOTS];
	int handled;	  /* records handled by the current poll */
	__u64 budget_ns;  /* ... how long it may hand them on */
	__u64 deadline_ns; /* ... and until when: 0 until its first record */
};

static bool libbpf_verbose;

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!libbpf_verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret < 0 ? ret : -EINVAL;
}

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct capture *c = ctx;
	struct sw_event e;

	if (size < SW_EVENT_CALL_SIZE)
		return 0; /* cannot happen with a matching skeleton */
	/* The first record of a poll: what had piled up since the last. */
	if (!c->handled) {
		__u64 fill = __atomic_load_n(c->prod_pos, __ATOMIC_ACQUIRE) -
			     __atomic_load_n(c->cons_pos, __ATOMIC_ACQUIRE);

		if (fill > c->fill_peak)
			c->fill_peak = fill;
	}
	if (c->count_only) {
		const struct sw_event *r = data;

		if (r->kind < SW_EV_KIND_MAX && r->call < SW_CALL_MAX)
			c->dropped[SW_LOST_SLOT(r->kind, r->call)]++;
		return 0;
	}
	/* A record without a stack, or without an object, ends early. */
	if (size > sizeof(e))
		size = sizeof(e);
	memcpy(&e, data, size);
	if (size < sizeof(e))
		memset((char *)&e + size, 0, sizeof(e) - size);
	if (e.n_frames > SW_MAX_FRAMES)
		e.n_frames = SW_MAX_FRAMES;
	/* A frame-pointer walk that reaches code built without them reads
	 * a zero return address: where the stack ends, not a frame. */
	while (e.n_frames && !e.stack[e.n_frames - 1])
		e.n_frames--;
	if (!c->deadline_ns)
		c->deadline_ns = mono_ns() + c->budget_ns;
	/* A gap is told with the next event: a mapping record is none, and
	 * has neither a seq nor a place in the log.  Marks are read when a
	 * record is filled, not when its place in the ring was taken: one
	 * filled late on another CPU may carry a newer mark than the record
	 * after it.  The count only goes forward (modulo 2^32): a step back
	 * is such a record, no gap. */
	if ((__s32)(e.lost_mark - c->lost_mark) > 0) {
		c->gap += (__u32)(e.lost_mark - c->lost_mark);
		c->lost_mark = e.lost_mark;
	}
	if (e.kind < SW_EV_KIND_MAX) {
		e.seq = ++c->seq;
		e.lost_before = c->gap;
		c->gap = 0;
	}
	c->fn(c->ctx, &e);
	/* A negative return makes libbpf stop after this record, which
	 * counts as consumed: how a poll keeps to its time. */
	if (++c->handled % CLOCK_EVERY == 0 && mono_ns() >= c->deadline_ns)
		return -E2BIG;
	return 0;
}

/* Without CAP_BPF+CAP_PERFMON (or CAP_SYS_ADMIN) nothing can load. */
static bool have_bpf_caps(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};
	__u64 eff;

	if (syscall(SYS_capget, &hdr, data))
		return geteuid() == 0;
	eff = data[0].effective | (__u64)data[1].effective << 32;
	return (eff & (1ULL << CAP_SYS_ADMIN)) ||
	       ((eff & (1ULL << CAP_BPF)) && (eff & (1ULL << CAP_PERFMON)));
}

/* One line naming what the kernel lacks, or 0. */
static int probe_kernel(char *err, size_t errlen)
{
	int ret;

	if (access("/sys/kernel/btf/vmlinux", R_OK))
		return fail(err, errlen, -ENOTSUP,
			    "kernel has no BTF (/sys/kernel/btf/vmlinux); shmwatch needs Linux >= 5.17 built with CONFIG_DEBUG_INFO_BTF=y");
	ret = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL);
	if (ret != 1) {
		/* The probe says no also when bpf() itself is refused: by a
		 * seccomp filter, such as a container's default profile. */
		int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL);

		if (fd < 0)
			return fail(err, errlen, -errno, "can't use bpf(): %s%s", strerror(errno),
				    errno == EPERM ? " (in a container: --privileged, or CAP_SYS_ADMIN for its seccomp profile)" : "");
		close(fd);
		return fail(err, errlen, -ENOTSUP,
			    "kernel has no BPF ring buffer; shmwatch needs Linux >= 5.17");
	}
	if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_find_vma, NULL) != 1)
		return fail(err, errlen, -ENOTSUP,
			    "kernel has no bpf_find_vma helper for tracepoints; shmwatch needs Linux >= 5.17");
	return 0;
}

/*
 * Syscall tracepoints are found by their ids in tracefs.  If tracefs is
 * not mounted where libbpf looks, a tracefs instance of our own is
 * created with the new mount API and never attached to any directory:
 * nothing is mounted for anyone to see, and neither the working directory
 * nor the root of the process changes.  Returns a directory fd of
 * events/syscalls or a negative errno.
 */
static int open_syscall_events(char *err, size_t errlen)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing/events/syscalls",
		"/sys/kernel/debug/tracing/events/syscalls",
	};
	int fs, mnt, fd;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		fd = open(dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0)
			return fd;
	}
	fs = fsopen("tracefs", FSOPEN_CLOEXEC);
	if (fs < 0)
		return fail(err, errlen, -errno, "tracefs is not mounted and cannot be mounted: %s",
			    strerror(errno));
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0)) {
		fd = fail(err, errlen, -errno, "tracefs is not mounted and cannot be mounted: %s",
			  strerror(errno));
		close(fs);
		return fd;
	}
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
	close(fs);
	if (mnt < 0)
		return fail(err, errlen, -errno, "tracefs is not mounted and cannot be mounted: %s",
			    strerror(errno));
	fd = openat(mnt, "events/syscalls", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		fd = -errno;
	close(mnt); /* the open directory keeps the instance alive, no longer */
	if (fd == -ENOENT)
		return fail(err, errlen, fd,
			    "kernel has no syscall tracepoints (CONFIG_FTRACE_SYSCALLS); shmwatch needs them");
	if (fd < 0)
		return fail(err, errlen, fd, "can't read tracefs: %s", strerror(-fd));
	return fd;
}

static int tracepoint_id(int events_fd, const char *event)
{
	char path[128], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/id", event);
	fd = openat(events_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EINVAL;
	buf[n] = '\0';
	return atoi(buf);
}

/* The perf event libbpf would open for a tracepoint, from an id read
 * through our own directory fd. */
static struct bpf_link *attach_tracepoint(struct bpf_program *prog, int id)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(attr),
		.config = (__u64)id,
		.sample_period = 1,
		.wakeup_events = 1,
	};
	struct bpf_link *link;
	int pfd, e;

	pfd = syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		return NULL;
	link = bpf_program__attach_perf_event(prog, pfd);
	if (!link) {
		e = errno;
		close(pfd);
		errno = e;
	}
	return link;
}

#define SYSCALL_SEC "tracepoint/syscalls/"

static bool is_syscall_prog(const struct bpf_program *prog)
{
	return !strncmp(bpf_program__section_name(prog), SYSCALL_SEC, strlen(SYSCALL_SEC));
}

/* Attach each program on a syscall exit tracepoint (the event is the
 * rest of its section name; the write programs only when asked, the
 * openat one later), then the BTF tracepoints through the skeleton. */
static bool is_write_prog(const struct bpf_program *prog)
{
	const char *name = bpf_program__name(prog);

	return !strcmp(name, "sw_write") || !strcmp(name, "sw_pwrite64");
}

static bool is_opens_prog(const struct bpf_program *prog)
{
	return !strcmp(bpf_program__name(prog), "sw_openat");
}

static int attach_all(struct capture *c, bool verbose, bool writes, char *err, size_t errlen)
{
	struct bpf_program *prog;
	int events_fd, ret = 0;

	events_fd = open_syscall_events(err, errlen);
	if (events_fd < 0)
		return events_fd;
	bpf_object__for_each_program(prog, c->skel->obj) {
		const char *event = bpf_program__section_name(prog) + strlen(SYSCALL_SEC);
		int id;

		if (!is_syscall_prog(prog) || (!writes && is_write_prog(prog)))
			continue;
		if (c->n_links == MAX_TP_LINKS) {
			ret = fail(err, errlen, -E2BIG, "too many syscall tracepoints");
			break;
		}
		id = tracepoint_id(events_fd, event);
		if (id < 0) {
			ret = fail(err, errlen, id, "can't find tracepoint syscalls/%s: %s", event,
				   strerror(-id));
			break;
		}
		if (is_opens_prog(prog)) {
			c->opens_prog = prog;
			c->opens_tp_id = id;
			continue;
		}
		c->links[c->n_links] = attach_tracepoint(prog, id);
		if (!c->links[c->n_links]) {
			ret = fail(err, errlen, -errno, "can't attach to syscalls/%s: %s", event,
				   strerror(errno));
			break;
		}
		c->n_links++;
	}
	close(events_fd);
	if (!ret) {
		ret = shmwatch_bpf__attach(c->skel);
		if (ret)
			fail(err, errlen, ret, "can't attach BPF programs: %s%s", strerror(-ret),
			     verbose ? "" : " (run with -v for libbpf's log)");
	}
	return ret;
}

int capture__record_opens(struct capture *c)
{
	struct bpf_link *link;

	if (c->opens_on)
		return 0;
	if (!c->opens_prog || c->n_links == MAX_TP_LINKS)
		return -ENOENT;
	link = attach_tracepoint(c->opens_prog, c->opens_tp_id);
	if (!link)
		return -errno;
	c->links[c->n_links++] = link;
	c->opens_on = true;
	return 0;
}

static int set_filters(struct shmwatch_bpf *skel, const struct capture_opts *o)
{
	struct shmwatch_bpf__rodata *ro = skel->rodata;
	struct stat st;
	__u32 size = o->ringbuf_size ? o->ringbuf_size : SW_DEFAULT_RINGBUF_SIZE;

	ro->filter_pid = o->pid_filter || o->n_pids > 0;
	ro->follow = o->follow;
	ro->filter_uid = o->filter_uid;
	ro->target_uid = o->uid;
	if (o->comm) {
		ro->filter_comm = true;
		strncpy((char *)ro->target_comm, o->comm, SW_COMM_LEN - 1);
	}
	ro->filter_cgroup = o->cgroup_path != NULL;
	ro->filter_cgroups = o->cgroup_set;
	/* A cgroup v2 directory's inode number is the cgroup's id; a path
	 * that cannot be read fails in fill_maps. */
	if (o->cgroup_path && !stat(o->cgroup_path, &st))
		ro->target_cgroup = st.st_ino;
	ro->all_mmaps = o->all_mmaps;
	ro->self_tgid = (__u32)getpid();
	ro->stacks = !o->no_stacks;
	ro->max_size = o->max_size;
	/* Wake the reader when about a quarter of the buffer is used (records
	 * without a stack are the common, smaller kind); the poll timer
	 * covers the rest. */
	ro->wakeup_every = size / 4 / SW_EVENT_BASE_SIZE / libbpf_num_possible_cpus();
	if (!ro->wakeup_every)
		ro->wakeup_every = 1;
	return bpf_map__set_max_entries(skel->maps.events, size);
}

static int fill_maps(struct capture *c, const struct capture_opts *o, char *err, size_t errlen)
{
	__u32 zero = 0;

	for (int i = 0; i < o->n_pids; i++) {
		int ret = capture__add_pid(c, o->pids[i]);

		if (ret)
			return fail(err, errlen, ret, "can't add pid %u to the filter: %s",
				    o->pids[i], strerror(-ret));
	}
	if (!o->cgroup_path)
		return 0;
	c->cgroup_fd = open(o->cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->cgroup_fd < 0)
		return fail(err, errlen, -errno, "can't open cgroup %s: %s", o->cgroup_path,
			    strerror(errno));
	if (bpf_map_update_elem(bpf_map__fd(c->skel->maps.cgroup_filter), &zero, &c->cgroup_fd,
				BPF_ANY))
		return fail(err, errlen, -errno, "can't use cgroup %s: %s (is it cgroup v2?)",
			    o->cgroup_path, strerror(errno));
	return 0;
}

/* Map the consumer and producer position pages of the ring buffer again,
 * read only (libbpf keeps its own mapping private). */
static int map_positions(struct capture *c)
{
	int fd = bpf_map__fd(c->skel->maps.events);
	void *p;

	c->page_size = (size_t)sysconf(_SC_PAGESIZE);
	p = mmap(NULL, c->page_size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	c->cons_pos = p;
	p = mmap(NULL, c->page_size, PROT_READ, MAP_SHARED, fd, (off_t)c->page_size);
	if (p == MAP_FAILED)
		return -errno;
	c->prod_pos = p;
	return 0;
}

int capture__open(struct capture **out, const struct capture_opts *opts,
		  capture_event_fn fn, void *ctx, char *err, size_t errlen)
{
	struct capture *c;
	struct bpf_program *prog;
	int ret;

	*out = NULL;
	libbpf_verbose = opts->verbose;
	libbpf_set_print(print_libbpf);
	if (!have_bpf_caps())
		return fail(err, errlen, -EPERM,
			    "permission denied: tracing needs root (or CAP_BPF and CAP_PERFMON)");
	ret = probe_kernel(err, errlen);
	if (ret)
		return ret;

	c = calloc(1, sizeof(*c));
	if (!c)
		return fail(err, errlen, -ENOMEM, "out of memory");
	c->fn = fn;
	c->ctx = ctx;
	c->cgroup_fd = -1;
	c->ncpus = libbpf_num_possible_cpus();

	c->skel = shmwatch_bpf__open();
	if (!c->skel) {
		ret = fail(err, errlen, -errno, "can't open BPF object: %s", strerror(errno));
		goto out_free;
	}
	/* Syscall tracepoints are attached by attach_all(), not libbpf. */
	bpf_object__for_each_program(prog, c->skel->obj)
		if (is_syscall_prog(prog))
			bpf_program__set_autoattach(prog, false);
	/* The cgroup programs only serve the cgroup set: no cost without. */
	bpf_program__set_autoload(c->skel->progs.sw_cgroup_mkdir, opts->cgroup_set);
	bpf_program__set_autoload(c->skel->progs.sw_cgroup_rmdir, opts->cgroup_set);
	ret = set_filters(c->skel, opts);
	if (ret) {
		fail(err, errlen, ret, "invalid ring buffer size (must be a power of two, >= 4096)");
		goto out_free;
	}
	ret = shmwatch_bpf__load(c->skel);
	if (ret) {
		fail(err, errlen, ret, "can't load BPF programs: %s%s", strerror(-ret),
		     opts->verbose ? "" : " (run with -v for libbpf's log)");
		goto out_free;
	}
	ret = fill_maps(c, opts, err, errlen);
	if (ret)
		goto out_free;

	ret = attach_all(c, opts->verbose, opts->writes, err, errlen);
	if (ret)
		goto out_free;

	c->rb = ring_buffer__new(bpf_map__fd(c->skel->maps.events), on_record, c, NULL);
	if (!c->rb) {
		ret = fail(err, errlen, -errno, "can't open the ring buffer: %s", strerror(errno));
		goto out_free;
	}
	ret = map_positions(c);
	if (ret) {
		fail(err, errlen, ret, "can't map the ring buffer: %s", strerror(-ret));
		goto out_free;
	}
	*out = c;
	return 0;

out_free:
	capture__free(c);
	return ret;
}

int capture__add_pid(struct capture *c, __u32 pid)
{
	__u8 one = 1;

	if (bpf_map_update_elem(bpf_map__fd(c->skel->maps.traced_pids), &pid, &one, BPF_ANY))
		return -errno;
	/* A running process may already hold shared mappings: record its
	 * munmaps from the start (see the mappers map in the BPF side). */
	bpf_map_update_elem(bpf_map__fd(c->skel->maps.mappers), &pid, &one, BPF_ANY);
	return 0;
}

int capture__trace_cgroup(struct capture *c, __u64 id, enum capture_cgroup how)
{
	int fd = bpf_map__fd(c->skel->maps.traced_cgroups);
	__u8 traced = 1; /* SW_CGROUP_TRACED */

	if (how == CAPTURE_CGROUP_DROP)
		return bpf_map_delete_elem(fd, &id) && errno != ENOENT ? -errno : 0;
	/* A cgroup told from its record may be gone already: its rmdir took
	 * it out of the map, and it must not come back. */
	if (bpf_map_update_elem(fd, &id, &traced,
				how == CAPTURE_CGROUP_CONFIRM ? BPF_EXIST : BPF_ANY))
		return errno == ENOENT && how == CAPTURE_CGROUP_CONFIRM ? 0 : -errno;
	return 0;
}

int capture__traced_alive(struct capture *c)
{
	return capture__traced_pids(c, NULL, 0);
}

int capture__traced_pids(struct capture *c, __u32 *pids, int max)
{
	int fd = bpf_map__fd(c->skel->maps.traced_pids);
	__u32 key, next, *prev = NULL;
	int n = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (kill((pid_t)next, 0) && errno == ESRCH) {
			bpf_map_delete_elem(fd, &next);
			continue; /* prev still names a key that is in the map */
		}
		if (n < max)
			pids[n] = next;
		key = next;
		prev = &key;
		n++;
	}
	return n;
}

int capture__poll(struct capture *c, int timeout_ms, __u64 budget_ns)
{
	int ret;

	c->handled = 0;
	c->budget_ns = budget_ns ? budget_ns : ~0ULL >> 1;
	c->deadline_ns = 0;
	ret = ring_buffer__poll(c->rb, timeout_ms);
	if (ret == -E2BIG)
		return c->handled;
	if (ret < 0 && ret != -EINTR)
		return ret;
	/* Records submitted without a wake-up are only seen by consuming. */
	ret = ring_buffer__consume(c->rb);
	if (ret < 0 && ret != -E2BIG)
		return ret;
	return c->handled;
}

void capture__stop(struct capture *c)
{
	c->skel->bss->stopping = true;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static bool ring_empty(const struct capture *c)
{
	return __atomic_load_n(c->cons_pos, __ATOMIC_ACQUIRE) ==
	       __atomic_load_n(c->prod_pos, __ATOMIC_ACQUIRE);
}

bool capture__behind(const struct capture *c)
{
	return !ring_empty(c);
}

int capture__drain(struct capture *c, __u64 hurry_ns)
{
	__u64 start = mono_ns(), deadline = start + DRAIN_WAIT_NS;
	int total = 0, ret;

	c->deadline_ns = hurry_ns ? start + hurry_ns : ~0ULL;
	for (;;) {
		c->handled = 0;
		ret = ring_buffer__consume(c->rb);
		if (ret < 0 && ret != -E2BIG)
			return ret;
		total += c->handled;
		if (ret == -E2BIG) { /* out of time: count the rest */
			c->count_only = true;
			continue;
		}
		/* A program that passed its filter before the stop may still
		 * be writing its record: wait for it, briefly. */
		if (!c->skel->bss->stopping || ring_empty(c) || mono_ns() >= deadline)
			break;
		usleep(1000);
	}
	c->count_only = false;
	return total;
}

__u64 capture__dropped(const struct capture *c)
{
	__u64 n = 0;

	for (int i = 0; i < SW_LOST_SLOTS; i++)
		n += c->dropped[i];
	return n;
}

__u64 capture__ring_fill(struct capture *c)
{
	__u64 peak = c->fill_peak;

	c->fill_peak = 0;
	return peak;
}

int capture__lost(struct capture *c, __u64 *lost)
{
	int fd = bpf_map__fd(c->skel->maps.lost);
	__u64 *percpu = calloc(c->ncpus, sizeof(*percpu));

	if (!percpu)
		return -ENOMEM;
	for (__u32 slot = 0; slot < SW_LOST_SLOTS; slot++) {
		lost[slot] = c->dropped[slot];
		if (bpf_map_lookup_elem(fd, &slot, percpu))
			continue;
		for (int cpu = 0; cpu < c->ncpus; cpu++)
			lost[slot] += percpu[cpu];
	}
	free(percpu);
	return 0;
}

void capture__free(struct capture *c)
{
	if (!c)
		return;
	/* Each syscall tracepoint's release waits for an RCU grace period
	 * (about 70 ms here); see capture__free_in_background(). */
	for (int i = 0; i < c->n_links; i++)
		bpf_link__destroy(c->links[i]);
	if (c->cons_pos)
		munmap((void *)c->cons_pos, c->page_size);
	if (c->prod_pos)
		munmap((void *)c->prod_pos, c->page_size);
	ring_buffer__free(c->rb);
	shmwatch_bpf__destroy(c->skel);
	if (c->cgroup_fd >= 0)
		close(c->cgroup_fd);
	free(c);
}

/* Close every descriptor that is not a kernel object of ours (BPF links,
 * programs, maps, perf events are anonymous inodes): files, pipes and
 * terminals inherited from whoever started shmwatch. */
static void close_foreign_fds(void)
{
	char path[64], target[64];
	struct dirent *d;
	DIR *dir = opendir("/proc/self/fd");
	ssize_t n;

	if (!dir)
		return;
	while ((d = readdir(dir))) {
		int fd = atoi(d->d_name);

		if (d->d_name[0] == '.' || fd == dirfd(dir))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		if (strncmp(target, "anon_inode:", 11))
			close(fd);
	}
	closedir(dir);
}

void capture__free_in_background(struct capture *c)
{
	pid_t pid;
	int null;

	if (!c)
		return;
	capture__stop(c);
	pid = fork();
	if (pid < 0) {
		capture__free(c);
		return;
	}
	if (pid > 0) {
		/* The child holds the other references: closing ours
		 * releases nothing, so it costs nothing. */
		capture__free(c);
		return;
	}
	/* The child holds the last references: it detaches and exits,
	 * holding none of the caller's outputs open. */
	setsid();
	/* Named for what it does while it lingers (about a second). */
	prctl(PR_SET_NAME, "shmwatch-detach", 0, 0, 0);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	close_foreign_fds();
	c->cgroup_fd = -1; /* a directory: closed with the rest */
	null = open("/dev/null", O_RDWR);
	for (int fd = 0; fd <= 2 && null >= 0; fd++)
		if (fd != null)
			dup2(null, fd);
	capture__free(c);
	_exit(0);
}
