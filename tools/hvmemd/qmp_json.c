// SPDX-License-Identifier: GPL-2.0
/*
 * hvmemd: bounded JSON reader, QMP line framer, QMP message classification,
 * guest-stats decoding. Pure: no I/O. Every input is untrusted: depth,
 * value count and line length are bounded, and any malformed input gives
 * -EINVAL, never a crash.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "qmp_json.h"

struct parser {
	struct json_doc *d;
	const char *s, *end;
	int depth;
};

static void skip_ws(struct parser *p)
{
	while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r'))
		p->s++;
}

static int new_node(struct parser *p, enum json_type type)
{
	struct json_doc *d = p->d;

	if (d->count >= JSON_MAX_NODES)
		return -E2BIG;
	if (d->count == d->cap) {
		int cap = d->cap ? d->cap * 2 : 32;
		struct json_node *n = realloc(d->nodes, (size_t)cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		d->nodes = n;
		d->cap = cap;
	}
	memset(&d->nodes[d->count], 0, sizeof(d->nodes[0]));
	d->nodes[d->count].type = type;
	d->nodes[d->count].child = -1;
	d->nodes[d->count].next = -1;
	return d->count++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int hex4(const char *s, const char *end, unsigned int *v)
{
	int i;

	if (end - s < 4)
		return -EINVAL;
	*v = 0;
	for (i = 0; i < 4; i++) {
		int h = hexval(s[i]);

		if (h < 0)
			return -EINVAL;
		*v = *v << 4 | (unsigned int)h;
	}
	return 0;
}

static void put_utf8(char **o, unsigned int cp)
{
	char *q = *o;

	if (cp < 0x80) {
		*q++ = (char)cp;
	} else if (cp < 0x800) {
		*q++ = (char)(0xc0 | cp >> 6);
		*q++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*q++ = (char)(0xe0 | cp >> 12);
		*q++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*q++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*q++ = (char)(0xf0 | cp >> 18);
		*q++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*q++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*q++ = (char)(0x80 | (cp & 0x3f));
	}
	*o = q;
}

/*
 * A string at p->s (at its opening quote), decoded into the pool. The pool
 * holds the whole input plus one byte: a decoded string plus its NUL is
 * never longer than its literal.
 */
static int parse_string(struct parser *p, const char **out)
{
	char *o = p->d->pool + p->d->pool_len, *start = o;

	p->s++;
	for (;;) {
		unsigned char c;

		if (p->s >= p->end)
			return -EINVAL;
		c = (unsigned char)*p->s++;
		if (c == '"')
			break;
		if (c < 0x20)
			return -EINVAL;
		if (c != '\\') {
			*o++ = (char)c;
			continue;
		}
		if (p->s >= p->end)
			return -EINVAL;
		c = (unsigned char)*p->s++;
		switch (c) {
		case '"':
		case '\\':
		case '/':
			*o++ = (char)c;
			break;
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'u': {
			unsigned int cp, lo;

			if (hex4(p->s, p->end, &cp))
				return -EINVAL;
			p->s += 4;
			if (cp >= 0xd800 && cp < 0xdc00) {
				if (p->end - p->s < 6 || p->s[0] != '\\' || p->s[1] != 'u' ||
				    hex4(p->s + 2, p->end, &lo) || lo < 0xdc00 || lo > 0xdfff)
					return -EINVAL;
				p->s += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				return -EINVAL;
			}
			put_utf8(&o, cp);
			break;
		}
		default:
			return -EINVAL;
		}
	}
	*o++ = '\0';
	p->d->pool_len += (size_t)(o - start);
	*out = start;
	return 0;
}

static int parse_number(struct parser *p, struct json_node *n)
{
	const char *s = p->s, *e = p->end, *digits;
	char buf[64];
	uint64_t u = 0;
	bool neg = false, frac = false, overflow = false;

	if (s < e && *s == '-') {
		neg = true;
		s++;
	}
	digits = s;
	if (s >= e || *s < '0' || *s > '9')
		return -EINVAL;
	if (*s == '0') {
		s++;
	} else {
		while (s < e && *s >= '0' && *s <= '9') {
			unsigned int dgt = (unsigned int)(*s - '0');

			if (u > (UINT64_MAX - dgt) / 10)
				overflow = true;
			else
				u = u * 10 + dgt;
			s++;
		}
	}
	if (s < e && *s == '.') {
		frac = true;
		s++;
		if (s >= e || *s < '0' || *s > '9')
			return -EINVAL;
		while (s < e && *s >= '0' && *s <= '9')
			s++;
	}
	if (s < e && (*s == 'e' || *s == 'E')) {
		frac = true;
		s++;
		if (s < e && (*s == '+' || *s == '-'))
			s++;
		if (s >= e || *s < '0' || *s > '9')
			return -EINVAL;
		while (s < e && *s >= '0' && *s <= '9')
			s++;
	}
	if ((size_t)(s - p->s) >= sizeof(buf))
		return -EINVAL;	/* no QMP number is that long */
	memcpy(buf, p->s, (size_t)(s - p->s));
	buf[s - p->s] = '\0';
	n->num = strtod(buf, NULL);
	n->is_u64 = !neg && !frac && !overflow && s > digits;
	n->u64 = n->is_u64 ? u : 0;
	p->s = s;
	return 0;
}

