"""The service façade: the only object the faces (CLI, web, E-utilities) talk to."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast
from pathlib import Path

import platformdirs

from pubmirror.errors import NotFoundError, UsageError
from pubmirror.index.tantivy_index import SchemaMismatch, TantivyIndex
from pubmirror.index.base import Explanation, Hits
from pubmirror.service.ingest import (
    FileResult,
    Ingestor,
    Progress,
    default_jobs,
    expand_paths,
    rebuild_index,
    recover,
    stored_fields,
)
from pubmirror.store.sqlite_store import Store, StoredRecord

# The displays, the query language, MeSH and Similar articles are imported where they are used:
# a command that needs none of them (ingest, stats) starts 70 ms sooner (measured).
if TYPE_CHECKING:  # numpy and the neighbour build load only when a build exists or is asked for
    from pubmirror.mesh import Vocabulary
    from pubmirror.service.search import SearchResult
    from pubmirror.service.similar import Neighbour
    from pubmirror.store.mesh_store import LoadSummary, MeshStore
    from pubmirror.service.neighbours import BuildReport
    from pubmirror.service.neighbours import Progress as NeighbourProgress
    from pubmirror.store.neighbour_store import NeighbourStore


def resolve_home(home: str | Path | None = None) -> Path:
    """``--home``, else ``PUBMIRROR_HOME``, else the platform's user data directory."""
    chosen = home or os.environ.get("PUBMIRROR_HOME") or platformdirs.user_data_dir("pubmirror")
    path = Path(chosen).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass(frozen=True)
class Stats:
    records: int
    versions: int
    files: int
    store_bytes: int
    index_bytes: int
    indexed: int


