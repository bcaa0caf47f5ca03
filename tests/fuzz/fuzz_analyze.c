// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_analyze.c - libFuzzer target: each input is one NDJSON log, read by
 * the real reader (logread.c) and replayed through the pipeline
 * `shmwatch analyze` uses (analyze_replay: pipeline.c, the analyzer, both
 * sinks).  Text goes to stdout and the JSON log to /dev/null, so the
 * writers are fuzzed too; stdout itself is /dev/null.
 *
 * Built and run by `make fuzz` (a short run from tests/fuzz/corpus) and
 * `make fuzz-regressions` (every file in tests/fuzz/regressions/ once).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include "commands.h"

static void quiet_diag(void *ctx, const char *file, unsigned long line, bool warning,
		       const char *msg)
{
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		close(fd);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct logread_opts lo = { .diag = quiet_diag };
	struct pipeline_opts ao = {
		.log_path = "/dev/null",
		.no_events = false,
	};
	struct logread *r;
	unsigned long skipped;
	FILE *f;

	if (!size)
		return 0;
	/* Inputs of odd length run under a state cap small enough that
	 * almost every event evicts (analyzer/evict.c). */
	if (size & 1)
		ao.state_max = 60 << 10;
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	r = logread__open_stream(f, "fuzz", &lo);
	if (r) {
		analyze_replay(&r, 1, &ao, &skipped);
		logread__free(r);
	}
	fclose(f);
	return 0;
}