static int parse_value(struct parser *p, int *idx);

static int parse_container(struct parser *p, int idx, bool obj)
{
	char close = obj ? '}' : ']';
	int prev = -1, ret;

	if (++p->depth > JSON_MAX_DEPTH)
		return -E2BIG;
	p->s++;
	skip_ws(p);
	if (p->s < p->end && *p->s == close) {
		p->s++;
		p->depth--;
		return 0;
	}
	for (;;) {
		const char *key = NULL;
		int child;

		skip_ws(p);
		if (obj) {
			if (p->s >= p->end || *p->s != '"')
				return -EINVAL;
			ret = parse_string(p, &key);
			if (ret)
				return ret;
			skip_ws(p);
			if (p->s >= p->end || *p->s != ':')
				return -EINVAL;
			p->s++;
		}
		ret = parse_value(p, &child);
		if (ret)
			return ret;
		p->d->nodes[child].key = key;
		if (prev < 0)
			p->d->nodes[idx].child = child;
		else
			p->d->nodes[prev].next = child;
		prev = child;
		skip_ws(p);
		if (p->s >= p->end)
			return -EINVAL;
		if (*p->s == ',') {
			p->s++;
			continue;
		}
		if (*p->s != close)
			return -EINVAL;
		p->s++;
		p->depth--;
		return 0;
	}
}

static int literal(struct parser *p, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(p->end - p->s) < n || memcmp(p->s, word, n))
		return -EINVAL;
	p->s += n;
	return 0;
}

static int parse_value(struct parser *p, int *idx)
{
	int ret, i;

	skip_ws(p);
	if (p->s >= p->end)
		return -EINVAL;
	switch (*p->s) {
	case '{':
	case '[':
		i = new_node(p, *p->s == '{' ? JSON_OBJ : JSON_ARR);
		if (i < 0)
			return i;
		*idx = i;
		return parse_container(p, i, *p->s == '{');
	case '"': {
		const char *s;

		i = new_node(p, JSON_STR);
		if (i < 0)
			return i;
		ret = parse_string(p, &s);
		if (ret)
			return ret;
		p->d->nodes[i].str = s;
		*idx = i;
		return 0;
	}
	case 't':
	case 'f':
		i = new_node(p, JSON_BOOL);
		if (i < 0)
			return i;
		p->d->nodes[i].b = *p->s == 't';
		*idx = i;
		return literal(p, *p->s == 't' ? "true" : "false");
	case 'n':
		i = new_node(p, JSON_NULL);
		if (i < 0)
			return i;
		*idx = i;
		return literal(p, "null");
	default:
		i = new_node(p, JSON_NUM);
		if (i < 0)
			return i;
		*idx = i;
		return parse_number(p, &p->d->nodes[i]);
	}
}

int json_parse(struct json_doc *d, const char *s, size_t len)
{
	struct parser p = { .d = d, .s = s, .end = s + len };
	int ret, root;

	memset(d, 0, sizeof(*d));
	if (len > QMP_LINE_MAX)
		return -E2BIG;
	d->pool_cap = len + 1;
	d->pool = malloc(d->pool_cap);
	if (!d->pool)
		return -ENOMEM;
	ret = parse_value(&p, &root);
	if (ret)
		return ret;
	skip_ws(&p);
	return p.s == p.end ? 0 : -EINVAL;
}

void json_free(struct json_doc *d)
{
	free(d->nodes);
	free(d->pool);
	memset(d, 0, sizeof(*d));
}

const struct json_node *json_root(const struct json_doc *d)
{
	return d->count ? &d->nodes[0] : NULL;
}

const struct json_node *json_get(const struct json_doc *d, const struct json_node *obj,
				 const char *key)
{
	int i;

	if (!obj || obj->type != JSON_OBJ)
		return NULL;
	for (i = obj->child; i >= 0; i = d->nodes[i].next)
		if (d->nodes[i].key && !strcmp(d->nodes[i].key, key))
			return &d->nodes[i];
	return NULL;
}

const struct json_node *json_first(const struct json_doc *d, const struct json_node *arr)
{
	if (!arr || (arr->type != JSON_ARR && arr->type != JSON_OBJ) || arr->child < 0)
		return NULL;
	return &d->nodes[arr->child];
}

const struct json_node *json_next(const struct json_doc *d, const struct json_node *n)
{
	return n && n->next >= 0 ? &d->nodes[n->next] : NULL;
}

const char *json_str(const struct json_node *n)
{
	return n && n->type == JSON_STR ? n->str : NULL;
}

bool json_u64(const struct json_node *n, uint64_t *v)
{
	if (!n || n->type != JSON_NUM || !n->is_u64)
		return false;
	*v = n->u64;
	return true;
}

