# shmwatch - eBPF tracer for shared-memory misuse.
#
#   make            build build/shmwatch
#   make demo       install missing packages, build, run shmwatch on the demo
#   make test       install missing packages, build, run every test
#   make bench      benchmarks (never part of the tests)
#   make vmlinux    regenerate vmlinux/x86/vmlinux.h from the running kernel

BUILD     ?= build
CC        ?= cc
CLANG     ?= clang
BPFTOOL   ?= bpftool
ARCH      := x86
WERROR    ?= -Werror

CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 -Wall -Wextra -Wno-unused-parameter $(WERROR) \
             -Iuser -I$(BUILD) -D_GNU_SOURCE
LDLIBS    := -lbpf -ldw -lelf -lz -ljson-c
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall $(WERROR) \
             -Ivmlinux/$(ARCH)

# Debian packages the build, the tests and the demo need.
DEPS := make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev \
        libcmocka-dev libjson-c-dev libdw-dev pkg-config python3 jq iproute2

# Everything in user/ but the entry point and the libbpf glue is pure and
# goes into a library the unit tests link against.
CORE_SRCS := $(filter-out user/main.c user/capture.c,$(wildcard user/*.c))
CORE_OBJS := $(patsubst user/%.c,$(BUILD)/%.o,$(CORE_SRCS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
PROG_SRCS := $(filter-out tests/workloads/stacks.c tests/workloads/stackslib.c,\
               $(wildcard tests/workloads/*.c tests/scenarios/*.c))
PROG_BINS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(PROG_SRCS))
HEADERS   := $(wildcard user/*.h)

.PHONY: all deps demo test unit integration test-kernels bench vmlinux clean progs

all: $(BUILD)/shmwatch progs

$(BUILD):
	mkdir -p $(BUILD)

$(BUILD)/shmwatch.bpf.o: bpf/shmwatch.bpf.c user/events.h | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	llvm-strip -g $@

$(BUILD)/shmwatch.skel.h: $(BUILD)/shmwatch.bpf.o
	$(BPFTOOL) gen skeleton $< name shmwatch_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/%.o: user/%.c $(HEADERS) | $(BUILD)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/capture.o $(BUILD)/main.o: $(BUILD)/shmwatch.skel.h

$(BUILD)/libshmwatch.a: $(CORE_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/shmwatch: $(BUILD)/main.o $(BUILD)/capture.o $(BUILD)/libshmwatch.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/test_%: tests/unit/test_%.c $(BUILD)/libshmwatch.a $(HEADERS) | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libshmwatch.a -lcmocka -ljson-c -ldw -lelf

# Workloads and scenarios: debug info and frame pointers, like a program
# a person would trace; -pthread for the threaded ones.
$(BUILD)/tests/%: tests/%.c | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) -O1 -g -fno-omit-frame-pointer -Wall -pthread -o $@ $<

# The stacks workload: an executable (non-PIE and PIE) calling into a
# shared library found next to it.
STACKS := $(BUILD)/tests/workloads/stacks_nopie $(BUILD)/tests/workloads/stacks_pie
$(BUILD)/tests/workloads/libstackslib.so: tests/workloads/stackslib.c | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) -O1 -g -fno-omit-frame-pointer -fPIC -shared -o $@ $<
$(BUILD)/tests/workloads/stacks_nopie: tests/workloads/stacks.c $(BUILD)/tests/workloads/libstackslib.so
	$(CC) -O1 -g -fno-omit-frame-pointer -fno-pie -no-pie -o $@ $< \
		-L$(dir $@) -lstackslib -Wl,-rpath,'$$ORIGIN'
$(BUILD)/tests/workloads/stacks_pie: tests/workloads/stacks.c $(BUILD)/tests/workloads/libstackslib.so
	$(CC) -O1 -g -fno-omit-frame-pointer -fPIE -pie -o $@ $< \
		-L$(dir $@) -lstackslib -Wl,-rpath,'$$ORIGIN'

progs: $(PROG_BINS) $(STACKS)

deps:
	@missing=$$(for p in $(DEPS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

demo: deps
	$(MAKE) all
	tests/demo.sh $(BUILD)

unit: $(UNIT_BINS)
	@tests/run-unit.sh $(UNIT_BINS)

integration: all
	python3 tests/integration/run.py --build $(BUILD)

test: deps
	$(MAKE) all $(UNIT_BINS)
	python3 tests/run.py --build $(BUILD)

# The analyzer alone, then the tracer against untraced, strace and perf.
test-kernels: all
	python3 tests/kernels/run.py --build $(BUILD)

bench: all $(BUILD)/bench/analyzer_bench
	$(BUILD)/bench/analyzer_bench $(if $(filter --quick,$(BENCH_ARGS)),200000)
	python3 tests/bench/run.py --build $(BUILD) $(BENCH_ARGS)

$(BUILD)/bench/analyzer_bench: tests/bench/analyzer_bench.c $(BUILD)/libshmwatch.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libshmwatch.a -ldw -lelf -ljson-c

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/$(ARCH)/vmlinux.h

clean:
	rm -rf $(BUILD)
