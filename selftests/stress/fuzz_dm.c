// SPDX-License-Identifier: GPL-2.0
/*
 * hvmem_fuzz's dm mode: random swapres-resv / swapres table strings, loads,
 * resumes, reloads and target messages through the DM ioctls, on a backing
 * block device with a live reservation and two thin devices on it.
 */
#include "fuzz.h"

static char backing[128], backing_mm[32], resv_mm[32], thin_mm[2][32];
static unsigned long long backing_sectors;

static void num_token(char *o, size_t len)
{
	static const char * const odd[] = { "", "0x10", "8abc", "1e3",
					    "99999999999999999999999", " 8", "+8" };

	switch (rng_below(&rng, 6)) {
	case 0:
		snprintf(o, len, "-%llu", (unsigned long long)rng_below(&rng, 100));
		break;
	case 1:
		snprintf(o, len, "%s", odd[rng_below(&rng, ARRAY_SIZE(odd))]);
		break;
	case 2:
		snprintf(o, len, "%llu", (unsigned long long)rng_interesting(&rng));
		break;
	default:
		snprintf(o, len, "%llu", (unsigned long long)(8ULL << rng_below(&rng, 8)));
		break;
	}
}

static void name_token(char *o, size_t len)
{
	static const char * const names[] = {
		"vm0", "vm1", "vm2", "gold", "silver", "a/b", "..", "-", "x y",
		"0123456789012345678901234567890", "01234567890123456789012345678901",
		"pool", "overcommit", "\xff\xfe", "",
	};

	snprintf(o, len, "%s", names[rng_below(&rng, ARRAY_SIZE(names))]);
}

static void dev_token(char *o, size_t len)
{
	static const char * const d[] = { backing, backing_mm, resv_mm, thin_mm[0], thin_mm[1],
			    "/nonexistent", "0:0", "7:999", "253:4095" };

	snprintf(o, len, "%s", d[rng_below(&rng, 9)]);
}

/* A random swapres-resv or swapres parameter string. */
static void table_params(bool thin, char *o, size_t len)
{
	char t[8][64];
	unsigned int n = 0, i, extra;
	size_t used = 0;

	dev_token(t[n++], 64);
	if (thin) {
		name_token(t[n++], 64);
		num_token(t[n++], 64);
		if (rng_below(&rng, 2)) {
			snprintf(t[n++], 64, "%u", (unsigned int)rng_below(&rng, 4));
			snprintf(t[n++], 64, "%s", rng_below(&rng, 4) ? "pool" : "POOL");
			name_token(t[n++], 64);
		}
	} else {
		num_token(t[n++], 64);
		num_token(t[n++], 64);
		if (rng_below(&rng, 2)) {
			snprintf(t[n++], 64, "%u", (unsigned int)rng_below(&rng, 3));
			snprintf(t[n++], 64, "%s", rng_below(&rng, 4) ? "overcommit" : "junk");
		}
	}
	extra = rng_one_in(&rng, 4);
	if (extra && n < 8)
		num_token(t[n++], 64);
	if (rng_one_in(&rng, 6) && n > 1)
		n = rng_below(&rng, n);
	o[0] = 0;
	for (i = 0; i < n && used < len; i++)
		used += snprintf(o + used, len - used, "%s%s", i ? " " : "", t[i]);
}

static void message(char *o, size_t len)
{
	static const char * const verbs[] = { "create_pool", "remove_pool", "overcommit",
				       "pool_overcommit", "CREATE_POOL", "stats", "" };
	char a[64], b[64];

	name_token(a, sizeof(a));
	num_token(b, sizeof(b));
	switch (rng_below(&rng, 5)) {
	case 0:
		snprintf(o, len, "create_pool %s %s%s", a, b,
			 rng_below(&rng, 2) ? " overcommit" : "");
		break;
	case 1:
		snprintf(o, len, "remove_pool %s", a);
		break;
	case 2:
		snprintf(o, len, "overcommit %s", rng_below(&rng, 2) ? b : "1");
		break;
	case 3:
		snprintf(o, len, "pool_overcommit %s %s", a, rng_below(&rng, 2) ? b : "0");
		break;
	default:
		snprintf(o, len, "%s %s %s %s", verbs[rng_below(&rng, 7)], a, b, a);
		break;
	}
}

static bool dm_errno_allowed(int e)
{
	switch (e) {
	case EINVAL: case ENOSPC: case EBUSY: case ENXIO: case ENODEV: case ENOENT:
	case EEXIST: case ENOMEM: case E2BIG: case EPERM: case ENOTTY: case EOVERFLOW:
	case ERANGE: case EFBIG: case ENOTBLK: case EACCES:
		return true;
	}
	return false;
}

static void dm_check(const char *what, const char *arg, int ret)
{
	calls++;
	if (!ret) {
		oks++;
		return;
	}
	errs[-ret & 0xff]++;
	if (!dm_errno_allowed(-ret)) {
		bad++;
		printf("# hvmem_fuzz: seed %llu call %llu: %s '%s': %s\n", seed, cur_call, what, arg,
		       strerror(-ret));
	}
}

