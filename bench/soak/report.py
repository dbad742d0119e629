#!/usr/bin/env python3
"""bench/soak/run's report, from what it left in its temp dir: wrk's
outputs, the RSS and descriptor samples, bantin's /metrics and the list of
faulty sources. Only the standard library."""

import re
import statistics
import sys
from pathlib import Path

tmp = Path(sys.argv[1])


def wrk(name):
    """req/s, p50 and p99 in ms, requests, socket errors, non-2xx/3xx."""
    text = (tmp / f"wrk.{name}").read_text()

    def ms(label):
        m = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        if not m:
            return float("nan")
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    reqs = re.search(r"(\d+) requests in", text)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    took = re.search(r"requests in ([\d.]+)(ms|s|m)", text)
    secs = float(took.group(1)) * {"ms": 0.001, "s": 1, "m": 60}[took.group(2)] if took else 0.0
    conns = re.search(r"(\d+) connections", text)
    return {
        "secs": secs,
        "conns": int(conns.group(1)) if conns else 0,
        "rps": float(rps.group(1)) if rps else 0.0,
        "p50": ms("50%"), "p99": ms("99%"),
        "requests": int(reqs.group(1)) if reqs else 0,
        "socket": sum(int(g) for g in sock.groups()) if sock else 0,
        "socket_text": sock.group(0) if sock else "Socket errors: none",
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
    }


def cpu_us(name):
    """CPU (user + system) of the server per request, in µs."""
    path = tmp / f"cpu.{name}"
    if not path.exists():
        return float("nan")
    ticks, hz = (int(x) for x in path.read_text().split())
    requests = wrk(name)["requests"]
    return ticks / hz * 1e6 / requests if requests else float("nan")


def line(label, w, cpu=None):
    extra = "" if cpu is None else f" {cpu:.1f} |"
    return (f"| {label} | {w['rps']:,.0f} | {w['p50']:.2f} | {w['p99']:.2f} | {w['requests']:,} "
            f"| {w['socket']} | {w['non2xx']} |{extra}")


