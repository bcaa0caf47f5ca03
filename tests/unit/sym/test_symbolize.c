// SPDX-License-Identifier: GPL-2.0
/*
 * test_symbolize.c - the symbolizer against real programs and fake /proc
 * trees.  The group setup compiles small fixtures into a mkdtemp dir (a
 * non-PIE and a PIE executable, a PIE calling a shared library, a stripped
 * copy, a copy whose debug info sits in a .gnu_debuglink file); each live
 * test runs one, which prints the return addresses of its calls and waits,
 * notes them, resolves function and line of the call, kills it, and checks
 * the frames still resolve once the process is gone.  Copies in fake
 * process roots and image stores stand for containers.  Fake trees cover
 * unreadable maps, odd files, eviction of exited processes, pid reuse and
 * pre-resolved frames.  Live tests skip when no C compiler works.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "sym/symbolize.h"

/* ---- fixture sources; "@name" comments mark the lines of calls ---- */

/* clang-format off */

static const char exe_src[] =
	"#include <stdio.h>\n"
	"#include <unistd.h>\n"
	"\n"
	"#ifdef USE_LIB\n"
	"void lib_entry(void);\n"
	"#endif\n"
	"\n"
	"__attribute__((noinline)) void leaf(void)\n"
	"{\n"
	"\tdprintf(1, \"leaf_ret %p\\n\", __builtin_return_address(0)); /* @before_here */\n"
	"here:\tdprintf(1, \"leaf_here %p\\n\", &&here); /* @here */\n"
	"\tdprintf(1, \"leaf_fn %p\\n\", (void *)leaf);\n"
	"}\n"
	"\n"
	"__attribute__((noinline)) void middle(void)\n"
	"{\n"
	"\tdprintf(1, \"middle_fn %p\\n\", (void *)middle);\n"
	"\tleaf(); /* @leaf_call */\n"
	"\tdprintf(1, \"middle_ret %p\\n\", __builtin_return_address(0));\n"
	"}\n"
	"\n"
	"int main(void)\n"
	"{\n"
	"\tchar c;\n"
	"\n"
	"\tdprintf(1, \"main_fn %p\\n\", (void *)main);\n"
	"\tmiddle(); /* @middle_call */\n"
	"#ifdef USE_LIB\n"
	"\tlib_entry(); /* @lib_entry_call */\n"
	"#endif\n"
	"\tdprintf(1, \"ready\\n\");\n"
	"\twhile (read(0, &c, 1) > 0)\n"
	"\t\t;\n"
	"\treturn 0;\n"
	"}\n";

static const char lib_src[] =
	"#include <stdio.h>\n"
	"\n"
	"__attribute__((noinline)) void lib_inner(void)\n"
	"{\n"
	"\tdprintf(1, \"lib_inner_ret %p\\n\", __builtin_return_address(0));\n"
	"}\n"
	"\n"
	"void lib_entry(void)\n"
	"{\n"
	"\tdprintf(1, \"lib_entry_fn %p\\n\", (void *)lib_entry);\n"
	"\tlib_inner(); /* @lib_inner_call */\n"
	"\tdprintf(1, \"lib_entry_ret %p\\n\", __builtin_return_address(0));\n"
	"}\n";

/* clang-format on */

#define FIXTURE_CFLAGS "-O0 -g -fno-omit-frame-pointer"

static char dir[256];  /* fixtures, realpath'd: maps name real paths */
static char proc[300]; /* fake /proc trees */
static bool have_fixtures;

struct child {
	pid_t pid;
	int to, from; /* its stdin, its stdout */
};

static struct child kid = {-1, -1, -1};
static struct symbolizer *sym;

#define MAX_ADDRS 16
struct addrs {
	int n;
	char name[MAX_ADDRS][32];
	__u64 val[MAX_ADDRS];
};

/* ---- helpers ---- */

