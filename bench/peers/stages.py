#!/usr/bin/env python3
"""Share of perf samples per pipeline stage: the deepest frame matching a
stage decides. Input: `perf script -F tid,ip,sym` of a call-graph recording
(DWARF unwinding for a build without frame pointers)."""
import re, sys, collections
# (stage, pattern): the deepest (closest to the leaf) matching frame decides.
RULES = [
    ("fetch", r"reqwest::|hyper::|hyper_util::|h2::|bantin::pipeline::fetch::|tokio::net|mio::|rustls|async_compression|flate2"),
    ("parse", r"bantin::pipeline::parse::|feed_rs::|quick_xml::|xml::reader|encoding_rs|chrono::format::parse"),
    ("normalize", r"bantin::pipeline::normalize::|ammonia::|html5ever::|markup5ever|tendril::|bantin::text::html::"),
    ("classify", r"bantin::pipeline::classify::|bantin::text::keywords::"),
    ("merge: sketch (Sketch::of)", r"bantin::pipeline::merge::sketch_of|bantin::text::sketch::Sketch::of"),
    ("merge: lookups (place)", r"bantin::pipeline::merge::place|bantin::store::indexes::.*stories_by_title|bantin::store::indexes::.*sketches_of|bantin::store::.*link"),
    ("merge: lookup similar()", r"bantin::store::indexes::.*>::similar"),
    ("merge: week reload (load_week)", r"bantin::store::indexes::.*load_week"),
    ("store: writes (merge::save, put_story, index_*)", r"bantin::pipeline::merge::save|bantin::store::Store::put|bantin::store::indexes::.*index_|bantin::pipeline::merge::ingest_since"),
    ("store: sled background flush", r"sled::threadpool|sled::pagecache::iobuf::IoBufs::write_to_log|sled::flusher"),
    ("store: open/flush at start/end", r"sled::config::Config::open|sled::Db::flush|bantin::store::Store::open|sled::tree::Tree::flush"),
    ("startup (config)", r"bantin::config::"),
]
RULES = [(s, re.compile(p)) for s, p in RULES]
ALLOC = re.compile(r"malloc|_int_free|cfree|free\b|unlink_chunk|realloc|calloc|__libc_free|malloc_consolidate|sysmalloc|tcache")
stage_n = collections.Counter(); stage_alloc = collections.Counter()
self_n = collections.Counter(); total = 0; alloc_total = 0
leaf_by_stage = collections.defaultdict(collections.Counter)
def flush(stack):
    global total, alloc_total
    if not stack: return
    total += 1
    stage = "other"
    for f in stack:  # leaf first
        for s, p in RULES:
            if p.search(f):
                stage = s; break
        if stage != "other": break
    leaf = stack[0]
    stage_n[stage] += 1
    self_n[leaf] += 1
    leaf_by_stage[stage][leaf] += 1
    if ALLOC.search(leaf):
        stage_alloc[stage] += 1; alloc_total += 1
stack = []
for line in open(sys.argv[1], errors="replace"):
    line = line.rstrip("\n")
    if not line.strip():
        flush(stack); stack = []; continue
    if not line.startswith("\t"):
        flush(stack); stack = []; continue
    parts = line.strip().split(" ", 1)
    stack.append(parts[1] if len(parts) > 1 else "?")
flush(stack)
print(f"samples: {total}; alloc/free leaf: {alloc_total} ({100*alloc_total/total:.1f} %)")
print("| stage | % of samples | of which malloc/free leaf |")
print("| --- | ---: | ---: |")
for s, n in stage_n.most_common():
    print(f"| {s} | {100*n/total:.1f} | {100*stage_alloc[s]/total:.1f} |")
print()
for s, n in stage_n.most_common():
    print(f"## {s} ({100*n/total:.1f} %): top self symbols")
    for sym, k in leaf_by_stage[s].most_common(6):
        print(f"   {100*k/total:5.2f} %  {sym[:110]}")
