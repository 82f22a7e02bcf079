#!/usr/bin/env python3
"""Benchmark stslint against its parse-only floor, on generated corpora.

    python3 bench/bench.py                  # 1k, 10k, 100k files; -j1 and -j2
    python3 bench/bench.py --sizes 1000,10000 --jobs 1,2 --runs 3
    python3 bench/bench.py --smoke          # CI: tiny corpus, checks, no timing asserts

Builds the release binary and the floor (`cargo build --release --locked`, and
with `-p floor`), generates each corpus once with bench/gen.py (cached
in --corpus-dir, keyed by seed, size and the generator's hash), then for every
size and every -j runs

    stslint: target/release/stslint -j N --format json DIR > /dev/null
    floor:   target/release/floor -j N DIR   (read + parse only)

and reports the median wall time, files/s, MB/s, the child's peak RSS
(`ru_maxrss` from wait4), stslint/floor ratios and the speed-up from the
smallest -j to the others. Then the editor case (one small file on stdin) and
the pre-commit case (5 files), median of 30 runs. Prints a Markdown table.

stslint exits 1 when it finds problems: that is fine; exit 2 or a signal is a
failure, and so is a floor that does not exit 0. Once a tool's run takes more
than --skip-after seconds, or its peak RSS scaled linearly to the next size
exceeds 80% of the machine's memory, larger sizes are skipped for that tool
(the table says so). --smoke also checks that stslint reads every file, reports no input
error, and counts as many objects as the floor; it exits non-zero on any
failure and never asserts anything about time."""
import argparse, datetime, resource, hashlib, json, os, pathlib, platform, shutil, statistics, subprocess, sys, tempfile, time

ROOT = pathlib.Path(__file__).resolve().parent.parent
GEN = ROOT / "bench" / "gen.py"
STSLINT = ROOT / "target" / "release" / "stslint"
FLOOR = ROOT / "target" / "release" / "floor"


class Failure(Exception):
    """A failed run: the message, and a short reason for the table."""

    def __init__(self, message, short=""):
        super().__init__(message)
        self.short = short or message


def build():
    for extra in ([], ["-p", "floor"]):
        cmd = ["cargo", "build", "--release", "--locked", *extra]
        print("$", " ".join(cmd), file=sys.stderr, flush=True)
        subprocess.run(cmd, cwd=ROOT, check=True)


def corpus(root: pathlib.Path, seed: int, files: int):
    """The generated corpus for (seed, files): (its directory, its meta)."""
    key = f"s{seed}-n{files}-{hashlib.sha256(GEN.read_bytes()).hexdigest()[:10]}"
    path, meta = root / key, root / f"{key}.meta.json"
    if path.is_dir() and meta.is_file():
        return path, json.loads(meta.read_text())
    print(f"generating {files} files (seed {seed}) in {path}", file=sys.stderr, flush=True)
    tmp = root / f"{key}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(path, ignore_errors=True)
    root.mkdir(parents=True, exist_ok=True)
    out = subprocess.run([sys.executable, str(GEN), "--files", str(files), "--seed", str(seed), str(tmp)],
                         check=True, capture_output=True, text=True).stdout
    info = {k: int(v) for k, v in (f.split("=") for f in out.split())}
    tmp.rename(path)
    meta.write_text(json.dumps(info) + "\n")
    return path, info


MEM_LIMIT = None  # bytes of address space a measured child may use (--mem-limit)


def limit_memory():
    if MEM_LIMIT:
        resource.setrlimit(resource.RLIMIT_AS, (MEM_LIMIT, MEM_LIMIT))