static unsigned long long rand_len(void)
{
	switch (rng_below(&rng, 5)) {
	case 0:
		return rng_interesting(&rng);
	case 1:
		return backing_sectors;
	default:
		return 8ULL << rng_below(&rng, 12);
	}
}

int run_dm(const char *backing_dev, unsigned long long n)
{
	const char *thins[2] = { "fz_thin0", "fz_thin1" };
	char p[512], st[4096];
	int ctl = dm_control(), ret, i;
	struct stat sb;

	snprintf(backing, sizeof(backing), "%s", backing_dev);
	if (ctl < 0 || stat(backing, &sb) || !S_ISBLK(sb.st_mode)) {
		printf("# hvmem_fuzz: need /dev/mapper/control and a block device\n");
		return 4;
	}
	backing_sectors = (unsigned long long)lseek(open(backing, O_RDONLY | O_CLOEXEC), 0,
						    SEEK_END) / 512;
	blk_majmin(backing, backing_mm, sizeof(backing_mm));
	snprintf(p, sizeof(p), "%s 0 8", backing);
	if (dm_create(ctl, "fz_resv") ||
	    dm_load_resume(ctl, "fz_resv", backing_sectors & ~7ULL, "swapres-resv", p)) {
		printf("# hvmem_fuzz: cannot create the reservation: %s\n", strerror(errno));
		dm_remove(ctl, "fz_resv");
		return 1;
	}
	dm_majmin(ctl, "fz_resv", resv_mm, sizeof(resv_mm));
	for (i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s vm%d 64", resv_mm, i);
		if (dm_create(ctl, thins[i]) ||
		    dm_load_resume(ctl, thins[i], 65536, "swapres", p))
			printf("# hvmem_fuzz: cannot create %s\n", thins[i]);
		dm_majmin(ctl, thins[i], thin_mm[i], sizeof(thin_mm[i]));
	}
	dm_create(ctl, "fz_x");
	for (cur_call = 0; cur_call < n; cur_call++) {
		unsigned int op = rng_below(&rng, 20);
		bool thin = rng_below(&rng, 2);

		if (op < 9) {	/* a random table, mostly left inactive and cleared */
			table_params(thin, p, sizeof(p));
			ret = dm_load(ctl, "fz_x", rng_one_in(&rng, 8), rand_len(),
				      thin ? "swapres" : "swapres-resv", p);
			dm_check("load", p, ret);
			if (!ret && rng_one_in(&rng, 8)) {
				ret = dm_resume(ctl, "fz_x");
				dm_check("resume", p, ret);
				/* a live table goes with its device */
				if (!ret && !dm_remove(ctl, "fz_x")) {
					dm_create(ctl, "fz_x");
					continue;
				}
			}
			dm_clear(ctl, "fz_x");
		} else if (op < 16) {	/* a message */
			message(p, sizeof(p));
			dm_check("message", p, dm_message(ctl, rng_one_in(&rng, 6) ?
							  thins[0] : "fz_resv",
							  rng_one_in(&rng, 8) ? rng_next(&rng) : 0, p));
		} else if (op < 19) {	/* reload a thin device */
			const char *t = thins[rng_below(&rng, 2)];

			if (rng_below(&rng, 2))
				snprintf(p, sizeof(p), "%s vm%d %s", resv_mm,
					 (int)rng_below(&rng, 3),
					 rng_below(&rng, 2) ? "64" : "65");
			else
				table_params(true, p, sizeof(p));
			ret = dm_load(ctl, t, 0, rng_below(&rng, 2) ? 65536 : rand_len(),
				      "swapres", p);
			dm_check("reload", p, ret);
			if (!ret) {
				dm_suspend(ctl, t);
				dm_check("resume", p, dm_resume(ctl, t));
			}
		} else {	/* a new table for the reservation itself */
			table_params(false, p, sizeof(p));
			ret = dm_load(ctl, "fz_resv", 0, rand_len(),
				      rng_below(&rng, 4) ? "swapres-resv" : "error", p);
			dm_check("reload reservation", p, ret);
			if (!ret)	/* never made live: defect 6 is tested by hand */
				dm_clear(ctl, "fz_resv");
		}
	}
	if (dm_remove(ctl, "fz_x")) {
		dm_clear(ctl, "fz_x");
		dm_remove(ctl, "fz_x");
	}
	for (i = 0; i < 2; i++)
		dm_remove(ctl, thins[i]);
	ret = dm_remove(ctl, "fz_resv");
	if (ret) {
		dm_state(ctl, "fz_resv", st, sizeof(st));
		printf("# hvmem_fuzz: reservation not removable at the end: %s (%s)\n",
		       strerror(-ret), st);
		bad++;
	}
	close(ctl);
	return 0;
}
