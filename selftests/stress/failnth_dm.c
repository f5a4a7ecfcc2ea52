// SPDX-License-Identifier: GPL-2.0
/*
 * hvmem_failnth: the operations of dm-swapres, through the DM ioctls: a
 * reservation's and a thin device's table load and resume, and the
 * reservation's messages.
 */
#include "failnth.h"

/* ---- dm-swapres: fi_r is a live reservation, fi_x the device under test ---- */

static int dm_need(struct ctx *c)
{
	return c->have_dm ? 0 : -ENOENT;
}

static int resv_load_setup(struct ctx *c)
{
	int ret = dm_need(c);

	if (!ret)
		ret = dm_create(c->ctl, "fi_x");
	return ret;
}

static int resv_load_run(struct ctx *c)
{
	/* a second reservation over the other half of the backing device */
	return dm_load(c->ctl, "fi_x", 0, 16384, "swapres-resv", c->msg);
}

void dm_x_remove(struct ctx *c)
{
	if (dm_remove(c->ctl, "fi_x")) {
		dm_clear(c->ctl, "fi_x");
		dm_remove(c->ctl, "fi_x");
	}
}

static int resv_resume_setup(struct ctx *c)
{
	int ret = resv_load_setup(c);

	if (!ret)
		ret = resv_load_run(c);
	return ret;
}

static int x_resume_run(struct ctx *c)
{
	return dm_resume(c->ctl, "fi_x");
}

static int thin_load_setup(struct ctx *c)
{
	int ret = dm_need(c);

	if (!ret)
		ret = dm_create(c->ctl, "fi_x");
	snprintf(c->msg, sizeof(c->msg), "%s fivm 100", c->resv_mm);
	return ret;
}

static int thin_load_run(struct ctx *c)
{
	return dm_load(c->ctl, "fi_x", 0, 8192, "swapres", c->msg);
}

static int thin_resume_setup(struct ctx *c)
{
	int ret = thin_load_setup(c);

	if (!ret)
		ret = thin_load_run(c);
	return ret;
}

static int msg_run(struct ctx *c)
{
	return dm_message(c->ctl, "fi_r", 0, c->msg);
}

static int msg_pool_setup(struct ctx *c)
{
	snprintf(c->msg, sizeof(c->msg), "create_pool fipool 10");
	return dm_need(c);
}

static void msg_pool_undo(struct ctx *c)
{
	dm_message(c->ctl, "fi_r", 0, "remove_pool fipool");
}

static int msg_rmpool_setup(struct ctx *c)
{
	int ret = dm_need(c);

	if (!ret)
		ret = dm_message(c->ctl, "fi_r", 0, "create_pool fipool 10");
	snprintf(c->msg, sizeof(c->msg), "remove_pool fipool");
	return ret;
}

static int msg_oc_setup(struct ctx *c)
{
	snprintf(c->msg, sizeof(c->msg), "overcommit 1");
	return dm_need(c);
}

static void msg_oc_undo(struct ctx *c)
{
	dm_message(c->ctl, "fi_r", 0, "overcommit 0");
}

const struct op failnth_dm_ops[] = {
	{ "dm_resv_load", resv_load_setup, resv_load_run, NULL, dm_x_remove },
	{ "dm_resv_resume", resv_resume_setup, x_resume_run, NULL, dm_x_remove },
	{ "dm_thin_load", thin_load_setup, thin_load_run, NULL, dm_x_remove },
	{ "dm_thin_resume", thin_resume_setup, x_resume_run, NULL, dm_x_remove },
	{ "dm_msg_create_pool", msg_pool_setup, msg_run, msg_pool_undo },
	{ "dm_msg_remove_pool", msg_rmpool_setup, msg_run, NULL, msg_pool_undo },
	{ "dm_msg_overcommit", msg_oc_setup, msg_run, msg_oc_undo },
};
const unsigned int failnth_nr_dm_ops = ARRAY_SIZE(failnth_dm_ops);
