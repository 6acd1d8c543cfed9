"""Precomputed Similar articles in SQLite (``HOME/neighbors.sqlite``, WAL): every record's pmra
terms and its top neighbours, as ``pubmirror neighbors build`` leaves them (``docs/similar.md``).

Tables:
    terms(id, term)              pmra terms (stems, ``mh:``/``mhsh:`` MeSH terms) by number
    vectors(pmid, length, data)  a record's terms: int32 term ids, then uint16 counts
    neighbors(pmid, data)        its neighbours, best first: uint32 PMIDs, then float32 scores
    meta(key, value)             ``state`` (building / ready), ``applied_file`` (the last store
                                 file whose records the lists include), ``k``, ``built``

Derived data: it can always be rebuilt from the record store, so a failed build only leaves
``state`` at ``building``, which makes Similar articles compute on demand until the next build.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from pubmirror.errors import DataError
from pubmirror.query.neighbours import Counts

__all__ = ["NeighbourStore", "VectorRow"]

SCHEMA_VERSION = 1
_MAX_COUNT = 0xFFFF  # counts are stored as uint16; a term 65,535 times in one record is weight 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS terms (id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS vectors (
    pmid INTEGER PRIMARY KEY,
    length INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS neighbors (pmid INTEGER PRIMARY KEY, data BLOB NOT NULL);
"""

# (pmid, pmra length, {term: count})
VectorRow = tuple[int, int, dict[str, int]]


class NeighbourStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        found = self.meta("schema")
        if found is None:
            self.set_meta("schema", str(SCHEMA_VERSION))
        elif found != str(SCHEMA_VERSION):
            raise DataError(f"{path}: neighbour schema {found}, expected {SCHEMA_VERSION}; "
                            "delete the file and run `pubmirror neighbors build`")  # fmt: skip
        self._ids: dict[str, int] | None = None
        self._names: list[str] | None = None

    def close(self) -> None:
        self.db.close()

    # --- meta ---------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def ready_for(self, applied_file: int) -> bool:
        """Whether the lists are complete and include every file up to ``applied_file``."""
        return self.meta("state") == "ready" and self.meta("applied_file") == str(applied_file)

    # --- vectors ------------------------------------------------------------------------------
    def put_vectors(self, rows: Iterable[VectorRow]) -> int:
        """Store (replace) records' terms; returns how many. Runs in the caller's transaction."""
        ids = self._term_ids()
        n = 0
        for pmid, length, counts in rows:
            for term in counts:
                if term not in ids:
                    self._new_term(term)
            terms = np.fromiter((ids[t] for t in counts), np.int32, len(counts))
            values = np.fromiter(counts.values(), np.int64, len(counts))
            order = np.argsort(terms)
            data = terms[order].tobytes() + np.minimum(values[order], _MAX_COUNT).astype(
                np.uint16).tobytes()  # fmt: skip
            self.db.execute("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", (pmid, length, data))
            n += 1
        return n

    def delete(self, pmids: Sequence[int]) -> None:
        self.db.executemany("DELETE FROM vectors WHERE pmid=?", ((p,) for p in pmids))
        self.db.executemany("DELETE FROM neighbors WHERE pmid=?", ((p,) for p in pmids))

    def vector(self, pmid: int) -> tuple[int, dict[str, int]] | None:
        """A record's pmra length and term counts, by term name."""
        row = self.db.execute("SELECT length, data FROM vectors WHERE pmid=?", (pmid,)).fetchone()
        if row is None:
            return None
        terms, counts = _unpack(row[1])
        names = self._term_names()
        return int(row[0]), {names[t]: int(c) for t, c in zip(terms.tolist(), counts.tolist())}

    def counts(self) -> tuple[np.ndarray, Counts]:
        """Every stored record's terms: their PMIDs (ascending) and the count matrix."""
        pmids, lengths, parts, sizes = [], [], [], []
        for pmid, length, data in self.db.execute("SELECT pmid, length, data FROM vectors"
                                                  " ORDER BY pmid"):  # fmt: skip
            pmids.append(pmid)
            lengths.append(length)
            parts.append(data)
            sizes.append(len(data) // 6)
        indptr = np.zeros(len(pmids) + 1, dtype=np.int64)
        np.cumsum(sizes, out=indptr[1:])
        terms = np.empty(int(indptr[-1]), dtype=np.int32)
        counts = np.empty(int(indptr[-1]), dtype=np.int32)
        for i, data in enumerate(parts):
            t, c = _unpack(data)
            terms[indptr[i]:indptr[i + 1]] = t
            counts[indptr[i]:indptr[i + 1]] = c
        n_terms = int(self.db.execute("SELECT COALESCE(MAX(id), -1) + 1 FROM terms").fetchone()[0])
        return (np.array(pmids, dtype=np.int64),
                Counts(indptr, terms, counts, np.array(lengths, dtype=np.int32), n_terms))  # fmt: skip

    # --- neighbours ---------------------------------------------------------------------------
    def put_neighbours(self, pmids: np.ndarray, docs: np.ndarray, scores: np.ndarray,
                       of: Sequence[int] | np.ndarray) -> None:  # fmt: skip
        """Store the lists of records ``of`` (PMIDs), given as rows of record indices into
        ``pmids`` (−1: no neighbour) and scores. Runs in the caller's transaction."""
        for pmid, row, row_scores in zip(of, docs, scores):
            used = row >= 0
            data = (pmids[row[used]].astype(np.uint32).tobytes()
                    + row_scores[used].astype(np.float32).tobytes())  # fmt: skip
            self.db.execute("INSERT OR REPLACE INTO neighbors VALUES (?, ?)", (int(pmid), data))

    def neighbours(self, pmid: int) -> list[tuple[int, float]] | None:
        """A record's stored neighbours (PMID, score), best first; None when it has no list."""
        row = self.db.execute("SELECT data FROM neighbors WHERE pmid=?", (pmid,)).fetchone()
        if row is None:
            return None
        n = len(row[0]) // 8
        found = np.frombuffer(row[0], dtype=np.uint32, count=n)
        scores = np.frombuffer(row[0], dtype=np.float32, offset=4 * n)
        return list(zip(found.tolist(), scores.tolist()))

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in (self.path, Path(f"{self.path}-wal"))
                   if p.exists())  # fmt: skip

    def checkpoint(self) -> None:
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def begin(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.db.execute("COMMIT")

    def rollback(self) -> None:
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")
        self._ids = self._names = None  # ids given out in the rolled-back transaction are gone

    def mark(self, state: str, applied_file: int | None = None) -> None:
        self.set_meta("state", state)
        if applied_file is not None:
            self.set_meta("applied_file", str(applied_file))
        self.set_meta("built", str(int(time.time())))

    # --- term ids -----------------------------------------------------------------------------
    def _term_ids(self) -> dict[str, int]:
        if self._ids is None:
            self._ids = {t: i for i, t in self.db.execute("SELECT id, term FROM terms")}
        return self._ids

    def _term_names(self) -> list[str]:
        ids = self._term_ids()
        if self._names is None or len(self._names) != len(ids):
            names = [""] * len(ids)
            for term, i in ids.items():
                names[i] = term
            self._names = names
        return self._names

    def _new_term(self, term: str) -> int:
        ids = self._term_ids()
        i = len(ids)
        self.db.execute("INSERT INTO terms VALUES (?, ?)", (i, term))
        ids[term] = i
        return i


def _unpack(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    n = len(data) // 6
    return (np.frombuffer(data, dtype=np.int32, count=n),
            np.frombuffer(data, dtype=np.uint16, offset=4 * n).astype(np.int32))  # fmt: skip