static int run(const char *fmt, ...)
{
	char cmd[4 * PATH_MAX];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return rc == 0 ? 0 : -1;
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static void fixture_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

/* 1-based line of the source line holding marker. */
static int line_of(const char *src, const char *marker)
{
	const char *at = strstr(src, marker), *p;
	int line = 1;

	assert_non_null(at);
	for (p = src; p < at; p++)
		line += *p == '\n';
	return line;
}

static const char *base_name(const char *path)
{
	const char *b = path ? strrchr(path, '/') : NULL;

	return b ? b + 1 : path;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int build_fixtures(void)
{
	const char *cc = getenv("CC") && getenv("CC")[0] ? getenv("CC") : "cc";
	char path[PATH_MAX];

	fixture_path(path, sizeof(path), "exe.c");
	if (write_text(path, exe_src))
		return -1;
	fixture_path(path, sizeof(path), "lib.c");
	if (write_text(path, lib_src))
		return -1;
	/* cd: the sources' DWARF names stay short, the debuglink relative. */
	return run("cd '%s' && "
		   "%s " FIXTURE_CFLAGS " -fno-pie -no-pie -o nopie exe.c && "
		   "%s " FIXTURE_CFLAGS " -fPIE -pie -o pie exe.c && "
		   "%s " FIXTURE_CFLAGS " -fPIC -shared -o libfix.so lib.c && "
		   "%s " FIXTURE_CFLAGS " -fPIE -pie -DUSE_LIB -o withlib exe.c "
		   "-L. -lfix -Wl,-rpath,'%s' && "
		   "cp pie stripped && strip --strip-all stripped && "
		   "cp pie dbglink && objcopy --only-keep-debug dbglink dbglink.debug && "
		   "strip --strip-all dbglink && "
		   "objcopy --add-gnu-debuglink=dbglink.debug dbglink && "
		   "head -c 200 nopie > truncated && "
		   "printf 'not an ELF file\\n' > garbage && mkfifo fifo",
		   dir, cc, cc, cc, cc, dir);
}

static int group_setup(void **state)
{
	char tmpl[] = "/tmp/test_symbolize.XXXXXX", real[PATH_MAX];

	if (!mkdtemp(tmpl))
		return -1;
	if (!realpath(tmpl, real) || strlen(real) >= sizeof(dir)) {
		rmdir(tmpl);
		return -1;
	}
	strcpy(dir, real);
	snprintf(proc, sizeof(proc), "%s/proc", dir);
	if (mkdir(proc, 0755))
		return -1;
	have_fixtures = build_fixtures() == 0;
	if (!have_fixtures)
		fprintf(stderr, "fixtures did not build: live tests skipped\n");
	return 0;
}

static int group_teardown(void **state)
{
	if (dir[0])
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static void stop_child(void)
{
	if (kid.pid > 0) {
		kill(kid.pid, SIGKILL);
		waitpid(kid.pid, NULL, 0);
	}
	if (kid.to >= 0)
		close(kid.to);
	if (kid.from >= 0)
		close(kid.from);
	kid = (struct child){-1, -1, -1};
}

static int setup(void **state)
{
	sym = symbolizer__new(NULL);
	return sym ? 0 : -1;
}

static int setup_fake(void **state)
{
	sym = symbolizer__new(proc);
	return sym ? 0 : -1;
}

static int teardown(void **state)
{
	stop_child();
	symbolizer__free(sym);
	sym = NULL;
	return 0;
}

/* Start fixture name and read what it prints up to "ready". */
static void start(const char *name, struct addrs *a)
{
	int in[2], out[2];
	char path[PATH_MAX], buf[4096], *line, *save;
	size_t len = 0;
	struct pollfd pfd;
	ssize_t got;

	if (!have_fixtures)
		skip();
	fixture_path(path, sizeof(path), name);
	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	kid.pid = fork();
	assert_true(kid.pid >= 0);
	if (kid.pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	kid.to = in[1];
	kid.from = out[0];
	while (!memmem(buf, len, "ready\n", 6)) {
		pfd = (struct pollfd){.fd = kid.from, .events = POLLIN};
		assert_int_equal(poll(&pfd, 1, 10000), 1);
		got = read(kid.from, buf + len, sizeof(buf) - 1 - len);
		assert_true(got > 0);
		len += got;
	}
	buf[len] = '\0';
	memset(a, 0, sizeof(*a));
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long v;

		if (a->n < MAX_ADDRS && sscanf(line, "%31s %llx", a->name[a->n], &v) == 2)
			a->val[a->n++] = v;
	}
}

static __u64 addr(const struct addrs *a, const char *name)
{
	int i;

	for (i = 0; i < a->n; i++)
		if (!strcmp(a->name[i], name))
			return a->val[i];
	fail_msg("fixture printed no %s", name);
	return 0;
}

/* The process is gone, and the symbolizer is told so. */
static void end_child(void)
{
	__u32 pid = (__u32)kid.pid;

	stop_child();
	symbolizer__exit(sym, pid);
}

struct want {
	__u64 ip;
	const char *module; /* fixture file name */
	const char *function;
	__u64 fn_addr;	 /* runtime start of function: offset = ip - it */
	const char *src; /* "exe.c" or "lib.c" */
	int line;
};

static void check(__u32 pid, const struct want *w)
{
	char module[PATH_MAX];
	struct sw_frame f;

	fixture_path(module, sizeof(module), w->module);
	assert_int_equal(symbolizer__resolve(sym, pid, w->ip, SYM_IP_RETURN, &f), 0);
	assert_true(f.ip == w->ip);
	assert_non_null(f.module);
	assert_string_equal(f.module, module);
	assert_non_null(f.function);
	assert_string_equal(f.function, w->function);
	assert_true(f.offset == w->ip - w->fn_addr);
	assert_non_null(f.file);
	assert_string_equal(base_name(f.file), w->src);
	assert_int_equal(f.line, w->line);
}

/* The two frames of main -> middle -> leaf in fixture name. */
static void exe_wants(const char *name, const struct addrs *a, struct want w[2])
{
	w[0] = (struct want){addr(a, "leaf_ret"),  name,    "middle",
			     addr(a, "middle_fn"), "exe.c", line_of(exe_src, "@leaf_call")};
	w[1] = (struct want){addr(a, "middle_ret"), name,    "main",
			     addr(a, "main_fn"),    "exe.c", line_of(exe_src, "@middle_call")};
}

/* Start fixture name and note the two frames exe_wants gives; its pid. */
static __u32 start_noted(const char *name, struct want w[2])
{
	struct addrs a;
	__u64 ips[2];

	start(name, &a);
	exe_wants(name, &a, w);
	ips[0] = w[0].ip;
	ips[1] = w[1].ip;
	assert_int_equal(symbolizer__note(sym, (__u32)kid.pid, ips, 2), 0);
	return (__u32)kid.pid;
}

/* ---- live processes ---- */

static void test_nopie_resolves_while_alive_and_after_exit(void **state)
{
	struct want w[2];
	__u32 pid = start_noted("nopie", w);

	check(pid, &w[0]);
	check(pid, &w[1]);
	end_child();
	check(pid, &w[0]);
	check(pid, &w[1]);
}

/* Noted while alive, resolved only once gone: how findings at exit go. */
static void test_pie_resolves_after_exit(void **state)
{
	struct want w[2];
	__u32 pid = start_noted("pie", w);

	end_child();
	check(pid, &w[0]);
	check(pid, &w[1]);
}

static void test_shared_library_frames(void **state)
{
	struct addrs a;
	struct want w[4];
	__u64 ips[4];
	__u32 pid;
	int i;

	start("withlib", &a);
	pid = (__u32)kid.pid;
	w[0] = (struct want){
	    addr(&a, "lib_inner_ret"), "libfix.so", "lib_entry",
	    addr(&a, "lib_entry_fn"),  "lib.c",	    line_of(lib_src, "@lib_inner_call")};
	w[1] = (struct want){
	    addr(&a, "lib_entry_ret"), "withlib", "main",
	    addr(&a, "main_fn"),       "exe.c",	  line_of(exe_src, "@lib_entry_call")};
	exe_wants("withlib", &a, &w[2]);
	for (i = 0; i < 4; i++)
		ips[i] = w[i].ip;
	/* One stack at a time, as they arrive: the library is noted second. */
	assert_int_equal(symbolizer__note(sym, pid, &ips[2], 2), 0);
	assert_int_equal(symbolizer__note(sym, pid, ips, 2), 0);
	for (i = 0; i < 4; i++)
		check(pid, &w[i]);
	end_child();
	for (i = 0; i < 4; i++)
		check(pid, &w[i]);
}

static void test_stripped_gives_module_and_offset(void **state)
{
	char module[PATH_MAX];
	struct sw_frame f[2];
	struct addrs a;
	__u64 ips[2];
	__u32 pid;
	int i;

	start("stripped", &a);
	pid = (__u32)kid.pid;
	ips[0] = addr(&a, "leaf_ret");
	ips[1] = addr(&a, "middle_ret");
	assert_int_equal(symbolizer__note(sym, pid, ips, 2), 0);
	end_child();
	fixture_path(module, sizeof(module), "stripped");
	for (i = 0; i < 2; i++) {
		assert_int_equal(symbolizer__resolve(sym, pid, ips[i], SYM_IP_RETURN, &f[i]), 0);
		assert_string_equal(f[i].module, module);
		/* .dynsym of a PIE names none of these: no wrong neighbour either */
		assert_null(f[i].function);
		assert_null(f[i].file);
		assert_int_equal(f[i].line, 0);
	}
	/* Module-relative: the distance between two ips is kept. */
	assert_true(f[1].offset - f[0].offset == ips[1] - ips[0]);
	assert_true(f[0].offset < ips[0]);
}

static void test_debuglink_file_is_found(void **state)
{
	struct want w[2];
	__u32 pid = start_noted("dbglink", w);

	end_child();
	check(pid, &w[0]);
	check(pid, &w[1]);
}

/* The executable mapping of fixture name in pid's maps, as the kernel
 * side describes it; path is the buffer m->path points to. */
static void code_mapping(__u32 pid, const char *name, struct sym_mapping *m, char *path,
			 size_t len)
{
	char maps[64], line[PATH_MAX + 128], file[PATH_MAX];
	unsigned long long start, end, off, ino;
	unsigned int maj, min;
	char perms[8];
	FILE *f;

	fixture_path(path, len, name);
	snprintf(maps, sizeof(maps), "/proc/%u/maps", pid);
	f = fopen(maps, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %4095s", &start, &end, perms, &off,
			   &maj, &min, &ino, file) == 8 &&
		    perms[2] == 'x' && !strcmp(file, path)) {
			*m =
			    (struct sym_mapping){start, end, off, makedev(maj, min), ino, path};
			fclose(f);
			return;
		}
	}
	fclose(f);
	fail_msg("no executable mapping of %s in %s", path, maps);
}

/* A mapping described while the process lives, or once it is gone (the
 * path as is), resolves with no read of /proc/PID/maps at all. */
static void check_added_mapping(const char *name, bool gone_first)
{
	char path[PATH_MAX];
	struct sym_mapping m;
	struct addrs a;
	struct want w[2];
	__u32 pid;

	start(name, &a);
	pid = (__u32)kid.pid;
	exe_wants(name, &a, w);
	code_mapping(pid, name, &m, path, sizeof(path));
	if (gone_first)
		end_child();
	assert_int_equal(symbolizer__add_mapping(sym, pid, &m), 0);
	if (!gone_first)
		end_child();
	check(pid, &w[0]);
	check(pid, &w[1]);
}

static void test_added_mapping_resolves_after_exit(void **state)
{
	check_added_mapping("pie", false);
}

static void test_added_mapping_of_a_gone_process(void **state)
{
	check_added_mapping("nopie", true);
}

/* A path that is not the inode the kernel named (a cut path, another
 * file, a rebuilt one) is refused, even while the process lives and its
 * map_files would open the right file under the wrong name. */
static void test_added_mapping_must_be_its_inode(void **state)
{
	char path[PATH_MAX], cut[PATH_MAX], other[PATH_MAX];
	struct sym_mapping m, bad;
	struct sw_frame f;
	struct addrs a;
	__u32 pid;

	start("pie", &a);
	pid = (__u32)kid.pid;
	code_mapping(pid, "pie", &m, path, sizeof(path));
	bad = m;
	bad.ino++;
	assert_int_equal(symbolizer__add_mapping(sym, pid, &bad), -ENOENT);
	snprintf(cut, sizeof(cut), "%.*s", (int)strlen(path) - 1, path);
	bad = m;
	bad.path = cut;
	assert_int_equal(symbolizer__add_mapping(sym, pid, &bad), -ENOENT);
	fixture_path(other, sizeof(other), "stripped");
	bad.path = other;
	assert_int_equal(symbolizer__add_mapping(sym, pid, &bad), -ENOENT);
	bad.path = "pie";
	assert_int_equal(symbolizer__add_mapping(sym, pid, &bad), -EINVAL);
	assert_int_equal(symbolizer__resolve(sym, pid, addr(&a, "leaf_ret"), SYM_IP_RETURN, &f),
			 -ENOENT);
}

/* Copies fixture name to tree/path (directories made); its stat. */
static void copy_into(const char *tree, const char *path, const char *name, struct stat *st)
{
	char src[PATH_MAX], dst[2 * PATH_MAX];

	fixture_path(src, sizeof(src), name);
	snprintf(dst, sizeof(dst), "%s%s", tree, path);
	assert_int_equal(run("mkdir -p \"$(dirname '%s')\" && cp '%s' '%s'", dst, src, dst), 0);
	assert_int_equal(stat(dst, st), 0);
}

/* Frames w of pid resolve to their function and line, in module inside. */
static void check_inside(__u32 pid, const struct want w[2], const char *inside)
{
	struct sw_frame f;

	for (int i = 0; i < 2; i++) {
		assert_int_equal(symbolizer__resolve(sym, pid, w[i].ip, SYM_IP_RETURN, &f), 0);
		assert_string_equal(f.module, inside);
		assert_non_null(f.function);
		assert_string_equal(f.function, w[i].function);
		assert_int_equal(f.line, w[i].line);
	}
}

/* Start fixture name with a copy of it at inside in its fake root: the
 * mapping the kernel names for a container's file (not added yet). */
static __u32 start_in_root(const char *name, const char *inside, struct want w[2],
			   struct sym_mapping *m)
{
	char path[PATH_MAX], root[PATH_MAX];
	struct stat st;
	struct addrs a;
	__u32 pid;

	start(name, &a);
	pid = (__u32)kid.pid;
	exe_wants(name, &a, w);
	code_mapping(pid, name, m, path, sizeof(path));
	snprintf(root, sizeof(root), "%s/%u/root", proc, pid);
	copy_into(root, inside, name, &st);
	m->path = inside;
	m->ino = st.st_ino;
	m->dev = st.st_dev;
	return pid;
}

/* Once the process and its fake root are gone. */
static void end_in_root(__u32 pid)
{
	char root[PATH_MAX];

	end_child();
	snprintf(root, sizeof(root), "%s/%u", proc, pid);
	assert_int_equal(run("rm -rf '%s'", root), 0);
}

/* A process in a container names its files from its own root. */
static void test_added_mapping_through_the_process_root(void **state)
{
	struct sym_mapping m;
	struct want w[2];
	__u32 pid = start_in_root("pie", "/shmwatch-test/pie", w, &m);

	assert_int_equal(symbolizer__add_mapping(sym, pid, &m), 0);
	end_in_root(pid);
	check_inside(pid, w, "/shmwatch-test/pie");
}

/* A container that is gone left its image: the file the kernel named (by
 * device and inode) is found in a layer of an image store; a namesake in
 * another layer is not taken. */
static void test_gone_container_found_in_an_image_store(void **state)
{
	char path[PATH_MAX], store[PATH_MAX], layer[PATH_MAX + 32];
	struct sym_mapping m;
	struct sw_frame f;
	struct stat st;
	struct addrs a;
	struct want w[2];
	__u32 pid;

	start("pie", &a);
	pid = (__u32)kid.pid;
	exe_wants("pie", &a, w);
	code_mapping(pid, "pie", &m, path, sizeof(path));
	end_child();
	fixture_path(store, sizeof(store), "store");
	snprintf(layer, sizeof(layer), "%s/a-namesake/diff", store);
	copy_into(layer, "/shmwatch-box/pie", "nopie", &st);
	snprintf(layer, sizeof(layer), "%s/b-image/diff", store);
	copy_into(layer, "/shmwatch-box/pie", "pie", &st);
	m.path = "/shmwatch-box/pie";
	m.dev = st.st_dev;
	m.ino = st.st_ino;
	assert_int_equal(symbolizer__add_image_store(sym, store, "diff"), 0);
	assert_int_equal(symbolizer__add_mapping(sym, pid, &m), 0);
	check_inside(pid, w, "/shmwatch-box/pie");
	/* The same inode number on another device is another file: nothing
	 * is claimed of it, and the frame says module+offset. */
	m.dev++;
	assert_int_equal(symbolizer__add_mapping(sym, pid + 1, &m), 0);
	assert_int_equal(symbolizer__resolve(sym, pid + 1, w[0].ip, SYM_IP_RETURN, &f), 0);
	assert_string_equal(f.module, "/shmwatch-box/pie");
	assert_null(f.function);
	assert_null(f.file);
	assert_true(f.offset == w[0].ip - m.start + m.offset);
	assert_int_equal(run("rm -rf '%s'", store), 0);
}

/* shmwatch in a container with the host's PID namespace: a host process
 * that is gone names a file the container does not have, found in the
 * root of pid 1 (the host's) by its device and inode. */
static void test_gone_host_process_through_pid_1(void **state)
{
	char path[PATH_MAX], host_root[PATH_MAX + 16];
	struct sym_mapping m;
	struct stat st;
	struct addrs a;
	struct want w[2];
	__u32 pid;

	start("pie", &a);
	pid = (__u32)kid.pid;
	exe_wants("pie", &a, w);
	code_mapping(pid, "pie", &m, path, sizeof(path));
	end_child();
	snprintf(host_root, sizeof(host_root), "%s/1/root", proc);
	copy_into(host_root, "/shmwatch-host/pie", "pie", &st);
	m.path = "/shmwatch-host/pie";
	m.dev = st.st_dev;
	m.ino = st.st_ino;
	assert_int_equal(symbolizer__add_mapping(sym, pid, &m), 0);
	check_inside(pid, w, "/shmwatch-host/pie");
	assert_int_equal(run("rm -rf '%s/1'", proc), 0);
}

/*
 * A stripped program in a container whose debug file is in the
 * container's root, by build-id (and a file of another build-id there is
 * refused) or by .gnu_debuglink: found while the process lives, so the
 * lines still resolve once it and its root are gone.
 */
static void check_debug_in_root(const char *debug_at, const char *debug_file)
{
	char path[PATH_MAX], dst[3 * PATH_MAX];
	struct sym_mapping m;
	struct sw_frame f;
	struct want w[2];
	__u32 pid = start_in_root("dbglink", "/shmwatch-test/dbglink", w, &m);

	fixture_path(path, sizeof(path), debug_file);
	if (debug_at)
		snprintf(dst, sizeof(dst), "%s/%u/root%s", proc, pid, debug_at);
	else /* by build-id */
		snprintf(dst, sizeof(dst),
			 "%s/%u/root/usr/lib/debug/.build-id/$(readelf -n '%s' 2>/dev/null | sed -n "
			 "'s/.*Build ID: \\(..\\)\\(.*\\)/\\1\\/\\2/p').debug",
			 proc, pid, path);
	assert_int_equal(run("d=\"%s\" && mkdir -p \"$(dirname \"$d\")\" && cp '%s' \"$d\"", dst,
			     path),
			 0);
	assert_int_equal(symbolizer__add_mapping(sym, pid, &m), 0);
	end_in_root(pid);
	if (!strcmp(debug_file, "dbglink.debug")) {
		check_inside(pid, w, "/shmwatch-test/dbglink");
		return;
	}
	for (int i = 0; i < 2; i++) {
		assert_int_equal(symbolizer__resolve(sym, pid, w[i].ip, SYM_IP_RETURN, &f), 0);
		assert_string_equal(f.module, "/shmwatch-test/dbglink");
		assert_null(f.file);
	}
}

static void test_debug_file_by_build_id_in_the_process_root(void **state)
{
	check_debug_in_root(NULL, "dbglink.debug");
}

static void test_debug_file_by_debuglink_in_the_process_root(void **state)
{
	check_debug_in_root("/shmwatch-test/.debug/dbglink.debug", "dbglink.debug");
}

static void test_debug_file_of_another_build_is_refused(void **state)
{
	/* nopie has DWARF and another build-id, at the debuglink's place. */
	check_debug_in_root("/shmwatch-test/dbglink.debug", "nopie");
}

/* A child that exits before its maps are read resolves through the
 * mappings its parent's showed. */
static void test_forked_child_has_parents_mappings(void **state)
{
	enum { CHILD = 0x7ffffff0 };
	struct want w[2];
	__u32 pid = start_noted("withlib", w);

	assert_int_equal(symbolizer__fork(sym, pid, CHILD), 0);
	end_child();
	check(CHILD, &w[0]);
	check(CHILD, &w[1]);
	/* Both gone: the child's map is kept like any other. */
	symbolizer__exit(sym, CHILD);
	check(CHILD, &w[0]);
}

static __attribute__((noinline)) __u64 return_address(void)
{
	return (__u64)(uintptr_t)__builtin_return_address(0);
}

/* Where a fault happened, the address is the instruction itself: its own
 * line, not the call before it that a return address would mean. */
static void test_exact_address_is_its_own_line(void **state)
{
	struct sw_frame f, g;
	struct addrs a;
	__u64 ip;
	__u32 pid;

	start("pie", &a);
	pid = (__u32)kid.pid;
	ip = addr(&a, "leaf_here");
	assert_int_equal(symbolizer__note(sym, pid, &ip, 1), 0);
	end_child();
	assert_int_equal(symbolizer__resolve(sym, pid, ip, SYM_IP_EXACT, &f), 0);
	assert_non_null(f.function);
	assert_string_equal(f.function, "leaf");
	assert_int_equal(f.line, line_of(exe_src, "@here"));
	assert_int_equal(symbolizer__resolve(sym, pid, ip, SYM_IP_RETURN, &g), 0);
	assert_string_equal(g.function, "leaf");
	assert_int_equal(g.line, line_of(exe_src, "@before_here"));
	/* Either way the offset is the address's own. */
	assert_true(f.offset == ip - addr(&a, "leaf_fn"));
	assert_true(g.offset == f.offset);
	/* As a saved log gives them back: one frame for each kind. */
	assert_int_equal(symbolizer__add_frame(sym, 77, SYM_IP_EXACT, &f), 0);
	assert_int_equal(symbolizer__add_frame(sym, 77, SYM_IP_RETURN, &g), 0);
	assert_int_equal(symbolizer__resolve(sym, 77, ip, SYM_IP_EXACT, &f), 0);
	assert_int_equal(f.line, line_of(exe_src, "@here"));
	assert_int_equal(symbolizer__resolve(sym, 77, ip, SYM_IP_RETURN, &g), 0);
	assert_int_equal(g.line, line_of(exe_src, "@before_here"));
}

/* More files than the symbolizer keeps open: the least recently used are
 * closed, and reopen from their path when a frame needs them again. */
static void test_open_files_are_bounded(void **state)
{
	enum { N = 300, BASE = 0x7fff0000 };
	char path[PATH_MAX], name[PATH_MAX], rel[16];
	struct sym_mapping m;
	struct addrs a;
	struct want w[2], v;
	__u32 pid;
	int i, k, round;

	start("pie", &a);
	pid = (__u32)kid.pid;
	exe_wants("pie", &a, w);
	code_mapping(pid, "pie", &m, path, sizeof(path));
	fixture_path(name, sizeof(name), "lru");
	assert_int_equal(mkdir(name, 0755), 0);
	/* Hard links: the inode the mapping names, under N paths. */
	for (i = 0; i < N; i++) {
		snprintf(rel, sizeof(rel), "lru/%d", i);
		fixture_path(name, sizeof(name), rel);
		assert_int_equal(link(path, name), 0);
		m.path = name;
		assert_int_equal(symbolizer__add_mapping(sym, BASE + i, &m), 0);
	}
	end_child();
	for (round = 0; round < 2; round++) {
		for (i = 0; i < N; i++) {
			snprintf(rel, sizeof(rel), "lru/%d", i);
			for (k = 0; k < 2; k++) {
				v = w[k];
				v.module = rel;
				check(BASE + i, &v);
			}
		}
	}
}

/* This very test, through the real /proc: no fixture needed. */
static void test_self(void **state)
{
	__u32 pid = (__u32)getpid();
	struct sw_frame f;
	__u64 ip;
	int line;

	/* One line: the call's line is the one to find. */
	ip = return_address(), line = __LINE__;
	assert_int_equal(symbolizer__note(sym, pid, &ip, 1), 0);
	assert_int_equal(symbolizer__resolve(sym, pid, ip, SYM_IP_RETURN, &f), 0);
	assert_non_null(f.module);
	assert_non_null(f.function);
	assert_string_equal(f.function, "test_self");
	assert_non_null(f.file);
	assert_string_equal(base_name(f.file), "test_symbolize.c");
	assert_int_equal(f.line, line);
	/* Same address again: same interned strings. */
	{
		struct sw_frame g;

		assert_int_equal(symbolizer__resolve(sym, pid, ip, SYM_IP_RETURN, &g), 0);
		assert_ptr_equal(g.function, f.function);
		assert_ptr_equal(g.file, f.file);
	}
}

/* ---- fake /proc trees ---- */

static void fake_maps(__u32 pid, const char *text)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%u", proc, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%u/maps", proc, pid);
	assert_int_equal(write_text(path, text), 0);
}

