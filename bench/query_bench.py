"""Query benchmark: PubMed queries through the service façade, on the sample and on 1 M records.

Each run ingests record files with ``pubmirror --home <fresh temp dir> ingest --jobs 2 ...`` (a
subprocess, timed like ``bench/ingest_bench.py``), loads NLM's 2017 MeSH tree, then times every
query of ``bench/queries.txt`` end to end through ``Pubmirror(home).search(query, limit=20)``:
parse, resolve, exact count and the first page of PMIDs. The timing runs in a fresh child
process per home: the whole list once untimed (warm-up), then three timed rounds, for the default
sort (relevance) and again for ``sort="date"``.

The 1 M run uses 1,000,000 records made from the real sample by re-numbering: the sample's
records, in file order, over and over, record ``i`` getting PMID 50,000,001 + i in its
MedlineCitation and in its own ``<ArticleId IdType="pubmed">``, every other byte as NLM wrote
it. They are written as ten gzipped files of 100,000 records and cached under ``.home/bench-1m``
(next to the sample folder), so reruns skip the generation.

    python bench/query_bench.py --sample .home/sample --out docs/benchmarks.md [--no-million]

Results go to stdout and to the ``## Query latency`` section of the output file (only the text
between the ``<!-- query:start -->`` and ``<!-- query:end -->`` markers is replaced).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import itertools
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest_bench import (
    MB, Run, cli, dir_bytes, machine, measure, stats_records, verdict, write_section,
)  # fmt: skip

FILE1 = "pubmed20n0014.xml.gz"
FILE2 = "pubmed21n1298.xml.gz"
START, END = "<!-- query:start -->", "<!-- query:end -->"
REPO = Path(__file__).resolve().parents[1]
QUERIES = Path(__file__).resolve().with_name("queries.txt")
TARGET_50K_MS = 20.0  # p95, the sample (about 50 k records)
TARGET_1M_MS = 50.0  # p95, 1 M records
ROUNDS = 3
LIMIT = 20
SLOW_S = 1.0  # a query slower than this is reported on its own
JOBS = 2

MILLION = 1_000_000
PER_FILE = 100_000
FIRST_PMID = 50_000_001  # sort keys hold edat x 10^8 + PMID: PMIDs must stay below 10^8
GENERATOR = 1  # bump when the generated files change, so cached ones are made again
MANIFEST = "manifest.json"


# --- the queries ------------------------------------------------------------------------------
def read_queries(path: Path) -> list[str]:
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


# --- timing, in a child process per home --------------------------------------------------------
def time_home(home: Path, queries: list[str], rounds: int) -> dict[str, Any]:
    """Open the home through the façade and time every query; JSON-able results."""
    from pubmirror.service.app import Pubmirror

    started = time.perf_counter()
    pm = Pubmirror(home)
    opened = time.perf_counter() - started
    errors: dict[str, str] = {}
    out: dict[str, Any] = {"open_s": opened, "errors": errors}
    try:
        for sort in ("relevance", "date"):
            counts: list[int | None] = [None] * len(queries)
            times: list[list[float]] = [[] for _ in queries]
            for rnd in range(rounds + 1):  # round 0 is the untimed warm-up
                for i, query in enumerate(queries):
                    if query in errors:
                        continue
                    t = time.perf_counter()
                    try:
                        result = pm.search(query, limit=LIMIT, sort=sort)
                    except Exception:  # noqa: BLE001 - a failing query is a finding, not a stop
                        errors[query] = f"sort={sort}: {traceback.format_exc()}"
                        continue
                    seconds = time.perf_counter() - t
                    if rnd:
                        times[i].append(seconds)
                    counts[i] = result.count
            out[sort] = {"counts": counts, "times": times}
    finally:
        pm.close()
    out["maxrss_kb"] = _maxrss_kb()
    return out


def _maxrss_kb() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def timed_in_child(home: Path, queries_path: Path, rounds: int) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--time-home", str(home),
           "--queries", str(queries_path), "--rounds", str(rounds)]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"timing failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --- one home: ingest, MeSH, timing -----------------------------------------------------------
@dataclass
class Latency:
    counts: list[int | None]
    per_query_ms: list[float | None]  # median of the rounds, per query
    all_ms: list[float]  # every (query, round) timing

    @property
    def median(self) -> float:
        return statistics.median(self.all_ms)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.all_ms, n=20, method="inclusive")[18]


@dataclass
class HomeRun:
    label: str
    files: list[Path]
    ingest: Run
    records_read: int
    stored: int
    mesh_s: float
    home_bytes: int
    open_s: float
    maxrss_kb: int
    latency: dict[str, Latency] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def latency(raw: dict[str, Any]) -> Latency:
    per_query = [statistics.median(t) * 1000 if t else None for t in raw["times"]]
    all_ms = [s * 1000 for t in raw["times"] for s in t]
    return Latency(raw["counts"], per_query, all_ms)


def run_home(label: str, files: list[Path], mesh: Path, queries_path: Path, rounds: int,
             tmp_root: str | None, keep: bool) -> HomeRun:  # fmt: skip
    from pubmirror.service.app import Pubmirror

    home = Path(tempfile.mkdtemp(prefix="pubmirror-qbench-", dir=tmp_root))
    try:
        say(f"{label}: ingest {len(files)} file(s), --jobs {JOBS} into {home} ...")
        run = measure(cli(home, "ingest", "--jobs", str(JOBS), *map(str, files)))
        stored = stats_records(home)
        said = re.search(r"([\d,]+) records at", run.stdout)
        records = int(said.group(1).replace(",", "")) if said else stored
        say(f"{label}: {records:,} records in {run.seconds:.0f} s; loading MeSH ...")
        started = time.perf_counter()
        with Pubmirror(home) as pm:
            pm.load_mesh([mesh])
        mesh_s = time.perf_counter() - started
        say(f"{label}: timing {rounds} rounds of the queries ...")
        raw = timed_in_child(home, queries_path, rounds)
        result = HomeRun(label, files, run, records, stored, mesh_s, dir_bytes(home),
                         float(raw["open_s"]), int(raw["maxrss_kb"]))  # fmt: skip
        result.latency = {s: latency(raw[s]) for s in ("relevance", "date")}
        result.errors = dict(raw["errors"])
        return result
    finally:
        if keep:
            say(f"{label}: kept {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


# --- the 1 M record files ---------------------------------------------------------------------
@dataclass
class Million:
    per_pass: int  # the sample's article records: each occurs MILLION // per_pass times, or +1
    seconds: float  # to make the files; 0 when they came from the cache
    cached: bool


_PMID = re.compile(rb'<PMID Version="\d+">(\d+)</PMID>')
_OWN_ID = re.compile(rb'<ArticleId IdType="pubmed">(\d+)</ArticleId>')
_DATA = (b"<PubmedData>", b"<PubmedBookData>")
_PMID_QUERY = re.compile(r"\s*\d+(?:\s*\[(?:pmid|uid)\])?\s*", re.I)


def renumber(data: bytes, pmid: int) -> bytes:
    """The record with PMID ``pmid``: its MedlineCitation's (or BookDocument's) ``<PMID>`` and its
    own pubmed ArticleId rewritten; cited PMIDs (CommentsCorrections, references) untouched."""
    new = str(pmid).encode()
    first = _PMID.search(data)  # MedlineCitation/PMID comes before any other PMID element
    if first is None:
        raise ValueError("a record without a PMID")
    old = first.group(1)
    data = data[: first.start(1)] + new + data[first.end(1) :]
    where = max(data.find(tag) for tag in _DATA)
    own = _OWN_ID.search(data, where) if where >= 0 else None
    if own is not None and own.group(1) == old:  # the first one in PubmedData is the record's own
        data = data[: own.start(1)] + new + data[own.end(1) :]
    return data


def sample_records(files: list[Path]) -> Iterator[bytes]:
    """The sample's article records in file order (DeleteCitation skipped), original bytes."""
    from isal import igzip  # a pubmirror dependency: about 3x the stdlib's gzip speed

    from pubmirror.medline.split import split_records

    for path in files:
        with igzip.open(path, "rb") as fh:
            for chunk in split_records(str(path), fh):
                if chunk.tag in ("PubmedArticle", "PubmedBookArticle"):
                    yield chunk.data


