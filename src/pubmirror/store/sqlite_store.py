"""The record store: every version of every record, losslessly, in SQLite (WAL).

Tables:
    records(pmid, version, rank, file_id, codec, xml)  every version NLM sent, compressed
    deletions(pmid, rank, file_id)                      DeleteCitation tombstones
    files(...)                                          the ingest ledger, one row per file
    dicts(id, data)                                     zstd dictionaries the records refer to

``rank`` makes the result independent of the order files are given in: an element replaces a
stored one of the same PMID and version only if its file ranks at least as high, and a deletion
removes only what came from files ranked no higher (see :func:`file_rank`).
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import zstandard

from pubmirror.errors import DataError

SCHEMA_VERSION = 1
# A record row as ingest writes it: (pmid, version, rank, file_id, codec, compressed xml).
Row = tuple[int, int, int, int, int, bytes]
VERSIONS = 1024  # versions per PMID the record key leaves room for
_NLM_NAME = re.compile(r"(?:pubmed|medline)(\d\d)n(\d{4})")
# Files not named like NLM's rank after every NLM file, in ingest order.
_OTHER_BASE = 10**9

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dicts (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    rank INTEGER NOT NULL,
    state TEXT NOT NULL,            -- 'stored' (records written), 'done' (index committed too)
    added INTEGER NOT NULL DEFAULT 0,
    replaced INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    started REAL NOT NULL,
    finished REAL
);
-- key = pmid * 1024 + version: one B-tree, no second index, and a PMID's versions are adjacent.
-- (WITHOUT ROWID would be the obvious choice but measured twice the size with kilobyte rows.)
CREATE TABLE IF NOT EXISTS records (
    key INTEGER PRIMARY KEY,
    rank INTEGER NOT NULL,
    file_id INTEGER NOT NULL,
    codec INTEGER NOT NULL,         -- 0: zlib; n > 0: zstd with dictionary n
    xml BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS records_file ON records (file_id);
CREATE TABLE IF NOT EXISTS deletions (
    pmid INTEGER PRIMARY KEY,
    rank INTEGER NOT NULL,
    file_id INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS deletions_file ON deletions (file_id);
"""


def nlm_rank(name: str) -> int | None:
    """``pubmed21n1298.xml.gz`` → 211298 (year, then number); None for other names."""
    match = _NLM_NAME.search(name)
    return int(match.group(1)) * 10000 + int(match.group(2)) if match else None


@dataclass(frozen=True, slots=True)
class FileRow:
    id: int
    name: str
    sha256: str
    size: int
    rank: int
    state: str
    added: int
    replaced: int
    deleted: int
    skipped: int
    started: float
    finished: float | None


@dataclass(frozen=True, slots=True)
class StoredRecord:
    pmid: int
    version: int
    xml: bytes


class Codecs:
    """Compression of record XML: zstd with a trained dictionary, zlib before one exists."""

    def __init__(self, dicts: dict[int, bytes]) -> None:
        self.dicts = dicts
        self._decompressors: dict[int, zstandard.ZstdDecompressor] = {}

    def decompress(self, codec: int, data: bytes) -> bytes:
        if codec == 0:
            return zlib.decompress(data)
        dec = self._decompressors.get(codec)
        if dec is None:
            dict_data = zstandard.ZstdCompressionDict(self.dicts[codec])
            dec = self._decompressors[codec] = zstandard.ZstdDecompressor(dict_data=dict_data)
        return dec.decompress(data)


LEVEL = 3  # zstd's: level 1 was 2 µs a record faster and 15% larger (measured on the sample)


def compressor(codec: int, dict_bytes: bytes | None) -> zstandard.ZstdCompressor | None:
    if codec == 0 or dict_bytes is None:
        return None
    # A dictionary digested once, not at every record: 14 against 16 µs a record (measured on
    # the sample); the frames decompress with the same raw dictionary.
    prepared = zstandard.ZstdCompressionDict(dict_bytes)
    prepared.precompute_compress(level=LEVEL)
    return zstandard.ZstdCompressor(level=LEVEL, dict_data=prepared)


def compress(comp: zstandard.ZstdCompressor | None, data: bytes) -> bytes:
    return comp.compress(data) if comp is not None else zlib.compress(data, 6)


def compress_all(comp: zstandard.ZstdCompressor | None, originals: list[bytes]) -> list[bytes]:
    """``compress`` of each, the same bytes: zstd's batch call took 17 against 22 µs a record
    (measured on the sample; one frame per record either way)."""
    batch = getattr(comp, "multi_compress_to_buffer", None)  # the C backend has it
    if batch is None or not originals:
        return [compress(comp, data) for data in originals]
    return [segment.tobytes() for segment in batch(originals, threads=1)]


