"""Ingest benchmark: the real CLI, end to end, against pubmed_parser as the anchor.

Each ingest runs ``pubmirror --home <fresh temp dir> ingest --jobs N ...`` as a subprocess and is
timed wall-clock, so the figures include start-up, hashing, splitting, parsing, compression, the
SQLite transaction and the tantivy commit. The anchor is ``pubmed_parser.parse_medline_xml`` on
the first sample file, parse only, in its own subprocess.

    python bench/ingest_bench.py --sample .home/sample --out docs/benchmarks.md

Results go to stdout and to the ``## Ingest`` section of the output file (only the text between
the ``<!-- ingest:start -->`` and ``<!-- ingest:end -->`` markers is replaced).
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import gzip
import importlib.util
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from collections.abc import Iterable
from pathlib import Path

FILE1 = "pubmed20n0014.xml.gz"
FILE2 = "pubmed21n1298.xml.gz"
START, END = "<!-- ingest:start -->", "<!-- ingest:end -->"
TARGET_PER_CORE = 2.5  # x pubmed_parser, jobs=1 pinned to one CPU
PINNED = f"{FILE1}, one CPU"
TARGET_BOTH = 4.5  # x pubmed_parser, jobs=2
TARGET_BYTES = 2500  # store + index bytes per record
CLI = "from pubmirror.faces.cli import main; main()"
ANCHOR = """
import json, sys, time
from pubmed_parser import parse_medline_xml
t = time.perf_counter()
n = len(list(parse_medline_xml(sys.argv[1])))
print(json.dumps({"records": n, "seconds": time.perf_counter() - t}))
"""


# --- measuring a subprocess -------------------------------------------------------------------
@dataclass
class Run:
    seconds: float
    maxrss_kb: int  # largest single process in the tree (wait4's rusage)
    tree_kb: int  # peak of the summed VmRSS of the process and its descendants
    stdout: str


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def _vmrss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(root: int) -> int:
    kids, total, todo = _children_map(), 0, [root]
    while todo:
        pid = todo.pop()
        total += _vmrss_kb(pid)
        todo.extend(kids.get(pid, []))
    return total


def _sample_tree(root: int, stop: threading.Event, peak: list[int]) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], tree_rss_kb(root))
        stop.wait(0.2)


def measure(cmd: list[str]) -> Run:
    """Run ``cmd``; wall time, its largest process's RSS and the peak RSS of its whole tree."""
    with tempfile.TemporaryFile("w+") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL)
        stop, peak = threading.Event(), [0]
        sampler = threading.Thread(target=_sample_tree, args=(proc.pid, stop, peak), daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        stop.set()
        sampler.join()
        out.seek(0)
        text = out.read()
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{text}")
    return Run(seconds, usage.ru_maxrss, peak[0], text)


# --- ingest runs --------------------------------------------------------------------------------
@dataclass
class Ingest:
    label: str
    jobs: int
    files: list[Path]
    run: Run
    records: int  # records read from the files (the CLI's own count)
    stored: int  # records in the store afterwards (``pubmirror stats``)
    store_bytes: int
    index_bytes: int
    rounds: tuple[float, ...] = ()  # seconds of every round, when the run was repeated


def median(runs: list[Ingest]) -> Ingest:
    """The run of median time, carrying the seconds of all rounds in their order."""
    middle = sorted(runs, key=lambda i: i.run.seconds)[len(runs) // 2]
    return replace(middle, rounds=tuple(i.run.seconds for i in runs))


def cli(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-c", CLI, "--home", str(home), *args]


def stats_records(home: Path) -> int:
    out = subprocess.run(cli(home, "stats"), capture_output=True, text=True, check=True).stdout
    found = re.search(r"^records\s+([\d,]+)", out, re.M)
    if found is None:
        raise SystemExit(f"no record count in `pubmirror stats`:\n{out}")
    return int(found.group(1).replace(",", ""))


def store_bytes(home: Path) -> int:
    db = home / "store.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    wal = db.with_name(db.name + "-wal")
    return db.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def ingest(label: str, files: list[Path], jobs: int, tmp_root: str | None,
           prefix: tuple[str, ...] = ()) -> Ingest:  # fmt: skip
    home = Path(tempfile.mkdtemp(prefix="pubmirror-bench-", dir=tmp_root))
    try:
        run = measure([*prefix, *cli(home, "ingest", "--jobs", str(jobs), *map(str, files))])
        stored = stats_records(home)
        said = re.search(r"([\d,]+) records at", run.stdout)
        records = int(said.group(1).replace(",", "")) if said else stored
        return Ingest(label, jobs, files, run, records, stored, store_bytes(home),
                      dir_bytes(home / "index"))  # fmt: skip
    finally:
        shutil.rmtree(home, ignore_errors=True)


def anchor(path: Path) -> tuple[int, float, Run]:
    run = measure([sys.executable, "-c", ANCHOR, str(path)])
    result = json.loads(run.stdout.strip().splitlines()[-1])
    return int(result["records"]), float(result["seconds"]), run


# --- sizes and the machine --------------------------------------------------------------------
def xml_bytes(path: Path) -> int:
    total = 0
    with gzip.open(path, "rb") if path.name.endswith(".gz") else open(path, "rb") as fh:
        while block := fh.read(1 << 22):
            total += len(block)
    return total


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> str:
    return (f"{os.cpu_count()} CPU(s) (`nproc`: {len(os.sched_getaffinity(0))}), {cpu_model()}; "
            f"Python {platform.python_version()} on {platform.system()} {platform.release()}; "
            f"{dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}; "
            f"load average at the end {os.getloadavg()[0]:.2f}")  # fmt: skip


# --- the report -------------------------------------------------------------------------------
MB = 1_000_000


def _secs(values: Iterable[float]) -> str:
    return ", ".join(f"{v:.1f}" for v in values)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def row(i: Ingest, xml: dict[Path, int]) -> str:
    secs = i.run.seconds
    raw = sum(xml[f] for f in i.files) / MB
    gz = sum(f.stat().st_size for f in i.files) / MB
    per_rec = (i.store_bytes + i.index_bytes) / i.stored if i.stored else 0.0
    return (f"| {i.label} | {i.jobs} | {i.records:,} | {secs:.1f} | {i.records / secs:,.0f} | "
            f"{raw / secs:.1f} | {gz / secs:.2f} | {i.store_bytes / i.stored:,.0f} | "
            f"{i.index_bytes / i.stored:,.0f} | {per_rec:,.0f} | {i.run.maxrss_kb / 1024:,.0f} | "
            f"{i.run.tree_kb / 1024:,.0f} |")  # fmt: skip


def report(runs: list[Ingest], anchors: list[tuple[int, float, Run]], xml: dict[Path, int],
           sample: Path) -> str:  # fmt: skip
    anchor_n, anchor_s, anchor_run = sorted(anchors, key=lambda a: a[1])[len(anchors) // 2]
    anchor_rate = anchor_n / anchor_s
    by = {(i.label, i.jobs): i for i in runs}
    rate = {k: v.records / v.run.seconds for k, v in by.items()}

    def paired(key: tuple[str, int]) -> float:
        """The median over rounds of this run's rate ÷ the same round's anchor rate: pairing a
        round's runs cancels the machine's drift between rounds."""
        i = by.get(key)
        if i is None:
            return 0.0
        ratios = sorted(i.records / secs / (n / a_secs)
                        for secs, (n, a_secs, _) in zip(i.rounds or (i.run.seconds,), anchors))
        return ratios[len(ratios) // 2]

    per_core, unpinned, both = paired((PINNED, 1)), paired((FILE1, 1)), paired((FILE1, 2))
    big = by[("both files", 2)]
    per_rec = (big.store_bytes + big.index_bytes) / big.stored
    raw1 = xml[sample / FILE1] / MB
    lines = [
        "Wall-clock time of `pubmirror ingest` run as a subprocess into a fresh, empty home: "
        "start-up, hashing, splitting, parsing, zstd compression, the SQLite transaction and "
        "the tantivy commit, all included. `--jobs 1` gives tantivy one indexing thread, which "
        "runs beside the ingest thread and so may use the second core; the *one CPU* row is "
        "the same run pinned to one core with `taskset -c 0`, the honest per-core figure. "
        "`--jobs 2` gives tantivy two indexing threads (more CPUs would add worker processes; "
        "docs/ingest.md). The anchor is `pubmed_parser.parse_medline_xml` (pubmed-parser "
        "0.5.1, default options) parsing the same file into a list of dicts: parse only, "
        "nothing stored. pubmirror's modules are compiled to bytecode before the first run, "
        "as an installed package's are (pip compiled the anchor's when it installed it).",
        "",
        f"The anchor and the {FILE1} runs were repeated {len(anchors)} times, interleaved "
        "(the anchor, then each ingest of that file, then again), because this machine's "
        "speed drifts by 10–30% from one minute to the next. The table shows the run of median "
        "time of each; a ratio to the anchor is the median over rounds of the run's rate over "
        "the same round's anchor rate. Seconds of each round: "
        + "; ".join([f"anchor {_secs(a[1] for a in anchors)}",
                     *(f"{i.label} jobs {i.jobs} {_secs(i.rounds)}" for i in runs if i.rounds)])
        + ".",
        "",
        f"Machine: {machine()}.",
        "",
        f"Sample: `{FILE1}` ({raw1:,.1f} MB of XML, "
        f"{(sample / FILE1).stat().st_size / MB:,.1f} MB gzipped) and `{FILE2}` "
        f"({xml[sample / FILE2] / MB:,.1f} MB of XML, {(sample / FILE2).stat().st_size / MB:,.1f}"
        f" MB gzipped).",
        "",
        "| input | jobs | records | seconds | records/s | MB/s (XML) | MB/s (.gz) | "
        "store B/rec | index B/rec | total B/rec | max RSS MB | tree RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *(row(i, xml) for i in runs),
        f"| anchor: pubmed_parser, {FILE1} | 1 | {anchor_n:,} | {anchor_s:.1f} | "
        f"{anchor_rate:,.0f} | {raw1 / anchor_s:.1f} | "
        f"{(sample / FILE1).stat().st_size / MB / anchor_s:.2f} | – | – | – | "
        f"{anchor_run.maxrss_kb / 1024:,.0f} | {anchor_run.tree_kb / 1024:,.0f} |",
        "",
        "B/rec divides the bytes of `store.sqlite` (after `PRAGMA wal_checkpoint(TRUNCATE)`, "
        "plus any `-wal`) and of the `index/` folder by the record count of `pubmirror stats`. "
        "Max RSS is the largest single process (`wait4` rusage); tree RSS is the peak sum of "
        "VmRSS over the CLI and all its descendants, sampled every 0.2 s. The anchor's seconds "
        "exclude its import; ours include the interpreter start-up.",
        "",
        "| target | measured | result |",
        "|---|---:|---|",
        f"| end to end ≥ {TARGET_PER_CORE}× pubmed_parser per core ({FILE1}, jobs 1, one CPU) | "
        f"{per_core:.2f}× | {verdict(per_core >= TARGET_PER_CORE)} |",
        f"| end to end ≥ {TARGET_BOTH}× pubmed_parser on both cores ({FILE1}, jobs 2) | "
        f"{both:.2f}× | {verdict(both >= TARGET_BOTH)} |",
        f"| store + index ≤ {TARGET_BYTES / 1000:.1f} KB per record (both files, jobs 2) | "
        f"{per_rec / 1000:.2f} KB | {verdict(per_rec <= TARGET_BYTES)} |",
        "",
        f"For information: {FILE1}, jobs 1 with both CPUs free ÷ anchor = {unpinned:.2f}×; "
        f"both files ÷ anchor = {rate[('both files', 1)] / anchor_rate:.2f}× (jobs 1), "
        f"{rate[('both files', 2)] / anchor_rate:.2f}× (jobs 2).",
        "",
        "Reproduce: `make bench` (runs `bench/ingest_bench.py --sample .home/sample --out "
        "docs/benchmarks.md`). Timings vary with machine load; rerun on an idle machine.",
    ]
    return "\n".join(lines)


def write_section(out: Path, body: str, marks: tuple[str, str] = (START, END),
                  heading: str = "Ingest") -> None:  # fmt: skip
    """Put ``body`` between its markers in ``out`` (each bench script owns one section), or
    append it under ``## heading`` the first time."""
    first, last = marks
    section = f"{first}\n{body}\n{last}"
    text = out.read_text() if out.exists() else (
        "# Benchmarks\n\nFigures written by the scripts in `bench/`; each section is "
        "regenerated by its script.\n")  # fmt: skip
    if first in text and last in text:
        head, rest = text.split(first, 1)
        out.write_text(head + section + rest.split(last, 1)[1])
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text.rstrip("\n") + f"\n\n## {heading}\n\n{section}\n")


# --- main -------------------------------------------------------------------------------------
def compile_bytecode() -> None:
    """Compile pubmirror's modules to bytecode before anything is timed, as an installed
    package's are. In a shell with PYTHONDONTWRITEBYTECODE set (this development machine's is),
    every module changed since its last ``.pyc`` was otherwise compiled from source at each
    run's start: 24 ms a run for the eight changed in one session (measured), and every module
    on a fresh clone."""
    spec = importlib.util.find_spec("pubmirror")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        compileall.compile_dir(folder, quiet=1)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sample", type=Path, required=True, help="folder with the two sample files")
    ap.add_argument("--out", type=Path, default=Path("docs/benchmarks.md"))
    ap.add_argument("--tmp", default=None, help="where to make the temporary homes")
    ap.add_argument("--rounds", type=int, default=5,
                    help="times to repeat the anchor and the pubmed20n0014 runs (median kept)")
    args = ap.parse_args(argv)
    files = [args.sample / FILE1, args.sample / FILE2]
    for f in files:
        if not f.exists():
            raise SystemExit(f"missing {f}: run `pubmirror sample` first")
    xml = {f: xml_bytes(f) for f in files}
    compile_bytecode()
    timed: list[tuple[str, int, tuple[str, ...]]] = [(FILE1, 1, ()), (FILE1, 2, ())]
    if shutil.which("taskset"):
        timed.insert(0, (PINNED, 1, ("taskset", "-c", "0")))
    anchors: list[tuple[int, float, Run]] = []
    repeated: dict[tuple[str, int], list[Ingest]] = {}
    for n in range(1, args.rounds + 1):
        print(f"round {n}/{args.rounds}: anchor (pubmed_parser) ...", file=sys.stderr, flush=True)
        anchors.append(anchor(files[0]))
        for label, jobs, prefix in timed:
            print(f"round {n}/{args.rounds}: ingest {label}, --jobs {jobs} ...", file=sys.stderr,
                  flush=True)  # fmt: skip
            done = ingest(label, files[:1], jobs, args.tmp, prefix)
            repeated.setdefault((label, jobs), []).append(done)
    runs = [median(found) for found in repeated.values()]
    for jobs in (1, 2):
        print(f"ingest both files, --jobs {jobs} ...", file=sys.stderr, flush=True)
        runs.append(ingest("both files", files, jobs, args.tmp))
    body = report(runs, anchors, xml, args.sample)
    print(body)
    write_section(args.out, body)
    print(f"\nwritten to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
