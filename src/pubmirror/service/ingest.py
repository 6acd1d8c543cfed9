"""Applying NLM files to the store and the index, one file as one transaction.

For each file: hash it (a file already in the ledger is skipped), split it into records, prepare
them in batches (scan, encode, compress: here, in a reader process or in worker processes, by
``--jobs``; see :func:`share_jobs`), and apply the batches in file order
inside one SQLite transaction while feeding the index writer. A bad file raises before anything
commits, so it changes nothing. Then:

1. SQLite commits the records and the ledger row in state ``stored``;
2. the index commits;
3. the ledger row becomes ``done``.

A crash before 1 leaves nothing; between 1 and 3 the next open re-indexes that file's PMIDs from
the store (:func:`recover`), which is idempotent. So store and index never disagree for longer
than a crash, and nothing is lost or doubled.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, cast

from lxml import etree

from pubmirror.errors import BadInputError
from pubmirror.index.base import Encoder, SearchIndex, StreamEncoder
from pubmirror.medline.extract import Fields, fast_search_fields, scan_fields
from pubmirror.medline.reader import Deletion, Item, open_xml, read_records
from pubmirror.medline.split import PARSER, Chunk, Declined, split_records
from pubmirror.index.tantivy_index import TantivyIndex
from pubmirror.service.prepare import BATCH, DICT_SAMPLES, Prepared, Preparer, train_dictionary, work
from pubmirror.service.reader_process import ReaderProcess
from pubmirror.store.sqlite_store import FileRow, Row, Store
from pubmirror.system import usable_cpus

if TYPE_CHECKING:  # imported when a pool starts: multiprocessing costs every CLI start 40 ms
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing.context import ForkServerContext

# A file this large (on disk) is read by a process of its own when ingest has two CPUs; a small
# one is prepared here, without a process to start (a fork took about 10 ms; measured).
READER_MIN_BYTES = 1 << 20
Progress = Callable[[str, int], None]  # (file name, records done so far)
Batches = Iterator[list["Prepared | Deletion"]]
Reader = Callable[[Path], Batches]


@dataclass
class FileResult:
    name: str
    status: str  # "applied" or "already applied"
    records: int = 0
    added: int = 0
    replaced: int = 0
    deleted: int = 0
    skipped: int = 0
    seconds: float = 0.0
    size: int = 0


@dataclass
class _Counts:
    added: int = 0
    replaced: int = 0
    deleted: int = 0
    skipped: int = 0
    records: int = 0

    def as_dict(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in ("added", "replaced", "deleted", "skipped")}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given; folders contribute their ``*.xml`` and ``*.xml.gz`` files, sorted."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.iterdir() if p.name.endswith((".xml", ".xml.gz"))))
        elif path.exists():
            out.append(path)
        else:
            raise BadInputError(str(path), "no such file or folder")
    return out


def share_jobs(jobs: int) -> tuple[int, int]:
    """``(indexing threads, worker processes)`` for ingest on ``jobs`` CPUs.

    tantivy's indexing threads take the first two CPUs. With two, a large file is read by a
    process of its own (:mod:`pubmirror.service.reader_process`); from three on, worker
    processes prepare the batches the ingest process splits. A pool on two CPUs was no faster
    than the ingest process alone (5.15 against 5.0 s for pubmed20n0014, measured): the ingest
    process still split the file and sent every record's bytes to the workers."""
    threads = min(max(1, jobs), 2)
    return threads, max(1, jobs) - threads


