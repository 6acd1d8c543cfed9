"""The index interface: what the service needs from any search backend.

The tantivy backend (:mod:`pubmirror.index.tantivy_index`) implements it today; an OpenSearch
backend for deployments that outgrow one machine would implement the same methods. Writes are
transactional per ingested file: ``add``/``delete`` then ``commit`` (or ``rollback``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from pubmirror.medline.extract import Fields

if TYPE_CHECKING:  # annotations only: ingest's reader and worker processes import this module
    from pubmirror.query.lexicon import Lexicon
    from pubmirror.query.plan import Plan


@dataclass(frozen=True, slots=True)
class Hits:
    count: int
    pmids: list[int]


@dataclass(frozen=True)
class Explanation:
    """Why a record does or does not match a query (``pubmirror search --explain``).

    ``clauses``: each leaf of the query (as search details shows it) with the fields in which
    it matches this record. ``score`` is the BM25 part of Best Match; the ranking multiplies it
    by ``log2(2 + prior)``. ``breakdown``: the backend's own explanation (JSON), per field.
    """

    pmid: int
    indexed: bool
    matches: bool
    clauses: list[tuple[str, list[str]]]
    score: float
    prior: int
    breakdown: str

    @property
    def best_match(self) -> float:
        return self.score * math.log2(2 + self.prior)


# A record's PMID and search fields (``medline.extract``) → the document ``add_json`` takes.
Encoder = Callable[[int, Fields], str]
# The same from the compiled walker's field stream (``medline.extract.scan_stream``).
StreamEncoder = Callable[[int, bytes], str]


class SearchIndex(Protocol):
    @property
    def encoder(self) -> Encoder:
        """This backend's document encoder: a module-level function, so that ingest's worker
        processes receive it by reference and encode documents in parallel."""

    @property
    def stream_encoder(self) -> StreamEncoder | None:
        """The same document from a field stream, when the backend can read one (cheaper at
        ingest: no Python object per value); None when it cannot."""

    def set_threads(self, threads: int) -> None:
        """How many threads the next writer may index with (the backend may use fewer)."""

    def add_json(self, documents: Iterable[str]) -> None:
        """Add documents, each what :attr:`encoder` made of a record."""

    def delete(self, pmids: Iterable[int]) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def doc_count(self) -> int: ...

    def contains(self, pmid: int) -> bool: ...

    def search(
        self, plan: Plan | None, sort: str = "relevance", limit: int = 20, offset: int = 0
    ) -> Hits:
        """A resolved query's matches in a sort order, paged, with the exact count."""

    def years(self, plan: Plan | None) -> dict[int, int]:
        """Matches by publication year."""

    def cited_by(self, pmid: int, sort: str = "date", limit: int = 20, offset: int = 0) -> Hits:
        """Records whose reference list cites ``pmid``."""

    def explain(self, plan: Plan | None, pmid: int) -> Explanation:
        """Whether and why a record matches, with its score broken down."""

    def lexicon(self) -> Lexicon:
        """What the query resolver may ask of the indexed records."""

    def size_bytes(self) -> int: ...

    def close(self) -> None: ...