class Pubmirror:
    def __init__(self, home: str | Path | None = None) -> None:
        self.home = resolve_home(home)
        self.store = Store(self.home / "store.sqlite")
        try:
            self.index = TantivyIndex(self.home / "index")
        except SchemaMismatch:
            # The index is derived data: a new pubmirror with a new schema rebuilds it.
            self.index = rebuild_index(self.store, self.home / "index")
        if self.store.files("stored"):  # a crash left a file half-applied: finish it first
            recover(self.store, self.index)
        self._mesh: MeshStore | None = None  # opened on first use (see the MeSH section)
        self._neighbours: NeighbourStore | None = None  # likewise, once built

    def close(self) -> None:
        if self._mesh is not None:
            self._mesh.close()
        if self._neighbours is not None:
            self._neighbours.close()
        self.index.close()
        self.store.close()

    def __enter__(self) -> Pubmirror:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- ingest -----------------------------------------------------------------------------
    def ingest(
        self, paths: Iterable[Path], jobs: int | None = None, progress: Progress | None = None
    ) -> list[FileResult]:
        return list(self.ingest_each(paths, jobs, progress))

    def ingest_each(
        self, paths: Iterable[Path], jobs: int | None = None, progress: Progress | None = None
    ) -> Iterator[FileResult]:
        """Apply files one by one, yielding each file's result as soon as it is committed."""
        files = expand_paths(paths)  # a missing path fails before anything is applied
        ingestor = Ingestor(self.store, self.index, jobs or default_jobs())
        try:
            for path in files:
                yield ingestor.ingest(path, progress)
        finally:
            ingestor.close()
            self.store.checkpoint()  # fold the WAL back so the store's size is its real size
        # Built neighbours follow the store; were this to fail, Similar articles computes on
        # demand (the lists are no longer current) until `pubmirror neighbors build`.
        self.update_neighbours(jobs, _staged(progress))

    # --- read -------------------------------------------------------------------------------
    def fetch(self, pmid: int, version: int | None = None) -> StoredRecord:
        found = self.store.get(pmid, version)
        if found is None:
            what = f"PMID {pmid}" + (f" version {version}" if version else "")
            raise NotFoundError(f"{what} is not in this mirror")
        return found

    def fetch_ids(self, ids: Sequence[str]) -> list[StoredRecord]:
        """``PMID`` or ``PMID.VERSION`` strings, as PubMed writes versioned citations."""
        return [self.fetch(*parse_id(i)) for i in ids]

    def render(self, records: Sequence[StoredRecord], format_name: str) -> str:
        from pubmirror.formats import registry

        fmt = registry.get(format_name)
        return fmt.render([registry.Entry(r.pmid, r.version, r.xml) for r in records])

    def search(
        self, query: str, limit: int = 20, offset: int = 0, sort: str = "relevance",
        filters: Sequence[str] = (),
    ) -> SearchResult:  # fmt: skip
        """A PubMed query: the exact count, one page of PMIDs, search details, diagnostics.
        ``filters``: sidebar filters by name (``query/filters.py``), ANDed as PubMed does."""
        from pubmirror.query.filters import with_filters
        from pubmirror.service.search import SORTS, run_search

        if sort not in SORTS:
            raise UsageError(f"unknown sort order {sort!r}; known: {', '.join(SORTS)}")
        if filters:
            query = with_filters(query, filters)
        return run_search(self.index, self.mesh, query, sort, limit, offset)

    def cited_by(self, pmid: int, limit: int = 20, offset: int = 0) -> Hits:
        """The mirrored records that cite ``pmid`` (from their reference lists), most recent
        first. The cited record itself need not be in the mirror."""
        return self.index.cited_by(pmid, "date", limit, offset)

    def references(self, pmid: int) -> list[int]:
        """The mirrored records that record ``pmid`` cites, in its reference list's order
        (NotFoundError if ``pmid`` is not in the mirror)."""
        record = self.fetch(pmid)
        refs = cast("list[int]", stored_fields(record.xml)[2].get("refs") or [])
        cited = list(dict.fromkeys(refs))  # a reference list may name a PMID twice
        found = self.store.versions(cited)
        return [p for p in cited if p in found]

    def similar(self, pmid: int, limit: int = 100) -> list[Neighbour]:
        """Similar articles (pmra, docs/similar.md): the ``limit`` records most similar to
        ``pmid``, most similar first, with their scores (NotFoundError if not stored)."""
        from pubmirror.service.similar import Similar

        return Similar(self.store, self.index, self._current_neighbours()).neighbours(pmid, limit)

    # --- precomputed neighbours (docs/similar.md) ------------------------------------------
    def build_neighbours(self, jobs: int | None = None,
                         progress: NeighbourProgress | None = None) -> BuildReport:  # fmt: skip
        """Compute every record's top neighbours (``pubmirror neighbors build``)."""
        from pubmirror.service.neighbours import build
        from pubmirror.store.neighbour_store import NeighbourStore

        if self._neighbours is None:
            self._neighbours = NeighbourStore(self.home / "neighbors.sqlite")
        return build(self.store, self._neighbours, jobs or default_jobs(), progress)

    def update_neighbours(self, jobs: int | None = None,
                          progress: NeighbourProgress | None = None) -> BuildReport | None:  # fmt: skip
        """Bring built neighbours up to the store; None when never built or already current."""
        built = self._built_neighbours()
        if built is None:
            return None
        from pubmirror.service.neighbours import update

        return update(self.store, built, jobs or default_jobs(), progress)

    def _built_neighbours(self) -> NeighbourStore | None:
        """The neighbour store, if a build ever made one (reading never creates it)."""
        path = self.home / "neighbors.sqlite"
        if self._neighbours is None and path.exists():
            from pubmirror.store.neighbour_store import NeighbourStore

            self._neighbours = NeighbourStore(path)
        return self._neighbours

    def _current_neighbours(self) -> NeighbourStore | None:
        built = self._built_neighbours()
        if built is None:
            return None
        from pubmirror.service.neighbours import applied_file

        if built.ready_for(applied_file(self.store)):
            return built
        return None

    def years(self, query: str, filters: Sequence[str] = ()) -> dict[int, int]:
        """Results by publication year (PubMed's timeline) for any query, however many."""
        result = self.search(query, limit=0, filters=filters)
        return self.index.years(result.plan) if result.count else {}

    def explain(self, query: str, pmid: int) -> tuple[SearchResult, Explanation]:
        """Whether and why record ``pmid`` matches ``query`` (NotFoundError if not stored)."""
        from pubmirror.service.search import run_explain

        self.fetch(pmid)
        return run_explain(self.index, self.mesh, query, pmid)

    def stats(self) -> Stats:
        return Stats(
            records=self.store.record_count(),
            versions=self.store.version_count(),
            files=len(self.store.files()),
            store_bytes=self.store.size_bytes(),
            index_bytes=self.index.size_bytes(),
            indexed=self.index.doc_count(),
        )

    # --- MeSH (docs/mesh.md) -----------------------------------------------------------------
    @property
    def mesh(self) -> Vocabulary:
        """The loaded MeSH vocabulary; the empty one (``loaded`` False) while none is loaded.

        Reading never creates ``mesh.sqlite``: a home where MeSH was never loaded stays as it was.
        """
        from pubmirror.mesh import EMPTY
        from pubmirror.store.mesh_store import MeshStore

        if self._mesh is None and (self.home / "mesh.sqlite").exists():
            self._mesh = MeshStore(self.home / "mesh.sqlite")
        return self._mesh if self._mesh is not None else EMPTY

    def load_mesh(self, paths: Iterable[Path]) -> list[LoadSummary]:
        """Load NLM tree files, descriptor XML, qualifier XML: all of them, or on error none."""
        from pubmirror.mesh import open_source
        from pubmirror.store.mesh_store import MeshStore

        sources = [open_source(Path(p)) for p in paths]  # every file identified before any change
        if self._mesh is None:
            self._mesh = MeshStore(self.home / "mesh.sqlite")
        return self._mesh.load(sources)

    def mesh_ui(self, text: str) -> str:
        """The descriptor UI for a UI, preferred name or entry term; NotFoundError otherwise."""
        vocabulary = self._loaded_mesh()
        ui = vocabulary.lookup(text)
        if ui is None:
            raise NotFoundError(f"no MeSH descriptor {text!r} in {vocabulary.source}")
        return ui

    def mesh_explode(self, text: str) -> list[str]:
        """Explode a term or UI; a tree number (``C17.300``) or category letter (``C``) that is
        not also a term explodes that subtree."""
        from pubmirror.mesh import is_category, is_tree_number

        vocabulary = self._loaded_mesh()
        if vocabulary.lookup(text) is None and (is_tree_number(text) or is_category(text)):
            found = vocabulary.explode_tree(text)
            if not found:
                raise NotFoundError(f"no MeSH descriptor at or under {text} in {vocabulary.source}")
            return found
        return vocabulary.explode(self.mesh_ui(text))

    def _loaded_mesh(self) -> Vocabulary:
        if not self.mesh.loaded:
            raise NotFoundError(
                "no MeSH vocabulary is loaded; load NLM's desc20XX.xml or a MeSH tree file"
                " with `pubmirror mesh load FILE`"
            )
        return self.mesh


def _staged(progress: Progress | None) -> NeighbourProgress | None:
    """Ingest's progress callback, given the neighbour update's stages too."""
    if progress is None:
        return None
    report = progress
    return lambda stage, done, total: report(f"neighbours: {stage}", done)


def parse_id(text: str) -> tuple[int, int | None]:
    pmid, _, version = text.strip().partition(".")
    if not pmid.isdigit() or (version and not version.isdigit()):
        raise UsageError(f"not a PMID: {text!r} (expected 12345678 or 12345678.2)")
    return int(pmid), int(version) if version else None
