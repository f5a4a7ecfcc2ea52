// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of hvmemd's QMP reader (tools/hvmemd/qmp_json.c): valid
 * QMP traffic, a table of malformed inputs, bounds (depth, size, overlong
 * lines), partial reads through the framer, and random garbage/mutations.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../qmp_json.h"
#include "kselftest_harness.h"

static int parse(const char *s, struct json_doc *d)
{
	return json_parse(d, s, strlen(s));
}

TEST(qmp_messages)
{
	struct json_doc d;
	struct qmp_msg m;
	uint64_t v = 0;

	ASSERT_EQ(0, parse("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}}, \"capabilities\": [\"oob\"]}}", &d));
	ASSERT_EQ(0, qmp_classify(&d, &m));
	EXPECT_EQ(QMP_GREETING, m.kind);
	json_free(&d);

	ASSERT_EQ(0, parse("{\"return\": {\"actual\": 1073741824}, \"id\": 42}", &d));
	ASSERT_EQ(0, qmp_classify(&d, &m));
	EXPECT_EQ(QMP_RETURN, m.kind);
	EXPECT_EQ(42, m.id);
	EXPECT_TRUE(json_u64(json_get(&d, m.ret, "actual"), &v));
	EXPECT_EQ(1073741824ULL, v);
	json_free(&d);

	ASSERT_EQ(0, parse("{\"id\": 7, \"error\": {\"class\": \"GenericError\", \"desc\": \"No balloon device has been activated\"}}", &d));
	ASSERT_EQ(0, qmp_classify(&d, &m));
	EXPECT_EQ(QMP_ERROR, m.kind);
	EXPECT_EQ(7, m.id);
	EXPECT_STREQ("GenericError", m.err_class);
	json_free(&d);

	ASSERT_EQ(0, parse("{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"BALLOON_CHANGE\", \"data\": {\"actual\": 5}}", &d));
	ASSERT_EQ(0, qmp_classify(&d, &m));
	EXPECT_EQ(QMP_EVENT, m.kind);
	EXPECT_STREQ("BALLOON_CHANGE", m.event);
	EXPECT_EQ(-1, m.id);
	json_free(&d);

	/* an empty return, a string id (not ours), a non-object */
	ASSERT_EQ(0, parse("{\"return\": {}, \"id\": \"x\"}", &d));
	ASSERT_EQ(0, qmp_classify(&d, &m));
	EXPECT_EQ(-1, m.id);
	json_free(&d);
	ASSERT_EQ(0, parse("[1, 2]", &d));
	EXPECT_EQ(-EINVAL, qmp_classify(&d, &m));
	json_free(&d);
	ASSERT_EQ(0, parse("{\"foo\": 1}", &d));
	EXPECT_EQ(-EINVAL, qmp_classify(&d, &m));
	json_free(&d);
	ASSERT_EQ(0, parse("{\"error\": 5}", &d));
	EXPECT_EQ(-EINVAL, qmp_classify(&d, &m));
	json_free(&d);
}

static const char *const malformed[] = {
	"", " ", "{", "}", "[", "]", "{\"a\"}", "{\"a\":}", "{\"a\" 1}", "{a:1}", "[1,]",
	"{\"a\":1,}", "[1 2]", "nul", "tru", "falsey", "\"abc", "\"\\x\"", "\"\\u12\"",
	"\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"a\nb\"", "01", "1.", "-",
	"1e", "1e+", ".5", "+1", "{} x", "{}{}", "{\"return\": {}} garbage", "\x01",
	"{\"a\":[1,{\"b\":}]}", "NaN", "Infinity", "--1",
	"11111111111111111111111111111111111111111111111111111111111111111111111111",
};

TEST(malformed_table)
{
	unsigned int i;

	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		struct json_doc d;
		int ret = parse(malformed[i], &d);

		EXPECT_TRUE(ret == -EINVAL || ret == -E2BIG) TH_LOG("input %u: '%s' gave %d",
								      i, malformed[i], ret);
		json_free(&d);
	}
}