def prolog(path: Path) -> bytes:
    """NLM's XML declaration and DOCTYPE: the first two lines of a sample file."""
    with gzip.open(path, "rb") as fh:
        lines = [fh.readline(), fh.readline()]
    if not (lines[0].startswith(b"<?xml") and lines[1].startswith(b"<!DOCTYPE")):
        raise SystemExit(f"{path}: does not start with an XML declaration and a DOCTYPE")
    return b"".join(lines)


def million_name(number: int) -> str:
    # pubmed99nNNNN ranks after the sample's pubmed20/21 files and in number order (docs/ingest.md)
    return f"pubmed99n{number:04d}.xml.gz"


def cycle_records(files: list[Path]) -> Iterator[bytes]:
    """The sample's records over and over."""
    while True:
        yield from sample_records(files)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def million_files(sample_files: list[Path], cache: Path) -> tuple[list[Path], float, bool]:
    """The ten 1 M files, from the cache when its manifest and checksums say they are current."""
    want = {"generator": GENERATOR, "records": MILLION, "per_file": PER_FILE,
            "first_pmid": FIRST_PMID,
            "sample": {p.name: sha256_of(p) for p in sample_files}}  # fmt: skip
    manifest = cache / MANIFEST
    if manifest.exists():
        have = json.loads(manifest.read_text())
        files = {name: sha for name, (sha, _) in have.get("files", {}).items()}
        if {k: have.get(k) for k in want} == want and len(files) == MILLION // PER_FILE and all(
            (cache / n).exists() and sha256_of(cache / n) == s for n, s in files.items()
        ):
            say(f"1 M: using the cached files in {cache}")
            return [cache / n for n in sorted(files)], 0.0, True
        say(f"1 M: the cache in {cache} is stale or incomplete: making it again")
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(parents=True)
    per_pass = sum(1 for _ in sample_records(sample_files))
    say(f"1 M: writing {MILLION // PER_FILE} files of {PER_FILE:,} records "
        f"({per_pass:,} sample records a pass) into {cache} ...")  # fmt: skip
    started = time.perf_counter()
    jobs = []
    with ProcessPoolExecutor(JOBS) as pool:
        for n, first in enumerate(range(0, MILLION, PER_FILE), 1):
            # Start each file's stream at its place within a pass: no need to re-read whole passes.
            skip = first % per_pass
            jobs.append((n, first, pool.submit(write_part, [str(p) for p in sample_files], n,
                                               first, skip, PER_FILE, str(cache))))  # fmt: skip
        written = {}
        for n, first, job in jobs:
            name, sha, size = job.result()
            written[name] = (sha, size)
            say(f"1 M: {name} ({size / MB:,.0f} MB), PMIDs {FIRST_PMID + first:,} ..")
    seconds = time.perf_counter() - started
    manifest.write_text(json.dumps({**want, "files": written, "per_pass": per_pass,
                                    "seconds": round(seconds, 1)}, indent=1) + "\n")  # fmt: skip
    return [cache / n for n in sorted(written)], seconds, False


