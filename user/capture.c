// SPDX-License-Identifier: GPL-2.0
/*
 * capture.c - the attach machinery: kernel feature checks, skeleton
 * open/load/attach, tracefs availability, ring-buffer polling and the
 * per-CPU loss counters.  Records go to one callback, unchanged but for
 * the sequence number.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "capture.h"
#include "shmwatch.skel.h"

#define DEFAULT_RINGBUF_SIZE (8u << 20)

struct capture {
	struct shmwatch_bpf *skel;
	struct ring_buffer *rb;
	capture_event_fn fn;
	void *ctx;
	__u64 seq;
	int ncpus;
	int cgroup_fd;
	int handled; /* records handled by the current poll */
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

static int on_record(void *ctx, void *data, size_t size)
{
	struct capture *c = ctx;
	struct sw_event e;

	if (size < SW_EVENT_CALL_SIZE)
		return 0; /* cannot happen with a matching skeleton */
	/* A record without a stack, or without an object, ends early. */
	if (size > sizeof(e))
		size = sizeof(e);
	memcpy(&e, data, size);
	if (size < sizeof(e))
		memset((char *)&e + size, 0, sizeof(e) - size);
	if (e.n_frames > SW_MAX_FRAMES)
		e.n_frames = SW_MAX_FRAMES;
	if (e.kind < SW_EV_KIND_MAX) /* events only: a mapping is none */
		e.seq = ++c->seq;
	c->handled++;
	/* Never return non-zero to libbpf: it would stop in mid-buffer. */
	c->fn(c->ctx, &e);
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
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		return fail(err, errlen, -ENOTSUP,
			    "kernel has no BTF (/sys/kernel/btf/vmlinux); shmwatch needs Linux >= 5.17 built with CONFIG_DEBUG_INFO_BTF=y");
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) != 1)
		return fail(err, errlen, -ENOTSUP,
			    "kernel has no BPF ring buffer; shmwatch needs Linux >= 5.17");
	if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_find_vma, NULL) != 1)
		return fail(err, errlen, -ENOTSUP,
			    "kernel has no bpf_find_vma helper for tracepoints; shmwatch needs Linux >= 5.17");
	return 0;
}

static bool tracefs_ready(void)
{
	return access("/sys/kernel/tracing/events/syscalls", F_OK) == 0 ||
	       access("/sys/kernel/debug/tracing/events/syscalls", F_OK) == 0;
}

/*
 * Syscall tracepoints are found through tracefs.  If it is not mounted,
 * mount it in a private mount namespace for the time of the attach and
 * return to the original namespace, so nothing is left mounted.
 * Returns the fd of the original namespace to restore, -1 for none.
 */
static int tracefs_enter(char *err, size_t errlen, int *saved)
{
	*saved = -1;
	if (tracefs_ready())
		return 0;
	*saved = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (*saved < 0)
		return fail(err, errlen, -errno, "tracefs is not mounted and /proc/self/ns/mnt cannot be opened: %s",
			    strerror(errno));
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL))
		return fail(err, errlen, -errno, "tracefs is not mounted and cannot be mounted: %s",
			    strerror(errno));
	return 0;
}

static void tracefs_leave(int saved)
{
	if (saved < 0)
		return;
	if (setns(saved, CLONE_NEWNS))
		fprintf(stderr, "shmwatch: can't return to the original mount namespace: %s\n",
			strerror(errno));
	close(saved);
}

static int set_filters(struct shmwatch_bpf *skel, const struct capture_opts *o)
{
	struct shmwatch_bpf__rodata *ro = skel->rodata;
	__u32 size = o->ringbuf_size ? o->ringbuf_size : DEFAULT_RINGBUF_SIZE;

	ro->filter_pid = o->pid_filter || o->n_pids > 0;
	ro->follow = o->follow;
	ro->filter_uid = o->filter_uid;
	ro->target_uid = o->uid;
	if (o->comm) {
		ro->filter_comm = true;
		strncpy((char *)ro->target_comm, o->comm, SW_COMM_LEN - 1);
	}
	ro->filter_cgroup = o->cgroup_path != NULL;
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

int capture__open(struct capture **out, const struct capture_opts *opts,
		  capture_event_fn fn, void *ctx, char *err, size_t errlen)
{
	struct capture *c;
	int ret, saved_ns;

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

	ret = tracefs_enter(err, errlen, &saved_ns);
	if (!ret && !tracefs_ready())
		ret = fail(err, errlen, -ENOTSUP,
			   "kernel has no syscall tracepoints (CONFIG_FTRACE_SYSCALLS); shmwatch needs them");
	if (!ret) {
		ret = shmwatch_bpf__attach(c->skel);
		if (ret)
			fail(err, errlen, ret, "can't attach BPF programs: %s%s", strerror(-ret),
			     opts->verbose ? "" : " (run with -v for libbpf's log)");
	}
	tracefs_leave(saved_ns);
	if (ret)
		goto out_free;

	c->rb = ring_buffer__new(bpf_map__fd(c->skel->maps.events), on_record, c, NULL);
	if (!c->rb) {
		ret = fail(err, errlen, -errno, "can't open the ring buffer: %s", strerror(errno));
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

int capture__traced_alive(struct capture *c)
{
	int fd = bpf_map__fd(c->skel->maps.traced_pids);
	__u32 key, next, *prev = NULL;
	int n = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (kill((pid_t)next, 0) && errno == ESRCH) {
			bpf_map_delete_elem(fd, &next);
			continue; /* prev still names a key that is in the map */
		}
		key = next;
		prev = &key;
		n++;
	}
	return n;
}

int capture__poll(struct capture *c, int timeout_ms)
{
	int ret;

	c->handled = 0;
	ret = ring_buffer__poll(c->rb, timeout_ms);
	if (ret < 0 && ret != -EINTR)
		return ret;
	/* Records submitted without a wake-up are only seen by consuming. */
	ret = ring_buffer__consume(c->rb);
	if (ret < 0)
		return ret;
	return c->handled;
}

int capture__drain(struct capture *c)
{
	int ret;

	c->handled = 0;
	ret = ring_buffer__consume(c->rb);
	return ret < 0 ? ret : c->handled;
}

int capture__lost(struct capture *c, __u64 *lost)
{
	int fd = bpf_map__fd(c->skel->maps.lost);
	__u64 *percpu = calloc(c->ncpus, sizeof(*percpu));

	if (!percpu)
		return -ENOMEM;
	for (__u32 slot = 0; slot < SW_LOST_SLOTS; slot++) {
		lost[slot] = 0;
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
	ring_buffer__free(c->rb);
	shmwatch_bpf__destroy(c->skel);
	if (c->cgroup_fd >= 0)
		close(c->cgroup_fd);
	free(c);
}
