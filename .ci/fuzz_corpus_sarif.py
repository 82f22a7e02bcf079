#!/usr/bin/env python3
"""The SARIF of every input in a fuzz corpus validates against the SARIF 2.1.0
schema (the in-process oracle checks its shape; this checks the schema).
Each input is linted from standard input, as one file."""
import json, pathlib, subprocess, sys
import jsonschema

binary, schema_path, corpus = sys.argv[1:]
validator = jsonschema.Draft7Validator(json.loads(pathlib.Path(schema_path).read_text()))
inputs = sorted(p for p in pathlib.Path(corpus).iterdir() if p.is_file())
bad = 0
for p in inputs:
    r = subprocess.run([binary, "--format", "sarif", "-"], input=p.read_bytes(), capture_output=True)
    if r.returncode not in (0, 1, 2):
        print(f"FAIL {p}: exit {r.returncode}: {r.stderr[:200]!r}"); bad += 1; continue
    errors = list(validator.iter_errors(json.loads(r.stdout)))
    for e in errors[:3]:
        print(f"FAIL {p}: {'/'.join(map(str, e.path))}: {e.message[:200]}")
    bad += bool(errors)
print(f"fuzz corpus sarif: {len(inputs) - bad} passed, {bad} failed")
sys.exit(1 if bad or not inputs else 0)
