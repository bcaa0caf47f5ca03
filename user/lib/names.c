// SPDX-License-Identifier: GPL-2.0
/*
 * names.c - the name tables behind names.h.  Values are spelled out here
 * rather than taken from system headers so that decoding a log does not
 * depend on the headers of the machine that reads it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kabi.h"
#include "lib/digits.h"
#include "lib/names.h"

#define ARGS(...) .nargs = sizeof((struct sw_arg_desc[]){ __VA_ARGS__ }) / \
			   sizeof(struct sw_arg_desc), .args = { __VA_ARGS__ }

const struct sw_call_desc sw_calls[SW_CALL_MAX] = {
	[SW_CALL_NONE] = { .name = "none" },
	[SW_SHMGET] = { .name = "shmget",
			ARGS({ "key", SW_ARG_KEY }, { "size", SW_ARG_SIZE },
			     { "shmflg", SW_ARG_SHMGET_FLAGS }) },
	[SW_SHMAT] = { .name = "shmat", .ret_addr = true,
		       ARGS({ "shmid", SW_ARG_INT }, { "shmaddr", SW_ARG_ADDR },
			    { "shmflg", SW_ARG_SHMAT_FLAGS }) },
	[SW_SHMDT] = { .name = "shmdt", ARGS({ "shmaddr", SW_ARG_ADDR }) },
	[SW_SHMCTL] = { .name = "shmctl",
			ARGS({ "shmid", SW_ARG_INT }, { "cmd", SW_ARG_SHMCTL_CMD },
			     { "buf", SW_ARG_ADDR }) },
	[SW_MMAP] = { .name = "mmap", .ret_addr = true,
		      ARGS({ "addr", SW_ARG_ADDR }, { "length", SW_ARG_SIZE },
			   { "prot", SW_ARG_PROT }, { "flags", SW_ARG_MMAP_FLAGS },
			   { "fd", SW_ARG_FD }, { "offset", SW_ARG_ULONG }) },
	[SW_MUNMAP] = { .name = "munmap",
			ARGS({ "addr", SW_ARG_ADDR }, { "length", SW_ARG_SIZE }) },
	[SW_MREMAP] = { .name = "mremap", .ret_addr = true,
			ARGS({ "old_address", SW_ARG_ADDR }, { "old_size", SW_ARG_SIZE },
			     { "new_size", SW_ARG_SIZE }, { "flags", SW_ARG_MREMAP_FLAGS },
			     { "new_address", SW_ARG_ADDR }) },
	[SW_MEMFD_CREATE] = { .name = "memfd_create",
			      ARGS({ "name", SW_ARG_STR }, { "flags", SW_ARG_MEMFD_FLAGS }) },
	[SW_UNLINK] = { .name = "unlink", ARGS({ "path", SW_ARG_STR }) },
	[SW_UNLINKAT] = { .name = "unlinkat",
			  ARGS({ "dfd", SW_ARG_FD }, { "path", SW_ARG_STR },
			       { "flags", SW_ARG_AT_FLAGS }) },
	[SW_FTRUNCATE] = { .name = "ftruncate",
			   ARGS({ "fd", SW_ARG_FD }, { "length", SW_ARG_SIZE }) },
	[SW_FALLOCATE] = { .name = "fallocate",
			   ARGS({ "fd", SW_ARG_FD }, { "mode", SW_ARG_FALLOC_MODE },
				{ "offset", SW_ARG_SIZE }, { "len", SW_ARG_SIZE }) },
	[SW_MADVISE] = { .name = "madvise",
			 ARGS({ "addr", SW_ARG_ADDR }, { "length", SW_ARG_SIZE },
			      { "advice", SW_ARG_MADV_ADVICE }) },
	[SW_WRITE] = { .name = "write",
		       ARGS({ "fd", SW_ARG_FD }, { "buf", SW_ARG_ADDR }, { "count", SW_ARG_SIZE }) },
	[SW_PWRITE64] = { .name = "pwrite64",
			  ARGS({ "fd", SW_ARG_FD }, { "buf", SW_ARG_ADDR },
			       { "count", SW_ARG_SIZE }, { "pos", SW_ARG_SIZE }) },
	[SW_OPENAT] = { .name = "openat",
			ARGS({ "dfd", SW_ARG_FD }, { "path", SW_ARG_STR },
			     { "flags", SW_ARG_OPEN_FLAGS }) },
};

bool sw_call_has_object(__u32 call)
{
	return call == SW_MEMFD_CREATE || call == SW_FTRUNCATE || call == SW_FALLOCATE ||
	       call == SW_UNLINK || call == SW_UNLINKAT || call == SW_WRITE ||
	       call == SW_PWRITE64 || call == SW_OPENAT;
}

const char *sw_argv_next(const struct sw_exec_info *x, __u32 *pos, size_t *len)
{
	__u32 end = x->argv_len < SW_ARGV_LEN ? x->argv_len : SW_ARGV_LEN;
	const char *arg = x->argv + *pos;

	if (*pos >= end)
		return NULL;
	*len = strnlen(arg, end - *pos);
	*pos += (__u32)*len + 1;
	return arg;
}

const char *sw_call_name(__u32 call)
{
	return call < SW_CALL_MAX ? sw_calls[call].name : "unknown";
}

__u32 sw_call_by_name(const char *name)
{
	for (__u32 i = 1; i < SW_CALL_MAX; i++)
		if (!strcmp(sw_calls[i].name, name))
			return i;
	return SW_CALL_NONE;
}

static const char *const kind_names[SW_EV_KIND_MAX] = {
	[SW_EV_CALL] = "call", [SW_EV_FORK] = "fork", [SW_EV_EXEC] = "exec",
	[SW_EV_EXIT] = "exit", [SW_EV_SIGNAL] = "signal",
};

const char *sw_event_name(const struct sw_event *e)
{
	if (e->kind == SW_EV_CALL)
		return sw_call_name(e->call);
	return e->kind < SW_EV_KIND_MAX && kind_names[e->kind] ? kind_names[e->kind] : "unknown";
}

__u32 sw_kind_by_name(const char *name)
{
	for (__u32 i = SW_EV_FORK; i < SW_EV_KIND_MAX; i++)
		if (!strcmp(kind_names[i], name))
			return i;
	return 0;
}

static const char *const backing_names[SW_BK_MAX] = {
	[SW_BK_NONE] = "none",
	[SW_BK_ANON_PRIVATE] = "anon_private",
	[SW_BK_ANON_SHARED] = "anon_shared",
	[SW_BK_SYSV] = "sysv",
	[SW_BK_MEMFD] = "memfd",
	[SW_BK_SHMEM_FILE] = "shmem_file",
	[SW_BK_HUGETLB] = "hugetlb",
	[SW_BK_FILE_SHARED] = "file_shared",
	[SW_BK_FILE_PRIVATE] = "file_private",
};

const char *sw_backing_name(__u32 backing)
{
	return backing < SW_BK_MAX ? backing_names[backing] : "unknown";
}

__u32 sw_backing_by_name(const char *name)
{
	for (__u32 i = 0; i < SW_BK_MAX; i++)
		if (!strcmp(backing_names[i], name))
			return i;
	return SW_BK_NONE;
}

struct bit_name {
	__u64 bits;
	const char *name;
};

static const struct bit_name shmget_bits[] = {
	{ 01000, "IPC_CREAT" }, { 02000, "IPC_EXCL" },
	{ 04000, "SHM_HUGETLB" }, { 010000, "SHM_NORESERVE" }, { 0 },
};
static const struct bit_name shmat_bits[] = {
	{ 010000, "SHM_RDONLY" }, { 020000, "SHM_RND" },
	{ 040000, "SHM_REMAP" }, { 0100000, "SHM_EXEC" }, { 0 },
};
static const struct bit_name prot_bits[] = {
	{ 0x1, "PROT_READ" }, { 0x2, "PROT_WRITE" }, { 0x4, "PROT_EXEC" },
	{ 0x8, "PROT_SEM" }, { 0x01000000, "PROT_GROWSDOWN" },
	{ 0x02000000, "PROT_GROWSUP" }, { 0 },
};
/* The mapping type (low nibble) is matched as a value first. */
static const struct bit_name map_types[] = {
	{ 0x01, "MAP_SHARED" }, { 0x02, "MAP_PRIVATE" },
	{ 0x03, "MAP_SHARED_VALIDATE" }, { 0 },
};
static const struct bit_name map_bits[] = {
	{ 0x10, "MAP_FIXED" }, { 0x20, "MAP_ANONYMOUS" }, { 0x40, "MAP_32BIT" },
	{ 0x100, "MAP_GROWSDOWN" }, { 0x800, "MAP_DENYWRITE" },
	{ 0x1000, "MAP_EXECUTABLE" }, { 0x2000, "MAP_LOCKED" },
	{ 0x4000, "MAP_NORESERVE" }, { 0x8000, "MAP_POPULATE" },
	{ 0x10000, "MAP_NONBLOCK" }, { 0x20000, "MAP_STACK" },
	{ 0x40000, "MAP_HUGETLB" }, { 0x80000, "MAP_SYNC" },
	{ 0x100000, "MAP_FIXED_NOREPLACE" }, { 0x4000000, "MAP_UNINITIALIZED" },
	{ 0 },
};
static const struct bit_name mremap_bits[] = {
	{ 1, "MREMAP_MAYMOVE" }, { 2, "MREMAP_FIXED" }, { 4, "MREMAP_DONTUNMAP" }, { 0 },
};
static const struct bit_name memfd_bits[] = {
	{ 0x1, "MFD_CLOEXEC" }, { 0x2, "MFD_ALLOW_SEALING" }, { 0x4, "MFD_HUGETLB" },
	{ 0x8, "MFD_NOEXEC_SEAL" }, { 0x10, "MFD_EXEC" }, { 0 },
};
static const struct bit_name at_bits[] = {
	{ 0x200, "AT_REMOVEDIR" }, { 0 },
};
/* x86-64's values (asm-generic/fcntl.h). */
static const struct bit_name open_modes[] = {
	{ 0, "O_RDONLY" }, { 1, "O_WRONLY" }, { 2, "O_RDWR" }, { 0, NULL },
};
static const struct bit_name open_bits[] = {
	{ 0100, "O_CREAT" }, { 0200, "O_EXCL" }, { 0400, "O_NOCTTY" },
	{ 01000, "O_TRUNC" }, { 02000, "O_APPEND" }, { 04000, "O_NONBLOCK" },
	{ 04010000, "O_SYNC" }, { 010000, "O_DSYNC" }, { 040000, "O_DIRECT" },
	{ 0100000, "O_LARGEFILE" }, { 0200000, "O_DIRECTORY" }, { 0400000, "O_NOFOLLOW" },
	{ 01000000, "O_NOATIME" }, { 02000000, "O_CLOEXEC" }, { 010000000, "O_PATH" },
	{ 0 },
};
static const struct bit_name falloc_bits[] = {
	{ 0x01, "FALLOC_FL_KEEP_SIZE" }, { 0x02, "FALLOC_FL_PUNCH_HOLE" },
	{ 0x08, "FALLOC_FL_COLLAPSE_RANGE" }, { 0x10, "FALLOC_FL_ZERO_RANGE" },
	{ 0x20, "FALLOC_FL_INSERT_RANGE" }, { 0x40, "FALLOC_FL_UNSHARE_RANGE" }, { 0 },
};
static const struct bit_name shmctl_cmds[] = {
	{ 0, "IPC_RMID" }, { 1, "IPC_SET" }, { 2, "IPC_STAT" }, { 3, "IPC_INFO" },
	{ 11, "SHM_LOCK" }, { 12, "SHM_UNLOCK" }, { 13, "SHM_STAT" },
	{ 14, "SHM_INFO" }, { 15, "SHM_STAT_ANY" }, { 0, NULL },
};
static const struct bit_name madvise_advice[] = {
	{ SW_MADV_DONTFORK, "MADV_DONTFORK" }, { SW_MADV_DOFORK, "MADV_DOFORK" }, { 0, NULL },
};

