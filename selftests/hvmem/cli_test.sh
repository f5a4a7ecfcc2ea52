#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hvmemctl speaks the user's terms: every error hint it prints is triggered
# here and its text checked, in plain and in JSON (-j) mode, with the exit
# status (1 for an error); prefix matching, the version report and the bash
# completion too. Unloads and reloads the modules for the "not loaded"
# hints. Needs HVMEM_KO and HVMEM_KO_DIR (selftests/run sets them). TAP.
set -u
sys=/sys/kernel/mm/hvmem
ko_dir=${HVMEM_KO_DIR:?}
ko=${HVMEM_KO:?}
top=$(cd "$(dirname "$0")/../../.." 2>/dev/null && pwd)
tmp=$(mktemp -d)
out=$tmp/out err=$tmp/err
n=0 fails=0 rc=0
py=/usr/bin/python3
[ -x $py ] || py=
jq=$(command -v jq)

echo "TAP version 13"

run() { "$@" >"$out" 2>"$err"; rc=$?; }

report() {	# name ok why
	n=$((n + 1))
	if [ "$2" = 1 ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1"
		fails=$((fails + 1))
		echo "# $3: rc=$rc"
		sed 's/^/# stdout: /' "$out" | head -n 8
		sed 's/^/# stderr: /' "$err" | head -n 8
	fi
}

# expect NAME RC FILE TEXT...: the last run exited RC and FILE has every TEXT
expect() {
	local name=$1 want=$2 file=$3 t
	shift 3
	[ "$rc" = "$want" ] || { report "$name" 0 "exit status, want $want"; return; }
	for t in "$@"; do
		grep -qF -- "$t" "$file" || { report "$name" 0 "no '$t'"; return; }
	done
	report "$name" 1
}

# jexpect NAME TEXT: -j mode: exit 1, stdout is one JSON document whose
# "error" holds TEXT, and nothing on stderr
jexpect() {
	local name=$1 t=$2
	[ "$rc" = 1 ] || { report "$name" 0 "exit status, want 1"; return; }
	[ ! -s "$err" ] || { report "$name" 0 "stderr not empty"; return; }
	# jq, not python3: a python3 start takes 15-40 s on the KASAN kernel
	# under TCG (seen here), and this runs for every -j error case
	if [ -n "$jq" ]; then
		$jq -e -s --arg t "$t" 'length == 1 and (.[0].error | type == "string" and contains($t))' \
			"$out" >/dev/null 2>&1 || { report "$name" 0 "not {\"error\": ...'$t'...}"; return; }
	else
		grep -q '^{"error":".*' "$out" && grep -qF -- "$t" "$out" ||
			{ report "$name" 0 "not {\"error\": ...'$t'...}"; return; }
	fi
	report "$name" 1
}

load_siblings() {
	local m dep
	for m in $(find "$ko_dir"/{mrc,swapres,ksm-ext,vswap} -maxdepth 1 -name '*.ko' \
			! -name '*_kunit.ko' 2>/dev/null | sort); do
		grep -q "^$(basename "$m" .ko | tr - _) " /proc/modules && continue
		for dep in $(modinfo -F depends "$m" | tr , ' '); do
			case "$dep" in hvmem*) ;; *) modprobe -q "$dep" 2>/dev/null ;; esac
		done
		insmod "$m"
	done
}

# --- words, prefixes and options ------------------------------------------
run hvmemctl xyz
expect unknown_object 1 "$err" "unknown object 'xyz' (try: hvmemctl help)"
run hvmemctl -j xyz
jexpect unknown_object_json "unknown object 'xyz' (try: hvmemctl help)"
run hvmemctl s
expect ambiguous_object 1 "$err" "ambiguous object 's': could be status, swap, share"
run hvmemctl s -j
jexpect ambiguous_object_json "ambiguous object 's': could be status, swap, share"
run hvmemctl share zz
expect unknown_command 1 "$err" "unknown command 'zz' (try: hvmemctl share help)"
run hvmemctl sh s
expect ambiguous_command 1 "$err" "ambiguous command 's': could be scan, stats, set"
run hvmemctl -x
expect unknown_option 1 "$err" "unknown option '-x' (try: hvmemctl help)"
run hvmemctl -j
jexpect no_object_json "no object given (try: hvmemctl help)"
run hvmemctl mrc sh abc
expect bad_number 1 "$err" "bad VM id 'abc': expected a non-negative number"
run hvmemctl sh stat
expect prefix_runs_share_stats 0 "$out" "all VMs" \
	"KSM merges identical pages of every" "unless the VMs' pages are advised"
run hvmemctl share stats -j
expect share_stats_json_scope 0 "$out" '"cross_vm_scope":"estimate"' '"merging_scope":"host"'

