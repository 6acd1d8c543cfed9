"""Similar articles on demand: pmra (:mod:`pubmirror.query.pmra`) over the store and the index.

For a record: its pmra terms from its stored XML, their document frequencies from the index, then
candidates from the index (a BM25 query over its heaviest terms), each candidate's terms from its
stored XML, and the exact pmra score of every candidate. ``docs/similar.md`` has the method, the
parameters and the measured speed and quality.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pubmirror.errors import NotFoundError
from pubmirror.index.tantivy_index import TantivyIndex
from pubmirror.index.tantivy_similar import SimilarSearcher
from pubmirror.medline.extract import Fields, scan_similar
from pubmirror.query import pmra
from pubmirror.service.ingest import stored_fields
from pubmirror.store.sqlite_store import Store

if TYPE_CHECKING:  # the neighbour store brings numpy: only callers that have one import it
    from pubmirror.store.neighbour_store import NeighbourStore

__all__ = ["CANDIDATES", "QUERY_TERMS", "Neighbour", "Similar", "fields_vector", "similar_fields"]

# Candidates re-scored exactly, and the record's terms (heaviest first) that find them: the
# trade between speed and agreement with an exhaustive pmra ranking (docs/similar.md).
CANDIDATES = 200
QUERY_TERMS = 100



@dataclass(frozen=True, slots=True)
class Neighbour:
    pmid: int
    score: float


def similar_fields(xml: bytes) -> Fields:
    """What Similar articles reads of a stored record: its title, abstract and MeSH fields
    (the same values as ``stored_fields``, for about half the work)."""
    return scan_similar(xml) or stored_fields(xml)[2]


def fields_vector(fields: Fields, words: pmra.Tokenize) -> pmra.TermVector:
    """A record's pmra terms from its search fields (``medline.extract``): title (``ti``),
    abstract (``ab``), MeSH headings (``mh``, names and UIs) with their subheadings (``mhsh``)."""
    qualifiers: dict[str, list[str]] = {}
    for value in fields.get("mh", ()):
        if not _is_ui(value):
            qualifiers.setdefault(value, [])
    for pair in fields.get("mhsh", ()):
        heading, _, qualifier = pair.rpartition("/")  # a subheading name never holds a slash
        qualifiers.setdefault(heading, []).append(qualifier)
    return pmra.text_vector(fields.get("ti", ()), fields.get("ab", ()), list(qualifiers.items()),
                            words)  # fmt: skip


def _is_ui(value: str) -> bool:
    """A descriptor UI (``d012345``), which ``mh`` holds next to each descriptor's name."""
    return value[:1] == "d" and value[1:].isdigit()


class Similar:
    """Similar articles over one store and one index (a new snapshot per request).

    ``built``: the neighbour store of ``pubmirror neighbors build``, passed only while it is
    current (it includes every ingested file). Its lists then answer requests for up to its
    ``k`` neighbours, and its stored terms replace re-reading records' XML on demand.
    """

    def __init__(self, store: Store, index: TantivyIndex,
                 built: NeighbourStore | None = None) -> None:  # fmt: skip
        self.store = store
        self.index = index
        self.built = built

    def vector(self, pmid: int) -> pmra.TermVector | None:
        """A stored record's pmra terms (its highest version); None when it is not stored."""
        if self.built is not None:
            stored = self.built.vector(pmid)
            return None if stored is None else pmra.TermVector(stored[1], stored[0])
        found = self.store.get(pmid)
        if found is None:
            return None
        return fields_vector(similar_fields(found.xml), self.index.words)

    def idfs(self, searcher: SimilarSearcher, terms: Iterable[str]) -> dict[str, float]:
        n = searcher.num_docs
        return {t: pmra.idf(df, n) for t, df in searcher.doc_freqs(terms).items()}

    def neighbours(self, pmid: int, limit: int = 100, candidates: int = CANDIDATES,
                   query_terms: int = QUERY_TERMS) -> list[Neighbour]:  # fmt: skip
        """The ``limit`` most similar records, most similar first (ties by PMID), with their
        pmra scores; the record itself is not listed. NotFoundError for a PMID not stored."""
        if self.built is not None and limit <= int(self.built.meta("k") or 0):
            listed = self.built.neighbours(pmid)
            if listed is None:
                raise NotFoundError(f"PMID {pmid} is not in this mirror")
            return [Neighbour(p, s) for p, s in listed[:limit]]
        vector = self._vector_or_raise(pmid)
        searcher = SimilarSearcher(self.index)
        weights = pmra.query_weights(vector, self.idfs(searcher, vector.counts))
        heaviest = heapq.nlargest(query_terms, weights.items(), key=lambda kv: kv[1])
        boosts = {t: pmra.local_weight(vector.counts[t], vector.length) for t, _ in heaviest}
        scored = []
        for other in searcher.candidates(boosts, max(candidates, limit), exclude=pmid):
            theirs = self.vector(other)
            if theirs is not None:  # deleted from the store after the index snapshot
                scored.append(Neighbour(other, pmra.score(weights, theirs)))
        scored.sort(key=lambda n: (-n.score, n.pmid))
        return [n for n in scored[:limit] if n.score > 0.0]

    def score(self, a: int, b: int) -> float:
        """The pmra similarity of two stored records (symmetric)."""
        va, vb = self._vector_or_raise(a), self._vector_or_raise(b)
        searcher = SimilarSearcher(self.index)
        shared = [t for t in va.counts if t in vb.counts]
        return pmra.similarity(va, vb, self.idfs(searcher, shared))

    def _vector_or_raise(self, pmid: int) -> pmra.TermVector:
        vector = self.vector(pmid)
        if vector is None:
            raise NotFoundError(f"PMID {pmid} is not in this mirror")
        return vector
