#!/usr/bin/env python3
"""The pre-commit hook as a user runs it: the real `pre-commit try-repo`
against a throwaway git repository holding a good and a bad manifest set.

Usage: precommit.py CHECKOUT

pre-commit builds the hook with `cargo install --path` (language: rust),
here unoptimised (see below).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

PRE_COMMIT = "pre-commit==4.7.0"


def main() -> int:
    checkout = os.path.abspath(sys.argv[1])
    try:
        subprocess.run(["pre-commit", "--version"], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", PRE_COMMIT],
            check=True,
        )
    work = tempfile.mkdtemp(prefix="stslint-precommit-")
    env = dict(os.environ)
    env["PRE_COMMIT_HOME"] = os.path.join(work, "cache")
    # pre-commit installs the hook with `cargo install --path` from a
    # temporary clone, and that resolves dependencies afresh (it ignores
    # Cargo.lock). Offline, it can only pick crates already downloaded: on a
    # fresh CI machine those of the locked release build .ci/run just made,
    # so it resolves the same versions and finds them built in
    # target/release; stslint itself is rebuilt (its path differs),
    # unoptimised. Cargo reads that from a config file above the clone
    # (TMPDIR puts the clone under `work`). Where offline resolution fails (a
    # cache without those crates), the hook is built unoptimised, with its
    # dependencies, in a target directory of its own. The hook's path is
    # what is proven here, not its speed.
    env["TMPDIR"] = os.path.join(work, "tmp")
    os.makedirs(env["TMPDIR"])
    os.makedirs(os.path.join(work, ".cargo"))
    config = os.path.join(work, ".cargo", "config.toml")
    target = os.path.join(checkout, "target")

    def cargo_config(offline: bool) -> None:
        with open(config, "w") as f:
            if offline:
                f.write("[net]\noffline = true\n")
                f.write(f"[build]\ntarget-dir = {json.dumps(target)}\n")
                f.write("[profile.release.package.stslint]\nopt-level = 0\ncodegen-units = 256\n")
            else:
                f.write(f"[build]\ntarget-dir = {json.dumps(os.path.join(target, 'precommit'))}\n")
                f.write("[profile.release]\nopt-level = 0\ncodegen-units = 256\n")

    cargo_config(offline=True)
    offline = [True]
    env["NO_COLOR"] = "1"
    repo = os.path.join(work, "repo")
    shutil.copytree(os.path.join(checkout, "examples", "shop-db-good"), os.path.join(repo, "good"))
    shutil.copytree(os.path.join(checkout, "examples", "shop-db-bad"), os.path.join(repo, "bad"))
    with open(os.path.join(repo, "README.md"), "w") as f:
        f.write("not a manifest: the hook's types keep it out\n")

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)

    git("init", "-q")
    git("add", ".")

    failures = []

    def hook(files: list, want_code: int, want: list, unwanted: list) -> None:
        args = ["pre-commit", "try-repo", checkout, "stslint", "--verbose", "--files", *files]
        p = subprocess.run(args, cwd=repo, env=env, capture_output=True, text=True)
        out = p.stdout + p.stderr
        # pre-commit exits with 3 when installing the hook fails.
        if p.returncode == 3 and "cargo" in out and offline[0]:
            print("pre-commit: the offline install did not resolve; building the hook unoptimised instead")
            offline[0] = False
            cargo_config(offline=False)
            p = subprocess.run(args, cwd=repo, env=env, capture_output=True, text=True)
            out = p.stdout + p.stderr
        label = " ".join(files)
        if p.returncode != want_code:
            failures.append(f"{label}: exit {p.returncode}, expected {want_code}\n{out}")
            return
        for w in want:
            if w not in out:
                failures.append(f"{label}: output lacks {w!r}\n{out}")
        for u in unwanted:
            if u in out:
                failures.append(f"{label}: output has {u!r}\n{out}")
        print(f"pre-commit try-repo --files {label}: exit {p.returncode} as expected")

    # The good StatefulSet passes only because its directory is its
    # context: the backup CronJob and the StorageClass are in other files.
    hook(["good/postgres.yaml"], 0, ["stslint....", "Passed"], ["missing-backup"])
    # The bad one fails, located to the key.
    hook(
        ["bad/postgres.yaml"],
        1,
        ["Failed", "- exit code: 1", "missing-headless-service", "[bad/postgres.yaml:28:16]"],
        ["good/"],
    )
    # Both staged: only the bad one is reported.
    hook(["good/postgres.yaml", "good/backup.yaml", "bad/postgres.yaml"], 1, ["[bad/postgres.yaml:28:16]"], ["[good/"])
    shutil.rmtree(work, ignore_errors=True)
    for f in failures:
        print(f"FAIL {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