static void test_unreadable_maps(void **state)
{
	char path[PATH_MAX];
	struct sw_frame f;
	__u64 ip = 0x400123;

	/* maps is a directory: opens, but cannot be read (even as root). */
	snprintf(path, sizeof(path), "%s/100", proc);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/100/maps", proc);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_true(symbolizer__note(sym, 100, &ip, 1) < 0);
	assert_int_equal(symbolizer__resolve(sym, 100, ip, SYM_IP_RETURN, &f), -ENOENT);
	assert_true(f.ip == ip);
	assert_null(f.module);
	/* No such process at all. */
	assert_int_equal(symbolizer__note(sym, 101, &ip, 1), -ENOENT);
	assert_int_equal(symbolizer__resolve(sym, 101, ip, SYM_IP_RETURN, &f), -ENOENT);
	/* Never noted. */
	assert_int_equal(symbolizer__resolve(sym, 102, ip, SYM_IP_RETURN, &f), -ENOENT);
}

static void test_odd_files_and_pseudo_maps(void **state)
{
	char maps[8192], name[PATH_MAX];
	struct sw_frame f;
	__u64 ips[] = {0x400010, 0x500010, 0x600010,   0x700010,      0x800010,
		       0x900010, 0xa00010, 0x7ffd0010, 0x7f0000000010};
	int n = 0;

	n += snprintf(maps + n, sizeof(maps) - n, "this line is not a mapping\n");
	n += snprintf(maps + n, sizeof(maps) - n,
		      "00400000-00401000 r-xp 00000000 08:01 0 /nonexistent/prog\n");
	n += snprintf(maps + n, sizeof(maps) - n,
		      "00500000-00501000 r-xp 00000000 08:01 0 %s/garbage\n", dir);
	n += snprintf(maps + n, sizeof(maps) - n,
		      "00600000-00601000 r-xp 00000000 08:01 0 %s/truncated\n", dir);
	n += snprintf(maps + n, sizeof(maps) - n,
		      "00700000-00701000 r-xp 00000000 08:01 0 %s/fifo\n", dir);
	n += snprintf(maps + n, sizeof(maps) - n, "00800000-00801000 r-xp 00000000 08:01 0 %s\n",
		      dir);
	n += snprintf(maps + n, sizeof(maps) - n,
		      "00900000-00901000 r-xp 00001000 08:01 0 /gone/a b (deleted)\n");
	n += snprintf(maps + n, sizeof(maps) - n,
		      "00a00000-00a01000 r--p 00000000 08:01 0 /usr/lib/data\n");
	n += snprintf(maps + n, sizeof(maps) - n,
		      "7ffd0000-7ffd2000 r-xp 00000000 00:00 0                          [vdso]\n");
	snprintf(maps + n, sizeof(maps) - n, "7f0000000000-7f0000001000 rwxp 00000000 00:00 0 \n");
	if (!have_fixtures)
		skip();
	fake_maps(200, maps);
	assert_int_equal(symbolizer__note(sym, 200, ips, 9), 0);

	assert_int_equal(symbolizer__resolve(sym, 200, ips[0], SYM_IP_RETURN, &f), 0);
	assert_string_equal(f.module, "/nonexistent/prog");
	assert_null(f.function);
	assert_true(f.offset == 0x10);

	snprintf(name, sizeof(name), "%s/garbage", dir);
	assert_int_equal(symbolizer__resolve(sym, 200, ips[1], SYM_IP_RETURN, &f), 0);
	assert_string_equal(f.module, name);
	assert_null(f.function);

	snprintf(name, sizeof(name), "%s/truncated", dir);
	assert_int_equal(symbolizer__resolve(sym, 200, ips[2], SYM_IP_RETURN, &f), 0);
	assert_string_equal(f.module, name);
	assert_null(f.function);

	snprintf(name, sizeof(name), "%s/fifo", dir);
	assert_int_equal(symbolizer__resolve(sym, 200, ips[3], SYM_IP_RETURN, &f), 0);
	assert_string_equal(f.module, name);

	assert_int_equal(symbolizer__resolve(sym, 200, ips[4], SYM_IP_RETURN, &f), 0);
	assert_string_equal(f.module, dir);

	/* " (deleted)" is not part of the name; the offset is into the file. */
	assert_int_equal(symbolizer__resolve(sym, 200, ips[5], SYM_IP_RETURN, &f), 0);
	assert_string_equal(f.module, "/gone/a b");
	assert_true(f.offset == 0x1010);

	/* Not executable: not a code module. */
	assert_int_equal(symbolizer__resolve(sym, 200, ips[6], SYM_IP_RETURN, &f), -ENOENT);

	assert_int_equal(symbolizer__resolve(sym, 200, ips[7], SYM_IP_RETURN, &f), 0);
	assert_string_equal(f.module, "[vdso]");
	assert_true(f.offset == 0x10);

	/* Anonymous code (a JIT): covered, so no re-read, but unknown. */
	assert_int_equal(symbolizer__resolve(sym, 200, ips[8], SYM_IP_RETURN, &f), -ENOENT);
}