class Ingestor:
    def __init__(self, store: Store, index: SearchIndex, jobs: int = 1) -> None:
        self.store = store
        self.index = index
        self.jobs = jobs
        threads, self.workers = share_jobs(jobs)
        index.set_threads(threads)
        self._pool: ProcessPoolExecutor | None = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def ingest(self, path: Path, progress: Progress | None = None) -> FileResult:
        started = time.perf_counter()
        sha = sha256_of(path)
        size = path.stat().st_size
        if self.store.file_by_sha(sha) is not None:
            return FileResult(path.name, "already applied", size=size)
        reader = ReaderProcess(path, self._encoders) if self._reads_apart(size) else None
        try:
            batches = reader.batches_of(self.store) if reader else self._prepared_batches
            row, counts = self._apply(path, sha, size, batches, progress)
        finally:
            if reader is not None:
                reader.close()
        self.store.commit()
        with self.store.checkpointing():
            self.index.commit()
        self.store.mark_done(row.id)
        return FileResult(
            path.name, "applied", counts.records, counts.added, counts.replaced,
            counts.deleted, counts.skipped, time.perf_counter() - started, size,
        )  # fmt: skip

    def _reads_apart(self, size: int) -> bool:
        """Whether a file of ``size`` bytes is read by a process of its own: with two CPUs
        (more add worker processes instead, see :func:`share_jobs`), and not for small files."""
        return self.jobs == 2 and size >= READER_MIN_BYTES

    def _apply(
        self, path: Path, sha: str, size: int, reader: Reader, progress: Progress | None
    ) -> tuple[FileRow, _Counts]:
        """Apply the file in a transaction the caller commits; nothing stays applied if it fails."""
        report = progress or (lambda name, n: None)
        try:
            try:
                return self._transaction(path, sha, size, reader, report)
            except Declined:  # not NLM's plain layout: start over with the general reader
                self.store.rollback()
                self.index.rollback()
                return self._transaction(path, sha, size, self._iterparse_batches, report)
        except BaseException:
            self.store.rollback()
            self.index.rollback()
            raise

    def _transaction(
        self, path: Path, sha: str, size: int, reader: Reader, progress: Progress
    ) -> tuple[FileRow, _Counts]:
        """Apply one file inside a store transaction the caller commits or rolls back."""
        self.store.begin()
        row = self.store.start_file(path.name, sha, size)
        counts = _Counts()
        deletions: list[Deletion] = []
        for batch in reader(path):
            self._apply_batch(batch, row, counts, deletions)
            progress(path.name, counts.records)
        for deletion in deletions:  # NLM lists deletions after the records of a file
            self._apply_deletion(deletion, row, counts)
        self.store.finish_file(row.id, counts.as_dict(), "stored")
        return row, counts

    # --- reading ----------------------------------------------------------------------------
    def _prepared_batches(self, path: Path) -> Iterator[list[Prepared | Deletion]]:
        with open_xml(path) as stream:
            chunks = split_records(str(path), stream)
            first = list(islice(chunks, DICT_SAMPLES))
            codec, dict_bytes = self.store.codec_for(train_dictionary(first))
            if not self.workers or len(first) < DICT_SAMPLES:  # small: not worth starting workers
                preparer = Preparer(codec, dict_bytes, *self._encoders)
                for start in range(0, len(first), BATCH):
                    yield preparer.chunks(str(path), first[start:start + BATCH])
                while batch := list(islice(chunks, BATCH)):
                    yield preparer.chunks(str(path), batch)
                return
            yield from self._parallel(str(path), first, chunks, codec, dict_bytes)

    def _parallel(
        self, path: str, first: list[Chunk], chunks: Iterator[Chunk], codec: int,
        dict_bytes: bytes | None,
    ) -> Iterator[list[Prepared | Deletion]]:  # fmt: skip
        pool = self._get_pool()
        batches = (first[i:i + BATCH] for i in range(0, len(first), BATCH))
        pending: list[Future[list[Prepared | Deletion]]] = []
        try:
            while True:
                while len(pending) < 2 * self.workers:
                    batch = next(batches, None) or list(islice(chunks, BATCH))
                    if not batch:
                        break
                    pending.append(pool.submit(work, path, batch, codec, dict_bytes, *self._encoders))
                if not pending:
                    return
                yield pending.pop(0).result()
        finally:
            for fut in pending:
                fut.cancel()

    @property
    def _encoders(self) -> tuple[Encoder, StreamEncoder | None]:
        return self.index.encoder, self.index.stream_encoder

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            from concurrent.futures import ProcessPoolExecutor

            context = forkserver_context(work, *self._encoders)
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context)
        return self._pool

    def _iterparse_batches(self, path: Path) -> Iterator[list[Prepared | Deletion]]:
        """The slow, general path for files not in NLM's plain layout."""
        codec, dict_bytes = self.store.latest_dict()
        preparer = Preparer(codec, dict_bytes, self.index.encoder)
        items = read_records(
            path,
            lambda el: preparer.record(
                etree.tostring(el, encoding="utf-8", with_tail=False), fast_search_fields(el)
            ),
        )
        try:
            while batch := list(islice(items, BATCH)):
                yield [i.value if isinstance(i, Item) else i for i in batch]
        except ValueError as exc:  # well-formed XML, but not a usable record
            raise BadInputError(str(path), f"unusable record: {exc}") from None

    # --- applying ---------------------------------------------------------------------------
    def _apply_batch(
        self, batch: list[Prepared | Deletion], row: FileRow, counts: _Counts,
        deletions: list[Deletion],
    ) -> None:  # fmt: skip
        records = [p for p in batch if isinstance(p, Prepared)]
        deletions.extend(p for p in batch if isinstance(p, Deletion))
        pmids = list({p.pmid for p in records})
        stored = self.store.versions(pmids)
        tombs = self.store.tombstones(pmids)
        if not stored and not tombs and len(pmids) == len(records):
            # New PMIDs, each once, as in a baseline file: every record is added and indexed.
            self.store.add([(r.pmid, r.version, row.rank, row.id, r.codec, r.blob) for r in records])
            self.index.add_json([r.doc for r in records])
            counts.records += len(records)
            counts.added += len(records)
            return
        added: list[Row] = []
        replaced: list[Row] = []
        for rec in records:
            counts.records += 1
            versions = stored.setdefault(rec.pmid, {})
            known = bool(versions) or rec.pmid in tombs  # may have a document to replace
            old = versions.get(rec.version)
            if tombs.get(rec.pmid, -1) >= row.rank or (old is not None and old > row.rank):
                counts.skipped += 1  # deleted, or a higher-ranked file already gave this version
                continue
            versions[rec.version] = row.rank
            entry = (rec.pmid, rec.version, row.rank, row.id, rec.codec, rec.blob)
            (added if old is None else replaced).append(entry)
            if rec.version >= max(versions):  # search shows only the highest version
                if known:  # deleting costs at commit: only for PMIDs that may be indexed
                    self.index.delete([rec.pmid])
                self.index.add_json([rec.doc])
        # In this order: a row added here may be replaced by a later element of the same batch.
        self.store.add(added)
        self.store.replace(replaced)
        counts.added += len(added)
        counts.replaced += len(replaced)

    def _apply_deletion(self, deletion: Deletion, row: FileRow, counts: _Counts) -> None:
        for pmid in deletion.pmids:
            if self.store.delete(pmid, row.rank, row.id):
                counts.deleted += 1
            self.index.delete([pmid])
            reindex(self.store, self.index, [pmid])  # versions from higher-ranked files stay


