// SPDX-License-Identifier: GPL-2.0
/*
 * test_names.c - decoding that people read: flags, commands, errno,
 * signals, sizes, and the call table the JSON writer and reader share.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "lib/names.h"

static const char *flags(enum sw_arg_type t, __u64 v)
{
	static char buf[256];

	sw_format_flags(buf, sizeof(buf), t, v);
	return buf;
}

static void test_shmget_flags(void **state)
{
	assert_string_equal(flags(SW_ARG_SHMGET_FLAGS, 01000 | 02000 | 0600),
			    "IPC_CREAT|IPC_EXCL|0600");
	assert_string_equal(flags(SW_ARG_SHMGET_FLAGS, 01000 | 04000 | 0644),
			    "IPC_CREAT|SHM_HUGETLB|0644");
	assert_string_equal(flags(SW_ARG_SHMGET_FLAGS, 0), "0");
	assert_string_equal(flags(SW_ARG_SHMGET_FLAGS, 0400000 | 0600), "0600|0x20000");
}

static void test_shmat_flags(void **state)
{
	assert_string_equal(flags(SW_ARG_SHMAT_FLAGS, 010000), "SHM_RDONLY");
	assert_string_equal(flags(SW_ARG_SHMAT_FLAGS, 020000 | 040000), "SHM_RND|SHM_REMAP");
	assert_string_equal(flags(SW_ARG_SHMAT_FLAGS, 0), "0");
}

static void test_mmap_flags_and_prot(void **state)
{
	assert_string_equal(flags(SW_ARG_MMAP_FLAGS, 0x01 | 0x20), "MAP_SHARED|MAP_ANONYMOUS");
	assert_string_equal(flags(SW_ARG_MMAP_FLAGS, 0x03), "MAP_SHARED_VALIDATE");
	assert_string_equal(flags(SW_ARG_MMAP_FLAGS, 0x02 | 0x10 | 0x40000),
			    "MAP_PRIVATE|MAP_FIXED|MAP_HUGETLB");
	assert_string_equal(flags(SW_ARG_PROT, 0x1 | 0x2), "PROT_READ|PROT_WRITE");
	assert_string_equal(flags(SW_ARG_PROT, 0), "PROT_NONE");
	assert_string_equal(flags(SW_ARG_MREMAP_FLAGS, 1), "MREMAP_MAYMOVE");
	assert_string_equal(flags(SW_ARG_MEMFD_FLAGS, 1 | 2), "MFD_CLOEXEC|MFD_ALLOW_SEALING");
}

static void test_shmctl_commands(void **state)
{
	assert_string_equal(flags(SW_ARG_SHMCTL_CMD, 0), "IPC_RMID");
	assert_string_equal(flags(SW_ARG_SHMCTL_CMD, 2), "IPC_STAT");
	assert_string_equal(flags(SW_ARG_SHMCTL_CMD, 2 | 0x100), "IPC_STAT|IPC_64");
	assert_string_equal(flags(SW_ARG_SHMCTL_CMD, 11), "SHM_LOCK");
	assert_string_equal(flags(SW_ARG_SHMCTL_CMD, 99), "99");
}

/* Only the advice that decides what fork copies is recorded. */
static void test_madvise_advice(void **state)
{
	assert_string_equal(flags(SW_ARG_MADV_ADVICE, SW_MADV_DONTFORK), "MADV_DONTFORK");
	assert_string_equal(flags(SW_ARG_MADV_ADVICE, SW_MADV_DOFORK), "MADV_DOFORK");
	assert_string_equal(flags(SW_ARG_MADV_ADVICE, 4), "0x4");
	assert_int_equal(sw_call_by_name("madvise"), SW_MADVISE);
}

/* The file calls of shm objects. */
static void test_file_call_flags(void **state)
{
	assert_string_equal(flags(SW_ARG_AT_FLAGS, 0x200), "AT_REMOVEDIR");
	assert_string_equal(flags(SW_ARG_AT_FLAGS, 0), "0");
	assert_string_equal(flags(SW_ARG_FALLOC_MODE, 0x3), "FALLOC_FL_KEEP_SIZE|FALLOC_FL_PUNCH_HOLE");
	assert_true(sw_call_has_object(SW_UNLINK));
	assert_true(sw_call_has_object(SW_MEMFD_CREATE));
	assert_false(sw_call_has_object(SW_SHMAT));
	assert_false(sw_call_has_object(SW_MMAP));
	assert_int_equal(sw_call_by_name("fallocate"), SW_FALLOCATE);
}