static void test_exited_processes_are_bounded(void **state)
{
	enum { N = 1100, KEPT = 1024 };
	char maps[256];
	struct sw_frame f;
	__u64 ip = 0x10010;
	__u32 pid;

	for (pid = 1000; pid < 1000 + N; pid++) {
		snprintf(maps, sizeof(maps),
			 "00010000-00011000 r-xp 00000000 08:01 0 /fake/bin%u\n", pid);
		fake_maps(pid, maps);
		assert_int_equal(symbolizer__note(sym, pid, &ip, 1), 0);
		symbolizer__exit(sym, pid);
	}
	for (pid = 1000; pid < 1000 + N - KEPT; pid++)
		assert_int_equal(symbolizer__resolve(sym, pid, ip, SYM_IP_RETURN, &f), -ENOENT);
	for (; pid < 1000 + N; pid++) {
		snprintf(maps, sizeof(maps), "/fake/bin%u", pid);
		assert_int_equal(symbolizer__resolve(sym, pid, ip, SYM_IP_RETURN, &f), 0);
		assert_string_equal(f.module, maps);
	}
	/* Exiting twice, or a pid never seen, changes nothing. */
	symbolizer__exit(sym, 1000 + N - 1);
	symbolizer__exit(sym, 7);
	assert_int_equal(symbolizer__resolve(sym, 1000 + N - 1, ip, SYM_IP_RETURN, &f), 0);
}

