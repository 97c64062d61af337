#!/usr/bin/env python3
"""Sums a JFR recording's execution samples (tests/bench/sql-cpu.sh --jfr) by method.

    tests/bench/jfr-top.py FILE.jfr [--from HH:MM:SS] [--to HH:MM:SS] [--top N] [--thread SUBSTRING]
                           [--under METHOD_SUBSTRING]

Prints the samples per thread kind (digits dropped from the name), the methods on top of the
stack (self), and the methods anywhere on the stack (inclusive, each counted once per sample),
as shares of all samples. --from and --to keep the samples taken in that window (the recording's
local wall-clock time, as sql-cpu.sh prints it); --thread keeps only samples of threads whose name holds SUBSTRING;
--under keeps only samples with a frame whose method holds METHOD_SUBSTRING.
"""
import argparse
import collections
import re
import subprocess
import sys


def samples(path):
    text = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "256", path],
                          check=True, capture_output=True, text=True).stdout
    thread, frames, in_stack, time = None, [], False, ""
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("startTime"):
            m = re.search(r"(\d\d:\d\d:\d\d)", s)
            time = m.group(1) if m else ""
        elif s.startswith("sampledThread"):
            m = re.search(r'"(.*)"', s)
            thread = m.group(1) if m else "?"
        elif s.startswith("stackTrace = ["):
            in_stack, frames = True, []
        elif in_stack and s == "]":
            in_stack = False
            yield time, thread, frames
        elif in_stack and s and s != "...":
            frames.append(re.sub(r"\s+line:.*$", "", s))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("--from", dest="start", default=None)
    p.add_argument("--to", dest="end", default=None)
    p.add_argument("--top", type=int, default=30)
    p.add_argument("--thread", default=None)
    p.add_argument("--under", default=None)
    a = p.parse_args()
    threads, self_, incl = collections.Counter(), collections.Counter(), collections.Counter()
    total = 0
    for time, thread, frames in samples(a.file):
        if (a.start and time < a.start) or (a.end and time >= a.end):
            continue
        if a.thread and a.thread not in thread:
            continue
        if a.under and not any(a.under in f for f in frames):
            continue
        total += 1
        threads[re.sub(r"[0-9]+", "", thread)] += 1
        if frames:
            self_[frames[0]] += 1
        for f in set(frames):
            incl[f] += 1
    if total == 0:
        print("no samples")
        return
    print(f"{total} samples")
    for title, counter in (("threads", threads), ("self", self_), ("inclusive", incl)):
        print(f"\n# {title}")
        for name, n in counter.most_common(a.top):
            print(f"{100.0 * n / total:6.1f}%  {name}")


if __name__ == "__main__":
    sys.exit(main())