bool sw_arg_is_flags(enum sw_arg_type type)
{
	return type >= SW_ARG_SHMGET_FLAGS;
}

static const char *value_name(const struct bit_name *t, __u64 v)
{
	for (; t->name; t++)
		if (t->bits == v)
			return t->name;
	return NULL;
}

/* Emit the names of the bits of *value found in t, clearing them. */
static int emit_bits(const struct bit_name *t, __u64 *value,
		     void (*fn)(void *, const char *), void *ctx)
{
	int n = 0;

	for (; t->bits; t++) {
		if ((*value & t->bits) == t->bits) {
			fn(ctx, t->name);
			*value &= ~t->bits;
			n++;
		}
	}
	return n;
}

static int emit_rest(__u64 rest, const char *fmt, void (*fn)(void *, const char *), void *ctx)
{
	char buf[32];

	if (!rest)
		return 0;
	snprintf(buf, sizeof(buf), fmt, rest);
	fn(ctx, buf);
	return 1;
}

int sw_flag_names(enum sw_arg_type type, __u64 value,
		  void (*fn)(void *ctx, const char *name), void *ctx)
{
	const char *name;
	int n = 0;

	switch (type) {
	case SW_ARG_SHMGET_FLAGS: {
		/* Permission bits are shown as one octal mode, like chmod. */
		__u64 mode = value & 0777;

		value &= ~(__u64)0777;
		n = emit_bits(shmget_bits, &value, fn, ctx);
		n += emit_rest(mode, "0%03" PRIo64, fn, ctx);
		break;
	}
	case SW_ARG_SHMAT_FLAGS:
		n = emit_bits(shmat_bits, &value, fn, ctx);
		break;
	case SW_ARG_PROT:
		if (!value) {
			fn(ctx, "PROT_NONE");
			return 1;
		}
		n = emit_bits(prot_bits, &value, fn, ctx);
		break;
	case SW_ARG_MMAP_FLAGS:
		name = value_name(map_types, value & 0x0f);
		if (name) {
			fn(ctx, name);
			value &= ~(__u64)0x0f;
			n = 1;
		}
		n += emit_bits(map_bits, &value, fn, ctx);
		break;
	case SW_ARG_MREMAP_FLAGS:
		n = emit_bits(mremap_bits, &value, fn, ctx);
		break;
	case SW_ARG_MEMFD_FLAGS:
		n = emit_bits(memfd_bits, &value, fn, ctx);
		break;
	case SW_ARG_AT_FLAGS:
		n = emit_bits(at_bits, &value, fn, ctx);
		break;
	case SW_ARG_FALLOC_MODE:
		n = emit_bits(falloc_bits, &value, fn, ctx);
		break;
	case SW_ARG_SHMCTL_CMD:
		name = value_name(shmctl_cmds, value & ~(__u64)K_IPC_64);
		if (name) {
			fn(ctx, name);
			value &= K_IPC_64;
			n = 1;
		}
		if (value & K_IPC_64) {
			fn(ctx, "IPC_64");
			value &= ~(__u64)K_IPC_64;
			n++;
		}
		return n + emit_rest(value, "%" PRIu64, fn, ctx);
	case SW_ARG_OPEN_FLAGS:
		/* The access mode is a number in the low two bits (3 has no
		 * name and is left in the rest). */
		name = value_name(open_modes, value & 3);
		if (name) {
			fn(ctx, name);
			value &= ~(__u64)3;
			n = 1;
		}
		n += emit_bits(open_bits, &value, fn, ctx);
		break;
	case SW_ARG_MADV_ADVICE:
		name = value_name(madvise_advice, value);
		if (name) {
			fn(ctx, name);
			return 1;
		}
		break;
	default:
		return 0;
	}
	n += emit_rest(value, "0x%" PRIx64, fn, ctx);
	if (!n) {
		fn(ctx, "0");
		n = 1;
	}
	return n;
}