static void test_new_code_rereads_and_keeps_old_mappings(void **state)
{
	struct sw_frame f;
	__u64 a = 0x400010, b = 0x500010, c = 0x600010;

	fake_maps(300, "00400000-00401000 r-xp 00000000 08:01 0 /bin/old\n");
	assert_int_equal(symbolizer__note(sym, 300, &a, 1), 0);
	symbolizer__exit(sym, 300);
	/* The pid comes back with other code (exec, or reuse). */
	fake_maps(300, "00500000-00501000 r-xp 00000000 08:01 0 /bin/new\n");
	assert_int_equal(symbolizer__note(sym, 300, &b, 1), 0);
	assert_int_equal(symbolizer__resolve(sym, 300, b, SYM_IP_RETURN, &f), 0);
	assert_string_equal(f.module, "/bin/new");
	/* Stacks taken before still resolve against what was mapped then. */
	assert_int_equal(symbolizer__resolve(sym, 300, a, SYM_IP_RETURN, &f), 0);
	assert_string_equal(f.module, "/bin/old");
	/* A newer mapping over the old range wins. */
	fake_maps(300, "00400000-00401000 r-xp 00000000 08:01 0 /bin/newer\n"
		       "00600000-00601000 r-xp 00000000 08:01 0 /bin/lib\n");
	assert_int_equal(symbolizer__note(sym, 300, &c, 1), 0);
	assert_int_equal(symbolizer__resolve(sym, 300, a, SYM_IP_RETURN, &f), 0);
	assert_string_equal(f.module, "/bin/newer");
	assert_int_equal(symbolizer__resolve(sym, 300, b, SYM_IP_RETURN, &f), 0);
	assert_string_equal(f.module, "/bin/new");
}

