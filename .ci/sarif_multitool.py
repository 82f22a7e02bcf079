#!/usr/bin/env python3
"""Validate stslint's SARIF with Microsoft's SARIF Multitool (`validate`), the
checker behind the SARIF validator web site: it applies the spec's rules
beyond the JSON schema (URI base ids, embedded links, rule metadata).

Installs a pinned @microsoft/sarif-multitool from npm under
target/sarif-multitool (once), writes stslint's SARIF for each fixture case
and the examples (and for standard input, an absolute path and a file outside
the repository) into one directory, validates them in one run, and fails on
any error or warning the Multitool reports. Notes are counted, not fatal.

usage: sarif_multitool.py BINARY ROOT...
"""
import json, os, pathlib, shutil, stat, subprocess, sys, tempfile

VERSION = "5.7.0"
PREFIX = pathlib.Path("target/sarif-multitool")



def install():
    """The Multitool's executable, installed at VERSION if it is not."""
    package = PREFIX / "node_modules/@microsoft/sarif-multitool/package.json"
    if not package.is_file() or json.loads(package.read_text())["version"] != VERSION:
        platform = {"linux": "linux", "darwin": "darwin"}.get(sys.platform, "win32")
        PREFIX.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(PREFIX),
             f"@microsoft/sarif-multitool@{VERSION}",
             f"@microsoft/sarif-multitool-{platform}@{VERSION}"],
            check=True)
    exe = subprocess.run(
        ["node", "-p", "require('@microsoft/sarif-multitool')"],
        cwd=PREFIX, capture_output=True, text=True, check=True).stdout.strip()
    # The package's postinstall only marks it executable; npm may not run it.
    os.chmod(exe, os.stat(exe).st_mode | stat.S_IXUSR)
    return exe


def cases(roots):
    out = []
    for root in roots:
        r = pathlib.Path(root)
        out.append(r)
        for d in sorted(p for p in r.iterdir() if p.is_dir()):
            out.append(d)
            out.extend(sorted(p for p in d.iterdir() if p.is_file()))
    return out


def main():
    binary, *roots = sys.argv[1:]
    binary = str(pathlib.Path(binary).resolve())
    exe = install()
    work = pathlib.Path(tempfile.mkdtemp(prefix="stslint-multitool-"))
    try:
        logs = work / "logs"
        logs.mkdir()
        runs = []
        for i, case in enumerate(cases(roots)):
            runs.append((f"{i:04d}.sarif", [binary, "--format", "sarif", str(case)], None))
        first = cases(roots)[1]
        runs.append(("absolute.sarif", [binary, "--format", "sarif", str(first.resolve())], None))
        outside = work / "outside"
        shutil.copytree(first, outside)
        runs.append(("outside.sarif", [binary, "--format", "sarif", str(outside)], None))
        runs.append(("stdin.sarif",
                     [binary, "--format", "sarif", "--stdin-filename", "deploy/db [1].yaml", "-"],
                     "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  replicas: 2\n"))
        results = 0
        for name, cmd, stdin in runs:
            p = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
            if p.returncode not in (0, 1, 2):
                print(f"FAIL {cmd}: exit {p.returncode}: {p.stderr[:300]}")
                return 1
            results += len(json.loads(p.stdout)["runs"][0]["results"])
            (logs / name).write_text(p.stdout)
        report = work / "validation.sarif"
        inputs = sorted(str(p) for p in logs.iterdir())
        p = subprocess.run(
            [exe, "validate", *inputs, "--output", str(report), "--log", "ForceOverwrite",
             "--level", "Error", "Warning", "Note"],
            capture_output=True, text=True)
        if p.returncode != 0 or not report.is_file():
            print(p.stdout[-2000:], p.stderr[-2000:])
            print(f"sarif-multitool failed (exit {p.returncode})")
            return 1
        found = json.loads(report.read_text())
        counts = {"error": 0, "warning": 0, "note": 0}
        for run in found["runs"]:
            for r in run.get("results", []):
                level = r.get("level", "warning")
                counts[level] = counts.get(level, 0) + 1
                if level in ("error", "warning"):
                    where = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    text = r["message"].get("text") or " ".join(r["message"].get("arguments", []))
                    print(f"FAIL {level} {r['ruleId']}: {where}: {text[:300]}")
        print(f"sarif-multitool {VERSION}: {len(inputs)} logs ({results} results) validated: "
              f"{counts['error']} errors, {counts['warning']} warnings, {counts['note']} notes")
        return 1 if counts["error"] or counts["warning"] else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


sys.exit(main())