bool json_quote(char *dst, size_t len, const char *s)
{
	size_t o = 0;

	if (len < 3)
		return false;
	dst[o++] = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];
		size_t n;

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			n = 2;
		} else if (c < 0x20) {
			static const char hex[] = "0123456789abcdef";

			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		} else {
			esc[0] = (char)c;
			n = 1;
		}
		if (o + n + 2 > len)
			return false;
		memcpy(dst + o, esc, n);
		o += n;
	}
	dst[o++] = '"';
	dst[o] = '\0';
	return true;
}

void qmp_framer_reset(struct qmp_framer *f)
{
	free(f->buf);
	memset(f, 0, sizeof(*f));
}

static int framer_append(struct qmp_framer *f, const char *s, size_t n)
{
	if (f->len + n > f->cap) {
		size_t cap = f->cap ? f->cap : 4096;
		char *b;

		while (cap < f->len + n)
			cap *= 2;
		b = realloc(f->buf, cap);
		if (!b)
			return -ENOMEM;
		f->buf = b;
		f->cap = cap;
	}
	memcpy(f->buf + f->len, s, n);
	f->len += n;
	return 0;
}

int qmp_framer_feed(struct qmp_framer *f, const char *data, size_t n,
		    int (*line)(void *arg, const char *s, size_t len), void *arg)
{
	while (n) {
		const char *nl = memchr(data, '\n', n);
		size_t take = nl ? (size_t)(nl - data) : n;
		int ret = 0;

		if (!f->discard) {
			if (f->len + take > QMP_LINE_MAX) {
				f->discard = true;
				f->len = 0;
				ret = line(arg, NULL, 0);
			} else {
				ret = framer_append(f, data, take);
			}
			if (ret)
				return ret;
		}
		if (!nl)
			return 0;
		data += take + 1;
		n -= take + 1;
		if (!f->discard) {
			size_t len = f->len;

			while (len && (f->buf[len - 1] == '\r' || f->buf[len - 1] == ' ' ||
				       f->buf[len - 1] == '\t'))
				len--;
			f->len = 0;
			if (len) {
				ret = line(arg, f->buf, len);
				if (ret)
					return ret;
			}
		}
		f->discard = false;
		f->len = 0;
	}
	return 0;
}

int qmp_classify(const struct json_doc *d, struct qmp_msg *m)
{
	const struct json_node *root = json_root(d), *n, *id;
	uint64_t v;

	memset(m, 0, sizeof(*m));
	m->id = -1;
	m->err_class = m->err_desc = "";
	if (!root || root->type != JSON_OBJ)
		return -EINVAL;
	id = json_get(d, root, "id");
	if (json_u64(id, &v) && v <= INT64_MAX)
		m->id = (int64_t)v;
	n = json_get(d, root, "QMP");
	if (n && n->type == JSON_OBJ) {
		m->kind = QMP_GREETING;
		return 0;
	}
	n = json_get(d, root, "return");
	if (n) {
		m->kind = QMP_RETURN;
		m->ret = n;
		return 0;
	}
	n = json_get(d, root, "error");
	if (n) {
		if (n->type != JSON_OBJ)
			return -EINVAL;
		m->kind = QMP_ERROR;
		if (json_str(json_get(d, n, "class")))
			m->err_class = json_str(json_get(d, n, "class"));
		if (json_str(json_get(d, n, "desc")))
			m->err_desc = json_str(json_get(d, n, "desc"));
		return 0;
	}
	m->event = json_str(json_get(d, root, "event"));
	if (m->event) {
		m->kind = QMP_EVENT;
		m->data = json_get(d, root, "data");
		return 0;
	}
	return -EINVAL;
}

const char *const qmp_gstat_names[GS_NR] = {
	[GS_SWAP_IN] = "stat-swap-in",
	[GS_SWAP_OUT] = "stat-swap-out",
	[GS_MAJOR_FAULTS] = "stat-major-faults",
	[GS_MINOR_FAULTS] = "stat-minor-faults",
	[GS_FREE] = "stat-free-memory",
	[GS_TOTAL] = "stat-total-memory",
	[GS_AVAILABLE] = "stat-available-memory",
	[GS_CACHES] = "stat-disk-caches",
};

int qmp_gstats_decode(const struct json_doc *d, const struct json_node *ret,
		      struct qmp_gstats *gs)
{
	const struct json_node *stats;
	int i;

	memset(gs, 0, sizeof(*gs));
	if (!ret || ret->type != JSON_OBJ)
		return -EINVAL;
	stats = json_get(d, ret, "stats");
	if (!stats || stats->type != JSON_OBJ)
		return -EINVAL;
	if (!json_u64(json_get(d, ret, "last-update"), &gs->last_update))
		gs->last_update = 0;
	for (i = 0; i < GS_NR; i++) {
		uint64_t v;

		/* -1 (as 2^64 - 1, or negative) means "not reported" */
		if (json_u64(json_get(d, stats, qmp_gstat_names[i]), &v) && v != UINT64_MAX) {
			gs->v[i] = v;
			gs->have |= 1u << i;
		}
	}
	return 0;
}
