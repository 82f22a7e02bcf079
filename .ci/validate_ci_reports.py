#!/usr/bin/env python3
"""Check the JUnit XML and GitLab Code Quality reports of the release binary
for every fixture case and the examples: the XML is well-formed and shaped as
CI servers read it (testsuites > testsuite per file > testcase, a failure or
error in each failing case, counts that add up), the GitLab report is a JSON
array of issues with the fields GitLab requires, known severities and
unique line-free fingerprints, and both agree with the JSON output.

usage: validate_ci_reports.py BINARY ROOT...
"""
import json, pathlib, re, subprocess, sys
import xml.etree.ElementTree as ET

binary, *roots = sys.argv[1:]
cases = []
for root in roots:
    r = pathlib.Path(root)
    cases.append(r)
    for d in sorted(p for p in r.iterdir() if p.is_dir()):
        cases.append(d)
        cases.extend(sorted(p for p in d.iterdir() if p.is_file()))

GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}
bad = []


def run(fmt, case, stdin=None):
    args = [binary, "--format", fmt] + (["--stdin-filename", case, "-"] if stdin else [str(case)])
    p = subprocess.run(args, input=stdin, capture_output=True, text=True)
    if p.returncode not in (0, 1, 2):
        raise SystemExit(f"FAIL {case} ({fmt}): exit {p.returncode}: {p.stderr[:300]}")
    return p.stdout


def check(case, stdin=None):
    expected = json.loads(run("json", case, stdin))
    findings, errors = expected["findings"], expected["errors"]
    input_errors = [e for e in errors if e["severity"] == "error"]
    # JUnit
    try:
        top = ET.fromstring(run("junit", case, stdin).encode())
    except ET.ParseError as e:
        bad.append(f"{case}: junit is not well-formed XML: {e}")
        return
    if top.tag != "testsuites":
        bad.append(f"{case}: junit root is <{top.tag}>")
    cases_seen = failures = errs = 0
    for suite in top:
        if suite.tag != "testsuite" or not suite.get("name"):
            bad.append(f"{case}: <{suite.tag}> without a name under <testsuites>")
            continue
        tcs = list(suite)
        if not tcs or any(t.tag != "testcase" or not t.get("name") for t in tcs):
            bad.append(f"{case}: suite {suite.get('name')} has no or unnamed test cases")
        f = sum(1 for t in tcs for c in t if c.tag == "failure")
        e = sum(1 for t in tcs for c in t if c.tag == "error")
        for t in tcs:
            for c in t:
                if c.tag in ("failure", "error") and (not c.get("message") or not c.get("type")):
                    bad.append(f"{case}: <{c.tag}> without message or type")
        if (int(suite.get("tests")), int(suite.get("failures")), int(suite.get("errors"))) != (len(tcs), f, e):
            bad.append(f"{case}: suite {suite.get('name')} counts do not add up")
        cases_seen += len(tcs)
        failures += f
        errs += e
    if (int(top.get("tests")), int(top.get("failures")), int(top.get("errors"))) != (cases_seen, failures, errs):
        bad.append(f"{case}: <testsuites> counts do not add up")
    if failures != len(findings) or errs != len(input_errors):
        bad.append(f"{case}: junit has {failures} failures and {errs} errors, JSON {len(findings)} findings and {len(input_errors)} input errors")
    # GitLab
    try:
        issues = json.loads(run("gitlab", case, stdin))
    except json.JSONDecodeError as e:
        bad.append(f"{case}: gitlab is not JSON: {e}")
        return
    if not isinstance(issues, list) or len(issues) != len(findings) + len(errors):
        bad.append(f"{case}: gitlab has {len(issues)} issues for {len(findings)} findings and {len(errors)} input problems")
        return
    fps = set()
    for i in issues:
        for k in ("description", "check_name", "fingerprint", "severity", "location"):
            if not i.get(k):
                bad.append(f"{case}: gitlab issue without {k}: {i}")
        loc = i.get("location", {})
        begin = loc.get("lines", {}).get("begin")
        if not loc.get("path") or loc["path"].startswith("./") or not isinstance(begin, int) or begin < 1:
            bad.append(f"{case}: gitlab location {loc}")
        if i.get("severity") not in GITLAB_SEVERITIES:
            bad.append(f"{case}: gitlab severity {i.get('severity')}")
        if not re.fullmatch(r"[0-9a-f]{32}", i.get("fingerprint", "")):
            bad.append(f"{case}: gitlab fingerprint {i.get('fingerprint')}")
        fps.add(i.get("fingerprint"))
    if len(fps) != len(issues):
        bad.append(f"{case}: duplicate gitlab fingerprints")
    return len(findings)


total = 0
for case in cases:
    total += check(case) or 0
# A broken input: an error in both reports.
check("k8s/broken.yaml", stdin="a: [1, 2\nb: 3\n")
for b in bad[:20]:
    print("FAIL", b)
print(f"ci reports: {len(cases) + 1} cases, {total} findings checked, {len(bad)} problems")
sys.exit(1 if bad else 0)
