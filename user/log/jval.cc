// SPDX-License-Identifier: GPL-2.0
/*
 * jval.cc - jval.h over simdjson's DOM and over json-c: the one C++ file
 * of shmwatch, so that the log reader can parse with simdjson and stay C.
 *
 * A simdjson value or iterator is two words (the document and a place on
 * its tape) and trivially copyable: it is kept in the C struct's words by
 * memcpy.  Only simdjson's error codes are used; nothing here throws.
 */
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include <json-c/json.h>
#include <simdjson.h>

#include "log/jval.h"

using namespace simdjson;

enum { LIB_SIMDJSON = 1, LIB_JSON_C };

struct jparser {
	dom::parser parser;
	char *buf = nullptr; /* the line with SIMDJSON_PADDING bytes after it */
	size_t cap = 0;
};

template <class T, size_t N> static void keep(uint64_t (&words)[N], const T &x)
{
	static_assert(sizeof(T) <= sizeof(words) && std::is_trivially_copyable<T>::value,
		      "a simdjson handle fits the words of its C struct");
	memcpy(words, &x, sizeof(x));
}

template <class T, size_t N> static T kept(const uint64_t (&words)[N])
{
	T x;

	memcpy(&x, words, sizeof(x));
	return x;
}

static dom::element elem(const struct jval *v)
{
	return kept<dom::element>(v->priv);
}

static struct json_object *jc(const struct jval *v)
{
	return (struct json_object *)(uintptr_t)v->priv[0];
}

static void set(struct jval *v, dom::element e)
{
	keep(v->priv, e);
	memset(v->hint, 0, sizeof(v->hint));
	v->keys = 0;
	v->lib = LIB_SIMDJSON;
}

