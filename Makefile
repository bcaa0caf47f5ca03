# shmwatch - eBPF tracer for shared-memory misuse.
#
#   make            build build/shmwatch
#   make demo       install missing packages, build, run shmwatch on the demo
#   make test       install missing packages, build, run every test
#   make asan       userspace with ASan+UBSan in build-asan/, unit and
#                   integration tests against it (part of make test)
#   make fuzz       libFuzzer on analyze's reader and analyzer, a short seeded run
#                   plus the regression inputs (part of make test)
#   make bench      benchmarks (never part of the tests)
#   make vmlinux    regenerate vmlinux/x86/vmlinux.h from the running kernel
#   make install    install build/shmwatch, its man page, docs, systemd unit,
#                   example configuration and bash completion (PREFIX, DESTDIR)
#   make uninstall  remove what make install installed
#   make deb        the Debian package, built from a copy of the working tree,
#                   in build/deb/
#   make image      a container image of build/shmwatch, imported into podman
#                   (IMAGE_TOOL=docker for docker), docs/container.md

BUILD     ?= build
CC        ?= cc
CXX       ?= c++
CLANG     ?= clang
BPFTOOL   ?= bpftool
ARCH      := x86
WERROR    ?= -Werror
# Extra compiler and linker flags for the userspace: the asan and fuzz
# builds set them (CFLAGS itself would drop the warnings below).
SANFLAGS  ?=

CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 -Wall -Wextra -Wno-unused-parameter $(WERROR) \
             -Iuser -I$(BUILD) -D_GNU_SOURCE $(SANFLAGS)
# The one C++ file, user/log/jval.cc, wraps simdjson for the log reader:
# no exceptions, no RTTI, the C code's warnings.
CXXFLAGS  ?= -O2 -g
CXXFLAGS  += -std=c++17 -fno-exceptions -fno-rtti -Wall -Wextra -Wno-unused-parameter \
             $(WERROR) -Iuser -I$(BUILD) -D_GNU_SOURCE $(SANFLAGS)
# What the core library (libshmwatch.a) needs; the binary adds libbpf.
CORE_LDLIBS := -ldw -lelf -lz -lsimdjson -ljson-c -lmicrohttpd -lncursesw -lpthread -lstdc++
LDLIBS    := -lbpf $(CORE_LDLIBS)
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall $(WERROR) \
             -Ivmlinux/$(ARCH) -Iuser

# Debian packages the build, the tests and the demo need; the tests also
# need promtool and a server, from prometheus, and the node exporter
# (whose packages, on a machine that runs systemd, also enable their
# servers: the demo does not install them), and the
# install and package tests build the .deb (build-essential, debhelper,
# git), check it (lintian), install it in a fresh chroot (debootstrap) and
# check the unit (systemd-analyze from systemd, man-db, procps's /bin/kill);
# the service test rotates the log with logrotate, the completion test
# needs bash-completion's helpers, the top test drives `shmwatch top` in
# tmux, the report test renders a report in headless chromium, and the
# container tests run real containers with podman and runc.  The live
# view (top) is drawn with ncurses; analyze reads logs with simdjson (a
# C++ library, hence g++) and json-c.
DEPS := make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev \
        libcmocka-dev libjson-c-dev libdw-dev pkg-config python3 jq iproute2 \
        libclang-rt-14-dev stress-ng libmicrohttpd-dev libncurses-dev g++ libsimdjson-dev
TEST_DEPS := prometheus prometheus-node-exporter build-essential debhelper git lintian \
        debootstrap systemd man-db procps logrotate bash-completion tmux chromium \
        podman runc