static void test_flags_truncate_safely(void **state)
{
	char small[8];

	sw_format_flags(small, sizeof(small), SW_ARG_MMAP_FLAGS, 0x01 | 0x20);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, "MAP_SHA", 7);
}

static void test_errno_names(void **state)
{
	assert_string_equal(sw_errno_name(ENOMEM), "ENOMEM");
	assert_string_equal(sw_errno_name(EINVAL), "EINVAL");
	assert_string_equal(sw_errno_name(EIDRM), "EIDRM");
	assert_string_equal(sw_errno_name(4000), "E4000");
	assert_int_equal(sw_errno_by_name("ENOMEM"), ENOMEM);
	assert_int_equal(sw_errno_by_name("E4000"), 4000);
	assert_int_equal(sw_errno_by_name("ENOTANERRNO"), 0);
	assert_true(sw_ret_is_err(-ENOMEM));
	assert_false(sw_ret_is_err(0x7f0000000000));
	assert_false(sw_ret_is_err(-4096));
}

static void test_signals(void **state)
{
	assert_string_equal(sw_signal_name(11), "SIGSEGV");
	assert_string_equal(sw_signal_name(7), "SIGBUS");
	assert_string_equal(sw_sigcode_name(11, 1), "SEGV_MAPERR");
	assert_string_equal(sw_sigcode_name(7, 2), "BUS_ADRERR");
	assert_string_equal(sw_sigcode_name(11, 0), "SI_USER");
	assert_null(sw_sigcode_name(7, 99));
}

static void test_human_sizes(void **state)
{
	char buf[32];

	human_size(buf, sizeof(buf), 17);
	assert_string_equal(buf, "17 B");
	human_size(buf, sizeof(buf), 4096);
	assert_string_equal(buf, "4.0 KiB");
	human_size(buf, sizeof(buf), 3 << 20);
	assert_string_equal(buf, "3.0 MiB");
	human_size(buf, sizeof(buf), 133ULL << 20);
	assert_string_equal(buf, "133 MiB");
	human_size(buf, sizeof(buf), 1ULL << 46);
	assert_string_equal(buf, "64 TiB");
}

/* What human_size wrote with printf alone, the reference it must match. */
static void printf_size(char *buf, size_t len, __u64 bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)bytes;
	int u = 0;

	if (bytes < 1024) {
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
		return;
	}
	while (v >= 1024 && u < 6) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
}

static void check_size(__u64 bytes)
{
	char got[32], want[32];

	human_size(got, sizeof(got), bytes);
	printf_size(want, sizeof(want), bytes);
	if (strcmp(got, want))
		fail_msg("human_size(%llu) = \"%s\", printf says \"%s\"", (unsigned long long)bytes,
			 got, want);
}

/* Rounding as printf's: ties to even (1.25 KiB -> "1.2", 1.35 -> "1.4"),
 * carries into a new digit (9.96 KiB -> "10.0 KiB", 1023.5 -> "1024"),
 * every unit's edges, and a sweep. */
static void test_human_size_is_printfs(void **state)
{
	__u64 x = 88172645463325252ULL;

	for (int u = 1; u <= 6; u++) {
		__u64 unit = 1ULL << (10 * u);

		for (__u64 k = 0; k < 4096; k++) {
			check_size(unit - 1 + k);
			check_size(10 * unit - 2048 + k);
			check_size(1024 * unit - 2048 + k);
		}
		for (__u64 tenth = 0; tenth < 100; tenth++) {
			check_size(unit + unit * tenth / 10 + unit / 20); /* ties */
			check_size(unit + unit * tenth / 10 + unit / 20 - 1);
			check_size(unit + unit * tenth / 10 + unit / 20 + 1);
		}
	}
	check_size(1280);
	check_size(1382);
	check_size(10199);
	check_size(1048064);
	check_size(1ULL << 53);
	check_size((1ULL << 53) - 1);
	check_size(~0ULL);
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		check_size(x >> (x % 64));
	}
}