class Store:
    """The SQLite store under the data home. One writer at a time (SQLite's own lock)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
            # Records are ~1.4 KB compressed: 64 KiB pages waste 4% where 4 KiB pages waste 20%
            # (measured on the sample). Takes effect only when the file is created.
            self.db.execute("PRAGMA page_size=65536")
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise DataError(f"cannot open the record store {path}: {exc}") from None
        self._check_version()
        self.codecs = Codecs(dict(self.db.execute("SELECT id, data FROM dicts").fetchall()))

    def _check_version(self) -> None:
        row = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if row is None:
            self.db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        elif int(row[0]) != SCHEMA_VERSION:
            raise DataError(f"{self.path} has store schema {row[0]}, expected {SCHEMA_VERSION}")

    # --- transactions -----------------------------------------------------------------------
    def begin(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.db.execute("COMMIT")

    def rollback(self) -> None:
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")

    # --- dictionaries -----------------------------------------------------------------------
    def latest_dict(self) -> tuple[int, bytes | None]:
        row = self.db.execute("SELECT id, data FROM dicts ORDER BY id DESC LIMIT 1").fetchone()
        return (int(row[0]), bytes(row[1])) if row else (0, None)

    def codec_for(self, trained: bytes | None) -> tuple[int, bytes | None]:
        """The codec and dictionary to compress a file with: the dictionary trained on it, stored
        now, or the latest one when it had too few records to train one."""
        return (self.add_dict(trained), trained) if trained is not None else self.latest_dict()

    def add_dict(self, data: bytes) -> int:
        cur = self.db.execute("INSERT INTO dicts (data) VALUES (?)", (data,))
        dict_id = int(cur.lastrowid or 0)
        self.codecs.dicts[dict_id] = data
        return dict_id

    # --- the ledger -------------------------------------------------------------------------
    def file_by_sha(self, sha256: str) -> FileRow | None:
        row = self.db.execute("SELECT * FROM files WHERE sha256=?", (sha256,)).fetchone()
        return FileRow(*row) if row else None

    def start_file(self, name: str, sha256: str, size: int) -> FileRow:
        """Ledger row for a file about to be applied (inside the caller's transaction)."""
        cur = self.db.execute(
            "INSERT INTO files (name, sha256, size, rank, state, started) VALUES (?,?,?,?,?,?)",
            (name, sha256, size, 0, "applying", time.time()),
        )
        file_id = int(cur.lastrowid or 0)
        rank = nlm_rank(name)
        rank = rank if rank is not None else _OTHER_BASE + file_id
        self.db.execute("UPDATE files SET rank=? WHERE id=?", (rank, file_id))
        row = self.db.execute("SELECT * FROM files WHERE id=?", (file_id,)).fetchone()
        return FileRow(*row)

    def finish_file(self, file_id: int, counts: dict[str, int], state: str) -> None:
        self.db.execute(
            "UPDATE files SET state=?, added=?, replaced=?, deleted=?, skipped=?, finished=?"
            " WHERE id=?",
            (state, counts["added"], counts["replaced"], counts["deleted"], counts["skipped"],
             time.time(), file_id),
        )  # fmt: skip

    def mark_done(self, file_id: int) -> None:
        self.db.execute("UPDATE files SET state='done' WHERE id=?", (file_id,))

    def files(self, state: str | None = None) -> list[FileRow]:
        sql = "SELECT * FROM files" + (" WHERE state=?" if state else "") + " ORDER BY id"
        return [FileRow(*r) for r in self.db.execute(sql, (state,) if state else ())]

    # --- records ----------------------------------------------------------------------------
    def versions(self, pmids: Sequence[int]) -> dict[int, dict[int, int]]:
        """``{pmid: {version: rank}}`` for the stored versions of these PMIDs."""
        found: dict[int, dict[int, int]] = {}
        sql = "SELECT key, rank FROM records WHERE key BETWEEN ? AND ?"
        wanted = set(pmids)
        if wanted and max(wanted) - min(wanted) < 4 * len(wanted):
            # A batch of a baseline file is a dense run of PMIDs: one range scan, not one
            # query a PMID (1.4 µs a PMID instead of 6, measured on the sample).
            spans = [(_span(min(wanted))[0], _span(max(wanted))[1])]
        else:
            spans = [_span(pmid) for pmid in wanted]
        for span in spans:
            for key, rank in self.db.execute(sql, span):
                if key // VERSIONS in wanted:
                    found.setdefault(key // VERSIONS, {})[key % VERSIONS] = rank
        return found

    def tombstones(self, pmids: Sequence[int]) -> dict[int, int]:
        found: dict[int, int] = {}
        for chunk in _chunks(pmids, 900):
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT pmid, rank FROM deletions WHERE pmid IN ({marks})"
            found.update(self.db.execute(sql, chunk).fetchall())
        return found

    # A new row goes in with a plain INSERT and a stored one is changed with UPDATE: with INSERT OR
    # REPLACE, SQLite copied every page each row touched into a statement journal (a temporary
    # file), 4 GB of writes for pubmed20n0014's 30,000 records with 64 KiB pages; 0.43 against
    # 0.12 s for the same rows, and 0.22 against 0.05 s for 10,000 replacements (measured).
    def add(self, rows: Iterable[Row]) -> None:
        """Write ``(pmid, version, rank, file_id, codec, xml)`` rows whose (PMID, version) is
        not stored (IntegrityError if one is)."""
        self.db.executemany(
            "INSERT INTO records VALUES (?,?,?,?,?)",
            [(_key(p, v), rank, f, c, x) for p, v, rank, f, c, x in rows],
        )

    def replace(self, rows: Iterable[Row]) -> None:
        """Overwrite stored (PMID, version) rows with ``(pmid, version, rank, file_id, codec,
        xml)``."""
        self.db.executemany(
            "UPDATE records SET rank=?, file_id=?, codec=?, xml=? WHERE key=?",
            [(rank, f, c, x, _key(p, v)) for p, v, rank, f, c, x in rows],
        )

    def delete(self, pmid: int, rank: int, file_id: int) -> int:
        """Apply a DeleteCitation: drop versions from files ranked no higher; keep a tombstone."""
        lo, hi = _span(pmid)
        cur = self.db.execute(
            "DELETE FROM records WHERE key BETWEEN ? AND ? AND rank<=?", (lo, hi, rank)
        )
        self.db.execute(
            "INSERT INTO deletions VALUES (?,?,?) ON CONFLICT(pmid) DO UPDATE SET"
            " rank=excluded.rank, file_id=excluded.file_id WHERE excluded.rank >= rank",
            (pmid, rank, file_id),
        )
        return cur.rowcount

    def get(self, pmid: int, version: int | None = None) -> StoredRecord | None:
        """A record's highest version, or the version asked for."""
        if version is None:
            sql = "SELECT key, codec, xml FROM records WHERE key BETWEEN ? AND ? ORDER BY key DESC"
            row = self.db.execute(sql + " LIMIT 1", _span(pmid)).fetchone()
        elif 0 < version < VERSIONS:
            sql = "SELECT key, codec, xml FROM records WHERE key=?"
            row = self.db.execute(sql, (_key(pmid, version),)).fetchone()
        else:
            row = None
        if row is None:
            return None
        return StoredRecord(pmid, int(row[0]) % VERSIONS, self.codecs.decompress(row[1], row[2]))

    def pmids_of_file(self, file_id: int) -> list[int]:
        sql = (f"SELECT key / {VERSIONS} FROM records WHERE file_id=?"
               " UNION SELECT pmid FROM deletions WHERE file_id=?")
        return [r[0] for r in self.db.execute(sql, (file_id, file_id))]

    def iter_latest(self) -> Iterator[StoredRecord]:
        """Every record's highest version, in PMID order."""
        sql = f"SELECT MAX(key), codec, xml FROM records GROUP BY key / {VERSIONS} ORDER BY key"
        for key, codec, data in self.db.execute(sql):
            yield StoredRecord(key // VERSIONS, key % VERSIONS, self.codecs.decompress(codec, data))

    def record_count(self) -> int:
        sql = f"SELECT COUNT(DISTINCT key / {VERSIONS}) FROM records"
        return int(self.db.execute(sql).fetchone()[0])

    def version_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM records").fetchone()[0])

    def size_bytes(self) -> int:
        total = 0
        for suffix in ("", "-wal", "-shm"):
            p = Path(str(self.path) + suffix)
            if p.exists():
                total += p.stat().st_size
        return total

    def checkpoint(self) -> None:
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @contextmanager
    def checkpointing(self) -> Iterator[None]:
        """Copy the WAL into the database on a connection and thread of its own while the
        caller goes on (ingest: while tantivy commits, which releases the GIL). The copy and
        its fsync took 0.05 s after pubmed20n0014 (measured), time both CPUs were otherwise
        busy with tantivy; :meth:`checkpoint` is then left only the WAL's few new pages."""
        thread = threading.Thread(target=self._checkpoint_apart, name="pubmirror-checkpoint")
        thread.start()
        try:
            yield
        finally:
            thread.join()

    def _checkpoint_apart(self) -> None:
        try:
            db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            try:
                db.execute("PRAGMA wal_checkpoint(PASSIVE)")  # never waits for the writer
            finally:
                db.close()
        except sqlite3.Error:  # nothing lost: the WAL still holds the pages, checkpoint() copies them
            pass

    def close(self) -> None:
        self.rollback()
        self.db.close()


def _key(pmid: int, version: int) -> int:
    if version >= VERSIONS or version < 1:
        raise DataError(f"a record version outside 1..{VERSIONS - 1}")
    return pmid * VERSIONS + version


def _span(pmid: int) -> tuple[int, int]:
    return pmid * VERSIONS, pmid * VERSIONS + VERSIONS - 1


def _chunks(items: Sequence[int], size: int) -> Iterator[list[int]]:
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i:i + size]