# --- version ---------------------------------------------------------------
run hvmemctl ver
expect version 0 "$out" "hvmemctl " "hvmem ABI " "features: vm_registry cache mrc share" \
	"batch_max 512" "regions_max 65536"
run hvmemctl -j version
expect version_json 0 "$out" '"features":["vm_registry","cache","mrc","share"' \
	'"capabilities":{"vm_registry":{"module":"hvmem","vm_max":'

# --- VMs that are not there --------------------------------------------------
nv=424242
for cmd in "mrc show $nv" "vm unbind $nv" "share stats $nv" "share regions $nv" \
	   "share scan $nv" "share set $nv cross on" "cache set $nv 1000" \
	   "share apply $nv --force"; do
	name=$(echo "$cmd" | cut -d' ' -f1,2 | tr ' ' _)
	# shellcheck disable=SC2086
	run hvmemctl $cmd
	expect "no_vm_${name}" 1 "$err" "no VM $nv is bound (see: hvmemctl vm list)"
	# shellcheck disable=SC2086
	run hvmemctl -j $cmd
	jexpect "no_vm_${name}_json" "no VM $nv is bound (see: hvmemctl vm list)"
done
grep -q '"errno":2' "$out"; rc=$?
report no_vm_json_has_errno "$([ $rc = 0 ] && echo 1)" "no \"errno\":2"

# --- a bound VM with nothing recorded ---------------------------------------
sleep 600 & sp=$!
until [ "$(cat /proc/$sp/comm 2>/dev/null)" = sleep ]; do sleep 0.01; done
id=$(hvmemctl -j vm bind pid $sp | sed -n 's/.*"id":\([0-9]*\).*/\1/p')
[ -n "$id" ] || id=0
run hvmemctl mrc show "$id"
expect mrc_nothing_recorded 0 "$out" "VM $id: no references recorded yet" \
	"exclusive cache   on" \
	"write tracking    off (it stops 64-bit guests: KVM cannot emulate their FXSAVE/XSAVE; hvmem(4))"
run hvmemctl -j mrc show "$id"
expect mrc_nothing_recorded_json 0 "$out" '"recorded":false' '"sources":{"cache":true,"write_track":false'
echo 1 >$sys/mrc/write_track
run hvmemctl mrc show "$id"
expect mrc_write_track_pid_vm 0 "$out" \
	"write tracking    off for this VM (it needs a VM bound by its KVM fd: hvmemctl vm bind kvm PID)"
echo 0 >$sys/mrc/write_track
echo 0 >$sys/mrc/vms/"$id"/enabled
run hvmemctl mrc show "$id"
expect mrc_no_curve 1 "$err" \
	"VM $id has no miss-rate curve (try: echo 1 > $sys/mrc/vms/$id/enabled)"
run hvmemctl -j mrc show "$id"
jexpect mrc_no_curve_json "VM $id has no miss-rate curve"
echo 1 >$sys/mrc/vms/"$id"/enabled
run hvmemctl share regions "$id"
expect share_never_scanned 1 "$err" "VM $id was never scanned (try: hvmemctl share scan $id)"
echo 1 >$sys/share/pressure_free_pages
run hvmemctl share apply "$id"
expect share_apply_no_pressure 0 "$out" \
	"VM $id: no memory pressure: nothing handed to KSM (--force to apply anyway)"
echo 0 >$sys/share/pressure_free_pages

# --- privileges and the enabled switch ---------------------------------------
run setpriv --reuid=65534 --regid=65534 --clear-groups hvmemctl vm list
expect not_root 1 "$err" "vm list: needs CAP_SYS_ADMIN (try: run as root): Operation not permitted"
run setpriv --reuid=65534 --regid=65534 --clear-groups hvmemctl -j vm list
jexpect not_root_json "needs CAP_SYS_ADMIN (try: run as root)"
echo 0 >$sys/enabled
run hvmemctl vm bind pid $$
expect disabled 1 "$err" "vm bind: hvmem is disabled (try: echo 1 > $sys/enabled)"
echo 1 >$sys/enabled
hvmemctl vm unbind "$id" >/dev/null
kill $sp; wait $sp 2>/dev/null

# --- share apply on memory its process made mergeable (QEMU's mem-merge) ------
if [ -n "$py" ]; then
	$py -c '