/* Every byte as the text view shows it: printable ASCII as itself, a
 * backslash and a quote escaped, the rest as \xHH; and a buffer too small
 * for the next escape ends the text before it. */
static void test_text_escape_bytes(void **state)
{
	char in[2] = "", got[8], want[8];

	for (int c = 1; c < 256; c++) {
		in[0] = (char)c;
		text_escape(got, sizeof(got), in, 1);
		if (c == '\\' || c == '"')
			snprintf(want, sizeof(want), "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			snprintf(want, sizeof(want), "%c", c);
		else
			snprintf(want, sizeof(want), "\\x%02x", c);
		assert_string_equal(got, want);
	}
	assert_int_equal(text_escape(got, 6, "ab\033c", 8), 2);
	assert_string_equal(got, "ab");
	assert_int_equal(text_escape(got, 7, "ab\033c", 8), 6);
	assert_string_equal(got, "ab\\x1b");
}

/* The joined flag names, and where a small buffer cuts them. */
static void test_format_flags_cut(void **state)
{
	__u64 v = 0x1 | 0x2; /* PROT_READ|PROT_WRITE */
	char buf[64];

	assert_int_equal(sw_format_flags(buf, sizeof(buf), SW_ARG_PROT, v), 20);
	assert_string_equal(buf, "PROT_READ|PROT_WRITE");
	assert_int_equal(sw_format_flags(buf, 12, SW_ARG_PROT, v), 11);
	assert_string_equal(buf, "PROT_READ|P");
	assert_int_equal(sw_format_flags(buf, 10, SW_ARG_PROT, v), 9);
	assert_string_equal(buf, "PROT_READ");
	assert_int_equal(sw_format_flags(buf, 11, SW_ARG_PROT, v), 10);
	assert_string_equal(buf, "PROT_READ|");
}

static void test_parse_sizes(void **state)
{
	__u64 v;

	assert_int_equal(parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(parse_size("256M", &v), 0);
	assert_int_equal(v, 256ULL << 20);
	assert_int_equal(parse_size("1GiB", &v), 0);
	assert_int_equal(v, 1ULL << 30);
	assert_int_equal(parse_size("1.5k", &v), 0);
	assert_int_equal(v, 1536);
	assert_int_equal(parse_size("lots", &v), -EINVAL);
	assert_int_equal(parse_size("-1", &v), -EINVAL);
	assert_int_equal(parse_size("12Q", &v), -EINVAL);
	assert_int_equal(parse_size("", &v), -EINVAL);
	assert_int_equal(parse_size("99999999999T", &v), -EINVAL);
}

static void test_call_table(void **state)
{
	for (__u32 c = 1; c < SW_CALL_MAX; c++) {
		assert_int_equal(sw_call_by_name(sw_call_name(c)), c);
		assert_true(sw_calls[c].nargs > 0 && sw_calls[c].nargs <= 6);
	}
	assert_int_equal(sw_call_by_name("open"), SW_CALL_NONE);
	assert_int_equal(sw_calls[SW_MMAP].nargs, 6);
	assert_string_equal(sw_calls[SW_MREMAP].args[4].name, "new_address");
	for (__u32 b = 0; b < SW_BK_MAX; b++)
		assert_int_equal(sw_backing_by_name(sw_backing_name(b)), b);
	assert_int_equal(sw_kind_by_name("fork"), SW_EV_FORK);
	assert_int_equal(sw_kind_by_name("shmget"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shmget_flags),
		cmocka_unit_test(test_shmat_flags),
		cmocka_unit_test(test_mmap_flags_and_prot),
		cmocka_unit_test(test_shmctl_commands),
		cmocka_unit_test(test_madvise_advice),
		cmocka_unit_test(test_file_call_flags),
		cmocka_unit_test(test_flags_truncate_safely),
		cmocka_unit_test(test_errno_names),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_human_sizes),
		cmocka_unit_test(test_human_size_is_printfs),
		cmocka_unit_test(test_format_flags_cut),
		cmocka_unit_test(test_text_escape_bytes),
		cmocka_unit_test(test_parse_sizes),
		cmocka_unit_test(test_call_table),
	};

	return cmocka_run_group_tests_name("names", tests, NULL, NULL);
}