/* A stack that arrives after the process is gone changes nothing. */
static void test_late_stack_keeps_exited_map(void **state)
{
	char path[PATH_MAX];
	struct sw_frame f;
	__u64 a = 0x400010, b = 0x500010;

	fake_maps(600, "00400000-00401000 r-xp 00000000 08:01 0 /bin/gone\n");
	assert_int_equal(symbolizer__note(sym, 600, &a, 1), 0);
	symbolizer__exit(sym, 600);
	snprintf(path, sizeof(path), "%s/600/maps", proc);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symbolizer__note(sym, 600, &b, 1), -ENOENT);
	assert_int_equal(symbolizer__resolve(sym, 600, a, SYM_IP_RETURN, &f), 0);
	assert_string_equal(f.module, "/bin/gone");
	assert_int_equal(symbolizer__resolve(sym, 600, b, SYM_IP_RETURN, &f), -ENOENT);
}

/* An ip no mapping covered right after a read (a garbage frame of a
 * stack walked without frame pointers) does not make every later stack
 * re-read the maps. */
static void test_missing_ip_is_not_reread(void **state)
{
	struct sw_frame f;
	__u64 bogus = 0x300010, later = 0x500010;

	fake_maps(400, "00400000-00401000 r-xp 00000000 08:01 0 /bin/x\n");
	assert_int_equal(symbolizer__note(sym, 400, &bogus, 1), 0);
	fake_maps(400, "00300000-00301000 r-xp 00000000 08:01 0 /bin/y\n"
		       "00400000-00401000 r-xp 00000000 08:01 0 /bin/x\n"
		       "00500000-00501000 r-xp 00000000 08:01 0 /bin/z\n");
	assert_int_equal(symbolizer__note(sym, 400, &bogus, 1), 0);
	assert_int_equal(symbolizer__resolve(sym, 400, bogus, SYM_IP_RETURN, &f), -ENOENT);
	/* New code does read again. */
	assert_int_equal(symbolizer__note(sym, 400, &later, 1), 0);
	assert_int_equal(symbolizer__resolve(sym, 400, later, SYM_IP_RETURN, &f), 0);
	assert_string_equal(f.module, "/bin/z");
}