import mmap, sys, time
# private anonymous memory: KSM ignores shared mappings
m = mmap.mmap(-1, 8 << 20, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
m.madvise(mmap.MADV_MERGEABLE)
for i in range(0, 8 << 20, 4096):
    m[i] = 1
print(hex(id(m)), flush=True)
time.sleep(600)' >$tmp/py.out &
	pp=$!
	until [ -s $tmp/py.out ]; do sleep 0.05; done
	id=$(hvmemctl -j vm bind pid $pp | sed -n 's/.*"id":\([0-9]*\).*/\1/p')
	hvmemctl share scan "$id" >/dev/null
	mg_before=$(grep -c '^VmFlags:.* mg' /proc/$pp/smaps)
	run hvmemctl share apply "$id" --force
	expect qemu_mergeable_warning 0 "$err" "is already mergeable" \
		"-machine mem-merge=off" "<memoryBacking><nosharepages/></memoryBacking>"
	run hvmemctl -j share apply "$id" --force
	expect qemu_mergeable_json 0 "$out" '"already_mergeable_bytes":' '"hint":"QEMU made this memory mergeable'
	run hvmemctl share apply "$id" --undo
	mg_after=$(grep -c '^VmFlags:.* mg' /proc/$pp/smaps)
	[ "$rc" = 0 ] && [ "$mg_before" -ge 1 ] && [ "$mg_after" = "$mg_before" ]
	report undo_keeps_process_advice "$([ $? = 0 ] && echo 1)" \
		"mergeable VMAs before $mg_before, after undo $mg_after"
	run hvmemctl share apply "$id" --undo
	expect undo_nothing_recorded 0 "$out" "VM $id: nothing to undo: share apply advised nothing in pid $pp"
	hvmemctl vm unbind "$id" >/dev/null
	kill $pp; wait $pp 2>/dev/null
else
	for t in qemu_mergeable_warning qemu_mergeable_json undo_keeps_process_advice \
		 undo_nothing_recorded; do
		n=$((n + 1)); echo "ok $n $t # SKIP no python3"
	done
fi

# --- swap reservations ---------------------------------------------------------
if [ -d $sys/swapres ]; then
	run hvmemctl swap status nosuch
	expect no_reservation 1 "$err" "no reservation 'nosuch' (see: hvmemctl swap status)"
else
	n=$((n + 1)); echo "ok $n no_reservation # SKIP dm-swapres not loaded"
fi

# --- modules that are not loaded ---------------------------------------------
rmmod hvmem_share
run hvmemctl share stats
expect share_not_loaded 1 "$err" "share stats: hvmem_share.ko is not loaded (try: modprobe hvmem_share)"
run hvmemctl share scan all
expect share_scan_not_loaded 1 "$err" "share scan: hvmem_share.ko is not loaded (try: modprobe hvmem_share)"
rmmod hvmem_mrc
run hvmemctl -j mrc show 1
jexpect mrc_not_loaded_json "hvmem_mrc.ko is not loaded (try: modprobe hvmem_mrc)"
if grep -q '^dm_swapres ' /proc/modules; then
	rmmod dm_swapres
	run hvmemctl swap status
	expect swapres_not_loaded 1 "$err" \
		"$sys/swapres: dm-swapres.ko is not loaded (try: modprobe dm-swapres)"
else
	n=$((n + 1)); echo "ok $n swapres_not_loaded # SKIP dm-swapres not loaded"
fi
for m in $(awk '$1 == "hvmem" { gsub(",", " ", $4); print $4 }' /proc/modules | sed 's/-//g'); do
	rmmod "$m"
done
rmmod hvmem
run hvmemctl status
expect hvmem_not_loaded 1 "$err" "/dev/hvmem: hvmem.ko is not loaded (try: modprobe hvmem)"
run hvmemctl -j st
jexpect hvmem_not_loaded_json "hvmem.ko is not loaded (try: modprobe hvmem)"
run hvmemctl version
expect version_not_loaded 0 "$out" "hvmem.ko: not loaded (try: modprobe hvmem)"
insmod "$ko" && load_siblings
run hvmemctl status
expect reloaded 0 "$out" "hvmem ABI"

# --- bash completion -------------------------------------------------------------
comp=$top/tools/hvmemctl/hvmemctl.bash-completion
if [ -f "$comp" ]; then
	# shellcheck disable=SC1090
	got=$(bash -c '. "$1" 2>/dev/null; COMP_WORDS=(hvmemctl sh st); COMP_CWORD=2;
		_hvmemctl hvmemctl st sh; echo "${COMPREPLY[*]}"' _ "$comp")
	rc=0
	echo "$got" >"$out"
	expect completion_share_st 0 "$out" "stats"
	got=$(bash -c '. "$1" 2>/dev/null; COMP_WORDS=(hvmemctl s); COMP_CWORD=1;
		_hvmemctl hvmemctl s hvmemctl; echo "${COMPREPLY[*]}"' _ "$comp")
	echo "$got" >"$out"
	expect completion_objects 0 "$out" "status" "swap" "share"
else
	n=$((n + 1)); echo "not ok $n completion # no $comp"
	fails=$((fails + 1))
fi

echo "1..$n"
rm -rf "$tmp"
[ $fails = 0 ]