def run(cmd, stdin=None, keep_stdout=False):
    """Run once: (wall seconds, peak RSS in KiB, exit code, stdout or None, stderr)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            open(stdin or os.devnull, "rb") as inp:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=inp, stdout=out if keep_stdout else subprocess.DEVNULL, stderr=err,
                             preexec_fn=limit_memory)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = code = os.waitstatus_to_exitcode(status)  # Popen must not wait again
        out.seek(0)
        err.seek(0)
        return wall, usage.ru_maxrss, code, out.read().decode() if keep_stdout else None, err.read().decode(errors="replace")


def check_exit(tool, cmd, code, err):
    ok = code in (0, 1) if tool == "stslint" else code == 0
    if not ok:
        how = f"killed by signal {-code}" if code < 0 else f"exit {code}"
        if "memory allocation" in err and MEM_LIMIT:
            how += f", out of memory at the {MEM_LIMIT / 2**30:.0f} GiB limit"
        raise Failure(f"{' '.join(map(str, cmd))}: {how}\n{err[-2000:]}", how)


def measure(tool, cmd, runs, stdin=None, keep_stdout=False):
    """Median wall time and the peak RSS over `runs` runs, plus the last stdout."""
    walls, rss, out = [], 0, None
    for _ in range(runs):
        wall, maxrss, code, out, err = run(cmd, stdin, keep_stdout)
        check_exit(tool, cmd, code, err)
        walls.append(wall)
        rss = max(rss, maxrss)
    return statistics.median(walls), rss, out


def floor_counts(stdout):
    return {k: int(v) for k, v in (f.split("=") for f in stdout.split())}


def fmt_time(s):
    return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s" if s < 100 else f"{s:.0f} s"


def fmt_rss(kib):
    return f"{kib / 1024:.0f} MB" if kib < 1024 * 1024 else f"{kib / 1024 / 1024:.1f} GB"


def header():
    cpu = next((line.split(":", 1)[1].strip() for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if os.path.exists("/proc/cpuinfo") else platform.processor()
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return f"{datetime.date.today()}, {os.cpu_count()} cores ({cpu}), stslint at {rev or '?'}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000", help="corpus sizes in files (default: %(default)s)")
    ap.add_argument("--jobs", default="1,2", help="thread counts for -j (default: %(default)s)")
    ap.add_argument("--runs", type=int, help="runs per measurement (default: 3 up to 10k files, 1 above)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--corpus-dir", type=pathlib.Path, default=ROOT / "target" / "bench-corpus")
    ap.add_argument("--skip-after", type=float, default=120,
                    help="skip larger sizes for a tool once one of its runs takes longer (seconds; default %(default)s)")
    ap.add_argument("--mem-limit", type=float, default=round(memory_kib() * 0.9 / 2**20),
                    help="address-space limit for each measured run, GiB (default: 90%% of memory, %(default)s; mimalloc reserves address space generously)")
    ap.add_argument("--small-runs", type=int, default=30, help="runs for the editor and pre-commit cases")
    ap.add_argument("--no-build", action="store_true", help="use the binaries already in target/release")
    ap.add_argument("--smoke", action="store_true", help="60 files, 1 run, checks; exits non-zero on failure")
    a = ap.parse_args()
    if a.smoke:
        a.sizes, a.runs, a.small_runs = "60", 1, 3
    global MEM_LIMIT
    MEM_LIMIT = int(a.mem_limit * 2**30) if a.mem_limit > 0 else None
    sizes = [int(s) for s in a.sizes.split(",")]
    jobs = [int(j) for j in a.jobs.split(",")]
    try:
        if not a.no_build:
            build()
        report = bench(a, sizes, jobs)
    except Failure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1
    print(report)
    if a.smoke:
        print("smoke: OK (no exit 2 or crash, floor exit 0, same files and objects, no input errors)")
    return 0


def bench(a, sizes, jobs):
    rows, skipped = [], {}
    small = None
    for k, n in enumerate(sizes):
        path, info = corpus(a.corpus_dir, a.seed, n)
        after = sizes[k + 1] if k + 1 < len(sizes) else None
        small = small or path
        mb = info["bytes"] / 1e6
        runs = a.runs or (3 if n <= 10_000 else 1)
        label = f"{n:,} files, {mb:.1f} MB, {info['objects']:,} objects"
        res = {}
        for tool in ("stslint", "floor"):
            if tool in skipped:
                rows.append(f"| {label} | {tool} | | skipped: {skipped[tool]} | | | | | |")
                continue
            for j in jobs:
                cmd = [str(STSLINT), "-j", str(j), "--format", "json", str(path)] if tool == "stslint" \
                    else [str(FLOOR), "-j", str(j), str(path)]
                print(f"{tool} -j{j} on {n} files ({runs} run(s)): ", end="", file=sys.stderr, flush=True)
                try:
                    wall, rss, out = measure(tool, cmd, runs, keep_stdout=a.smoke or tool == "floor")
                except Failure as e:
                    if a.smoke:
                        raise
                    print(e, file=sys.stderr, flush=True)
                    skipped[tool] = f"{n:,} files at -j{j} failed: {e.short}"
                    rows.append(f"| {label} | {tool} | {j} | failed: {e.short} | | | | | |")
                    label = ""
                    break
                print(f"{fmt_time(wall)}, {fmt_rss(rss)}", file=sys.stderr, flush=True)
                res[tool, j] = wall, rss
                verify(a.smoke, tool, out, n, info)
                if wall > a.skip_after:
                    skipped[tool] = f"{n:,} files took {fmt_time(wall)} at -j{j}"
                elif after and rss * after / n > 0.8 * memory_kib():
                    skipped[tool] = f"{n:,} files peaked at {fmt_rss(rss)}; {after:,} would need over {fmt_rss(rss * after / n)}"
        for tool in ("stslint", "floor"):
            for j in jobs:
                if (tool, j) not in res:
                    continue
                wall, rss = res[tool, j]
                ratio = ""
                if tool == "stslint" and ("floor", j) in res:
                    fw, fr = res["floor", j]
                    ratio = f"{wall / fw:.1f}× time, {rss / fr:.0f}× RSS"
                base = res.get((tool, jobs[0]))
                speedup = f"{base[0] / wall:.2f}×" if j != jobs[0] and base else ""
                rows.append(f"| {label} | {tool} | {j} | {fmt_time(wall)} | {n / wall:,.0f} | {mb / wall:.1f} | "
                            f"{fmt_rss(rss)} | {ratio} | {speedup} |")
                label = ""
    launcher = fmt_rss(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    table = [f"Measured {header()}; median of {a.runs or '3 (1 above 10k files)'} run(s). Peak RSS "
             f"includes the launcher's pages before exec (about {launcher}).", "",
             f"| corpus | tool | -j | wall | files/s | MB/s | peak RSS | stslint / floor | speed-up from -j{jobs[0]} |",
             "|---|---|---|---|---|---|---|---|---|", *rows, ""]
    table += small_cases(a, small)
    return "\n".join(table)


def memory_kib():
    """Physical memory (KiB), from /proc/meminfo; unbounded elsewhere."""
    try:
        line = next(x for x in pathlib.Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal:"))
        return int(line.split()[1])
    except (OSError, StopIteration):
        return float("inf")


def verify(smoke, tool, out, n, info):
    """Both tools read the whole corpus; in --smoke, stslint counts what the floor counts."""
    if tool == "floor":
        c = floor_counts(out)
        if c["files"] != n or c["bad_files"] or c["objects"] != info["objects"]:
            raise Failure(f"floor read {out.strip()}; the generator wrote {n} files, {info['objects']} objects")
        return
    if not smoke:
        return
    s = json.loads(out)["summary"]
    if (s["files"], s["objects"], s["input_errors"]) != (n, info["objects"], 0):
        raise Failure(f"stslint summary {s}; expected {n} files, {info['objects']} objects (the floor's count), "
                      "no input errors")


def small_cases(a, corpus_path):
    """The editor (one small file on stdin) and pre-commit (5 files) cases, default -j."""
    files = sorted(p for p in corpus_path.rglob("*.yaml"))
    five = [str(p) for p in files[:5]]
    one = min(files[:100], key=lambda p: (p.stat().st_size, p))
    kb5 = sum(os.path.getsize(p) for p in five) / 1000
    cases = [
        (f"editor: 1 file on stdin ({one.stat().st_size / 1000:.1f} KB)",
         [str(STSLINT), "--format", "compact", "--stdin-filename", one.name, "-"], one, [str(FLOOR), str(one)]),
        (f"pre-commit: 5 files ({kb5:.0f} KB)", [str(STSLINT), "--format", "compact", *five], None, [str(FLOOR), *five]),
    ]
    out = [f"| case (median of {a.small_runs}) | stslint | floor |", "|---|---|---|"]
    for name, cmd, stdin, fcmd in cases:
        wall, _, _ = measure("stslint", cmd, a.small_runs, stdin=stdin)
        fwall, _, _ = measure("floor", fcmd, a.small_runs)
        out.append(f"| {name} | {fmt_time(wall) if wall >= 0.1 else f'{wall * 1000:.1f} ms'} | "
                   f"{fwall * 1000:.1f} ms |")
    return out


if __name__ == "__main__":
    sys.exit(main())