TEST(values)
{
	struct json_doc d;
	const struct json_node *r, *e;
	uint64_t v;
	int n = 0;

	ASSERT_EQ(0, parse(" {\"s\": \"\\u00e9\\ud83d\\ude00\\\"\\\\\\/\\b\\f\\n\\r\\t\", "
			   "\"max\": 18446744073709551615, \"over\": 18446744073709551616, "
			   "\"neg\": -1, \"f\": 1.5e3, \"z\": 0, \"a\": [true, false, null, [], {}],"
			   "\"nul\": \"a\\u0000b\"} ", &d));
	r = json_root(&d);
	EXPECT_STREQ("\xc3\xa9\xf0\x9f\x98\x80\"\\/\b\f\n\r\t", json_str(json_get(&d, r, "s")));
	EXPECT_TRUE(json_u64(json_get(&d, r, "max"), &v));
	EXPECT_EQ(UINT64_MAX, v);
	EXPECT_FALSE(json_u64(json_get(&d, r, "over"), &v));
	EXPECT_FALSE(json_u64(json_get(&d, r, "neg"), &v));
	EXPECT_FALSE(json_u64(json_get(&d, r, "f"), &v));
	EXPECT_EQ(1500, (int)json_get(&d, r, "f")->num);
	EXPECT_TRUE(json_u64(json_get(&d, r, "z"), &v));
	EXPECT_EQ(0, v);
	EXPECT_EQ(NULL, json_get(&d, r, "missing"));
	EXPECT_EQ(NULL, json_str(json_get(&d, r, "max")));
	EXPECT_STREQ("a", json_str(json_get(&d, r, "nul")));
	for (e = json_first(&d, json_get(&d, r, "a")); e; e = json_next(&d, e))
		n++;
	EXPECT_EQ(5, n);
	json_free(&d);
}

TEST(bounds)
{
	enum { DEEP = 10000 };
	char *s = malloc(QMP_LINE_MAX + 2);
	struct json_doc d;
	int i;

	ASSERT_NE(NULL, s);
	for (i = 0; i < DEEP; i++)
		s[i] = '[';
	s[DEEP] = '\0';
	EXPECT_EQ(-E2BIG, parse(s, &d));
	json_free(&d);
	/* JSON_MAX_DEPTH levels are fine */
	for (i = 0; i < JSON_MAX_DEPTH; i++) {
		s[i] = '[';
		s[2 * JSON_MAX_DEPTH - 1 - i] = ']';
	}
	s[2 * JSON_MAX_DEPTH] = '\0';
	EXPECT_EQ(0, parse(s, &d));
	json_free(&d);
	/* too many values */
	s[0] = '[';
	for (i = 0; i < JSON_MAX_NODES + 10; i++) {
		s[1 + 2 * i] = '0';
		s[2 + 2 * i] = ',';
	}
	s[2 * i] = ']';
	s[2 * i + 1] = '\0';
	EXPECT_EQ(-E2BIG, parse(s, &d));
	json_free(&d);
	/* too long */
	memset(s, ' ', QMP_LINE_MAX + 1);
	s[0] = '1';
	EXPECT_EQ(-E2BIG, json_parse(&d, s, QMP_LINE_MAX + 1));
	json_free(&d);
	free(s);
}

struct lines {
	int n, overflows;
	char last[256];
};

static int on_line(void *arg, const char *s, size_t len)
{
	struct lines *l = arg;

	if (!s) {
		l->overflows++;
		return 0;
	}
	l->n++;
	if (len >= sizeof(l->last))
		len = sizeof(l->last) - 1;
	memcpy(l->last, s, len);
	l->last[len] = '\0';
	return 0;
}

/* A QMP session byte by byte: greeting, event between replies, CRLF. */
TEST(framer_partial_reads)
{
	static const char stream[] =
		"{\"QMP\": {\"version\": {}, \"capabilities\": []}}\r\n"
		"{\"return\": {}, \"id\": 1}\r\n"
		"{\"event\": \"BALLOON_CHANGE\", \"data\": {\"actual\": 1}}\r\n"
		"\r\n"
		"{\"return\": {\"actual\": 2}, \"id\": 2}\r\n";
	struct qmp_framer f = { };
	struct lines l = { };
	size_t i;

	for (i = 0; i < sizeof(stream) - 1; i++)
		ASSERT_EQ(0, qmp_framer_feed(&f, stream + i, 1, on_line, &l));
	EXPECT_EQ(4, l.n);
	EXPECT_STREQ("{\"return\": {\"actual\": 2}, \"id\": 2}", l.last);
	EXPECT_EQ(0, f.len);
	/* a partial line stays buffered */
	ASSERT_EQ(0, qmp_framer_feed(&f, "{\"ret", 5, on_line, &l));
	EXPECT_EQ(4, l.n);
	ASSERT_EQ(0, qmp_framer_feed(&f, "urn\": {}}\n", 10, on_line, &l));
	EXPECT_EQ(5, l.n);
	EXPECT_STREQ("{\"return\": {}}", l.last);
	qmp_framer_reset(&f);
}