def write_part(sample: list[str], number: int, first: int, skip: int, count: int,
               out_dir: str) -> tuple[str, str, int]:  # fmt: skip
    """File ``number``: records ``first`` .. ``first + count - 1`` of the re-numbered stream,
    whose first record is the sample's record ``skip`` (``first`` modulo a pass)."""
    from isal import igzip

    files = [Path(p) for p in sample]
    stream = itertools.islice(cycle_records(files), skip, skip + count)
    path = Path(out_dir) / million_name(number)
    part = path.with_name(path.name + ".part")
    with open(part, "wb") as raw, igzip.IGzipFile(path.name, "wb", 2, raw, mtime=0) as gz:
        gz.write(prolog(files[0]) + b"<PubmedArticleSet>\n")
        for i, data in enumerate(stream, first):
            pmid = FIRST_PMID + i
            if pmid >= 10**8:
                raise ValueError(f"PMID {pmid} is not below 10^8")
            gz.write(b"  " + renumber(data, pmid) + b"\n")
        gz.write(b"</PubmedArticleSet>\n")
    os.replace(part, path)
    return path.name, sha256_of(path), path.stat().st_size


# --- the report -------------------------------------------------------------------------------
def git_state() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "src")
    return f"`{head}`" + (" with uncommitted changes in `src/`" if dirty else "")