/* pid's ip resolves into module. */
static void check_module(__u32 pid, __u64 ip, const char *module)
{
	struct sw_frame f;

	assert_int_equal(symbolizer__resolve(sym, pid, ip, SYM_IP_RETURN, &f), 0);
	assert_string_equal(f.module, module);
}

static void test_fork_then_exec(void **state)
{
	struct sw_frame f;
	__u64 a = 0x400010, b = 0x500010;

	fake_maps(700, "00400000-00401000 r-xp 00000000 08:01 0 /bin/parent\n");
	assert_int_equal(symbolizer__note(sym, 700, &a, 1), 0);
	assert_int_equal(symbolizer__fork(sym, 700, 701), 0);
	/* No /proc/701: what the child knows came from its parent. */
	assert_int_equal(symbolizer__note(sym, 701, &a, 1), 0);
	check_module(701, a, "/bin/parent");
	/* It execs: its own maps from then on, the old ones for old stacks. */
	symbolizer__exit(sym, 701);
	fake_maps(701, "00500000-00501000 r-xp 00000000 08:01 0 /bin/child\n");
	assert_int_equal(symbolizer__note(sym, 701, &b, 1), 0);
	check_module(701, b, "/bin/child");
	check_module(701, a, "/bin/parent");
	/* The parent is untouched; a parent nothing is known of gives nothing. */
	assert_int_equal(symbolizer__resolve(sym, 700, b, SYM_IP_RETURN, &f), -ENOENT);
	assert_int_equal(symbolizer__fork(sym, 702, 703), 0);
	assert_int_equal(symbolizer__resolve(sym, 703, a, SYM_IP_RETURN, &f), -ENOENT);
}

static void test_added_frames_win_and_are_copied(void **state)
{
	char module[32], function[32], file[32];
	struct sw_frame in, out;

	fake_maps(500, "00400000-00401000 r-xp 00000000 08:01 0 /bin/live\n");
	strcpy(module, "/usr/bin/app");
	strcpy(function, "create_segment");
	strcpy(file, "app.c");
	in = (struct sw_frame){0x400010, module, function, 0x1c, file, 42};
	assert_int_equal(symbolizer__add_frame(sym, 500, SYM_IP_RETURN, &in), 0);
	memset(module, 'x', sizeof(module) - 1);
	memset(function, 'x', sizeof(function) - 1);
	memset(file, 'x', sizeof(file) - 1);
	assert_int_equal(symbolizer__note(sym, 500, &in.ip, 1), 0);
	assert_int_equal(symbolizer__resolve(sym, 500, 0x400010, SYM_IP_RETURN, &out), 0);
	assert_string_equal(out.module, "/usr/bin/app");
	assert_string_equal(out.function, "create_segment");
	assert_string_equal(out.file, "app.c");
	assert_true(out.offset == 0x1c);
	assert_int_equal(out.line, 42);
	/* Unknown parts stay NULL; a second add for the same ip replaces. */
	in = (struct sw_frame){.ip = 0x400010, .module = "/usr/bin/app", .offset = 0x400010};
	assert_int_equal(symbolizer__add_frame(sym, 500, SYM_IP_RETURN, &in), 0);
	assert_int_equal(symbolizer__resolve(sym, 500, 0x400010, SYM_IP_RETURN, &out), 0);
	assert_null(out.function);
	assert_null(out.file);
	/* Per pid: another pid with the same ip is not touched. */
	assert_int_equal(symbolizer__resolve(sym, 501, 0x400010, SYM_IP_RETURN, &out), -ENOENT);
}

/* One path, two inodes (a binary rebuilt between two runs): two files,
 * and dropping one leaves the other. */