TEST(framer_overlong_line)
{
	struct qmp_framer f = { };
	struct lines l = { };
	char *junk = malloc(65536);
	int i;

	ASSERT_NE(NULL, junk);
	memset(junk, 'x', 65536);
	/* 5 x 64 KiB without a newline: one overflow, then discarded */
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, qmp_framer_feed(&f, junk, 65536, on_line, &l));
	EXPECT_EQ(1, l.overflows);
	EXPECT_EQ(0, l.n);
	EXPECT_LE(f.cap, QMP_LINE_MAX * 2);
	/* the next line is read again */
	ASSERT_EQ(0, qmp_framer_feed(&f, "tail\n{\"return\": {}}\n", 20, on_line, &l));
	EXPECT_EQ(1, l.n);
	EXPECT_STREQ("{\"return\": {}}", l.last);
	EXPECT_EQ(1, l.overflows);
	qmp_framer_reset(&f);
	free(junk);
}

TEST(guest_stats)
{
	struct json_doc d;
	struct qmp_gstats gs;

	ASSERT_EQ(0, parse("{\"stats\": {\"stat-swap-out\": 0, \"stat-available-memory\": 1048576000, "
			   "\"stat-free-memory\": 524288000, \"stat-minor-faults\": 18446744073709551615, "
			   "\"stat-major-faults\": 12, \"stat-total-memory\": 2147483648, "
			   "\"stat-swap-in\": 3, \"stat-disk-caches\": 100, \"stat-htlb-pgalloc\": 0}, "
			   "\"last-update\": 1700000000}", &d));
	ASSERT_EQ(0, qmp_gstats_decode(&d, json_root(&d), &gs));
	EXPECT_EQ(1700000000ULL, gs.last_update);
	EXPECT_EQ(2147483648ULL, gs.v[GS_TOTAL]);
	EXPECT_EQ(1048576000ULL, gs.v[GS_AVAILABLE]);
	EXPECT_EQ(3, gs.v[GS_SWAP_IN]);
	EXPECT_TRUE(gs.have & (1u << GS_TOTAL));
	EXPECT_FALSE(gs.have & (1u << GS_MINOR_FAULTS));
	json_free(&d);
	ASSERT_EQ(0, parse("{\"stats\": [], \"last-update\": 0}", &d));
	EXPECT_EQ(-EINVAL, qmp_gstats_decode(&d, json_root(&d), &gs));
	json_free(&d);
	ASSERT_EQ(0, parse("{\"stats\": {\"stat-total-memory\": \"big\"}}", &d));
	ASSERT_EQ(0, qmp_gstats_decode(&d, json_root(&d), &gs));
	EXPECT_EQ(0, gs.have);
	json_free(&d);
}

TEST(quote_roundtrip)
{
	const char *in = "/machine/peripheral-anon/device[1] \"q\" \\ \x01\t";
	char buf[128], small[8];
	struct json_doc d;

	ASSERT_TRUE(json_quote(buf, sizeof(buf), in));
	ASSERT_EQ(0, parse(buf, &d));
	EXPECT_STREQ(in, json_str(json_root(&d)));
	json_free(&d);
	EXPECT_FALSE(json_quote(small, sizeof(small), in));
}

static uint64_t rs = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

/* Garbage and mutations of valid messages: never a crash, a leak or a hang. */
TEST(fuzz)
{
	static const char *const seeds[] = {
		"{\"return\": {\"stats\": {\"stat-total-memory\": 2147483648}, \"last-update\": 5}, \"id\": 3}",
		"{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0}}, \"capabilities\": []}}",
		"{\"event\": \"X\", \"data\": {\"a\": [1, 2.5, -3e2, \"\\u00e9\", null, true]}}",
	};
	static const char alphabet[] = "{}[]\":,\\ u0123456789eE+-.tfnrl\"abcd\x01\xff";
	char buf[512];
	int i, ok = 0;

	for (i = 0; i < 200000; i++) {
		struct json_doc d;
		struct qmp_msg m;
		size_t len, j;

		if (i & 1) {
			const char *s = seeds[rnd() % 3];

			len = strlen(s);
			memcpy(buf, s, len);
			for (j = 0; j < 1 + rnd() % 4; j++) {
				size_t at = rnd() % len;

				switch (rnd() % 3) {
				case 0: buf[at] = alphabet[rnd() % (sizeof(alphabet) - 1)]; break;
				case 1: len = at; break;	/* truncate */
				default: buf[at] = (char)rnd(); break;
				}
				if (!len)
					break;
			}
		} else {
			len = rnd() % 64;
			for (j = 0; j < len; j++)
				buf[j] = alphabet[rnd() % (sizeof(alphabet) - 1)];
		}
		if (json_parse(&d, buf, len) == 0) {
			ok++;
			qmp_classify(&d, &m);
		}
		json_free(&d);
	}
	TH_LOG("%d of 200000 fuzzed inputs parsed", ok);
}

TEST_HARNESS_MAIN
