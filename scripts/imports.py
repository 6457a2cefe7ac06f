#!/usr/bin/env python3
"""The structure drawn from the code's own imports: every `crate::a::b` a source file names,
folded to top-level modules (and the submodules of directories), then the circles among them.

Then the layers, bottom to top: a module may use its own layer and the ones below, never one
above (the data flows one way: options -> profiles -> plan -> runner -> outcomes -> diagnosis
-> reports).

Usage: python3 scripts/imports.py [--fine]   (exit 1 when a circle exists or a layer is crossed
upwards)
--fine keeps submodules (probe::http, report::text, ...) as separate nodes.
"""
import os, re, sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
fine = "--fine" in sys.argv
dirs = {d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d))}


def node(parts):
    if not parts:
        return None
    top = parts[0]
    if fine and top in dirs and len(parts) > 1 and os.path.exists(os.path.join(root, top, parts[1] + ".rs")):
        return top + "::" + parts[1]
    return top


def strip_tests(text):
    # Test modules may reach anywhere: only the program's own structure counts.
    i = text.find("#[cfg(test)]")
    return text if i < 0 else text[:i]


edges = {}
for dp, _, files in os.walk(root):
    for f in files:
        if not f.endswith(".rs"):
            continue
        path = os.path.join(dp, f)
        rel = os.path.relpath(path, root)[:-3].split(os.sep)
        if rel[-1] == "mod":
            rel = rel[:-1]
        if rel in (["main"], ["lib"]):
            continue
        me = node(rel)
        text = strip_tests(open(path, encoding="utf-8").read())
        text = re.sub(r"//[^\n]*", "", text)
        refs = set()
        # `crate::a::b`, and grouped `use crate::{a::x, b}`
        for m in re.finditer(r"crate::((?:\w+::)*\w+)", text):
            refs.add(node(m.group(1).split("::")))
        for m in re.finditer(r"use crate::\{([^;]*)\};", text, re.S):
            for item in re.split(r",(?![^{]*\})", m.group(1)):
                item = item.strip()
                if item:
                    refs.add(node(re.split(r"::|\{", item)[0:2] if fine else [re.split(r"::|\{", item)[0]]))
        # `super::x` inside a directory module
        if len(rel) > 1:
            for m in re.finditer(r"\bsuper::(\w+)", text):
                refs.add(node([rel[0], m.group(1)]))
        refs.discard(None)
        refs.discard(me)
        edges.setdefault(me, set()).update(r for r in refs if r)

# Circles: strongly connected components with more than one node.
index, low, stack, on, sccs, n = {}, {}, [], set(), [], [0]


def visit(v):
    index[v] = low[v] = n[0]
    n[0] += 1
    stack.append(v)
    on.add(v)
    for w in sorted(edges.get(v, ())):
        if w not in index:
            visit(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop()
            on.discard(w)
            comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            sccs.append(sorted(comp))


sys.setrecursionlimit(10000)
for v in sorted(edges):
    if v not in index:
        visit(v)

for v in sorted(edges):
    print(f"{v:20} -> {', '.join(sorted(edges[v])) or '-'}")
if sccs:
    print()
    for c in sccs:
        inner = [f"{a} -> {b}" for a in c for b in sorted(edges.get(a, ())) if b in c]
        print("circle:", " | ".join(inner))
    sys.exit(1)
print("\nno circle")

LAYERS = [
    {"lang", "inert", "naming", "reply", "console", "model"},  # ground floor
    {"profile"},  # everything known
    {"probe", "link", "options", "errors"},  # the sockets, what the user asked, what went wrong
    {"plan"},
    {"runner"},
    {"measure"},
    {"diagnose"},  # pure: codes and values
    {"report"},  # every sentence
    {"pipeline"},
    {"merge", "exit", "cli", "collect", "kit", "serve"},  # the commands around a check
    {"app"},
]
rank = {m: i for i, layer in enumerate(LAYERS) for m in layer}
top = lambda v: v.split("::")[0]
unplaced = sorted({top(v) for v in edges} - set(rank))
upward = [
    f"{a} (layer {rank[top(a)]}) -> {b} (layer {rank[top(b)]})"
    for a in sorted(edges)
    for b in sorted(edges[a])
    if top(a) in rank and top(b) in rank and rank[top(b)] > rank[top(a)]
]
if unplaced:
    print("not in a layer (add it to LAYERS):", ", ".join(unplaced))
for u in upward:
    print("upwards:", u)
if unplaced or upward:
    sys.exit(1)
print("no import runs upwards across the", len(LAYERS), "layers")
