#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""scripts/qmp.py - a small QMP client for the guests of scripts/guest.

  qmp.py SOCK balloon MIB        set the guest's balloon target to MIB MiB of RAM
  qmp.py SOCK query-balloon      print the guest's current RAM (MiB) after ballooning
  qmp.py SOCK stats              print the virtio-balloon guest statistics (JSON)
  qmp.py SOCK quit               end QEMU
  qmp.py SOCK raw JSON           execute one QMP command given as JSON, print its return
  qmp.py SOCK hmp 'CMD'          run a human monitor command (e.g. 'info registers'),
                                 print its text
  qmp.py SOCK watch [--interval S] [--balloon MIB] [--out FILE]
        wait for the socket (60 s), optionally set the balloon, then every S
        seconds (default 2) read the balloon statistics and size and write
        them as one JSON object to FILE (replaced atomically; stdout without
        --out): {"actual-mib":..., "stats":{...}, "max":{...}, "samples":N};
        "max" holds each statistic's largest value seen. Ends when QEMU
        closes the socket.

The balloon device must have id balloon0 (scripts/guest gives it that id).
Exit status 0, 1 on a QMP error, 2 on bad usage or no connection.
"""
import json
import os
import socket
import sys
import time

BALLOON = "/machine/peripheral/balloon0"


class QMP:
    def __init__(self, path, wait=0.0):
        deadline = time.monotonic() + wait
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.2)
        self.f = self.sock.makefile("rwb")
        self._read()  # greeting
        self.cmd("qmp_capabilities")

    def _read(self):
        while True:
            line = self.f.readline()
            if not line:
                raise EOFError("QMP socket closed")
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def cmd(self, name, **args):
        req = {"execute": name}
        if args:
            req["arguments"] = args
        self.f.write(json.dumps(req).encode() + b"\n")
        self.f.flush()
        msg = self._read()
        if "error" in msg:
            raise RuntimeError("%s: %s" % (name, msg["error"].get("desc", msg["error"])))
        return msg.get("return")

    def stats(self):
        return self.cmd("qom-get", path=BALLOON, property="guest-stats")

    def actual_mib(self):
        return self.cmd("query-balloon")["actual"] >> 20


def usage():
    sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
    sys.exit(2)


def watch(q, argv):
    interval, balloon, out = 2.0, None, None
    while argv:
        if argv[0] == "--interval" and len(argv) > 1:
            interval = float(argv[1])
        elif argv[0] == "--balloon" and len(argv) > 1:
            balloon = int(argv[1])
        elif argv[0] == "--out" and len(argv) > 1:
            out = argv[1]
        else:
            usage()
        argv = argv[2:]
    if balloon is not None:
        q.cmd("balloon", value=balloon << 20)
    mx, n = {}, 0
    while True:
        try:
            st = q.stats()
            actual = q.actual_mib()
        except (EOFError, OSError):
            return 0
        n += 1
        for k, v in st.get("stats", {}).items():
            if 0 <= v < 1 << 63:  # unset statistics read as all ones
                mx[k] = max(mx.get(k, v), v)
        doc = {"actual-mib": actual, "stats": st.get("stats", {}),
               "last-update": st.get("last-update", 0), "max": mx, "samples": n}
        if out:
            tmp = out + ".tmp"
            with open(tmp, "w") as f:
                json.dump(doc, f)
            os.replace(tmp, out)
        else:
            print(json.dumps(doc), flush=True)
        time.sleep(interval)


def main(argv):
    if len(argv) < 2:
        usage()
    path, what, rest = argv[0], argv[1], argv[2:]
    try:
        q = QMP(path, wait=60.0 if what == "watch" else 0.0)
    except OSError as e:
        sys.stderr.write("qmp.py: %s: %s\n" % (path, e))
        return 2
    try:
        if what == "balloon" and len(rest) == 1:
            q.cmd("balloon", value=int(rest[0]) << 20)
        elif what == "query-balloon" and not rest:
            print(q.actual_mib())
        elif what == "stats" and not rest:
            print(json.dumps(q.stats(), indent=1))
        elif what == "quit" and not rest:
            try:
                q.cmd("quit")
            except EOFError:
                pass
        elif what == "hmp" and len(rest) == 1:
            out = q.cmd("human-monitor-command", **{"command-line": rest[0]})
            sys.stdout.write(out if isinstance(out, str) else json.dumps(out) + "\n")
        elif what == "raw" and len(rest) == 1:
            req = json.loads(rest[0])
            print(json.dumps(q.cmd(req["execute"], **req.get("arguments", {}))))
        elif what == "watch":
            return watch(q, rest)
        else:
            usage()
    except (RuntimeError, EOFError, ValueError) as e:
        sys.stderr.write("qmp.py: %s\n" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
