// SPDX-License-Identifier: GPL-2.0
/*
 * floor - run a command under the least a syscall-exit tracer can do
 * (floor.bpf.c), for the design-floor columns of `make bench`.
 *
 *   floor [--record] -- COMMAND [ARG...]
 *
 * Attaches one program to the exit tracepoint of each call shmwatch
 * traces, starts COMMAND, drains the ring buffer every 10 ms while it
 * runs (the programs never wake the reader), then says on stderr how many
 * records it read and lost.  Exits with COMMAND's status, 2 on bad usage,
 * 1 when the programs cannot be loaded.  tracefs must be mounted (the
 * benchmark mounts it in a private mount namespace).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "floor.skel.h"

static int count_record(void *ctx, void *data, size_t size)
{
	(*(unsigned long long *)ctx)++;
	return 0;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

int main(int argc, char **argv)
{
	const struct timespec tick = { 0, 10 * 1000 * 1000 };
	struct floor_bpf *skel;
	struct ring_buffer *rb = NULL;
	unsigned long long records = 0;
	int record = 0, i = 1, status = 0, err;
	pid_t pid;

	if (i < argc && !strcmp(argv[i], "--record")) {
		record = 1;
		i++;
	}
	if (i >= argc || strcmp(argv[i], "--") || i + 1 >= argc) {
		fprintf(stderr, "usage: floor [--record] -- COMMAND [ARG...]\n");
		return 2;
	}
	libbpf_set_print(quiet);
	skel = floor_bpf__open();
	if (!skel) {
		fprintf(stderr, "floor: can't open the BPF object: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->record = record;
	err = floor_bpf__load(skel);
	if (!err)
		err = floor_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "floor: can't load and attach the programs: %s\n", strerror(-err));
		floor_bpf__destroy(skel);
		return 1;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.records), count_record, &records, NULL);
	if (!rb) {
		fprintf(stderr, "floor: can't open the ring buffer: %s\n", strerror(errno));
		floor_bpf__destroy(skel);
		return 1;
	}
	pid = fork();
	if (pid == 0) {
		execvp(argv[i + 1], &argv[i + 1]);
		fprintf(stderr, "floor: can't run %s: %s\n", argv[i + 1], strerror(errno));
		_exit(127);
	}
	if (pid < 0) {
		fprintf(stderr, "floor: fork: %s\n", strerror(errno));
		status = 1 << 8;
	}
	while (pid > 0) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid || (r < 0 && errno != EINTR))
			break;
		ring_buffer__consume(rb);
		nanosleep(&tick, NULL);
	}
	ring_buffer__consume(rb);
	fprintf(stderr, "floor: %llu records, %llu lost\n", records,
		(unsigned long long)skel->bss->lost);
	ring_buffer__free(rb);
	floor_bpf__destroy(skel);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