print()
print("While polling (wrk on bantin):")
print()
print("| what | req/s | p50 ms | p99 ms | requests | socket errors | non-2xx/3xx |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
feeds, page = wrk("feeds"), wrk("page")
print(line("9 topic feeds (.atom/.rss/.json)", feeds))
print(line("status page /", page))

print()
print("Side by side, /feeds/y-te.atom from bantin and the same bytes from nginx (static file):")
print()
print("| run | req/s | p50 ms | p99 ms | requests | socket errors | non-2xx/3xx | server CPU µs/request |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
runs = {}
cpus = {}
for rnd in (1, 2):
    for who in ("bantin", "nginx"):
        w = wrk(f"{who}.{rnd}")
        runs.setdefault(who, []).append(w)
        cpus.setdefault(who, []).append(cpu_us(f"{who}.{rnd}"))
        print(line(f"{who} {rnd}", w, cpus[who][-1]))
b = statistics.mean(w["rps"] for w in runs["bantin"])
n = statistics.mean(w["rps"] for w in runs["nginx"])
bp = statistics.mean(w["p99"] for w in runs["bantin"])
np_ = statistics.mean(w["p99"] for w in runs["nginx"])
print()
print(f"bantin/nginx req/s: {b:,.0f} / {n:,.0f} = {b / n:.2f}× (means of 2 runs); "
      f"p99 bantin {bp:.2f} ms, nginx {np_:.2f} ms")
print(f"server CPU per request: bantin {statistics.mean(cpus['bantin']):.1f} µs, "
      f"nginx {statistics.mean(cpus['nginx']):.1f} µs (bantin's includes its polls meanwhile)")

# ---------------------------------------------------------------- RSS, fds
def metric(name):
    for l in (tmp / "metrics.txt").read_text().splitlines():
        if l.startswith(name + " "):
            return float(l.split()[1])
    return 0.0


index_budget = metric("bantin_index_memory_budget_bytes") / 2**20
search_budget = metric("bantin_search_index_budget_bytes") / 2**20
samples = []
# (seconds, weeks' index MiB, search index MiB, stories created), where
# /metrics answered.
indexes = []
for row in (tmp / "samples.tsv").read_text().splitlines():
    t, rss, fds, phase, *rest = row.split("\t")
    if int(rss) > 0:
        samples.append((int(t), int(rss) / 1024, int(fds), phase))
    if len(rest) == 3 and int(rest[2]) > 0:
        indexes.append((int(t), int(rest[0]) / 2**20, int(rest[1]) / 2**20, int(rest[2])))
print()
if samples:
    first, mid, last = samples[0], samples[len(samples) // 2], samples[-1]
    peak = max(samples, key=lambda s: s[1])
    half = samples[len(samples) // 2:]
    ts = [s[0] for s in half]
    rs = [s[1] for s in half]
    slope = 0.0
    if len(half) >= 2 and statistics.pvariance(ts) > 0:
        mt, mr = statistics.mean(ts), statistics.mean(rs)
        slope = sum((t - mt) * (r - mr) for t, r in zip(ts, rs)) / sum((t - mt) ** 2 for t in ts)
    print(f"RSS (VmRSS, {len(samples)} samples every 2 s): first {first[1]:.1f} MiB at {first[0]}s, "
          f"mid {mid[1]:.1f} MiB at {mid[0]}s, last {last[1]:.1f} MiB at {last[0]}s, "
          f"max {peak[1]:.1f} MiB at {peak[0]}s ({peak[3]})")
    print(f"RSS slope over the last half ({half[0][0]}s-{half[-1][0]}s): {slope * 60:+.2f} MiB/min")
    quiet = [x for x in samples if x[3] == "compare"]
    if len(quiet) >= 2:
        qt = [x[0] for x in quiet]
        qr = [x[1] for x in quiet]
        mt, mr = statistics.mean(qt), statistics.mean(qr)
        qs = sum((t - mt) * (r - mr) for t, r in zip(qt, qr)) / max(sum((t - mt) ** 2 for t in qt), 1e-9)
        print(f"RSS slope during the side by side (no new items, {qt[0]}s-{qt[-1]}s): {qs * 60:+.2f} MiB/min")
    # The bounded regime: stories still arriving (the feeds phase) once
    # each index has reached 90 % of its budget (from then on each is
    # trimmed back whenever it reaches it, so it saws below it). What RSS
    # does there is what a daemon does once it has run a while.
    weeks_full = next((i[0] for i in indexes if i[1] >= 0.9 * index_budget), None)
    search_full = next((i[0] for i in indexes if i[2] >= 0.9 * search_budget), None)
    if weeks_full is not None and search_full is not None:
        since = max(weeks_full, search_full)
        stories_at = dict((i[0], i[3]) for i in indexes)
        bounded = [(x[0], x[1], stories_at.get(x[0]) or stories_at.get(x[0] - 1) or stories_at.get(x[0] + 1))
                   for x in samples if x[3] == "feeds" and x[0] >= since]
        bounded = [b for b in bounded if b[2]]
        if len(bounded) >= 2 and bounded[-1][2] > bounded[0][2]:
            ss = [b[2] for b in bounded]
            rs = [b[1] for b in bounded]
            ms, mr = statistics.mean(ss), statistics.mean(rs)
            per = sum((x - ms) * (r - mr) for x, r in zip(ss, rs)) / max(sum((x - ms) ** 2 for x in ss), 1e-9)
            print(f"RSS once both indexes have reached 90 % of their budgets, while stories arrive "
                  f"({bounded[0][0]}s-{bounded[-1][0]}s, {len(bounded)} samples): "
                  f"{bounded[0][1]:.1f} -> {bounded[-1][1]:.1f} MiB (min {min(rs):.1f}, max {max(rs):.1f}) "
                  f"while stories went {bounded[0][2]:,} -> {bounded[-1][2]:,}: "
                  f"{per * 1024 * 1000:+.1f} KiB per 1,000 stories (fitted)")
        else:
            print(f"both indexes reached 90 % of their budgets at {since}s, after the feeds phase")
    else:
        print("the indexes never reached 90 % of their budgets: no bounded regime to report "
              "(smaller --index-memory and --search-memory, or a longer --soak, show it)")
    if indexes:
        i0, im, il = indexes[0], indexes[len(indexes) // 2], indexes[-1]
        print(f"weeks' index (MiB, budget {index_budget:.0f}): first {i0[1]:.1f}, mid {im[1]:.1f}, "
              f"last {il[1]:.1f}, max {max(i[1] for i in indexes):.1f}; "
              f"search index (MiB, budget {search_budget:.0f}): first {i0[2]:.1f}, mid {im[2]:.1f}, "
              f"last {il[2]:.1f}, max {max(i[2] for i in indexes):.1f}; "
              f"stories created: {i0[3]:,} at {i0[0]}s, {im[3]:,} at {im[0]}s, {il[3]:,} at {il[0]}s")
    fds = [s[2] for s in samples]
    print(f"open descriptors: first {fds[0]}, mid {fds[len(fds) // 2]}, last {fds[-1]}, "
          f"max {max(fds)}, min {min(fds)}")
    print()
    print("| phase | samples | RSS MiB min–max | descriptors min–max |")
    print("| --- | ---: | ---: | ---: |")
    for phase in dict.fromkeys(s[3] for s in samples):
        ps = [s for s in samples if s[3] == phase]
        print(f"| {phase} | {len(ps)} | {min(s[1] for s in ps):.1f}–{max(s[1] for s in ps):.1f} "
              f"| {min(s[2] for s in ps)}–{max(s[2] for s in ps)} |")

# ---------------------------------------------------------------- polls
faulty = dict(l.split() for l in (tmp / "gen" / "faulty").read_text().splitlines())
polls = {}
requests = {}
pat = re.compile(r'^(\w+)\{(.*)\} (\d+(?:\.\d+)?)$')
for l in (tmp / "metrics.txt").read_text().splitlines():
    m = pat.match(l)
    if not m:
        continue
    labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
    value = int(float(m.group(3)))
    if m.group(1) == "bantin_polls_total":
        polls.setdefault(labels["source"], {})[labels["result"]] = value
    elif m.group(1) == "bantin_http_requests_total":
        requests[(labels["route"], labels["status"])] = value
ok = ("fetched", "not_modified")
healthy = [s for s in polls if s not in faulty]
counts = [sum(polls[s].values()) for s in healthy]
print()
print(f"polls (from /metrics): {sum(sum(v.values()) for v in polls.values()):,} in all; "
      f"per healthy source min {min(counts, default=0)}, median "
      f"{statistics.median(counts) if counts else 0}, max {max(counts, default=0)}")
bad = {s: {r: n for r, n in polls[s].items() if r not in ok} for s in healthy}
bad = {s: v for s, v in bad.items() if v}
unpolled = 2000 - len(polls)
print(f"healthy sources (1800) with a failed poll: {len(bad)}; sources never polled: {unpolled}")
for s, v in sorted(bad.items())[:10]:
    print(f"  {s}: {v}")
by_fault = {}
for s, fault in faulty.items():
    results = polls.get(s, {})
    agg = by_fault.setdefault(fault, {})
    for r, n in results.items():
        agg[r] = agg.get(r, 0) + n
print("faulty sources (40 of each fault), their polls' results:")
for fault, agg in by_fault.items():
    print(f"  {fault}: " + ", ".join(f"{r} {n}" for r, n in sorted(agg.items())))

print()
print("requests bantin counted (route, status): " + ", ".join(
    f"{r} {st}: {n:,}" for (r, st), n in sorted(requests.items())))
errors = sum(n for (r, st), n in requests.items() if not st.startswith(("2", "3")))
# bantin closes every connection 60 s after accepting it (serve/connections.rs
# DEADLINE), even a busy keep-alive one: a wrk run of 60 s or more sees
# each of its connections cut once a minute, a read error each.
expected = sum(w["conns"] * int(w["secs"] // 60) for w in [feeds, page] + runs["bantin"])
sock = sum(w["socket"] for w in [feeds, page] + runs["bantin"])
non2xx = sum(w["non2xx"] for w in [feeds, page] + runs["bantin"])
print(f"bantin answers outside 2xx/3xx: {errors}; wrk socket errors on bantin: {sock} "
      f"(at most {expected} expected: connections cut at their 60 s deadline); "
      f"wrk non-2xx/3xx on bantin: {non2xx}")
verdict = "PASS" if not bad and not unpolled and not errors and sock <= expected and not non2xx else "FAIL"
print(f"no poll or request errors beyond the injected faults: {verdict}")
