"""CPU a record of each ingest stage, each run alone on one CPU (pubmed20n0014).

``ingest_bench.py`` times ingest end to end; this says where that time goes. Each stage runs over
the whole file by itself, in this one process pinned to one CPU, three times; the table gives
the best round (the machine's speed varies from one minute to the next) and all three. Results go
to stdout and to the text between ``<!-- stages:start -->`` and ``<!-- stages:end -->`` in
``--out``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import zstandard
from ingest_bench import FILE1, machine, write_section

from pubmirror.index.tantivy_document import encode_stream
from pubmirror.index.tantivy_index import TantivyIndex
from pubmirror.medline.extract import scan_stream
from pubmirror.medline.reader import open_xml
from pubmirror.medline.split import split_records
from pubmirror.service.prepare import BATCH, DICT_SAMPLES, DICT_SIZE
from pubmirror.store.sqlite_store import compress_all, compressor

START, END = "<!-- stages:start -->", "<!-- stages:end -->"
ROUNDS = 3


def cpu(work: Callable[[], object]) -> tuple[float, object]:
    started = time.process_time()
    result = work()
    return time.process_time() - started, result


def one_round(path: Path, tmp: str) -> dict[str, float]:
    """Seconds of CPU per stage over the whole file."""
    def decompress() -> None:
        with open_xml(path) as stream:
            while stream.read(8 << 20):
                pass

    def split() -> list[bytes]:
        with open_xml(path) as stream:
            return [c.data for c in split_records(str(path), stream)]

    out: dict[str, float] = {}
    out["decompress (python-isal)"], _ = cpu(decompress)
    out["split, decompression included"], records = cpu(split)
    out["scan and walk into the field stream"], streams = cpu(
        lambda: [scan_stream(d) for d in records])
    assert all(s is not None for s in streams), "the scanner declined a record of the sample"
    out["write the tantivy document"], docs = cpu(
        lambda: [encode_stream(s[0], s[2]) for s in streams])
    trained = zstandard.train_dictionary(DICT_SIZE, records[:DICT_SAMPLES], k=1024, d=8)
    comp = compressor(1, trained.as_bytes())
    out["zstd, a batch call per 400 records"], _ = cpu(
        lambda: [compress_all(comp, records[i:i + BATCH]) for i in range(0, len(records), BATCH)])
    index = TantivyIndex(Path(tempfile.mkdtemp(dir=tmp)) / "index")
    index.set_threads(1)
    out["tantivy: add the documents (JSON parse, indexing)"], _ = cpu(
        lambda: index.add_json(docs))
    out["tantivy: commit (write the segment)"], _ = cpu(index.commit)
    index.close()
    out["records"] = len(records)
    return out


def report(rounds: list[dict[str, float]]) -> str:
    n = rounds[0]["records"]
    lines = [
        f"CPU a record of each stage of ingesting `{FILE1}`, each stage run over the whole file "
        f"by itself in one process pinned to one CPU (tantivy with one indexing thread), "
        f"{ROUNDS} rounds; best and all rounds. Stages run together cost more than their sum: "
        "they share the CPU's caches, and the end-to-end figures above add SQLite, the apply "
        "loop and start-up.",
        "",
        f"Machine: {machine()}.",
        "",
        "| stage | best µs a record | rounds |",
        "|---|---:|---|",
    ]
    for stage in rounds[0]:
        if stage == "records":
            continue
        values = [r[stage] / n * 1e6 for r in rounds]
        lines.append(f"| {stage} | {min(values):.1f} | {', '.join(f'{v:.1f}' for v in values)} |")
    lines += ["", "Reproduce: `make bench` (runs `bench/ingest_stages.py`)."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sample", type=Path, required=True, help="folder with the sample files")
    ap.add_argument("--out", type=Path, default=Path("docs/benchmarks.md"))
    args = ap.parse_args(argv)
    path = args.sample / FILE1
    if not path.exists():
        raise SystemExit(f"missing {path}: run `pubmirror sample` first")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    with tempfile.TemporaryDirectory() as tmp:
        rounds = [one_round(path, tmp) for _ in range(ROUNDS)]
    body = report(rounds)
    print(body)
    write_section(args.out, body, (START, END), "Ingest, stage by stage")


if __name__ == "__main__":
    main()
