// SPDX-License-Identifier: GPL-2.0
/*
 * lackey-pages - turn `valgrind --tool=lackey --trace-mem=yes` output into a
 * page reference trace: one page number (address >> 12) per line, decimal.
 *
 * Reads lackey lines ("I  0040000a,3", " L 04222cac,4", " S ...", " M ...")
 * on stdin; other lines (valgrind's "==pid==" messages) are skipped. With -c,
 * consecutive references to the same page are collapsed into one (they hit in
 * every LRU cache of at least one page). With -n N, stops after N output
 * references and exits, which ends the traced program through SIGPIPE.
 *
 *   lackey-pages [-c] [-n N] < lackey.log > trace
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long long max = 0, out = 0, in = 0;
	uint64_t last = UINT64_MAX;
	int collapse = 0, opt;
	char line[256];

	while ((opt = getopt(argc, argv, "cn:")) != -1) {
		switch (opt) {
		case 'c':
			collapse = 1;
			break;
		case 'n':
			max = strtoull(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [-c] [-n N]\n", argv[0]);
			return 2;
		}
	}
	while (fgets(line, sizeof(line), stdin)) {
		char *p = line, *end;
		uint64_t addr;

		if (p[0] == 'I' && p[1] == ' ')
			p += 2;
		else if (p[0] == ' ' && strchr("LSM", p[1]) && p[2] == ' ')
			p += 3;
		else
			continue;
		while (*p == ' ')
			p++;
		addr = strtoull(p, &end, 16);
		if (end == p || *end != ',')
			continue;
		in++;
		addr >>= 12;
		if (collapse && addr == last)
			continue;
		last = addr;
		if (printf("%llu\n", (unsigned long long)addr) < 0)
			return 1;
		if (++out == max)
			break;
	}
	if (fflush(stdout))
		return 1;
	fprintf(stderr, "lackey-pages: %llu references in, %llu out\n", in, out);
	return 0;
}
