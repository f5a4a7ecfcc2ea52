#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host integration test of hvmemd against fake QMP servers (no /dev/hvmem).

    integration.py HVMEMD_BINARY [HVMEMCTL_BINARY]

Five fake VMs (fake_qmp.py): "busy" (little available memory), "idle"
(mostly free), "dead" (closes its socket after a few commands), "bad"
(answers guest-stats with malformed JSON) and "storm" (mostly free but
swapping in 12800 pages/s). Checks, printing TAP: hvmemd
sets balloon targets from the guest metric, rate-limited; never shrinks the
storming guest; drops the dead VM
and keeps serving the others; skips the malformed one (no balloon command);
reports over its status socket (text and JSON, through --status); reloads
its configuration on SIGHUP; `hvmemctl sched status` reads the same socket (new budget, VM removed); exits 0 on SIGTERM,
removing its socket; runs with hvmem absent and says so, and then does
not scan guests' writes (no curve to feed; on a kernel without soft-dirty
it says that first).
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MIB = 1 << 20
results = []


def tap(ok, name, diag=""):
    results.append(ok)
    print(("ok" if ok else "not ok") + " %d %s" % (len(results), name))
    if diag and not ok:
        for line in str(diag).splitlines()[-30:]:
            print("#   " + line)
    sys.stdout.flush()


