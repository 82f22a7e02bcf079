#!/usr/bin/env python3
"""Compare two stslint binaries on the same inputs, byte for byte.

For reworks that must not change a single result (the engine's two phases,
facts instead of objects): run a reference build and a candidate on every
fixture case, on each repository of ../shared/conformance/real and on all of
it, on generated corpora, and on standard input, in every output format, and
print the first difference.

    python3 bench/diff.py --base /path/to/stslint-old [--candidate target/release/stslint]
                          [--gen 10000] [--quick]

Exit status: 0 identical, 1 a difference, 2 usage error.
"""

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

FORMATS = [
    ["--format", "json"],
    ["--format", "sarif"],
    ["--format", "compact"],
    ["--format", "human", "--color", "never"],
]


def run(binary, args, stdin=None, cwd=ROOT):
    env = dict(os.environ, COLUMNS="100", NO_COLOR="1")
    p = subprocess.run(
        [binary, *args],
        cwd=cwd,
        input=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    # The summary line's run time is the one thing allowed to differ.
    stderr = re.sub(rb" in [0-9.]+ ?(ms|s)\b", b" in T", p.stderr)
    return p.returncode, p.stdout, stderr


def first_diff(a, b):
    al, bl = a.splitlines(), b.splitlines()
    for i, (x, y) in enumerate(zip(al, bl)):
        if x != y:
            return f"line {i + 1}:\n  base:      {x[:300]!r}\n  candidate: {y[:300]!r}"
    return f"length: base {len(al)} lines, candidate {len(bl)} lines"


def cases(args):
    """(label, argv, stdin) for every comparison."""
    fixtures = ROOT / "fixtures"
    for rule_dir in sorted(fixtures.iterdir()):
        if not rule_dir.is_dir():
            continue
        for case in sorted(rule_dir.iterdir()):
            yield f"fixture {case.relative_to(ROOT)}", [str(case.relative_to(ROOT))], None
    yield "all fixtures", ["fixtures"], None
    yield "examples", ["examples"], None
    real = SHARED / "conformance" / "real"
    if real.is_dir():
        for repo in sorted(p for p in real.iterdir() if p.is_dir()):
            yield f"real {repo.name}", [str(repo)], None
        yield "real (all)", [str(real)], None
    stdin_case = next((fixtures / "missing-pdb").glob("*.yaml"), None)
    if stdin_case:
        yield "stdin", ["-", "--stdin-filename", "x/y.yaml"], stdin_case.read_bytes()
    for n in args.gen:
        corpus = ROOT / "target" / "diff-corpus" / f"n{n}"
        if not corpus.is_dir():
            subprocess.run(
                [sys.executable, str(ROOT / "bench" / "gen.py"), "--files", str(n), "--seed", "1", str(corpus)],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        yield f"generated {n}", [str(corpus)], None
        yield f"generated {n} --namespace other", [str(corpus), "--namespace", "other"], None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", required=True, help="the reference stslint binary")
    ap.add_argument("--candidate", default=str(ROOT / "target" / "release" / "stslint"))
    ap.add_argument("--gen", default="1000", help="generated corpus sizes, comma-separated ('' for none)")
    ap.add_argument("--quick", action="store_true", help="JSON only, one thread count")
    ap.add_argument(
        "--formats",
        default="",
        help="compare only these formats, comma-separated (e.g. compact,human when JSON gained fields)",
    )
    args = ap.parse_args()
    args.gen = [int(x) for x in args.gen.split(",") if x]
    for b in (args.base, args.candidate):
        if not os.access(b, os.X_OK):
            print(f"diff.py: {b} is not an executable", file=sys.stderr)
            return 2
    formats = FORMATS[:1] if args.quick else FORMATS
    if args.formats:
        wanted = args.formats.split(",")
        formats = [f for f in FORMATS if f[1] in wanted]
    jobs = [["-j", "1"]] if args.quick else [["-j", "1"], ["-j", "2"]]
    compared = 0
    for label, argv, stdin in cases(args):
        for fmt in formats:
            for j in jobs:
                full = [*argv, *fmt, *j]
                base = run(args.base, full, stdin)
                cand = run(args.candidate, full, stdin)
                compared += 1
                for what, x, y in (("exit code", base[0], cand[0]), ("stdout", base[1], cand[1]), ("stderr", base[2], cand[2])):
                    if x != y:
                        detail = first_diff(x, y) if isinstance(x, bytes) else f"base {x}, candidate {y}"
                        print(f"DIFFERENT {what}: {label}: stslint {' '.join(full)}\n{detail}")
                        return 1
    print(f"identical: {compared} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
