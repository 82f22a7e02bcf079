#!/usr/bin/env python3
"""Validate stslint's SARIF for every fixture case (and the examples) against
the OASIS SARIF 2.1.0 schema."""
import json, pathlib, subprocess, sys
import jsonschema

binary, schema_path, *roots = sys.argv[1:]
schema = json.loads(pathlib.Path(schema_path).read_text())
validator = jsonschema.Draft7Validator(schema)
cases = []
for root in roots:
    r = pathlib.Path(root)
    cases.append(r)
    for d in sorted(p for p in r.iterdir() if p.is_dir()):
        cases.extend(sorted(d.iterdir()))
bad = 0
results = 0
for case in cases:
    p = subprocess.run([binary, "--format", "sarif", str(case)], capture_output=True, text=True)
    if p.returncode not in (0, 1, 2):
        print(f"FAIL {case}: exit {p.returncode}: {p.stderr[:200]}"); bad += 1; continue
    doc = json.loads(p.stdout)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    for e in errors[:5]:
        print(f"FAIL {case}: {'/'.join(map(str, e.path))}: {e.message[:200]}")
    bad += bool(errors)
    results += len(doc["runs"][0]["results"])
# A broken file must still give valid SARIF (parse failures as notifications).
p = subprocess.run([binary, "--format", "sarif", "-"], input="a: [1, 2\n", capture_output=True, text=True)
errors = list(validator.iter_errors(json.loads(p.stdout)))
bad += bool(errors)
print(f"sarif: {len(cases) + 1 - bad} passed, {bad} failed ({results} results checked)")
sys.exit(1 if bad else 0)