def balloons(log):
    """The balloon values (MiB) a fake server received, in order."""
    out = []
    try:
        with open(log) as f:
            for line in f:
                e = json.loads(line)
                c = e.get("cmd", {})
                if c.get("execute") == "balloon":
                    out.append(c["arguments"]["value"] // MIB)
    except FileNotFoundError:
        pass
    return out


def soft_dirty():
    """Does this kernel have soft-dirty? Tried on a page of ours."""
    import ctypes
    import mmap
    m = mmap.mmap(-1, mmap.PAGESIZE)
    addr = ctypes.addressof(ctypes.c_char.from_buffer(m))
    with open("/proc/self/clear_refs", "w") as f:
        f.write("4")
    m[0] = 1
    with open("/proc/self/pagemap", "rb") as f:
        f.seek(addr // mmap.PAGESIZE * 8)
        e = int.from_bytes(f.read(8), "little")
    return bool(e >> 55 & 1)


def wait_for(pred, timeout):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.1)
    return pred()


def main():
    daemon = os.path.abspath(sys.argv[1])
    ctl = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else None
    tmp = tempfile.mkdtemp(prefix="hvmemd-test-")
    sock = os.path.join(tmp, "hvmemd.sock")
    conf = os.path.join(tmp, "hvmemd.conf")
    errlog = os.path.join(tmp, "hvmemd.log")
    fakes = {
        "busy": ["--total-mib", "2048", "--avail-mib", "200", "--free-mib", "100"],
        "idle": ["--total-mib", "2048", "--avail-mib", "1800", "--free-mib", "1700"],
        "dead": ["--mode", "disconnect", "--drop-after", "10"],
        "bad": ["--mode", "malformed"],
        # would shrink to 273 MiB, but swaps in 50 MiB/s = 12800 pages/s
        "storm": ["--total-mib", "2048", "--avail-mib", "1800", "--free-mib", "1700",
                  "--swapin-mib-s", "50"],
        # a storm in a 512 MiB guest that stops updating its statistics 3 s in
        "frozen": ["--total-mib", "512", "--avail-mib", "400", "--free-mib", "350",
                   "--max-mib", "512", "--swapin-mib-s", "50", "--freeze-after", "3"],
        # its kernel keeps 44 MiB outside its total, which follows the balloon;
        # it uses 200: 200 + 10% + 44 -> 264
        "kern": ["--total-mib", "1024", "--avail-mib", "824", "--max-mib", "1024",
                 "--kernel-mib", "44"],
    }
    procs = []
    pids = {}
    print("TAP version 13")
    print("1..20")
    for name, args in fakes.items():
        p = subprocess.Popen([sys.executable, os.path.join(HERE, "fake_qmp.py"),
                              os.path.join(tmp, name + ".qmp"), "--log",
                              os.path.join(tmp, name + ".log")] + args)
        procs.append(p)
        pids[name] = p.pid
    wait_for(lambda: all(os.path.exists(os.path.join(tmp, n + ".qmp")) for n in fakes), 10)

    def write_conf(budget, vms):
        with open(conf, "w") as f:
            f.write("# hvmemd integration test\n[global]\nbudget_mib = %d\nidle_tax = 0.75\n"
                    "period_s = 0.5\nhysteresis_pct = 2\nmax_step_mib = 512\n"
                    "headroom_pct = 10\nswapin_storm_pages_s = 5000\nwrite_scan_s = 1\n"
                    "status_socket = %s\n" % (budget, sock))
            for n in vms:
                f.write("\n[vm %s]\nqmp = %s\nshares = 1000\nmin_mib = 128\n%s" %
                        (n, os.path.join(tmp, n + ".qmp"),
                         "max_mib = %d\n" % {"kern": 1024, "frozen": 512}.get(n, 2048)
                         if n != "idle" else ""))
                if n == "storm":  # no discovery: pid and balloon given
                    f.write("pid = %d\nballoon = /machine/peripheral-anon/device[0]\n" %
                            pids["storm"])

    # a bad configuration: exit 1 with file:line and what
    bad = os.path.join(tmp, "bad.conf")
    with open(bad, "w") as f:
        f.write("[global]\nbudget_mib = 100\n[vm x]\nqmp = /nonexistent\nsharez = 5\n")
    r = subprocess.run([daemon, "-c", bad, "--no-hvmem", "-s", sock], capture_output=True,
                       text=True, timeout=20)
    tap(r.returncode == 1 and "bad.conf:5: unknown key 'sharez'" in r.stderr,
        "bad configuration refused with its line", r.stderr)
    # 8192 for the first six, as many contended moves as without "frozen", +512 for it
    write_conf(8704, ["busy", "idle", "dead", "bad", "storm", "kern", "frozen"])
    err = open(errlog, "w")
    d = subprocess.Popen([daemon, "-c", conf, "--no-hvmem", "-v"], stderr=err,
                         stdout=subprocess.DEVNULL)

    def logtext():
        with open(errlog) as f:
            return f.read()

    def status(js):
        r = subprocess.run([daemon, "--status", "-s", sock] + (["-j"] if js else []),
                           capture_output=True, text=True, timeout=10)
        return r.returncode, r.stdout

    def vm_json(name):
        """VM @name from a fresh JSON status ({} if absent), None if unreadable."""
        rc, out = status(True)
        try:
            return {v["name"]: v for v in json.loads(out)["vms"]}.get(name, {})
        except (ValueError, KeyError):
            return None

    def kern_status():
        v = vm_json("kern")
        return None if v is None else (v.get("target_mib"), v.get("guest_kernel_mib"))

    try:
        # idle: used 248 MiB + 10% -> 273; from 2048 by steps of 512 (max from QEMU)
        ok = wait_for(lambda: 273 in balloons(os.path.join(tmp, "idle.log")), 20)
        b = balloons(os.path.join(tmp, "idle.log"))
        tap(ok and b[:4] == [1536, 1024, 512, 273],
            "idle VM ballooned down to used + headroom, 512 MiB per period", "%s\n%s" % (b, logtext()))
        # busy: used 1848 + 10% = 2033
        b = balloons(os.path.join(tmp, "busy.log"))
        tap(b[:1] == [2033], "busy VM keeps used + headroom", b)
        tap(wait_for(lambda: "vm dead: dropped" in logtext(), 20),
            "dead VM dropped (logged)", logtext())
        n_busy = len(balloons(os.path.join(tmp, "busy.log")))
        time.sleep(1.5)
        rc, out = status(True)
        try:
            st = json.loads(out)
        except ValueError as e:
            st = None
            tap(False, "status JSON parses", "%s: %r" % (e, out[:2000]))
        else:
            tap(True, "status JSON parses")
        vms = {v["name"]: v for v in (st or {}).get("vms", [])}
        tap(rc == 0 and vms.get("dead", {}).get("state") == "down" and
            vms.get("busy", {}).get("state") == "ready" and
            vms.get("idle", {}).get("target_mib") == 273 and
            vms.get("idle", {}).get("actual_mib") == 273,
            "status: dead VM down, others ready, target and actual", out)
        # learned while its balloon stood still; busy's fake keeps its total
        # at 2048 whatever the balloon (as deflate-on-oom does): 0 learned
        # at 2048, and nothing added once its total is above its actual
        ok = wait_for(lambda: kern_status() == (264, 44), 20)
        tap(ok and vms.get("busy", {}).get("guest_kernel_mib") == 0 and
            vms.get("busy", {}).get("target_mib") == 2033,
            "kernel memory learned (44 MiB) and counted: target 264",
            "%s %s" % (kern_status(), vms.get("busy")))
        # without hvmem there is no curve: no scan costs the guests anything
        why = "no curve to feed" if soft_dirty() else "no soft-dirty"
        kv = vm_json("kern") or {}
        w = {"pages": kv.get("written_pages"), "src": kv.get("sources", {}).get("writes", "")}
        tap(why in w["src"] and w["pages"] is None, "write scan: off and says why (%s)" % why, w)
        tap("unavailable" in (st or {}).get("hvmem", "") or "off" in (st or {}).get("hvmem", ""),
            "status reports hvmem inputs unavailable", (st or {}).get("hvmem"))
        # the others still get queried after the drop: the fake logs their commands
        tap(wait_for(lambda: sum(1 for _ in open(os.path.join(tmp, "busy.log"))) > 20, 5) and
            "retrying" in logtext(), "other VMs keep being served after the drop", logtext())
        tap(balloons(os.path.join(tmp, "bad.log")) == [] and
            "vm bad: malformed QMP reply" in logtext() and
            "held" in vms.get("bad", {}).get("last_decision", {}).get("reason", ""),
            "malformed VM logged, held, never ballooned", "%s\n%s" % (vms.get("bad"), logtext()))
        tap(balloons(os.path.join(tmp, "storm.log")) == [] and
            "swap-in storm (12800 pages/s): kept at 2048" in logtext() and
            "kept at 2048" in vms.get("storm", {}).get("last_decision", {}).get("reason", "") and
            vms.get("storm", {}).get("target_mib") == 2048 and
            "vm storm: QEMU pid %d (config)" % pids["storm"] in logtext() and
            "vm storm: balloon device" not in logtext(),
            "swap-in storm: never shrunk", "%s\n%s" % (vms.get("storm"), logtext()))
        # stats that stop: the old swap-in rate is dropped, not kept as a storm
        def frozen():
            return vm_json("frozen") or {}
        ok = wait_for(lambda: frozen().get("sources", {}).get("guest_stats", "")
                      .startswith("stale: the guest has not updated them for"), 20)
        time.sleep(1)
        fz = frozen()
        tap(ok and "swap-in storm (12800 pages/s): kept at 512" in logtext() and
            fz.get("swapin_pages_s") is None and
            "storm" not in fz.get("last_decision", {}).get("reason", "x storm") and
            "not shrinking below 512" in fz.get("last_decision", {}).get("reason", "") and
            balloons(os.path.join(tmp, "frozen.log")) == [],
            "frozen guest stats: marked stale, its old swap-in rate dropped, not shrunk",
            "%s\n%s" % (fz, logtext()))
        rc, out = status(False)
        tap(rc == 0 and "busy" in out and "last decision" in out and "budget 8704" in out,
            "text status", out)
        if ctl:
            r = subprocess.run([ctl, "sched", "status", "-s", sock, "-j"], capture_output=True,
                               text=True, timeout=10)
            try:
                names = sorted(v["name"] for v in json.loads(r.stdout)["vms"])
            except (ValueError, KeyError):
                names = None
            r2 = subprocess.run([ctl, "sched", "status", "-s", sock + ".nope"],
                                capture_output=True, text=True, timeout=10)
            tap(r.returncode == 0 and names == ["bad", "busy", "dead", "frozen", "idle", "kern", "storm"] and
                r2.returncode == 1 and "hvmemd running" in r2.stderr,
                "hvmemctl sched status -j", r.stdout + r.stderr + r2.stderr)
        else:
            tap(True, "hvmemctl sched status # SKIP no hvmemctl given")
        # a broken file on SIGHUP: logged, the old configuration stays
        with open(conf, "a") as f:
            f.write("[vm oops]\nmin_mib = 10\n")
        d.send_signal(signal.SIGHUP)
        ok = wait_for(lambda: "reload failed, keeping the old configuration" in logtext(), 10)
        rc, out = status(True)
        tap(ok and rc == 0 and json.loads(out).get("budget_mib") == 8704 and
            "qmp = PATH is required" in logtext(), "bad reload keeps the old configuration",
            logtext())
        # reload: budget 1024 for busy+idle (+bad), dead removed
        write_conf(1024, ["busy", "idle", "bad", "storm", "kern", "frozen"])
        d.send_signal(signal.SIGHUP)
        tap(wait_for(lambda: "reloaded" in logtext() and "1 removed" in logtext(), 10),
            "SIGHUP reloads the configuration", logtext())
        time.sleep(2)
        rc, out = status(True)
        st = json.loads(out) if rc == 0 else {}
        vms = {v["name"]: v for v in st.get("vms", [])}
        tap(st.get("budget_mib") == 1024 and "dead" not in vms and st.get("contended") and
            st.get("sum_target_mib", 1 << 30) <= 1024 and
            all(v.get("target_mib", 0) >= 128 for v in vms.values() if v["scheduled"]),
            "after reload: new budget honoured, mins held", out)
        # a garbage request gets an error, the daemon lives on
        import socket as s_
        c = s_.socket(s_.AF_UNIX, s_.SOCK_STREAM)
        c.connect(sock)
        c.sendall(b"\xff" * 100 + b"\n")
        reply = c.recv(4096)
        c.close()
        tap(reply.startswith(b"error") and status(False)[0] == 0, "garbage status request refused")
        d.send_signal(signal.SIGTERM)
        try:
            rc = d.wait(10)
        except subprocess.TimeoutExpired:
            rc = None
        tap(rc == 0 and not os.path.exists(sock) and "exiting" in logtext(),
            "SIGTERM: clean exit, socket removed", "rc %s\n%s" % (rc, logtext()))
    finally:
        if d.poll() is None:
            d.kill()
        for p in procs:
            p.kill()
            p.wait()
        err.close()
        if all(results) and not os.environ.get("HVMEMD_TEST_KEEP"):
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("# logs kept in " + tmp)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
