"""The service façade: the only object the faces (CLI, web, E-utilities) talk to."""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from pubmirror.errors import NotFoundError, UsageError
from pubmirror.formats import registry
from pubmirror.index import schema
from pubmirror.index.base import Hits, Match
from pubmirror.index.tantivy_index import SchemaMismatch, TantivyIndex
from pubmirror.service.ingest import (
    FileResult,
    Ingestor,
    Progress,
    default_jobs,
    expand_paths,
    rebuild_index,
    recover,
)
from pubmirror.store.sqlite_store import Store, StoredRecord


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

    def close(self) -> None:
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
        fmt = registry.get(format_name)
        return fmt.render([registry.Entry(r.pmid, r.version, r.xml) for r in records])

    def search(self, text: str, limit: int = 20, offset: int = 0) -> Hits:
        return self.index.search(simple_matches(text), limit, offset)

    def stats(self) -> Stats:
        return Stats(
            records=self.store.record_count(),
            versions=self.store.version_count(),
            files=len(self.store.files()),
            store_bytes=self.store.size_bytes(),
            index_bytes=self.index.size_bytes(),
            indexed=self.index.doc_count(),
        )


def parse_id(text: str) -> tuple[int, int | None]:
    pmid, _, version = text.strip().partition(".")
    if not pmid.isdigit() or (version and not version.isdigit()):
        raise UsageError(f"not a PMID: {text!r} (expected 12345678 or 12345678.2)")
    return int(pmid), int(version) if version else None


def simple_matches(text: str) -> list[Match]:
    """``word field:word field:"two words"`` → matches, every one required.

    A stand-in until the PubMed query language exists: quotes group words (shell-style).
    """
    try:
        tokens = shlex.split(text)
    except ValueError as exc:
        raise UsageError(f"cannot read the search {text!r}: {exc}") from None
    matches = []
    for token in tokens:
        field, sep, value = token.partition(":")
        if sep and value:
            if field.lower() not in schema.ALL:
                known = ", ".join(sorted(schema.TEXT + schema.KEYWORD + schema.DATES))
                raise UsageError(f"unknown search field {field!r}; known fields: {known}")
            matches.append(Match(value, field.lower()))
        else:
            matches.append(Match(token))
    return matches