def code_fingerprint() -> str:
    """A digest of the package's source, to notice when it changes during a run."""
    digest = hashlib.sha256()
    for path in sorted((REPO / "src" / "pubmirror").rglob("*")):
        if path.suffix in (".py", ".pyx", ".pxi", ".so") and path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def cell(query: str, width: int = 100) -> str:
    """A query as a table cell: code, pipes escaped, long ones cut."""
    shown = query if len(query) <= width else query[: width - 1] + "…"
    return "`" + shown.replace("|", "\\|") + "`"


def ms(x: float | None) -> str:
    return "–" if x is None else f"{x:.1f}" if x < 100 else f"{x:,.0f}"


def home_row(h: HomeRun) -> str:
    secs = h.ingest.seconds
    return (f"| {h.label} | {h.stored:,} | {secs:,.1f} | {h.records_read / secs:,.0f} | "
            f"{h.ingest.tree_kb / 1024:,.0f} | {h.mesh_s:.1f} | {h.home_bytes / MB:,.0f} | "
            f"{h.home_bytes / h.stored:,.0f} | {h.open_s * 1000:,.0f} | "
            f"{h.maxrss_kb / 1024:,.0f} |")  # fmt: skip


def slow_queries(h: HomeRun, queries: list[str]) -> list[str]:
    out = []
    for sort, lat in h.latency.items():
        for q, t in zip(queries, lat.per_query_ms):
            if t is not None and t > SLOW_S * 1000:
                out.append(f"{h.label}, sort {sort}: {cell(q)} {ms(t)} ms")
    return out


