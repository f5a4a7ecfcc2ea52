/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvmemd write scan, the part without hvmemd's state: which mappings of a
 * QEMU process are guest RAM (from /proc/PID/smaps), which of their pages
 * were written since the last clear (from /proc/PID/pagemap's soft-dirty
 * bit), and whether the kernel has soft-dirty at all. The glue that
 * opens those files, clears soft-dirty and feeds the curve is in
 * wscan_vm.c.
 */
#ifndef HVMEMD_WSCAN_H
#define HVMEMD_WSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Documentation/admin-guide/mm/pagemap.rst */
#define WSCAN_PM_SOFT_DIRTY	(1ULL << 55)
#define WSCAN_PM_SWAP		(1ULL << 62)
#define WSCAN_PM_PRESENT	(1ULL << 63)

#define WSCAN_RANGES_MAX	64

/*
 * A guest RAM mapping: [start, end), bytes, page aligned; thp_kib: how
 * much of it transparent huge pages back (smaps' AnonHugePages and
 * ShmemPmdMapped, summed over the mappings merged into it). A write to
 * such a page sets soft-dirty for all of its 2 MiB.
 */
struct wscan_range {
	uint64_t start, end;
	uint64_t thp_kib;
};

/**
 * wscan_parse_smaps() - the guest RAM mappings of a QEMU process
 * @f: /proc/PID/smaps, read from its start
 * @r: out: up to WSCAN_RANGES_MAX ranges, in address order
 * @n: out: how many
 *
 * QEMU marks every RAM block MADV_DONTFORK (ram_block_add()), which smaps
 * shows as "dc" in VmFlags; of those, the writable ones are taken. Ranges
 * that touch are merged, with their huge pages (thp_kib).
 *
 * Return: 0; -EINVAL if the text is not smaps; -E2BIG if there are more
 * than WSCAN_RANGES_MAX (the first ones are kept in @r).
 */
int wscan_parse_smaps(FILE *f, struct wscan_range *r, unsigned int *n);

/**
 * wscan_dirty() - the written pages among pagemap entries
 * @pm: @n pagemap entries, of consecutive pages from page number @first
 * @n: how many
 * @first: the page number (address / page size) of @pm[0]
 * @out: out: the page numbers of the entries with soft-dirty set that are
 *	present or swapped, in order; room for @n
 *
 * Return: how many were written to @out.
 */
size_t wscan_dirty(const uint64_t *pm, size_t n, uint64_t first, uint64_t *out);

/**
 * wscan_probe() - does this kernel have soft-dirty (CONFIG_MEM_SOFT_DIRTY)?
 * @why: out: the reason, when not
 * @len: room at @why
 *
 * Clears soft-dirty for the calling process, writes a page of its own and
 * reads that page's pagemap entry: a kernel without soft-dirty accepts the
 * clear and never sets the bit.
 *
 * Return: 1 if it has, -1 if not or the probe failed (@why says which).
 */
int wscan_probe(char *why, size_t len);

#endif /* HVMEMD_WSCAN_H */
