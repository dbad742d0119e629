#!/usr/bin/env python3
"""Runs bantin's parse stage over feedparser's own test suite and compares
entry counts and first links with feedparser's.

    bench/feedparser-suite.py SUITE_TESTS_DIR [--bin PATH] [--save OUT.json]
                              [--before BEFORE.json]

SUITE_TESTS_DIR is the `tests` directory of an unpacked feedparser sdist
(feedparser-6.0.11.tar.gz). Every `*.xml` file under it is read by
`examples/parse_files` (build it first: `cargo build --example parse_files`)
and by feedparser (run this script with a Python that has `feedparser`
installed, e.g. a venv under /tmp). Both read the bytes as if fetched from
BASE with no Content-Type header.

--save writes the per-file results; --before reads such a file, saved from an
earlier bantin, and adds what changed since: files refused then and now, and
per construct (the name bantin's recovering reader gives in its `partial`
note) what was refused then and is read now.
"""

import argparse
import collections
import json
import pathlib
import re
import subprocess
import sys
import warnings

import feedparser

BASE = "http://127.0.0.1/feed"
CHUNK = 200


def bantin(binary, files):
    out = {}
    for i in range(0, len(files), CHUNK):
        chunk = [str(f) for f in files[i : i + CHUNK]]
        run = subprocess.run(
            [binary, "--base", BASE, *chunk], capture_output=True, text=True, check=True
        )
        for line in run.stdout.splitlines():
            row = json.loads(line)
            out[row["path"]] = row
    return out


def feedparser_view(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            d = feedparser.parse(
                path.read_bytes(), response_headers={"content-location": BASE}
            )
        except Exception:  # a few sanitizer cases crash feedparser itself
            return {"items": 0, "first_link": None, "crashed": True}
    entries = d.get("entries", [])
    return {
        "items": len(entries),
        "first_link": entries[0].get("link") if entries else None,
    }


def construct(row):
    """The construct bantin's partial note names, or None for a whole read."""
    note = row.get("partial") or ""
    if not note:
        return None
    if ": feed-rs " not in note:
        return "truncated or ill-formed, salvaged"
    return note.split(": feed-rs ")[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("suite")
    ap.add_argument("--bin", default="target/debug/examples/parse_files")
    ap.add_argument("--save")
    ap.add_argument("--before")
    args = ap.parse_args()

    files = sorted(pathlib.Path(args.suite).rglob("*.xml"))
    ours = bantin(args.bin, files)
    rows = {}
    for f in files:
        key = str(f)
        b = ours.get(key, {"error": "no output"})
        fp = feedparser_view(f)
        rows[str(f.relative_to(args.suite))] = {"bantin": b, "feedparser": fp}

    if args.save:
        pathlib.Path(args.save).write_text(json.dumps(rows, indent=1, ensure_ascii=False))

    def refused(r):
        return "error" in r["bantin"]

    total = len(rows)
    ref = [k for k, r in rows.items() if refused(r)]
    ref_with_entries = [k for k in ref if rows[k]["feedparser"]["items"] > 0]
    differ = [
        k
        for k, r in rows.items()
        if r["bantin"].get("items", 0) != r["feedparser"]["items"]
    ]
    link_cmp = [
        (k, r)
        for k, r in rows.items()
        if r["feedparser"]["first_link"]
        and re.match(r"https?://", r["feedparser"]["first_link"])
        and r["bantin"].get("items", 0) > 0
    ]
    link_diff = [
        k for k, r in link_cmp if r["bantin"].get("first_link") != r["feedparser"]["first_link"]
    ]
    print(f"files: {total}")
    print(f"refused by bantin: {len(ref)} ({len(ref_with_entries)} with entries feedparser reads)")
    print(f"entry count differs from feedparser: {len(differ)}")
    print(f"first link differs (of {len(link_cmp)} with an absolute feedparser link): {len(link_diff)}")
    partial = [k for k, r in rows.items() if r["bantin"].get("partial")]
    print(f"read by the recovering reader (partial): {len(partial)}")

    if args.before:
        before = json.loads(pathlib.Path(args.before).read_text())
        was = {k for k, r in before.items() if "error" in r["bantin"]}
        was_entries = {k for k in was if before[k]["feedparser"]["items"] > 0}
        now = set(ref)
        differ_before = [
            k
            for k, r in before.items()
            if r["bantin"].get("items", 0) != r["feedparser"]["items"]
        ]
        print()
        print(f"refused before: {len(was)} ({len(was_entries)} with entries); now: {len(now)} ({len(ref_with_entries)})")
        print(f"count differs before: {len(differ_before)}; now: {len(differ)}")
        table = collections.Counter()
        for k in was_entries - now:
            table[construct(rows[k]["bantin"]) or "read by feed-rs now"] += 1
        print()
        print("| construct (refused before, with entries, read now) | files |")
        print("| --- | ---: |")
        for name, n in table.most_common():
            print(f"| {name} | {n} |")
        gained = collections.Counter()
        for k, r in rows.items():
            b = before[k]["bantin"]
            fp = r["feedparser"]["items"]
            if "error" not in b and b.get("items", 0) < fp == r["bantin"].get("items"):
                gained[construct(r["bantin"]) or "read by feed-rs"] += 1
        if gained:
            print()
            print("| construct (read before with fewer entries than feedparser, now all) | files |")
            print("| --- | ---: |")
            for name, n in gained.most_common():
                print(f"| {name} | {n} |")
        still = collections.Counter()
        for k in was_entries & now:
            still[rows[k]["bantin"]["error"][:90]] += 1
        if still:
            print()
            print("| still refused, with entries | files |")
            print("| --- | ---: |")
            for name, n in still.most_common():
                print(f"| {name} | {n} |")



if __name__ == "__main__":
    sys.exit(main())
