# SPDX-License-Identifier: GPL-2.0
# Included by each selftests/<target>/Makefile after setting TEST_GEN_PROGS
# (C sources <name>.c), TEST_GEN_FILES (helpers, C) and TEST_PROGS (scripts), like the kernel's lib.mk.
O	?= .
KSFT	?= ../../build/ksft
CC	?= gcc
CFLAGS	+= -O2 -g -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare -Wno-clobbered \
	   -D_GNU_SOURCE -I$(KSFT) -I../../uapi -I../../include -I../lib
LDLIBS	+= -lpthread

# TEST_GEN_FILES: helper programs the tests run (built, not listed as tests).
all: $(addprefix $(O)/,$(TEST_GEN_PROGS)) $(addprefix $(O)/,$(TEST_PROGS)) \
	$(addprefix $(O)/,$(TEST_GEN_FILES))

$(O)/%: %.c $(wildcard ../lib/*.h) | $(O)
	$(CC) $(CFLAGS) -o $@ $< $(LDLIBS)

$(O)/%.sh: %.sh | $(O)
	install -m 0755 $< $@

$(O):
	mkdir -p $@

list:
	@for t in $(TEST_GEN_PROGS) $(TEST_PROGS); do echo $$t; done

.PHONY: all list
