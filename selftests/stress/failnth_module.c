// SPDX-License-Identifier: GPL-2.0
/*
 * hvmem_failnth --module: a module (not loaded; its dependencies are)
 * loaded with finit_module(2) under fail-nth, unloaded after each success.
 */
#include <sys/syscall.h>

#include "failnth.h"

static int mod_run(struct ctx *c)
{
	return syscall(SYS_finit_module, c->modfd, "", 0) ? -errno : 0;
}

static void mod_undo(struct ctx *c)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (!syscall(SYS_delete_module, c->modname, O_NONBLOCK) || errno == ENOENT)
			return;
		usleep(20000);
	}
	printf("# failnth: cannot unload %s: %s\n", c->modname, strerror(errno));
}

static const struct op mod_op = { "module_init", NULL, mod_run, mod_undo };

int sweep_module(struct ctx *c, const char *module, int fn, unsigned int max)
{
	static char name[64];
	const char *b = strrchr(module, '/');
	unsigned int i;

	snprintf(name, sizeof(name), "%s", b ? b + 1 : module);
	*strstr(name, ".ko") = 0;
	for (i = 0; name[i]; i++)
		if (name[i] == '-')
			name[i] = '_';
	c->modname = name;
	c->modfd = open(module, O_RDONLY | O_CLOEXEC);
	c->dev = -1;
	if (c->modfd < 0) {
		printf("# failnth: %s: %s\n", module, strerror(errno));
		return 1;
	}
	c->dev = hvmem_dev();	/* for the state: -1 while hvmem.ko is what loads */
	if (!strcmp(name, "hvmem") && c->dev >= 0) {
		printf("# failnth: unload hvmem.ko first\n");
		return 1;
	}
	sweep(c, &mod_op, fn, max);
	if (c->dev >= 0)
		close(c->dev);
	return 0;
}
