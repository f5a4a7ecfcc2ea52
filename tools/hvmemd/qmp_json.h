/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvmemd: a small, bounded JSON reader for QMP messages, a line framer for
 * the QMP stream (partial reads, overlong lines), the classification of a
 * QMP message (greeting, reply, error, event) and the decoding of
 * virtio-balloon guest statistics. Pure: no I/O.
 */
#ifndef HVMEMD_QMP_JSON_H
#define HVMEMD_QMP_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH		32
#define JSON_MAX_NODES		16384
/* Longest QMP line accepted; longer ones are discarded as malformed. */
#define QMP_LINE_MAX		(256 * 1024)

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ };

/**
 * struct json_node - one value of a parsed document
 * @type: JSON_*
 * @child: first element/member (index), -1 if none
 * @next: next sibling (index), -1 if none
 * @key: member name (object members), else NULL
 * @str: decoded string (JSON_STR), NUL-terminated (may hold NULs before)
 * @num: value (JSON_NUM)
 * @u64: exact value when @is_u64 (a non-negative integer that fits)
 * @is_u64: see @u64
 * @b: value (JSON_BOOL)
 */
struct json_node {
	enum json_type type;
	int child, next;
	const char *key;
	const char *str;
	double num;
	uint64_t u64;
	bool is_u64;
	bool b;
};

struct json_doc {
	struct json_node *nodes;
	int count, cap;
	char *pool;
	size_t pool_len, pool_cap;
};

/*
 * Parse exactly one JSON value (surrounding whitespace allowed) from @s.
 * 0, or -EINVAL (malformed, trailing data), -E2BIG (too deep or too many
 * values), -ENOMEM. The document is freed by json_free() in every case.
 */
int json_parse(struct json_doc *d, const char *s, size_t len);
void json_free(struct json_doc *d);
const struct json_node *json_root(const struct json_doc *d);
/* Member @key of object @obj, or NULL. */
const struct json_node *json_get(const struct json_doc *d, const struct json_node *obj,
				 const char *key);
/* First element of array @arr / the one after @n, or NULL. */
const struct json_node *json_first(const struct json_doc *d, const struct json_node *arr);
const struct json_node *json_next(const struct json_doc *d, const struct json_node *n);
/* @n as a string / exact unsigned integer; NULL / false if it is not one. */
const char *json_str(const struct json_node *n);
bool json_u64(const struct json_node *n, uint64_t *v);

/*
 * Write @s as a JSON string literal (with quotes) into @dst; false if it
 * does not fit in @len.
 */
bool json_quote(char *dst, size_t len, const char *s);

/**
 * struct qmp_framer - splits a byte stream into lines
 * @buf: bytes of the current line
 * @len: bytes in @buf
 * @cap: size of @buf
 * @discard: the current line was too long: drop up to its newline
 */
struct qmp_framer {
	char *buf;
	size_t len, cap;
	bool discard;
};

/*
 * Feed @n bytes. @line is called for each complete line (without "\r\n";
 * blank lines skipped), and with (NULL, 0) once per line longer than
 * QMP_LINE_MAX. Returns 0 or -ENOMEM. A nonzero return of @line stops the
 * feed and is returned.
 */
int qmp_framer_feed(struct qmp_framer *f, const char *data, size_t n,
		    int (*line)(void *arg, const char *s, size_t len), void *arg);
void qmp_framer_reset(struct qmp_framer *f);

enum qmp_kind { QMP_GREETING, QMP_RETURN, QMP_ERROR, QMP_EVENT };

/**
 * struct qmp_msg - what a QMP message is
 * @kind: QMP_*
 * @id: the "id" of a reply when it is an unsigned integer, else -1
 * @ret: the "return" value (QMP_RETURN)
 * @err_class: "class" of an error (QMP_ERROR), or ""
 * @err_desc: "desc" of an error (QMP_ERROR), or ""
 * @event: the event name (QMP_EVENT)
 * @data: the event's "data", or NULL
 */
struct qmp_msg {
	enum qmp_kind kind;
	int64_t id;
	const struct json_node *ret;
	const char *err_class, *err_desc;
	const char *event;
	const struct json_node *data;
};

/* Classify the parsed message; 0, or -EINVAL if it is no QMP message. */
int qmp_classify(const struct json_doc *d, struct qmp_msg *m);

/* virtio-balloon guest statistics (qom-get guest-stats), in bytes/counts. */
enum {
	GS_SWAP_IN, GS_SWAP_OUT, GS_MAJOR_FAULTS, GS_MINOR_FAULTS, GS_FREE,
	GS_TOTAL, GS_AVAILABLE, GS_CACHES, GS_NR
};

/**
 * struct qmp_gstats - decoded guest-stats
 * @v: values by GS_*
 * @have: bit GS_x set when v[GS_x] was reported (QEMU reports -1, i.e.
 *	2^64 - 1, for a statistic the guest has not sent)
 * @last_update: guest time of the last update (0: never)
 */
struct qmp_gstats {
	uint64_t v[GS_NR];
	unsigned int have;
	uint64_t last_update;
};

extern const char *const qmp_gstat_names[GS_NR];

/* Decode the "return" of qom-get guest-stats; 0 or -EINVAL. */
int qmp_gstats_decode(const struct json_doc *d, const struct json_node *ret,
		      struct qmp_gstats *gs);

#endif /* HVMEMD_QMP_JSON_H */
