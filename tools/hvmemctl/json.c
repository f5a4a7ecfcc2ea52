// SPDX-License-Identifier: GPL-2.0
/* A small streaming JSON writer: enough for hvmemctl's -j output. */
#include <math.h>
#include <stdio.h>

#include "hvmemctl.h"

#define JW_MAX_DEPTH 32

static bool jw_first[JW_MAX_DEPTH];
static char jw_kind[JW_MAX_DEPTH];	/* '}' or ']' of each open level */
static int jw_depth;
static bool jw_after_name;

static void jw_sep(void)
{
	if (jw_after_name) {
		jw_after_name = false;
		return;
	}
	if (jw_depth > 0) {
		if (!jw_first[jw_depth])
			putchar(',');
		jw_first[jw_depth] = false;
	}
}

static void jw_push(char c)
{
	jw_sep();
	putchar(c);
	if (jw_depth < JW_MAX_DEPTH - 1) {
		jw_first[++jw_depth] = true;
		jw_kind[jw_depth] = c == '{' ? '}' : ']';
	}
}

static void jw_pop(char c)
{
	if (jw_depth > 0)
		jw_depth--;
	putchar(c);
}

void jw_start_object(void) { jw_push('{'); }
void jw_end_object(void) { jw_pop('}'); }
void jw_start_array(void) { jw_push('['); }
void jw_end_array(void) { jw_pop(']'); }

static void jw_quoted(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"': fputs("\\\"", stdout); break;
		case '\\': fputs("\\\\", stdout); break;
		case '\n': fputs("\\n", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		default:
			if (c < 0x20)
				printf("\\u%04x", c);
			else
				putchar(c);
		}
	}
	putchar('"');
}

void jw_name(const char *name)
{
	jw_sep();
	jw_quoted(name);
	putchar(':');
	jw_after_name = true;
}

void jw_string(const char *s) { jw_sep(); jw_quoted(s); }
void jw_uint(uint64_t v) { jw_sep(); printf("%llu", (unsigned long long)v); }
void jw_int(int64_t v) { jw_sep(); printf("%lld", (long long)v); }
void jw_bool(bool v) { jw_sep(); fputs(v ? "true" : "false", stdout); }
void jw_null(void) { jw_sep(); fputs("null", stdout); }

void jw_double(double v)
{
	jw_sep();
	if (isfinite(v))
		printf("%.6g", v);
	else
		fputs("null", stdout);
}

void jw_end_document(void)
{
	putchar('\n');
	fflush(stdout);
}

void jw_error(const char *msg, int err)
{
	if (jw_after_name)
		jw_null();
	if (jw_depth > 0 && jw_kind[jw_depth] == ']')
		jw_start_object();	/* an array of results gets an error element */
	if (!jw_depth)
		jw_start_object();
	jw_kv_string("error", msg);
	if (err)
		jw_kv_int("errno", err);
	while (jw_depth > 0)
		jw_pop(jw_kind[jw_depth]);
	jw_end_document();
}
