#!/usr/bin/env python3
"""Lint each repository folder of the real-manifest corpus as one run: no
crash, exit code 0/1/2, valid JSON. Prints findings per rule."""
import collections, json, pathlib, subprocess, sys

binary, root = sys.argv[1], pathlib.Path(sys.argv[2])
per_rule = collections.Counter()
bad = ok = 0
for repo in sorted(p for p in root.iterdir() if p.is_dir()):
    p = subprocess.run([binary, "--format", "json", str(repo)], capture_output=True, text=True, timeout=120)
    try:
        doc = json.loads(p.stdout)
        assert p.returncode in (0, 1, 2), p.returncode
    except Exception as e:
        print(f"FAIL {repo.name}: exit {p.returncode}: {e}: {p.stderr[:300]}")
        bad += 1
        continue
    ok += 1
    per_rule.update(f["rule"] for f in doc["findings"])
    for e in doc["errors"]:
        print(f"input error {e['file']}:{e['line']}: {e['message']}")
for rule, n in sorted(per_rule.items()):
    print(f"  {rule}: {n}")
print(f"real corpus: {ok} passed, {bad} failed")
sys.exit(1 if bad else 0)
