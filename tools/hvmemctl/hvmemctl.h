/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvmemctl: shared declarations. One file per object (vm.c, ...); each
 * exports a `const struct hvmemctl_object` listed in main.c's table.
 */
#ifndef HVMEMCTL_H
#define HVMEMCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/types.h>

#include "../../uapi/hvmem.h"

#define HVMEMCTL_VERSION "0.1.0"
#define HVMEM_SYSFS "/sys/kernel/mm/hvmem"

/* -j/--json was given anywhere (main.c strips it): one JSON document on stdout. */
extern bool json_output;

/**
 * struct hvmemctl_cmd - a command of an object
 * @name: command word ("list")
 * @fn: runs it; argv[0] is the command word; returns the exit status
 * @args: one-line synopsis of the arguments, for help
 */
struct hvmemctl_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
};

/**
 * struct hvmemctl_object - an object word and its commands
 * @name: object word ("vm")
 * @cmds: commands, ending with an entry whose @name is NULL
 * @help: one line of what the object is
 */
struct hvmemctl_object {
	const char *name;
	const struct hvmemctl_cmd *cmds;
	const char *help;
};

extern const struct hvmemctl_object hvmemctl_vm_object;
extern const struct hvmemctl_object hvmemctl_mrc_object;
extern const struct hvmemctl_object hvmemctl_swap_object;
extern const struct hvmemctl_object hvmemctl_cache_object;
extern const struct hvmemctl_object hvmemctl_share_object;
extern const struct hvmemctl_object hvmemctl_sched_object;
extern const struct hvmemctl_object hvmemctl_vswap_object;

/* Run the command named by argv[0] among @obj's commands. */
int hvmemctl_run_object(const struct hvmemctl_object *obj, int argc, char **argv);

/* Errors: print "hvmemctl: <message>[: strerror(err)]" on stderr, return 1. */
int p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int p_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void p_warn_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Open /dev/hvmem; on failure print why (module not loaded, ...) and return -1. */
int hvmem_open(void);
/*
 * ioctl(); on failure print "<what>: <why>: <strerror>" with a hint (module
 * not loaded, not root, hvmem disabled) and return -1 (errno kept).
 */
int hvmem_ioctl(int fd, unsigned long req, void *arg, const char *what);
/* The same for a command naming VM @vm_id: ENOENT says that it is not bound. */
int hvmem_vm_ioctl(int fd, unsigned long req, void *arg, const char *what, uint32_t vm_id);
/* Print why @req naming VM @vm_id failed with @err, as hvmem_vm_ioctl() does; -1. */
int hvmem_vm_err(int err, unsigned long req, const char *what, uint32_t vm_id);
/* /sys/module/@name exists. */
bool module_loaded(const char *name);

/* Match @word against @n names: exact, else a unique prefix; -1 (printed) if not. */
int match_word(const char *word, const char *const *names, int n, const char *kind,
	       const char *help);

/* Read one value from a sysfs file into @buf (newline stripped); -errno on failure. */
int sysfs_read(const char *path, char *buf, size_t len);
int sysfs_read_u64(const char *path, uint64_t *val);

/* Field @field (proc(5) numbering, >= 3) of /proc/@pid/stat as text; 0, -ENOENT, -EIO, -errno. */
int proc_stat_field(pid_t pid, unsigned int field, char *buf, size_t len);

/* Parse a whole decimal or 0x-hex number; prints an error and returns -1 if bad. */
int parse_u64(const char *s, uint64_t *val, const char *what);
int parse_u32(const char *s, uint32_t *val, const char *what);

/* Fill @l's entries (malloc'ed, caller frees l->entries); 0 or -1 (printed). */
int hvmem_vm_list(int fd, struct hvmem_vm_list *l);

/* share_policy.c: share apply / share daemon */
int share_do_apply(int argc, char **argv);
int share_do_daemon(int argc, char **argv);

/* mrc_replay.c: mrc replay */
int mrc_do_replay(int argc, char **argv);

/* inject.c: madvise() inside process @pid; 0 or -errno (printed) */
int inject_madvise(pid_t pid, const uint64_t *starts, const uint64_t *lens, int n,
		   int advice, long *results);

/* Minimal streaming JSON writer on stdout (commas and nesting handled). */
void jw_start_object(void);
void jw_end_object(void);
void jw_start_array(void);
void jw_end_array(void);
void jw_name(const char *name);
void jw_string(const char *s);
void jw_uint(uint64_t v);
void jw_int(int64_t v);
void jw_bool(bool v);
void jw_double(double v);
void jw_null(void);
void jw_end_document(void);
/* The error document {"error": msg, "errno": err}, or inside an open one. */
void jw_error(const char *msg, int err);

static inline void jw_kv_string(const char *k, const char *v) { jw_name(k); jw_string(v); }
static inline void jw_kv_uint(const char *k, uint64_t v) { jw_name(k); jw_uint(v); }
static inline void jw_kv_int(const char *k, int64_t v) { jw_name(k); jw_int(v); }
static inline void jw_kv_bool(const char *k, bool v) { jw_name(k); jw_bool(v); }
static inline void jw_kv_double(const char *k, double v) { jw_name(k); jw_double(v); }

#endif /* HVMEMCTL_H */
