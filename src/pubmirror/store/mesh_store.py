"""The MeSH vocabulary in SQLite (``HOME/mesh.sqlite``, WAL): a :class:`Vocabulary` on disk.

Tables:
    descriptors(ui, name)                       one row per descriptor
    trees(tree, ui, parent)                     one row per tree number; primary key ``tree``
    terms(key, ui, term, preferred, seq)        lookup keys (:func:`normalize_term`) → UI:
                                                the preferred name (preferred=1), entry terms
    qualifiers(ui, name, abbreviation, trees)   NLM's qualifiers (subheadings), when loaded
    loads(...)                                  the ledger: one row per file loaded

Explosion is one range scan per tree number on ``trees``' primary key: the descendants of
``C17.300.480`` are the keys strictly between ``'C17.300.480.'`` and ``'C17.300.480/'`` (see
:mod:`pubmirror.mesh.model`), so exploding a descriptor, however many tree numbers it has and
however large its subtree, is one query; so is a whole category (``C``, 4,758 descriptors in 2017).

Loading replaces, never merges: a tree file or a descriptor file replaces every descriptor, tree
number and term; a qualifier file replaces the qualifiers. All files of one :meth:`MeshStore.load`
go in one transaction, so a bad file leaves the previous vocabulary exactly as it was.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from pubmirror.errors import BadInputError, DataError
from pubmirror.mesh.model import (
    DESCRIPTOR_UI, Descriptor, Qualifier, is_category, is_tree_number, normalize_term,
    parent_tree, subtree_bounds,
)  # fmt: skip
from pubmirror.mesh.read import Source
from pubmirror.mesh.subheadings import guide_qualifiers
from pubmirror.mesh.vocabulary import find_subheading, qualifier_subtree

SCHEMA_VERSION = 1
_BATCH = 2000

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS descriptors (ui TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS trees (
    tree TEXT PRIMARY KEY,          -- compared bytewise (BINARY): subtrees are key ranges
    ui TEXT NOT NULL,
    parent TEXT                     -- the tree number one level up (a category letter at the top)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS trees_ui ON trees (ui);
CREATE INDEX IF NOT EXISTS trees_parent ON trees (parent);
CREATE TABLE IF NOT EXISTS terms (
    key TEXT NOT NULL,              -- normalize_term(term)
    ui TEXT NOT NULL,
    term TEXT NOT NULL,             -- as NLM writes it
    preferred INTEGER NOT NULL,     -- 1: the descriptor's preferred name
    seq INTEGER NOT NULL,           -- position in the record, to list entry terms in NLM's order
    PRIMARY KEY (key, ui)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS terms_ui ON terms (ui);
CREATE TABLE IF NOT EXISTS qualifiers (
    ui TEXT PRIMARY KEY, name TEXT NOT NULL, abbreviation TEXT NOT NULL,
    trees TEXT NOT NULL             -- space-separated tree numbers (about 80 rows: no index needed)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS loads (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    kind TEXT NOT NULL,             -- 'tree', 'descriptors' or 'qualifiers'
    descriptors INTEGER NOT NULL,
    tree_numbers INTEGER NOT NULL,
    entry_terms INTEGER NOT NULL,
    qualifiers INTEGER NOT NULL,
    loaded REAL NOT NULL
);
"""

# The bounds are mesh.model.subtree_bounds written in SQL, so that a descriptor's explosion over
# all its tree numbers is one statement; tests check it against the Python reference on every UI.
EXPLODE_SQL = (
    "SELECT DISTINCT below.ui FROM trees AS top JOIN trees AS below"
    " ON below.tree > top.tree || '.' AND below.tree < top.tree || '/' WHERE top.ui = ?"
)
SUBTREE_SQL = "SELECT DISTINCT ui FROM trees WHERE tree > ? AND tree < ?"
CHILDREN_SQL = (
    "SELECT DISTINCT child.ui FROM trees AS mine JOIN trees AS child ON child.parent = mine.tree"
    " WHERE mine.ui = ?"
)
PARENTS_SQL = (
    "SELECT DISTINCT up.ui FROM trees AS mine JOIN trees AS up ON up.tree = mine.parent"
    " WHERE mine.ui = ?"
)


