#!/usr/bin/env python3
"""Runs a command N times and reports its wall time (median, min, max) and peak RSS.

usage: timing.py [--runs N] [--stdout FILE] [--stderr FILE] [--expect-rc RC] [--append FILE] -- COMMAND [ARGS...]
       timing.py --merge FILE

Prints one line of JSON: {"runs_ms": [...], "median_ms", "min_ms", "max_ms", "peak_rss_kb", "cpu_ms"}.
The peak RSS is the largest ru_maxrss among the runs (os.wait4, the child's own figure); cpu_ms is
the median of the runs' CPU time (user + system, os.wait4: the command's and that of every process
it waited for — not this script's own). The command's
stdout goes to FILE (each run overwrites it; the last run's output stays), else to /dev/null; its
stderr likewise to --stderr FILE, else it passes through. A run whose exit code differs from RC (default 0) aborts with exit code 1.

To alternate two commands (so both meet the same machine state, run for run), time each with
--runs 1 --append FILE in turn: the line is appended to FILE instead of printed; --merge FILE then
prints one line as above over all the runs appended there.
"""
import json
import os
import statistics
import subprocess
import sys
import time


def summary(times, rss, cpus):
    return json.dumps({"runs_ms": times, "median_ms": round(statistics.median(times), 2),
                       "min_ms": min(times), "max_ms": max(times), "peak_rss_kb": rss,
                       "cpu_ms": round(statistics.median(cpus), 2)})


def merge(path):
    times, rss, cpus = [], 0, []
    with open(path) as f:
        for line in f:
            if line.strip():
                j = json.loads(line)
                times += j["runs_ms"]
                rss = max(rss, j["peak_rss_kb"])
                cpus.append(j["cpu_ms"])
    if not times:
        sys.exit("timing.py: no runs in " + path)
    print(summary(times, rss, cpus))


def main():
    argv = sys.argv[1:]
    if len(argv) == 2 and argv[0] == "--merge":
        return merge(argv[1])
    runs, out_file, err_file, expect_rc, append = 5, None, None, 0, None
    while argv and argv[0] != "--":
        flag, value = argv[0], argv[1]
        if flag == "--runs":
            runs = int(value)
        elif flag == "--stdout":
            out_file = value
        elif flag == "--stderr":
            err_file = value
        elif flag == "--expect-rc":
            expect_rc = int(value)
        elif flag == "--append":
            append = value
        else:
            sys.exit("timing.py: unknown flag " + flag)
        argv = argv[2:]
    cmd = argv[1:]
    times, rss, cpus = [], 0, []
    for _ in range(runs):
        with open(out_file or os.devnull, "wb") as out, open(err_file or os.devnull, "wb") as err:
            t0 = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=out, stderr=err if err_file else None)
            _, status, usage = os.wait4(proc.pid, 0)
            elapsed = (time.perf_counter() - t0) * 1000.0
        rc = os.waitstatus_to_exitcode(status)
        if rc != expect_rc:
            sys.exit("timing.py: %s exited with %d (expected %d)" % (" ".join(cmd), rc, expect_rc))
        times.append(round(elapsed, 2))
        rss = max(rss, usage.ru_maxrss)
        cpus.append(round((usage.ru_utime + usage.ru_stime) * 1000.0, 2))
    if append:
        with open(append, "a") as f:
            f.write(summary(times, rss, cpus) + "\n")
    else:
        print(summary(times, rss, cpus))


if __name__ == "__main__":
    main()
