#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A fake QEMU QMP server on a unix socket, for testing hvmemd on the host.

    fake_qmp.py SOCKET --log FILE [--mode normal|disconnect|malformed]
                [--total-mib N] [--avail-mib N] [--free-mib N] [--max-mib N]
                [--swapin-mib-s N] [--drop-after N] [--kernel-mib N]
                [--freeze-after S] [--ram-mib N --write-pages K]

It speaks enough QMP for hvmemd: the greeting, qmp_capabilities,
query-memory-size-summary, query-cpus-fast (its own thread id), qom-list
(a virtio-balloon-pci in /machine/peripheral-anon), qom-set, qom-get
guest-stats (the scripted numbers), query-balloon and balloon (the new size
becomes "actual"). Replies are written in two parts with a pause between,
and a BALLOON_CHANGE / RTC_CHANGE event comes before some replies.
Every command received is appended to the log as one JSON line.

--freeze-after S: the guest stops updating its statistics S seconds in
(last-update and the counters stay as they were then), as a frozen guest.

--ram-mib N: map N MiB as QEMU maps guest RAM (anonymous, MADV_DONTFORK;
also MADV_NOHUGEPAGE, so that soft-dirty is per 4 KiB page), touch it once,
then rewrite K pages of it (spread over it) every 0.1 s: each of hvmemd's
write scans finds exactly those K pages written.

Modes: disconnect closes the connection after --drop-after commands and
removes its socket (the VM "went away"); malformed answers guest-stats with
broken JSON and a line of garbage.
"""
import argparse
import json
import mmap
import os
import socket
import sys
import threading
import time

MIB = 1 << 20
ncmds = 0


def guest_ram(mib, k):
    """Guest RAM as QEMU maps it, with K pages rewritten every 0.1 s."""
    ram = mmap.mmap(-1, mib * MIB, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    ram.madvise(mmap.MADV_DONTFORK)
    ram.madvise(mmap.MADV_NOHUGEPAGE)
    pages = mib * MIB // mmap.PAGESIZE
    for i in range(pages):
        ram[i * mmap.PAGESIZE] = 1
    stride = max(1, pages // max(k, 1))

    def writer():
        v = 0
        while True:
            v = (v + 1) & 0xff
            for i in range(min(k, pages)):
                ram[i * stride * mmap.PAGESIZE + 8] = v
            time.sleep(0.1)

    threading.Thread(target=writer, daemon=True).start()
    return ram


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("socket")
    ap.add_argument("--log", required=True)
    ap.add_argument("--mode", default="normal", choices=["normal", "disconnect", "malformed"])
    ap.add_argument("--total-mib", type=int, default=2048)
    ap.add_argument("--avail-mib", type=int, default=1024)
    ap.add_argument("--free-mib", type=int, default=512)
    ap.add_argument("--max-mib", type=int, default=2048)
    ap.add_argument("--swapin-mib-s", type=float, default=0)
    ap.add_argument("--drop-after", type=int, default=12)
    # the guest's kernel keeps this much outside its total: total follows
    # the balloon (actual - kernel), used stays total-mib - avail-mib
    ap.add_argument("--kernel-mib", type=int, default=0)
    ap.add_argument("--freeze-after", type=float, default=0)
    ap.add_argument("--ram-mib", type=int, default=0)
    ap.add_argument("--write-pages", type=int, default=0)
    a = ap.parse_args()
    ram = guest_ram(a.ram_mib, a.write_pages) if a.ram_mib else None  # noqa: F841

    try:
        os.unlink(a.socket)
    except FileNotFoundError:
        pass
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(a.socket)
    srv.listen(4)
    logf = open(a.log, "a", buffering=1)
    actual = a.max_mib * MIB
    start = time.time()

    def send(conn, obj, split=True):
        data = (json.dumps(obj) + "\r\n").encode()
        if split and len(data) > 8:
            conn.sendall(data[: len(data) // 2])
            time.sleep(0.005)
            conn.sendall(data[len(data) // 2:])
        else:
            conn.sendall(data)

    while True:
        conn, _ = srv.accept()
        try:
            actual = serve(conn, a, send, logf, srv, start, actual)
        except OSError:
            pass  # the client went away
        conn.close()


def serve(conn, a, send, logf, srv, start, actual):
    """One QMP session; returns the balloon size for the next one."""
    global ncmds
    send(conn, {"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7},
                                    "package": ""}, "capabilities": ["oob"]}})
    buf = b""
    while True:
        try:
            chunk = conn.recv(4096)
        except OSError:
            break
        if not chunk:
            break
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if not line.strip():
                continue
            try:
                cmd = json.loads(line)
            except ValueError:
                send(conn, {"error": {"class": "GenericError", "desc": "bad json"}})
                continue
            ncmds += 1
            logf.write(json.dumps({"t": time.time() - start, "cmd": cmd}) + "\n")
            ex = cmd.get("execute")
            args = cmd.get("arguments", {})
            cid = cmd.get("id")
            ret = {}
            if a.mode == "disconnect" and ncmds > a.drop_after:
                conn.close()
                srv.close()
                os.unlink(a.socket)
                logf.write(json.dumps({"t": time.time() - start, "gone": True}) + "\n")
                time.sleep(60)
                sys.exit(0)
            if ex == "query-memory-size-summary":
                ret = {"base-memory": a.max_mib * MIB, "plugged-memory": 0}
            elif ex == "query-cpus-fast":
                ret = [{"cpu-index": 0, "thread-id": threading.get_native_id(),
                        "qom-path": "/machine/unattached/device[0]", "target": "x86_64"}]
            elif ex == "qom-list":
                if args.get("path") == "/machine/peripheral-anon":
                    ret = [{"name": "type", "type": "string"},
                           {"name": "device[0]", "type": "child<virtio-balloon-pci>"}]
                else:
                    ret = [{"name": "type", "type": "string"}]
            elif ex == "qom-get" and args.get("property") == "guest-stats":
                if a.mode == "malformed":
                    conn.sendall(b'{"return": {"stats": [}, "id": %d}\r\n' % cid)
                    conn.sendall(b"\x00\xffgarbage{{{\r\n")
                    continue
                up = time.time() - start
                if a.freeze_after:
                    up = min(up, a.freeze_after)
                lu = int(up) + 1  # guest updates: whole seconds
                total, avail, free = a.total_mib * MIB, a.avail_mib * MIB, a.free_mib * MIB
                if a.kernel_mib:
                    used = (a.total_mib - a.avail_mib) * MIB
                    total = max(actual - a.kernel_mib * MIB, used)
                    avail = total - used
                    free = avail // 2
                ret = {"stats": {
                    "stat-total-memory": total,
                    "stat-available-memory": avail,
                    "stat-free-memory": free,
                    "stat-disk-caches": 64 * MIB,
                    "stat-swap-in": int(a.swapin_mib_s * MIB * lu),
                    "stat-swap-out": 0,
                    "stat-major-faults": 10,
                    "stat-minor-faults": 18446744073709551615,
                    "stat-htlb-pgalloc": 0},
                    "last-update": lu}
            elif ex == "query-balloon":
                send(conn, {"event": "RTC_CHANGE", "data": {"offset": 0},
                            "timestamp": {"seconds": 0, "microseconds": 0}})
                ret = {"actual": actual}
            elif ex == "balloon":
                actual = int(args["value"])
                send(conn, {"event": "BALLOON_CHANGE", "data": {"actual": actual},
                            "timestamp": {"seconds": 0, "microseconds": 0}})
            send(conn, {"return": ret, "id": cid})
    return actual


if __name__ == "__main__":
    sys.exit(main())