def reindex(store: Store, index: SearchIndex, pmids: Iterable[int]) -> None:
    """Index the highest stored version of each PMID (none if it has none)."""
    for pmid in pmids:
        found = store.get(pmid)
        if found is None:
            continue
        _, _, fields = stored_fields(found.xml)
        index.delete([pmid])
        index.add_json([index.encoder(pmid, fields)])


def stored_fields(xml: bytes) -> tuple[int, int, Fields]:
    """A stored record's search fields (it was well formed when it was ingested)."""
    return scan_fields(xml) or fast_search_fields(etree.fromstring(xml, PARSER))


def recover(store: Store, index: SearchIndex) -> list[str]:
    """Finish files whose records committed but whose index commit may not have (a crash)."""
    names = []
    for row in store.files("stored"):
        pmids = store.pmids_of_file(row.id)
        index.delete(pmids)
        reindex(store, index, pmids)
        index.commit()
        store.mark_done(row.id)
        names.append(row.name)
    # A crash inside a transaction leaves no 'applying' rows (SQLite rolled them back).
    return names


def rebuild_index(store: Store, path: Path) -> TantivyIndex:
    """Build a fresh index at ``path`` from every record's highest stored version."""
    fresh = path.with_name(path.name + ".rebuild")
    shutil.rmtree(fresh, ignore_errors=True)
    index = TantivyIndex(fresh)
    batch: list[str] = []
    for record in store.iter_latest():
        _, _, fields = stored_fields(record.xml)
        batch.append(index.encoder(record.pmid, fields))
        if len(batch) >= 1000:
            index.add_json(batch)
            batch = []
    index.add_json(batch)
    index.commit()
    index.close()
    shutil.rmtree(path, ignore_errors=True)
    fresh.rename(path)
    return TantivyIndex(path)


def forkserver_context(*targets: Callable[..., object] | None) -> ForkServerContext:
    """multiprocessing's fork server, told to import the modules of what its children run.

    A worker pool starts while tantivy's indexing threads may run, and forking a process with
    those threads is not safe; the server, a fresh process, imports those modules once and
    forks each worker from itself."""
    from multiprocessing import get_context

    context = cast("ForkServerContext", get_context("forkserver"))
    context.set_forkserver_preload(sorted({t.__module__ for t in targets if t is not None}))
    return context


def default_jobs() -> int:
    return min(2, usable_cpus())