static void test_same_path_other_inode(void **state)
{
	struct sw_frame f;
	__u64 a = 0x400010, b = 0x500010;

	fake_maps(810, "00400000-00401000 r-xp 00000000 08:01 1 /bin/same\n");
	fake_maps(811, "00400000-00401000 r-xp 00001000 08:01 2 /bin/same\n");
	assert_int_equal(symbolizer__note(sym, 810, &a, 1), 0);
	assert_int_equal(symbolizer__note(sym, 811, &a, 1), 0);
	assert_int_equal(symbolizer__resolve(sym, 810, a, SYM_IP_RETURN, &f), 0);
	assert_string_equal(f.module, "/bin/same");
	assert_true(f.offset == 0x10);
	assert_int_equal(symbolizer__resolve(sym, 811, a, SYM_IP_RETURN, &f), 0);
	assert_string_equal(f.module, "/bin/same");
	assert_true(f.offset == 0x1010);
	/* 810's file goes: a newer mapping over its range. */
	fake_maps(810, "00400000-00401000 r-xp 00000000 08:01 3 /bin/other\n"
		       "00500000-00501000 r-xp 00000000 08:01 4 /bin/z\n");
	assert_int_equal(symbolizer__note(sym, 810, &b, 1), 0);
	check_module(810, a, "/bin/other");
	assert_int_equal(symbolizer__resolve(sym, 811, a, SYM_IP_RETURN, &f), 0);
	assert_string_equal(f.module, "/bin/same");
	assert_true(f.offset == 0x1010);
	/* A third process mapping the first inode again gets a file of its own. */
	fake_maps(812, "00400000-00401000 r-xp 00002000 08:01 1 /bin/same\n");
	assert_int_equal(symbolizer__note(sym, 812, &a, 1), 0);
	assert_int_equal(symbolizer__resolve(sym, 812, a, SYM_IP_RETURN, &f), 0);
	assert_true(f.offset == 0x2010);
}

/* Frames whose pid, ip and kind mix to one key are still told apart. */
static void test_added_frames_with_one_key(void **state)
{
	const __u64 ip = 0x401000;
	const struct {
		__u32 pid;
		__u64 ip;
		enum sym_ip_kind kind;
		const char *function;
	} add[] = {
	    {1000, ip, SYM_IP_RETURN, "a"},
	    {1001, ip ^ 1 ^ (1ULL << 48), SYM_IP_RETURN, "b"},
	    {1000, ip ^ (1ULL << 47), SYM_IP_EXACT, "c"},
	};
	struct sw_frame in, out;
	size_t i;

	for (i = 0; i < 3; i++) {
		in = (struct sw_frame){.ip = add[i].ip, .function = add[i].function};
		assert_int_equal(symbolizer__add_frame(sym, add[i].pid, add[i].kind, &in), 0);
	}
	for (i = 0; i < 3; i++) {
		assert_int_equal(symbolizer__resolve(sym, add[i].pid, add[i].ip, add[i].kind, &out),
				 0);
		assert_string_equal(out.function, add[i].function);
	}
	/* The same pid and ip of another kind is not added. */
	assert_int_equal(symbolizer__resolve(sym, 1000, ip, SYM_IP_EXACT, &out), -ENOENT);
	/* Replacing one leaves the others. */
	in = (struct sw_frame){.ip = add[1].ip, .function = "b2"};
	assert_int_equal(symbolizer__add_frame(sym, add[1].pid, add[1].kind, &in), 0);
	assert_int_equal(symbolizer__resolve(sym, 1001, add[1].ip, SYM_IP_RETURN, &out), 0);
	assert_string_equal(out.function, "b2");
	assert_int_equal(symbolizer__resolve(sym, 1000, ip, SYM_IP_RETURN, &out), 0);
	assert_string_equal(out.function, "a");
	assert_int_equal(symbolizer__resolve(sym, 1000, add[2].ip, SYM_IP_EXACT, &out), 0);
	assert_string_equal(out.function, "c");
}

static void test_bad_arguments(void **state)
{
	struct sw_frame f;
	__u64 ip = 0x400000;

	assert_int_equal(symbolizer__resolve(sym, 1, ip, SYM_IP_RETURN, NULL), -EINVAL);
	assert_int_equal(symbolizer__note(sym, 1, NULL, 3), -EINVAL);
	assert_int_equal(symbolizer__note(sym, 1, &ip, -1), -EINVAL);
	assert_int_equal(symbolizer__note(sym, 1, NULL, 0), 0);
	assert_int_equal(symbolizer__add_frame(sym, 1, SYM_IP_RETURN, NULL), -EINVAL);
	assert_int_equal(symbolizer__add_mapping(sym, 1, NULL), -EINVAL);
	assert_int_equal(symbolizer__add_mapping(NULL, 1, &(struct sym_mapping){.path = "/x"}),
			 -EINVAL);
	assert_int_equal(symbolizer__add_mapping(
			     sym, 1, &(struct sym_mapping){.start = 2, .end = 1, .path = "/x"}),
			 -EINVAL);
	assert_int_equal(symbolizer__fork(NULL, 1, 2), 0);
	assert_int_equal(symbolizer__resolve(NULL, 1, ip, SYM_IP_RETURN, &f), -EINVAL);
	symbolizer__exit(NULL, 1);
	symbolizer__free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_nopie_resolves_while_alive_and_after_exit, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_pie_resolves_after_exit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_shared_library_frames, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stripped_gives_module_and_offset, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_debuglink_file_is_found, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_added_mapping_resolves_after_exit, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_added_mapping_of_a_gone_process, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_added_mapping_must_be_its_inode, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_added_mapping_through_the_process_root, setup_fake,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_gone_host_process_through_pid_1, setup_fake,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_gone_container_found_in_an_image_store, setup_fake,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_debug_file_by_build_id_in_the_process_root,
					    setup_fake, teardown),
	    cmocka_unit_test_setup_teardown(test_debug_file_by_debuglink_in_the_process_root,
					    setup_fake, teardown),
	    cmocka_unit_test_setup_teardown(test_debug_file_of_another_build_is_refused, setup_fake,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_forked_child_has_parents_mappings, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_exact_address_is_its_own_line, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_self, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unreadable_maps, setup_fake, teardown),
	    cmocka_unit_test_setup_teardown(test_odd_files_and_pseudo_maps, setup_fake, teardown),
	    cmocka_unit_test_setup_teardown(test_exited_processes_are_bounded, setup_fake,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_new_code_rereads_and_keeps_old_mappings,
					    setup_fake, teardown),
	    cmocka_unit_test_setup_teardown(test_late_stack_keeps_exited_map, setup_fake, teardown),
	    cmocka_unit_test_setup_teardown(test_missing_ip_is_not_reread, setup_fake, teardown),
	    cmocka_unit_test_setup_teardown(test_fork_then_exec, setup_fake, teardown),
	    cmocka_unit_test_setup_teardown(test_added_frames_win_and_are_copied, setup_fake,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_open_files_are_bounded, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_same_path_other_inode, setup_fake, teardown),
	    cmocka_unit_test_setup_teardown(test_added_frames_with_one_key, setup_fake, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_arguments, setup_fake, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