# Everything in user/ but the entry point and the libbpf glue is pure and
# goes into a library the unit tests link against.
CORE_SRCS := $(filter-out user/main.c user/trace/capture.c,$(wildcard user/*.c user/*/*.c))
CORE_CXX_SRCS := $(wildcard user/*/*.cc)
CORE_OBJS := $(patsubst user/%.c,$(BUILD)/obj/%.o,$(CORE_SRCS)) \
             $(patsubst user/%.cc,$(BUILD)/obj/%.o,$(CORE_CXX_SRCS))
# Unit tests mirror user/'s rooms; each builds to build/tests/test_NAME.
UNIT_SRCS := $(wildcard tests/unit/test_*.c tests/unit/*/test_*.c)
UNIT_BINS := $(patsubst %.c,$(BUILD)/tests/%,$(notdir $(UNIT_SRCS)))
vpath test_%.c tests/unit $(sort $(dir $(wildcard tests/unit/*/test_*.c)))
PROG_SRCS := $(filter-out tests/workloads/stacks.c tests/workloads/stackslib.c,\
               $(wildcard tests/workloads/*.c tests/scenarios/*.c))
PROG_BINS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(PROG_SRCS))
PROG_HDRS := tests/workloads/workload_wait.h tests/scenarios/scenario.h
# A clean twin X_clean.c is X.c built with CLEAN defined (it includes X.c).
TWIN_BINS := $(filter $(BUILD)/tests/scenarios/%_clean,$(PROG_BINS))
HEADERS   := $(wildcard user/*.h user/*/*.h)

.PHONY: all deps demo test unit unit-bins integration test-kernels bench vmlinux clean progs \
	asan asan-build fuzz fuzz-regressions install uninstall deb image

all: $(BUILD)/shmwatch progs

$(BUILD):
	mkdir -p $(BUILD)

$(BUILD)/shmwatch.bpf.o: bpf/shmwatch.bpf.c $(wildcard bpf/*.h) user/events.h user/kabi.h user/lib/hash.h user/defaults.h | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	llvm-strip -g $@

$(BUILD)/shmwatch.skel.h: $(BUILD)/shmwatch.bpf.o
	$(BPFTOOL) gen skeleton $< name shmwatch_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: user/%.c $(HEADERS) | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: user/%.cc $(HEADERS) | $(BUILD)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c $< -o $@

$(BUILD)/obj/trace/capture.o $(BUILD)/obj/main.o: $(BUILD)/shmwatch.skel.h

$(BUILD)/libshmwatch.a: $(CORE_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/shmwatch: $(BUILD)/obj/main.o $(BUILD)/obj/trace/capture.o $(BUILD)/libshmwatch.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/test_%: test_%.c $(BUILD)/libshmwatch.a $(HEADERS) | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libshmwatch.a -lcmocka $(CORE_LDLIBS)

# Workloads and scenarios: debug info and frame pointers, like a program
# a person would trace; -pthread for the threaded ones.
$(BUILD)/tests/%: tests/%.c $(PROG_HDRS) | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) -O1 -g -fno-omit-frame-pointer -Wall -pthread -o $@ $<
$(TWIN_BINS): $(BUILD)/tests/scenarios/%_clean: tests/scenarios/%.c

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

unit-bins: $(UNIT_BINS)

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
	python3 tests/run.py --build $(BUILD) --only unit

integration: all
	python3 tests/run.py --build $(BUILD) --only integration

test: DEPS += $(TEST_DEPS)
test: deps
	$(MAKE) all $(UNIT_BINS)
	python3 tests/run.py --build $(BUILD)

# AddressSanitizer + UBSan (a UB report is fatal) over the userspace: the
# same sources in their own build directory, the BPF object and skeleton
# copied from the normal build.  Workloads and scenarios stay plain.
ASAN_BUILD := build-asan
ASAN_FLAGS := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
              -fno-sanitize-recover=all
ASAN_ENV   := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1 \
              UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
              LSAN_OPTIONS=report_objects=1

asan-build: $(BUILD)/shmwatch.skel.h
	@mkdir -p $(ASAN_BUILD)
	cp -p $(BUILD)/shmwatch.bpf.o $(BUILD)/shmwatch.skel.h $(ASAN_BUILD)/
	$(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) SANFLAGS="$(ASAN_FLAGS)" all unit-bins

asan: asan-build
	python3 tests/run.py --build $(BUILD) --only asan

# libFuzzer: clang builds the core library with the fuzzer's coverage and
# the sanitizers; the target replays each input as a log (fuzz_analyze.c).
FUZZ_BUILD := build-fuzz
FUZZ_FLAGS := -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
              -fno-sanitize-recover=all
# A fixed seed and run count make the run inside `make test` the same on
# every machine; FUZZ_SEED=0 (a random seed) and a larger FUZZ_RUNS, or
# FUZZ_RUNS=-1 with FUZZ_TIME, explore further.
FUZZ_SEED  ?= 1
FUZZ_RUNS  ?= 15000
FUZZ_TIME  ?= 120
FUZZ_BIN   := $(FUZZ_BUILD)/fuzz_analyze

$(FUZZ_BIN): tests/fuzz/fuzz_analyze.c $(CORE_SRCS) $(CORE_CXX_SRCS) $(HEADERS)
	$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(CLANG) CXX=$(CLANG)++ \
		SANFLAGS="$(FUZZ_FLAGS)" \
		$(FUZZ_BUILD)/libshmwatch.a
	$(CLANG) $(CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer -I$(FUZZ_BUILD) -o $@ $< \
		$(FUZZ_BUILD)/libshmwatch.a $(CORE_LDLIBS)

# Every regression input once, then a short seeded run from the corpus;
# new inputs go to a scratch corpus, a crash to $(FUZZ_BUILD)/crash-*.
fuzz-regressions: $(FUZZ_BIN)
	$(if $(wildcard tests/fuzz/regressions/*),$(FUZZ_BIN) -runs=1 \
		$(wildcard tests/fuzz/regressions/*) 2>$(FUZZ_BUILD)/regressions.log || \
		{ tail -50 $(FUZZ_BUILD)/regressions.log; exit 1; })
	@echo "fuzz: $(words $(wildcard tests/fuzz/regressions/*)) regression inputs passed"

fuzz: fuzz-regressions
	@rm -rf $(FUZZ_BUILD)/corpus && mkdir -p $(FUZZ_BUILD)/corpus
	$(FUZZ_BIN) -seed=$(FUZZ_SEED) -runs=$(FUZZ_RUNS) -max_total_time=$(FUZZ_TIME) \
		-max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix=$(FUZZ_BUILD)/ -print_final_stats=1 \
		$(FUZZ_BUILD)/corpus tests/fuzz/corpus 2>$(FUZZ_BUILD)/fuzz.log || \
		{ tail -60 $(FUZZ_BUILD)/fuzz.log; exit 1; }
	@grep -E '^(stat::number_of_executed_units|Done)' $(FUZZ_BUILD)/fuzz.log || true

# The analyzer alone, then the tracer against untraced, strace and perf.
test-kernels: all
	python3 tests/kernels/run.py --build $(BUILD)

bench: all $(BUILD)/bench/analyzer_bench $(BUILD)/bench/floor
	$(BUILD)/bench/analyzer_bench $(if $(filter --quick,$(BENCH_ARGS)),200000)
	python3 tests/bench/run.py --build $(BUILD) $(BENCH_ARGS)
	python3 tests/bench/ls_bench.py $(BUILD)/shmwatch $(if $(filter --quick,$(BENCH_ARGS)),500 50 4 1)
	python3 tests/bench/soak_bench.py $(BUILD) $(if $(filter --quick,$(BENCH_ARGS)),200000 1)

$(BUILD)/bench/analyzer_bench: tests/bench/analyzer_bench.c $(BUILD)/libshmwatch.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libshmwatch.a $(CORE_LDLIBS)

# The design floor the bench compares shmwatch with: empty programs, or
# 32-byte records, on the same syscall exit tracepoints.
$(BUILD)/bench/floor.bpf.o: tests/bench/floor.bpf.c user/events.h | $(BUILD)
	@mkdir -p $(dir $@)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	llvm-strip -g $@

$(BUILD)/bench/floor.skel.h: $(BUILD)/bench/floor.bpf.o
	$(BPFTOOL) gen skeleton $< name floor_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/bench/floor: tests/bench/floor.c $(BUILD)/bench/floor.skel.h
	$(CC) $(CFLAGS) -I$(BUILD)/bench -o $@ $< -lbpf

# Installation, by default under /usr, where a system tool run as root and
# started by systemd belongs (PREFIX=/usr/local for a local one).  The
# configuration goes to /etc even with PREFIX=/usr/local, as usual; the unit is rewritten at install time to start the binary where
# it was installed.  A plain `make install` keeps an existing
# /etc/default/shmwatch (the administrator's), and `make uninstall` removes
# it only when it is still the one shipped: a changed one stays, and is
# named.  Under DOCDIR, uninstall removes the directories install made if
# they are empty; it leaves the shared ones (sbin, man8, ...) in place.
PREFIX      ?= /usr
DESTDIR     ?=
SBINDIR     = $(PREFIX)/sbin
MANDIR      = $(PREFIX)/share/man
DOCDIR      = $(PREFIX)/share/doc/shmwatch
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR  ?= /etc
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
INST_DOCS     := README.md $(wildcard docs/*.md)
INST_EXAMPLES := docs/prometheus/shmwatch-alerts.yml docs/service/shmwatch.logrotate
INST_DEFAULT  := $(DESTDIR)$(SYSCONFDIR)/default/shmwatch

install: $(BUILD)/shmwatch
	install -D -m 0755 $(BUILD)/shmwatch $(DESTDIR)$(SBINDIR)/shmwatch
	install -D -m 0644 docs/shmwatch.8 $(DESTDIR)$(MANDIR)/man8/shmwatch.8
	install -d -m 0755 $(DESTDIR)$(DOCDIR)/examples
	install -m 0644 $(INST_DOCS) $(DESTDIR)$(DOCDIR)/
	install -m 0644 $(INST_EXAMPLES) $(DESTDIR)$(DOCDIR)/examples/
	install -d -m 0755 $(DESTDIR)$(UNITDIR)
	sed -e 's|/usr/sbin/shmwatch|$(SBINDIR)/shmwatch|g' \
	    -e 's|/etc/default/shmwatch|$(SYSCONFDIR)/default/shmwatch|g' \
	    -e 's|/usr/share/doc/shmwatch|$(DOCDIR)|g' \
	    docs/service/shmwatch.service > $(DESTDIR)$(UNITDIR)/shmwatch.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/shmwatch.service
	install -D -m 0644 docs/completion/shmwatch.bash $(DESTDIR)$(BASHCOMPDIR)/shmwatch
	@if [ -e $(INST_DEFAULT) ]; then \
		echo "keeping $(INST_DEFAULT)"; \
	else \
		echo "install -D -m 0644 docs/service/shmwatch.default $(INST_DEFAULT)"; \
		install -D -m 0644 docs/service/shmwatch.default $(INST_DEFAULT); \
	fi

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/shmwatch $(DESTDIR)$(MANDIR)/man8/shmwatch.8 \
	      $(DESTDIR)$(UNITDIR)/shmwatch.service $(DESTDIR)$(BASHCOMPDIR)/shmwatch \
	      $(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(INST_DOCS))) \
	      $(addprefix $(DESTDIR)$(DOCDIR)/examples/,$(notdir $(INST_EXAMPLES)))
	for d in $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR); do \
		[ ! -d $$d ] || rmdir --ignore-fail-on-non-empty $$d; \
	done
	@if cmp -s docs/service/shmwatch.default $(INST_DEFAULT); then \
		echo "rm -f $(INST_DEFAULT)"; rm -f $(INST_DEFAULT); \
	elif [ -e $(INST_DEFAULT) ]; then \
		echo "keeping $(INST_DEFAULT): changed since it was installed"; \
	fi

# The Debian package (debian/): dpkg-buildpackage writes next to the tree
# it builds, so it builds a copy of the working files (uncommitted and new
# ones too, not the ignored ones) in $(BUILD)/deb/src, and the .deb,
# .buildinfo and .changes land in $(BUILD)/deb/.
DEB_DIR := $(BUILD)/deb

deb:
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/src
	git ls-files -z -c -o --exclude-standard | \
		tar -c --null -T - --ignore-failed-read -f - | tar -x -C $(DEB_DIR)/src -f -
	cd $(DEB_DIR)/src && dpkg-buildpackage -us -uc -b -J
	rm -rf $(DEB_DIR)/src
	@ls $(DEB_DIR)/*.deb

# A container image with no registry and no base image: the root
# filesystem deploy/rootfs.sh makes of the built binary and the host's
# libraries (a Debian 12 host's for a Debian 12 userland), imported as
# $(IMAGE).  docs/container.md has the Containerfile for those who build
# FROM debian:12 instead, and the flags to run it with.
IMAGE_TOOL ?= podman
IMAGE      ?= localhost/shmwatch:$(shell sed -n 's/^\#define SHMWATCH_VERSION "\(.*\)"/\1/p' user/pipeline.h)

image: $(BUILD)/shmwatch
	deploy/rootfs.sh $(BUILD)/shmwatch $(BUILD)/shmwatch-rootfs.tar
	$(IMAGE_TOOL) import $(BUILD)/shmwatch-rootfs.tar $(IMAGE)

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/$(ARCH)/vmlinux.h

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
