"""What Similar articles (pmra, :mod:`pubmirror.query.pmra`) asks of the tantivy index: document
frequencies of pmra terms, and candidate neighbours of a record.

pmra words are stems; the index holds words as written in ``ti`` and ``ab``. A stem's document
frequency is therefore the number of records holding any of its variants (the words that stem to
it) in the title or the abstract: one count query per stem. A MeSH term's is the keyword field's
own count of ``mh=heading`` or ``mhsh=heading/subheading``: the index holds exactly those terms.

Candidates are what a BM25 query over the record's heaviest terms finds first: each term a Should
clause (its variants in ``ti`` and ``ab``, or its keyword term), boosted by the record's local
weight of it, so that tantivy's own idf and length normalisation stand in for pmra's until the
exact re-scoring.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import tantivy

from pubmirror.index.tantivy_document import keyword_term as document_keyword_term
from pubmirror.index.tantivy_index import KEYWORDS, TantivyIndex
from pubmirror.query.pmra import MESH, PAIR, variants

__all__ = ["SimilarSearcher", "keyword_term"]

Occur = tantivy.Occur
TEXT_FIELDS = ("ti", "ab")  # pmra's text words come from the title and the abstract only


def keyword_term(term: str) -> str | None:
    """The keyword-field term of a pmra MeSH term (``mh:x`` → ``mh=x``, ``mhsh:x/y`` →
    ``mhsh=x/y``); None for a word."""
    if term.startswith((MESH, PAIR)):
        tag, _, value = term.partition(":")
        return document_keyword_term(tag, value)
    return None


class SimilarSearcher:
    """One searcher (one snapshot of the index) for one Similar-articles request."""

    def __init__(self, index: TantivyIndex) -> None:
        self.schema = index.index.schema
        self.searcher = index.index.searcher()

    @property
    def num_docs(self) -> int:
        return int(self.searcher.num_docs)

    def doc_freqs(self, terms: Iterable[str]) -> dict[str, int]:
        """Document frequencies of pmra terms (stems and MeSH terms)."""
        out: dict[str, int] = {}
        doc_freq = self.searcher.doc_freq
        for term in terms:
            keyword = keyword_term(term)
            if keyword is not None:
                out[term] = doc_freq(KEYWORDS, keyword)
            else:
                out[term] = self._count(self._word_query(term, 1.0))
        return out

    def candidates(self, boosts: Mapping[str, float], limit: int, exclude: int) -> list[int]:
        """PMIDs of up to ``limit`` records sharing the heaviest terms, best first, without
        ``exclude`` (the record itself). ``boosts``: term → the record's local weight of it."""
        clauses = []
        for term, boost in boosts.items():
            keyword = keyword_term(term)
            if keyword is not None:
                query = tantivy.Query.term_query(self.schema, KEYWORDS, keyword)
                clauses.append((Occur.Should, tantivy.Query.boost_query(query, boost)))
            else:
                clauses.append((Occur.Should, self._word_query(term, boost)))
        if not clauses:
            return []
        query = tantivy.Query.boolean_query(clauses)
        # count=False lets tantivy skip blocks that cannot reach the top (block-max WAND).
        found = self.searcher.search(query, limit + 1, count=False)
        addresses = [addr for _, addr in found.hits]
        pmids = self.searcher.fast_field_values("pmid", addresses) if addresses else []
        return [int(p) for p in pmids if p is not None and p != exclude][:limit]

    def _word_query(self, stemmed: str, boost: float) -> tantivy.Query:
        terms = [tantivy.Query.term_query(self.schema, field, word)
                 for field in TEXT_FIELDS for word in variants(stemmed)]  # fmt: skip
        query = terms[0] if len(terms) == 1 else tantivy.Query.boolean_query(
            [(Occur.Should, t) for t in terms])  # fmt: skip
        return query if boost == 1.0 else tantivy.Query.boost_query(query, boost)

    def _count(self, query: tantivy.Query) -> int:
        # limit=1: tantivy panics on limit=0 (tantivy-notes.md).
        result = self.searcher.search(query, 1, count=True)
        return int(getattr(result, "count", 0) or 0)
