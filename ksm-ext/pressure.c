// SPDX-License-Identifier: GPL-2.0
/*
 * The split policy's trigger: memory pressure, from free memory against
 * the zones' high watermarks (kswapd reclaims until every zone is above its
 * high watermark; below twice their sum, merging is worth its CPU).
 */
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/vmstat.h>

#include "share_internal.h"

unsigned long share_pressure_free_pages;	/* 0: twice the high watermarks */

/**
 * share_pressure_threshold() - free pages below which memory is pressed
 *
 * Return: share_pressure_free_pages, or if 0, twice the sum of the
 * populated zones' high watermarks.
 */
unsigned long share_pressure_threshold(void)
{
	unsigned long t = READ_ONCE(share_pressure_free_pages), high = 0;
	int nid, i;

	if (t)
		return t;
	for_each_online_node(nid) {
		struct pglist_data *pgdat = NODE_DATA(nid);

		for (i = 0; i < MAX_NR_ZONES; i++) {
			struct zone *z = &pgdat->node_zones[i];

			if (populated_zone(z))
				high += high_wmark_pages(z);
		}
	}
	return 2 * high;
}

/**
 * share_under_pressure() - whether free memory is below the threshold
 *
 * Return: true if so.
 */
bool share_under_pressure(void)
{
	return global_zone_page_state(NR_FREE_PAGES) < share_pressure_threshold();
}