/* What snprintf(buf, len, "%s", s) keeps of the n bytes at s. */
static void copy_cut(char *buf, size_t len, const char *s, size_t n)
{
	if (!len)
		return;
	if (n > len - 1)
		n = len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

struct join_ctx {
	char *buf;
	size_t len;
	size_t used;
};

/* Appends "|NAME" (the first without "|"), as far as it fits. */
static void join_name(void *ctx, const char *name)
{
	struct join_ctx *j = ctx;
	size_t n = strlen(name);

	if (j->used >= j->len)
		return;
	if (j->used) {
		if (j->used + 1 >= j->len) {
			j->used = j->len;
			return;
		}
		j->buf[j->used++] = '|';
	}
	copy_cut(j->buf + j->used, j->len - j->used, name, n);
	j->used += n;
}

size_t sw_format_flags(char *buf, size_t len, enum sw_arg_type type, __u64 value)
{
	struct join_ctx j = { buf, len, 0 };

	if (len)
		buf[0] = '\0';
	sw_flag_names(type, value, join_name, &j);
	return j.used < len ? j.used : len ? len - 1 : 0;
}

const char *sw_errno_name(int err)
{
	static __thread char buf[16];
	const char *name = strerrorname_np(err);

	if (name)
		return name;
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

int sw_errno_by_name(const char *name)
{
	if (name[0] == 'E' && name[1] >= '0' && name[1] <= '9')
		return atoi(name + 1);
	for (int i = 1; i < 4096; i++) {
		const char *n = strerrorname_np(i);

		if (n && !strcmp(n, name))
			return i;
	}
	return 0;
}

const char *sw_signal_name(int signo)
{
	static __thread char buf[16];
	const char *abbrev = sigabbrev_np(signo);

	if (abbrev)
		snprintf(buf, sizeof(buf), "SIG%s", abbrev);
	else
		snprintf(buf, sizeof(buf), "SIG%d", signo);
	return buf;
}

const char *sw_sigcode_name(int signo, int code)
{
	static const char *const segv[] = { NULL, "SEGV_MAPERR", "SEGV_ACCERR", "SEGV_BNDERR",
					    "SEGV_PKUERR", "SEGV_ACCADI", "SEGV_ADIDERR",
					    "SEGV_ADIPERR", "SEGV_MTEAERR", "SEGV_MTESERR",
					    "SEGV_CPERR" };
	static const char *const bus[] = { NULL, "BUS_ADRALN", "BUS_ADRERR", "BUS_OBJERR",
					   "BUS_MCEERR_AR", "BUS_MCEERR_AO" };

	if (code == 0)
		return "SI_USER";
	if (code == 0x80)
		return "SI_KERNEL";
	if (code == -6)
		return "SI_TKILL";
	if (code == -1)
		return "SI_QUEUE";
	if (signo == 11 && code > 0 && code < (int)(sizeof(segv) / sizeof(segv[0])))
		return segv[code];
	if (signo == 7 && code > 0 && code < (int)(sizeof(bus) / sizeof(bus[0])))
		return bus[code];
	return NULL;
}

size_t text_escape(char *buf, size_t len, const char *s, size_t max)
{
	size_t at = 0;

	if (!len)
		return 0;
	for (size_t i = 0; s && i < max && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		char one[4];
		size_t n;

		if (c == '\\' || c == '"') {
			one[0] = '\\';
			one[1] = (char)c;
			n = 2;
		} else if (c >= 0x20 && c < 0x7f) {
			one[0] = (char)c;
			n = 1;
		} else { /* "\x1b" */
			one[0] = '\\';
			one[1] = 'x';
			one[2] = "0123456789abcdef"[c >> 4];
			one[3] = "0123456789abcdef"[c & 15];
			n = 4;
		}
		if (at + n >= len)
			break;
		memcpy(buf + at, one, n);
		at += n;
	}
	buf[at] = '\0';
	return at;
}

/*
 * "17 B", "4.0 KiB", "133 MiB": below 10 units one decimal.  What printf's
 * "%.1f" and "%.0f" would write of bytes / 1024^u, computed in integers:
 * that quotient is exact in a double below 2^53 bytes, and printf rounds
 * an exact value to nearest, ties to even; so does this.  Beyond 2^53 the
 * double's own rounding comes first, and printf does it all.
 */
void human_size(char *buf, size_t len, __u64 bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	char tmp[DIGITS_MAX + 8], *tail = tmp + DIGITS_MAX + 2, *d = tail;
	unsigned int u = 0, s;
	__u64 q, r, half;
	bool tenths;

	if (bytes >= 1ULL << 53) {
		double v = (double)bytes;

		while (v >= 1024 && u < 6) {
			v /= 1024;
			u++;
		}
		snprintf(buf, len, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
		return;
	}
	while (u < 6 && bytes >> (10 * (u + 1)))
		u++;
	s = 10 * u;
	tenths = u && bytes < 10ULL << s;
	q = tenths ? bytes * 10 : bytes;
	r = s ? q & ((1ULL << s) - 1) : 0;
	q >>= s;
	half = s ? 1ULL << (s - 1) : 1;
	if (r > half || (r == half && (q & 1)))
		q++;
	if (tenths) {
		*--d = (char)('0' + q % 10);
		*--d = '.';
		q /= 10;
	}
	d = digits_u64(d, q);
	*tail++ = ' ';
	memcpy(tail, units[u], strlen(units[u]));
	tail += strlen(units[u]);
	copy_cut(buf, len, d, tail - d);
}

int parse_size(const char *s, __u64 *out)
{
	char *end;
	double v;
	__u64 mult = 1;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': mult = 1ULL << 10; end++; break;
	case 'm': case 'M': mult = 1ULL << 20; end++; break;
	case 'g': case 'G': mult = 1ULL << 30; end++; break;
	case 't': case 'T': mult = 1ULL << 40; end++; break;
	case '\0': break;
	default: return -EINVAL;
	}
	if (mult > 1 && (!strcmp(end, "iB") || !strcmp(end, "B")))
		end += strlen(end);
	if (*end == 'B' && mult == 1)
		end++;
	if (*end)
		return -EINVAL;
	if (v * (double)mult >= 18446744073709551615.0)
		return -EINVAL;
	*out = (__u64)(v * (double)mult);
	return 0;
}