extern "C" {

struct jparser *jparser__new(void)
{
	return new (std::nothrow) jparser;
}

void jparser__free(struct jparser *p)
{
	if (!p)
		return;
	free(p->buf);
	delete p;
}

int jparser__parse(struct jparser *p, const char *s, size_t len, struct jval *root)
{
	dom::element e;

	if (p->cap < len + SIMDJSON_PADDING) {
		char *b = (char *)realloc(p->buf, len + SIMDJSON_PADDING);

		if (!b)
			return -ENOMEM;
		p->buf = b;
		p->cap = len + SIMDJSON_PADDING;
	}
	memcpy(p->buf, s, len);
	memset(p->buf + len, 0, SIMDJSON_PADDING);
	switch (p->parser.parse(p->buf, len, false).get(e)) {
	case SUCCESS:
		set(root, e);
		return 0;
	case MEMALLOC:
		return -ENOMEM;
	default:
		return 1;
	}
}

void jval_from_json_c(struct jval *v, struct json_object *o)
{
	memset(v, 0, sizeof(*v));
	v->priv[0] = (uint64_t)(uintptr_t)o;
	v->lib = LIB_JSON_C;
}

enum jtype jval_type(const struct jval *v)
{
	if (v->lib == LIB_JSON_C) {
		switch (json_object_get_type(jc(v))) {
		case json_type_boolean: return JT_BOOL;
		case json_type_double: return JT_DOUBLE;
		case json_type_int: return JT_INT;
		case json_type_object: return JT_OBJECT;
		case json_type_array: return JT_ARRAY;
		case json_type_string: return JT_STRING;
		default: return JT_NULL;
		}
	}
	switch (elem(v).type()) {
	case dom::element_type::ARRAY: return JT_ARRAY;
	case dom::element_type::OBJECT: return JT_OBJECT;
	case dom::element_type::INT64:
	case dom::element_type::UINT64: return JT_INT;
	case dom::element_type::DOUBLE: return JT_DOUBLE;
	case dom::element_type::STRING: return JT_STRING;
	case dom::element_type::BOOL: return JT_BOOL;
	default: return JT_NULL;
	}
}

const char *jtype_name(enum jtype t)
{
	/* In the order of enum jtype. */
	static const char *const names[] = { "null",   "boolean", "double", "int",
					     "object", "array",   "string" };

	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "unknown";
}

/* A bit for a key, for the set of an object's keys in jval.keys: from its
 * length and its first and last bytes; bit 63 marks the set as made. */
static uint64_t key_bit(const char *key, size_t len)
{
	unsigned h = len ? (unsigned)len * 31 + (unsigned char)key[0] * 7 +
				   (unsigned char)key[len - 1] : 0;

	return 1ULL << (h % 63);
}

/*
 * Members are looked for from the one after the last found, around to it:
 * a record parser reading members in the order they were written finds
 * each at the first comparison.  An absent member (most optional ones)
 * is told at once by the set of the object's keys, made at the first
 * look-up, unless its bit is shared with a present one.
 */
bool jval_member(struct jval *v, const char *key, struct jval *out)
{
	dom::object::iterator begin, end, hint, i;
	std::string_view k(key);
	dom::object o;

	if (v->lib == LIB_JSON_C) {
		struct json_object *m;

		if (!json_object_is_type(jc(v), json_type_object) ||
		    !json_object_object_get_ex(jc(v), key, &m))
			return false;
		jval_from_json_c(out, m);
		return true;
	}
	if (elem(v).get(o))
		return false;
	begin = o.begin();
	end = o.end();
	if (!v->keys) {
		v->keys = 1ULL << 63;
		for (i = begin; i != end; ++i)
			v->keys |= key_bit(i.key_c_str(), i.key_length());
	}
	if (!(v->keys & key_bit(key, k.size())))
		return false;
	hint = v->hint[0] || v->hint[1] ? kept<dom::object::iterator>(v->hint) : begin;
	for (i = hint; i != end; ++i)
		if (i.key_equals(k))
			goto found;
	for (i = begin; i != hint; ++i)
		if (i.key_equals(k))
			goto found;
	return false;
found:
	set(out, i.value());
	keep(v->hint, ++i);
	return true;
}

int64_t jval_int64(const struct jval *v)
{
	dom::element e;
	int64_t s;
	uint64_t u;

	if (v->lib == LIB_JSON_C)
		return json_object_get_int64(jc(v));
	e = elem(v);
	if (!e.get(s))
		return s;
	return e.get(u) ? 0 : INT64_MAX; /* only a value above INT64_MAX is not an int64 */
}

uint64_t jval_uint64(const struct jval *v)
{
	dom::element e;
	int64_t s;
	uint64_t u;

	if (v->lib == LIB_JSON_C)
		return json_object_get_uint64(jc(v));
	e = elem(v);
	if (!e.get(u))
		return u;
	return e.get(s) || s < 0 ? 0 : (uint64_t)s;
}

bool jval_bool(const struct jval *v)
{
	bool b = false;

	if (v->lib == LIB_JSON_C)
		return json_object_get_boolean(jc(v));
	return !elem(v).get(b) && b;
}

const char *jval_str(const struct jval *v, size_t *len)
{
	std::string_view s;

	if (v->lib == LIB_JSON_C) {
		*len = (size_t)json_object_get_string_len(jc(v));
		return json_object_get_string(jc(v));
	}
	if (elem(v).get(s)) {
		*len = 0;
		return "";
	}
	*len = s.size();
	return s.data(); /* the DOM keeps a NUL after each string */
}

size_t jval_len(const struct jval *v)
{
	dom::array a;
	dom::object o;

	if (v->lib == LIB_JSON_C) {
		if (json_object_is_type(jc(v), json_type_array))
			return json_object_array_length(jc(v));
		if (json_object_is_type(jc(v), json_type_object))
			return (size_t)json_object_object_length(jc(v));
		return 0;
	}
	if (!elem(v).get(a))
		return a.size();
	if (!elem(v).get(o))
		return o.size();
	return 0;
}

/*
 * An iterator's words: simdjson's current and end iterators (two words
 * each); json-c's array, with the index, or its object iterator and end.
 * lib 0 is an empty walk.
 */
enum { WALK_ARRAY = 1 << 4 };

void jval_iter(const struct jval *v, struct jiter *it)
{
	dom::array a;
	dom::object o;

	memset(it, 0, sizeof(*it));
	if (v->lib == LIB_JSON_C) {
		struct json_object *x = jc(v);

		if (json_object_is_type(x, json_type_array)) {
			it->priv[0] = (uint64_t)(uintptr_t)x;
			it->lib = LIB_JSON_C | WALK_ARRAY;
		} else if (json_object_is_type(x, json_type_object)) {
			struct json_object_iterator b = json_object_iter_begin(x);
			struct json_object_iterator e = json_object_iter_end(x);

			memcpy(&it->priv[0], &b, sizeof(b));
			memcpy(&it->priv[2], &e, sizeof(e));
			it->lib = LIB_JSON_C;
		}
		return;
	}
	if (!elem(v).get(a)) {
		std::array<dom::array::iterator, 2> pair = { a.begin(), a.end() };

		keep(it->priv, pair);
		it->lib = LIB_SIMDJSON | WALK_ARRAY;
	} else if (!elem(v).get(o)) {
		std::array<dom::object::iterator, 2> pair = { o.begin(), o.end() };

		keep(it->priv, pair);
		it->lib = LIB_SIMDJSON;
	}
}

bool jiter_next(struct jiter *it, struct jval *out, const char **key)
{
	*key = NULL;
	switch (it->lib) {
	case LIB_JSON_C | WALK_ARRAY: {
		struct json_object *a = (struct json_object *)(uintptr_t)it->priv[0];

		if (it->priv[1] >= json_object_array_length(a))
			return false;
		jval_from_json_c(out, json_object_array_get_idx(a, it->priv[1]++));
		return true;
	}
	case LIB_JSON_C: {
		struct json_object_iterator i, e;

		memcpy(&i, &it->priv[0], sizeof(i));
		memcpy(&e, &it->priv[2], sizeof(e));
		if (json_object_iter_equal(&i, &e))
			return false;
		*key = json_object_iter_peek_name(&i);
		jval_from_json_c(out, json_object_iter_peek_value(&i));
		json_object_iter_next(&i);
		memcpy(&it->priv[0], &i, sizeof(i));
		return true;
	}
	case LIB_SIMDJSON | WALK_ARRAY: {
		auto pair = kept<std::array<dom::array::iterator, 2>>(it->priv);

		if (!(pair[0] != pair[1]))
			return false;
		set(out, *pair[0]);
		++pair[0];
		keep(it->priv, pair);
		return true;
	}
	case LIB_SIMDJSON: {
		auto pair = kept<std::array<dom::object::iterator, 2>>(it->priv);

		if (!(pair[0] != pair[1]))
			return false;
		*key = pair[0].key_c_str();
		set(out, pair[0].value());
		++pair[0];
		keep(it->priv, pair);
		return true;
	}
	}
	return false;
}

} /* extern "C" */