def report(runs: list[HomeRun], queries: list[str], million: Million | None,
           mesh: Path, took: float, rounds: int, code_changed: bool) -> str:  # fmt: skip
    by = {h.label: h for h in runs}
    small, big = by["sample"], by.get("1 M")
    files = ", ".join(f"`{f.name}`" for f in small.files)
    lines = [
        "Wall-clock latency of one search through the service façade, "
        f"`Pubmirror(home).search(query, limit={LIMIT})`, in one Python process: parse, resolve "
        "(automatic term mapping, MeSH explosion, truncation, dates), exact count and the first "
        f"page of {LIMIT} PMIDs. The {len(queries)} queries of `bench/queries.txt` (untagged "
        "words and phrases, field tags, MeSH with subheadings and `:noexp`, truncation, "
        "proximity, date ranges, and Boolean strings of systematic-review length) run once "
        f"untimed (warm-up), then in {rounds} timed rounds; median and p95 are over all "
        f"{len(queries) * rounds} (query, round) timings of a home. Each home is fresh: "
        f"`pubmirror ingest --jobs {JOBS}` (a subprocess, timed), then NLM's MeSH tree "
        f"`{mesh.name}` loaded with `Pubmirror.load_mesh`; the queries are timed in a new "
        "process that opens the home.",
        "",
        f"Machine: {machine()}. Code: {git_state()}."
        + (" **The code under `src/` changed during this run**: the figures may mix two versions."
           if code_changed else ""),  # fmt: skip
        "",
    ]
    if million is not None:
        lines += [
            f"Homes: *sample* is {files}. *1 M* is {MILLION:,} records made from the sample by "
            f"re-numbering: its {million.per_pass:,} article records in file order, over "
            f"and over, record *i* (from 0) getting PMID {FIRST_PMID:,} + *i* in `<PMID>` and in "
            "its own `<ArticleId IdType=\"pubmed\">`, every other byte as NLM wrote it (so each "
            f"sample record occurs 19 or 20 times); {MILLION // PER_FILE} gzipped files of "
            f"{PER_FILE:,} records, cached in `.home/bench-1m/` "
            + ("(reused from the cache this run)." if million.cached else
               f"(made this run in {million.seconds:,.0f} s)."),  # fmt: skip
            "",
        ]
    else:
        lines += [f"Home: *sample* is {files}. The 1 M run was skipped (`--no-million`).", ""]
    lines += [
        "| home | records | ingest s | records/s | ingest tree RSS MB | MeSH load s | "
        "home on disk MB | B/record | open ms | search process max RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *(home_row(h) for h in runs),
        "",
        "Home on disk: every file of the data home (store, index, MeSH) after the run. Open: "
        "`Pubmirror(home)` in the timing process, cold.",
        "",
        "| home | sort | median ms | p95 ms | max ms | queries > 1 s | queries failed |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for h in runs:
        for sort, lat in h.latency.items():
            slow = sum(1 for t in lat.per_query_ms if t is not None and t > SLOW_S * 1000)
            failed = sum(1 for e in h.errors.values() if e.startswith(f"sort={sort}:"))
            lines.append(f"| {h.label} | {sort} | {ms(lat.median)} | {ms(lat.p95)} | "
                         f"{ms(max(lat.all_ms))} | {slow} | {failed} |")  # fmt: skip
    lines += ["", "Slowest queries (median of the rounds, sort relevance):", "",
              "| home | query | hits | median ms |", "|---|---|---:|---:|"]  # fmt: skip
    for h in runs:
        lat = h.latency["relevance"]
        timed = [(t, i) for i, t in enumerate(lat.per_query_ms) if t is not None]
        for t, i in sorted(timed, reverse=True)[:5]:
            lines.append(f"| {h.label} | {cell(queries[i], 120)} | {lat.counts[i]:,} | {ms(t)} |")
    lines += [
        "",
        "| target | measured | result |",
        "|---|---:|---|",
        f"| p95 ≤ {TARGET_50K_MS:.0f} ms on the sample ({small.stored:,} records) | "
        f"{ms(small.latency['relevance'].p95)} ms | "
        f"{verdict(small.latency['relevance'].p95 <= TARGET_50K_MS)} |",
    ]
    if big is not None:
        p95 = big.latency["relevance"].p95
        lines.append(f"| p95 ≤ {TARGET_1M_MS:.0f} ms on {big.stored:,} records | {ms(p95)} ms | "
                     f"{verdict(p95 <= TARGET_1M_MS)} |")  # fmt: skip
    else:
        lines.append(f"| p95 ≤ {TARGET_1M_MS:.0f} ms on 1 M records | not run | – |")
    lines += ["", "Targets are judged on the default sort (relevance)."]
    if big is not None and million is not None:
        lines += ["", count_check(small, big, queries, million.per_pass)]
    else:
        lines += ["", sorts_agree(runs, queries)]
    for h in runs:
        if h.errors:
            lines += ["", f"Queries that failed on {h.label} (left out of the figures): "
                      + ", ".join(cell(q) for q in h.errors) + "."]  # fmt: skip
    slow_notes = [s for h in runs for s in slow_queries(h, queries)]
    if slow_notes:
        lines += ["", "Queries slower than 1 s: " + "; ".join(slow_notes) + "."]
    lines += ["", per_query_table(runs, queries), "",
              f"Reproduce: `make bench` (runs `bench/query_bench.py --sample .home/sample --out "
              f"docs/benchmarks.md`; `--no-million` skips the 1 M home). This run took "
              f"{took / 60:,.1f} min. Timings vary with machine load; rerun on an idle machine."]
    return "\n".join(lines)


def count_check(small: HomeRun, big: HomeRun, queries: list[str], per_pass: int) -> str:
    """Each sample record occurs 19 or 20 times at 1 M, so should each query's hits."""
    low, high = MILLION // per_pass, -(-MILLION // per_pass)
    a, b = small.latency["relevance"].counts, big.latency["relevance"].counts
    off = [(q, x, y) for q, x, y in zip(queries, a, b)
           if x is not None and y is not None and not low * x <= y <= high * x]  # fmt: skip
    text = (f"Count check: hits on 1 M ÷ hits on the sample lie between {low} and {high} (each "
            f"sample record occurs {low} or {high} times) for "
            f"{len(queries) - len(off)} of {len(queries)} queries")
    if off:
        shown = "; ".join(f"{cell(q, 60)} {x:,} → {y:,}" + (" (a PMID: the 1 M records have new "
                          "PMIDs)" if _PMID_QUERY.fullmatch(q) else "") for q, x, y in off)
        text += f"; not for: {shown}"
    return text + ". " + sorts_agree([small, big], queries)


def sorts_agree(runs: list[HomeRun], queries: list[str]) -> str:
    """Sorting must not change what is found."""
    differ = [f"{h.label} {cell(q, 60)} {a:,} vs {b:,}"
              for h in runs for q, a, b in zip(queries, h.latency["relevance"].counts,
                                               h.latency["date"].counts) if a != b]  # fmt: skip
    if not differ:
        return "Every query finds the same count sorted by relevance and by date, on every home."
    return "Counts that differ between sort relevance and sort date: " + "; ".join(differ) + "."


def per_query_table(runs: list[HomeRun], queries: list[str]) -> str:
    head = "| # | query | " + " | ".join(f"hits {h.label} | ms {h.label}" for h in runs) + " |"
    rule = "|---:|---|" + "---:|---:|" * len(runs)
    rows = []
    for i, q in enumerate(queries):
        cells = []
        for h in runs:
            lat = h.latency["relevance"]
            n = lat.counts[i]
            cells.append(f"{'–' if n is None else f'{n:,}'} | {ms(lat.per_query_ms[i])}")
        rows.append(f"| {i + 1} | {cell(q, 80)} | " + " | ".join(cells) + " |")
    return ("<details><summary>Every query: hits and median ms (sort relevance)</summary>\n\n"
            + "\n".join([head, rule, *rows]) + "\n\n</details>")  # fmt: skip


# --- main -------------------------------------------------------------------------------------
def default_mesh() -> Path:
    data = os.environ.get("PUBMIRROR_TESTDATA")
    root = Path(data) if data else REPO.parent / "shared" / "data"
    return root / "mesh" / "2017MeshTree.txt"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sample", type=Path, help="folder with the two sample files")
    ap.add_argument("--out", type=Path, default=Path("docs/benchmarks.md"))
    ap.add_argument("--million", action=argparse.BooleanOptionalAction, default=True,
                    help="also run the 1 M-record home (default: yes)")  # fmt: skip
    ap.add_argument("--queries", type=Path, default=QUERIES)
    ap.add_argument("--mesh", type=Path, default=None,
                    help="MeSH tree file (default: $PUBMIRROR_TESTDATA/mesh/2017MeshTree.txt)")
    ap.add_argument("--cache", type=Path, default=None,
                    help="where the 1 M files are kept (default: bench-1m next to --sample)")
    ap.add_argument("--tmp", default=None, help="where to make the temporary homes")
    ap.add_argument("--rounds", type=int, default=ROUNDS)
    ap.add_argument("--keep", action="store_true", help="keep the homes (their paths are printed)")
    ap.add_argument("--time-home", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    queries = read_queries(args.queries)
    if args.time_home is not None:  # the child process that times one home
        print(json.dumps(time_home(args.time_home, queries, args.rounds)))
        return
    if args.sample is None:
        ap.error("--sample is required")
    started = time.perf_counter()
    code = code_fingerprint()
    files = [args.sample / FILE1, args.sample / FILE2]
    for f in files:
        if not f.exists():
            raise SystemExit(f"missing {f}: run `pubmirror sample` first")
    mesh = args.mesh or default_mesh()
    if not mesh.exists():
        raise SystemExit(f"missing {mesh}: set PUBMIRROR_TESTDATA or pass --mesh")
    say(f"{len(queries)} queries from {args.queries}")
    runs = [run_home("sample", files, mesh, args.queries, args.rounds, args.tmp, args.keep)]
    million = None
    if args.million:
        cache = args.cache or args.sample.resolve().parent / "bench-1m"
        big_files, gen_s, cached = million_files(files, cache)
        per_pass = json.loads((cache / MANIFEST).read_text())["per_pass"]
        million = Million(per_pass, gen_s, cached)
        runs.append(run_home("1 M", big_files, mesh, args.queries, args.rounds, args.tmp,
                             args.keep))  # fmt: skip
    for h in runs:
        for q, trace in h.errors.items():
            say(f"{h.label}: FAILED {q!r}\n{trace}")
        for note in slow_queries(h, queries):
            say(f"SLOW: {note}")
    changed = code_fingerprint() != code
    if changed:
        say("WARNING: the code under src/ changed during the run")
    body = report(runs, queries, million, mesh, time.perf_counter() - started, args.rounds,
                  changed)  # fmt: skip
    print(body)
    write_section(args.out, body, (START, END), "Query latency")
    say(f"written to {args.out}; {time.perf_counter() - started:,.0f} s in all")


if __name__ == "__main__":
    main()
