#!/usr/bin/env python3
"""Crude mutation fuzzing of the release binary: mutate fixtures byte-wise and
structurally, lint each from stdin in every format, and require a clean exit
(0, 1 or 2) with no panic. Deterministic (fixed seed)."""
import pathlib, random, subprocess, sys

binary, *roots = sys.argv[1:]
rng = random.Random(20261122)
seeds = sorted(p for r in roots for p in pathlib.Path(r).rglob("*.y*ml"))
texts = [p.read_bytes() for p in seeds]
tokens = [b"{", b"}", b"[", b"]", b":", b"- ", b"&a ", b"*a", b"<<: *a\n", b"\t", b"---\n", b"'", b'"', b"|\n", b"? ", b"!!str ", b"\xff", b"\xc3", b"\n  ", b"{{ .Values.x }}", b"0755", b"yes", b"~"]
cases = bad = 0
for n in range(400):
    t = bytearray(rng.choice(texts))
    for _ in range(rng.randint(1, 6)):
        op = rng.random()
        pos = rng.randrange(len(t) + 1)
        if op < 0.4:
            t[pos:pos] = rng.choice(tokens)
        elif op < 0.7 and t:
            del t[pos:pos + rng.randint(1, 40)]
        elif t:
            t[pos % len(t)] = rng.randrange(256)
    fmt = ["human", "json", "sarif", "compact"][n % 4]
    p = subprocess.run([binary, "--format", fmt, "-"], input=bytes(t), capture_output=True, timeout=30)
    cases += 1
    if p.returncode not in (0, 1, 2) or b"panicked" in p.stderr:
        bad += 1
        out = pathlib.Path(f"target/mutation-{n}.yaml")
        out.write_bytes(bytes(t))
        print(f"FAIL case {n} ({fmt}): exit {p.returncode}; input saved to {out}; {p.stderr[-300:]!r}")
print(f"mutation smoke: {cases - bad} passed, {bad} failed")
sys.exit(1 if bad else 0)