@dataclass(frozen=True, slots=True)
class LoadSummary:
    """What one file put in the vocabulary (counts of the vocabulary after it)."""

    name: str
    kind: str
    descriptors: int
    tree_numbers: int
    entry_terms: int
    qualifiers: int
    seconds: float


class MeshStore:
    """``mesh.sqlite``: the loaded vocabulary; implements :class:`~pubmirror.mesh.Vocabulary`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
            self._check_version()
        except sqlite3.DatabaseError as exc:
            raise DataError(f"cannot open the MeSH store {path}: {exc}") from None

    def _check_version(self) -> None:
        row = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if row is None:
            self.db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        elif int(row[0]) != SCHEMA_VERSION:
            raise DataError(f"{self.path} has MeSH schema {row[0]}, expected {SCHEMA_VERSION}")

    def close(self) -> None:
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")
        self.db.close()

    # --- loading ------------------------------------------------------------------------------
    def load(self, sources: Sequence[Source]) -> list[LoadSummary]:
        """Load files in order, in one transaction: all of them, or (on any error) none."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            done = [self._load_one(source) for source in sources]
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return done

    def _load_one(self, source: Source) -> LoadSummary:
        started = time.perf_counter()
        try:
            if source.kind == "qualifiers":
                self._replace_qualifiers(source.qualifiers())
            else:
                self._replace_descriptors(source.descriptors())
        except sqlite3.IntegrityError as exc:  # a UI or tree number given twice
            raise BadInputError(str(source.path), f"a duplicate: {exc}") from None
        counts = self.counts()
        self.db.execute(
            "INSERT INTO loads (name, sha256, size, kind, descriptors, tree_numbers, entry_terms,"
            " qualifiers, loaded) VALUES (?,?,?,?,?,?,?,?,?)",
            (source.name, source.sha256, source.size, source.kind, counts["descriptors"],
             counts["tree_numbers"], counts["entry_terms"], counts["qualifiers"], time.time()),
        )  # fmt: skip
        seconds = time.perf_counter() - started
        return LoadSummary(source.name, source.kind, counts["descriptors"],
                           counts["tree_numbers"], counts["entry_terms"], counts["qualifiers"],
                           seconds)  # fmt: skip

    def _replace_descriptors(self, descriptors: Iterable[Descriptor]) -> None:
        for table in ("descriptors", "trees", "terms"):
            self.db.execute(f"DELETE FROM {table}")
        for batch in _batches(descriptors, _BATCH):
            rows = [(d.ui, d.name) for d in batch]
            self.db.executemany("INSERT INTO descriptors VALUES (?,?)", rows)
            self.db.executemany(
                "INSERT INTO trees VALUES (?,?,?)",
                [(t, d.ui, parent_tree(t)) for d in batch for t in d.tree_numbers],
            )
            # OR IGNORE: two spellings of one term (case, spacing) are one key for one UI.
            self.db.executemany("INSERT OR IGNORE INTO terms VALUES (?,?,?,?,?)", _term_rows(batch))

    def _replace_qualifiers(self, qualifiers: Iterable[Qualifier]) -> None:
        self.db.execute("DELETE FROM qualifiers")
        self.db.executemany(
            "INSERT INTO qualifiers VALUES (?,?,?,?)",
            ((q.ui, q.name, q.abbreviation, " ".join(q.tree_numbers)) for q in qualifiers),
        )

    # --- the ledger and counts ----------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        one = self.db.execute
        return {
            "descriptors": int(one("SELECT COUNT(*) FROM descriptors").fetchone()[0]),
            "tree_numbers": int(one("SELECT COUNT(*) FROM trees").fetchone()[0]),
            "entry_terms": int(one("SELECT COUNT(*) FROM terms WHERE preferred=0").fetchone()[0]),
            "qualifiers": int(one("SELECT COUNT(*) FROM qualifiers").fetchone()[0]),
        }

    def loads(self) -> list[tuple[str, str, str]]:
        """``(name, kind, sha256)`` of every file loaded, oldest first."""
        sql = "SELECT name, kind, sha256 FROM loads ORDER BY id"
        return [(str(n), str(k), str(s)) for n, k, s in self.db.execute(sql)]

    # --- the Vocabulary interface -------------------------------------------------------------
    @property
    def loaded(self) -> bool:
        return self.db.execute("SELECT 1 FROM descriptors LIMIT 1").fetchone() is not None

    @property
    def source(self) -> str | None:
        if not self.loaded:
            return None
        row = self.db.execute(
            "SELECT name, kind FROM loads WHERE kind != 'qualifiers' ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        return f"{row[0]} ({'tree file' if row[1] == 'tree' else 'descriptor XML'})"

    def lookup(self, term: str) -> str | None:
        ui = term.strip().upper()
        if DESCRIPTOR_UI.fullmatch(ui):
            return ui if self.name(ui) is not None else None
        row = self.db.execute(
            "SELECT ui FROM terms WHERE key=? ORDER BY preferred DESC, ui LIMIT 1",
            (normalize_term(term),),
        ).fetchone()
        return str(row[0]) if row else None

    def name(self, ui: str) -> str | None:
        row = self.db.execute("SELECT name FROM descriptors WHERE ui=?", (ui,)).fetchone()
        return str(row[0]) if row else None

    def names(self, uis: Iterable[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(uis))
        found: dict[str, str] = {}
        for i in range(0, len(wanted), 900):  # SQLite's limit on bound parameters
            part = wanted[i:i + 900]
            sql = f"SELECT ui, name FROM descriptors WHERE ui IN ({','.join('?' * len(part))})"
            found.update((str(u), str(n)) for u, n in self.db.execute(sql, part))
        return {u: found[u] for u in wanted if u in found}

    def descriptor(self, ui: str) -> Descriptor | None:
        name = self.name(ui)
        if name is None:
            return None
        trees = self._column("SELECT tree FROM trees WHERE ui=? ORDER BY tree", ui)
        terms = self._column("SELECT term FROM terms WHERE ui=? AND preferred=0 ORDER BY seq", ui)
        return Descriptor(ui, name, tuple(trees), tuple(terms))

    def explode(self, ui: str) -> list[str]:
        if self.name(ui) is None:
            return []
        below = set(self._column(EXPLODE_SQL, ui))
        below.discard(ui)
        return [ui, *sorted(below)]

    def explode_tree(self, tree: str) -> list[str]:
        if not (is_tree_number(tree) or is_category(tree)):
            return []
        at = self._column("SELECT ui FROM trees WHERE tree=?", tree)
        return sorted({*at, *self._column(SUBTREE_SQL, *subtree_bounds(tree))})

    def children(self, ui: str) -> list[str]:
        return sorted(self._column(CHILDREN_SQL, ui))

    def parents(self, ui: str) -> list[str]:
        return sorted(self._column(PARENTS_SQL, ui))

    def subheading(self, text: str) -> Qualifier | None:
        return find_subheading(self._qualifiers(), text)

    def explode_subheading(self, text: str) -> list[Qualifier]:
        qualifiers = self._qualifiers()
        top = find_subheading(qualifiers, text)
        return qualifier_subtree(qualifiers, top) if top else []

    def _qualifiers(self) -> tuple[Qualifier, ...]:
        """The loaded qualifiers, else the User Guide's table (about 80 rows either way)."""
        rows = self.db.execute("SELECT ui, name, abbreviation, trees FROM qualifiers ORDER BY ui")
        loaded = tuple(Qualifier(u, n, a, tuple(t.split())) for u, n, a, t in rows)
        return loaded or guide_qualifiers()

    def _column(self, sql: str, *args: str) -> list[str]:
        return [str(r[0]) for r in self.db.execute(sql, args)]


def _batches(items: Iterable[Descriptor], size: int) -> Iterator[list[Descriptor]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def _term_rows(batch: Sequence[Descriptor]) -> Iterator[tuple[str, str, str, int, int]]:
    for d in batch:
        yield normalize_term(d.name), d.ui, d.name, 1, 0
        for seq, term in enumerate(d.entry_terms, 1):
            yield normalize_term(term), d.ui, term, 0, seq
