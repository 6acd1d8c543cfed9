"""The index interface: what the service needs from any search backend.

The tantivy backend (:mod:`pubmirror.index.tantivy_index`) implements it today; an OpenSearch
backend for deployments that outgrow one machine would implement the same methods. Writes are
transactional per ingested file: ``add``/``delete`` then ``commit`` (or ``rollback``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Match:
    """One word or value that must match: in ``field``, or in the default text fields."""

    value: str
    field: str = ""


@dataclass(frozen=True, slots=True)
class Hits:
    count: int
    pmids: list[int]


class SearchIndex(Protocol):
    def add_json(self, documents: Iterable[str]) -> None:
        """Add documents, each a JSON object of search fields including ``pmid``."""

    def delete(self, pmids: Iterable[int]) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def doc_count(self) -> int: ...

    def contains(self, pmid: int) -> bool: ...

    def search(self, matches: Sequence[Match], limit: int = 20, offset: int = 0) -> Hits: ...

    def size_bytes(self) -> int: ...

    def close(self) -> None: ...
