/* SPDX-License-Identifier: GPL-2.0 */
/*
 * digits.h - numbers as text without printf.  Writing a record's line,
 * in JSON or in the text view, was mostly printf's work on its numbers
 * (times, addresses, sizes); these write the digits backwards into the
 * end of a caller's buffer, two at a time, and return where they start.
 */
#ifndef SW_LIB_DIGITS_H
#define SW_LIB_DIGITS_H

#include <linux/types.h>
#include <string.h>

#define DIGITS_MAX 20 /* of a __u64, in decimal; 16 in hex */

static inline char *digits_u64(char *end, __u64 v)
{
	static const char pairs[] = "0001020304050607080910111213141516171819"
				    "2021222324252627282930313233343536373839"
				    "4041424344454647484950515253545556575859"
				    "6061626364656667686970717273747576777879"
				    "8081828384858687888990919293949596979899";

	while (v >= 100) {
		end -= 2;
		memcpy(end, pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10) {
		end -= 2;
		memcpy(end, pairs + 2 * v, 2);
	} else {
		*--end = (char)('0' + v);
	}
	return end;
}

/* Lower-case hex digits, no prefix. */
static inline char *digits_hex(char *end, __u64 v)
{
	do {
		*--end = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	return end;
}

/* Exactly width decimal digits of v (v < 10^width), leading zeros kept. */
static inline char *digits_fixed(char *end, __u64 v, int width)
{
	while (width--) {
		*--end = (char)('0' + v % 10);
		v /= 10;
	}
	return end;
}

#endif
