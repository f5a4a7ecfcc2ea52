#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The bounded robustness run of make check (scripts/stress runs the full one):
# 10000 fuzz calls, the ioctl and dm fault-injection sweeps (the first 20
# fault points of each operation: a KASAN kernel under TCG takes about a
# second a point), 20 s of concurrency stress, the scale cases; kernel log
# and kmemleak checked.
# HVMEM_STRESS_SEED replays a run (its seed is printed).
exec "$(dirname "$0")/stress_run.sh" --quick --calls 10000 --seconds 20 --fault-max 20 \
	${HVMEM_STRESS_SEED:+--seed "$HVMEM_STRESS_SEED"}
