"""Precomputed Similar articles: ``pubmirror neighbors build`` and its update after each ingest.

A build reads every record's pmra terms from the store (in worker processes when ``jobs`` > 1),
keeps them in ``HOME/neighbors.sqlite``, then computes every record's exact top-``K`` neighbours
over the whole mirror (``query/neighbours.py``, threads over the compiled kernel). An update, run
by ingest once a build exists, re-reads the terms of only the records the new files changed, and
recomputes every list: a changed record may enter or leave any list, and the document frequencies
behind every score move with each file. ``docs/similar.md`` has the figures.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from multiprocessing import get_context

import numpy as np

from pubmirror.index.tantivy_index import text_words
from pubmirror.query import neighbours as kernel
from pubmirror.service.similar import fields_vector, similar_fields
from pubmirror.store.neighbour_store import NeighbourStore, VectorRow
from pubmirror.store.sqlite_store import Store

__all__ = ["K", "BuildReport", "applied_file", "build", "update"]

K = 100  # neighbours kept per record: PubMed's Similar articles page lists at most 100 a page
_BATCH = 500  # records a worker reads at a time

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class BuildReport:
    records: int  # records with lists
    read: int  # records whose terms were read from the store
    removed: int  # records dropped (deleted from the store)
    terms: int  # distinct pmra terms
    read_seconds: float
    score_seconds: float
    bytes: int  # size of neighbors.sqlite


def applied_file(store: Store) -> int:
    """The newest store file fully applied (0 for an empty store): what lists are current for."""
    done = store.files("done")
    return max((f.id for f in done), default=0)


def build(store: Store, nstore: NeighbourStore, jobs: int = 1,
          progress: Progress | None = None) -> BuildReport:  # fmt: skip
    """Read every record's terms afresh and compute every list."""
    started = time.perf_counter()
    target = applied_file(store)  # before reading: the lists include no later file
    nstore.mark("building")
    nstore.begin()
    try:
        nstore.db.execute("DELETE FROM vectors")
        nstore.db.execute("DELETE FROM neighbors")
        total = store.record_count()
        read = nstore.put_vectors(_read(_latest(store), jobs, total, progress))
        nstore.commit()
    except BaseException:
        nstore.rollback()
        raise
    return _score_all(nstore, target, jobs, read, 0, time.perf_counter() - started, progress)


def update(store: Store, nstore: NeighbourStore, jobs: int = 1,
           progress: Progress | None = None) -> BuildReport | None:  # fmt: skip
    """Bring a built neighbour store up to the record store: None when it was never built
    (nothing to keep up) or is already current."""
    since = nstore.meta("applied_file")
    if since is None or nstore.meta("state") not in ("ready", "building"):
        return None
    target = applied_file(store)
    if nstore.meta("state") == "ready" and int(since) == target:
        return None
    started = time.perf_counter()
    changed = sorted({p for f in store.files("done") if int(since) < f.id <= target
                      for p in store.pmids_of_file(f.id)})  # fmt: skip
    gone: list[int] = []

    def present() -> Iterator[tuple[int, bytes]]:  # each changed record read once
        for pmid in changed:
            found = store.get(pmid)
            if found is None:
                gone.append(pmid)
            else:
                yield pmid, found.xml

    nstore.mark("building")
    nstore.begin()
    try:
        read = nstore.put_vectors(_read(present(), jobs, len(changed), progress))
        nstore.delete(gone)
        nstore.commit()
    except BaseException:
        nstore.rollback()
        raise
    return _score_all(nstore, target, jobs, read, len(gone), time.perf_counter() - started,
                      progress)


def _score_all(nstore: NeighbourStore, target: int, jobs: int, read: int, removed: int,
               read_seconds: float, progress: Progress | None) -> BuildReport:  # fmt: skip
    """Every list from the stored terms, marked as including the store's files up to
    ``target``."""
    started = time.perf_counter()
    pmids, counts = nstore.counts()
    matrix = kernel.weigh(counts)
    nstore.begin()
    try:
        nstore.db.execute("DELETE FROM neighbors")
        for a in range(0, counts.n, 8192):  # bounded memory: one slice of lists at a time
            rows = np.arange(a, min(a + 8192, counts.n), dtype=np.int32)
            docs, scores = kernel.top_k(matrix, rows, K, jobs)
            nstore.put_neighbours(pmids, docs, scores, pmids[rows])
            if progress is not None:
                progress("score", int(rows[-1]) + 1, counts.n)
        nstore.mark("ready", target)
        nstore.set_meta("k", str(K))
        nstore.commit()
    except BaseException:
        nstore.rollback()
        raise
    nstore.checkpoint()
    return BuildReport(counts.n, read, removed, counts.n_terms, read_seconds,
                       time.perf_counter() - started, nstore.size_bytes())  # fmt: skip


def _latest(store: Store) -> Iterator[tuple[int, bytes]]:
    for record in store.iter_latest():
        yield record.pmid, record.xml


def _read(records: Iterable[tuple[int, bytes]], jobs: int, total: int,
          progress: Progress | None) -> Iterator[VectorRow]:  # fmt: skip
    """Each record's (pmid, length, term counts), in worker processes when ``jobs`` > 1."""
    batches = iter(lambda: list(islice(records, _BATCH)), [])
    done = 0
    if jobs <= 1:
        results: Iterable[list[VectorRow]] = map(vectors_of, batches)
        pool = None
    else:
        pool = ProcessPoolExecutor(jobs, mp_context=get_context("forkserver"))
        results = _windowed(pool, batches, 2 * jobs)
    try:
        for batch in results:
            yield from batch
            done += len(batch)
            if progress is not None:
                progress("read", done, total)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _windowed(pool: ProcessPoolExecutor, batches: Iterator[list[tuple[int, bytes]]],
              window: int) -> Iterator[list[VectorRow]]:  # fmt: skip
    """``pool.map`` in order with at most ``window`` batches in flight (``map`` itself would
    read the whole store into memory before the first result)."""
    pending: deque[Future[list[VectorRow]]] = deque()
    for batch in batches:
        pending.append(pool.submit(vectors_of, batch))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def vectors_of(batch: list[tuple[int, bytes]]) -> list[VectorRow]:
    """Worker entry point: pmra terms of stored records (``service.similar.fields_vector``)."""
    out = []
    for pmid, xml in batch:
        vector = fields_vector(similar_fields(xml), text_words)
        out.append((pmid, vector.length, vector.counts))
    return out
