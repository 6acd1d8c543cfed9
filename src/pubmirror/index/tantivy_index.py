"""The tantivy backend of :class:`~pubmirror.index.base.SearchIndex`.

Facts this module relies on (measured, see ``tantivy-notes.md``): ``search(limit=0)`` panics, so
counts use ``limit=1``; deletes need an already-tokenized term, so PMID is an integer field; after
a crash exactly the last commit survives, which is what the service's ingest ledger builds on.
The index keeps no stored text: records live in the store, and a hit is only a PMID.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
import tantivy

from pubmirror.errors import DataError
from pubmirror.index import schema
from pubmirror.index.base import Encoder, Explanation, Hits, StreamEncoder
from pubmirror.index.tantivy_document import (
    KEYWORD_TOKENIZER,
    KEYWORDS,
    document_json,
    encode_stream,
)
from pubmirror.system import usable_cpus

if TYPE_CHECKING:  # the query compiler is imported where a search needs it, not by ingest
    from pubmirror.index.tantivy_query import TantivyLexicon
    from pubmirror.query.plan import Plan

Occur = tantivy.Occur

ANALYZER = "pubmed"
WRITER_HEAP = 256 << 20
# PubMed's sort orders (esearch's names and the web's) → (fast field, direction); None: score.
SORTS: dict[str, tuple[str | None, tantivy.Order]] = {
    "relevance": (None, tantivy.Order.Desc),
    "date": ("recent", tantivy.Order.Desc),
    "most_recent": ("recent", tantivy.Order.Desc),
    "pubdate": ("pubdate", tantivy.Order.Desc),
    "pub_date": ("pubdate", tantivy.Order.Desc),
    "fauth": ("sort_au", tantivy.Order.Asc),
    "first_author": ("sort_au", tantivy.Order.Asc),
    "jour": ("sort_ta", tantivy.Order.Asc),
    "journal": ("sort_ta", tantivy.Order.Asc),
}


class SchemaMismatch(DataError):
    """The index on disk was built with another schema: rebuild it from the store."""


def _writer_threads(requested: int) -> int:
    """Indexing threads: as many as asked for, at most two, and one when this process may run
    on one CPU only (two threads on one CPU cost 7% more CPU a record: two segments to build,
    measured pinned on the sample)."""
    return max(1, min(requested, 2, usable_cpus()))


def text_analyzer() -> tantivy.TextAnalyzer:
    """The analyzer of the text fields: PubMed matches words case- and accent-insensitively
    and does not stem."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(100))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def keyword_analyzer() -> tantivy.TextAnalyzer:
    """The keyword field's: its document value is the record's terms, one string (see
    :data:`~pubmirror.index.tantivy_document.KEYWORD_TOKENIZER`)."""
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()


_ANALYZER: tantivy.TextAnalyzer | None = None


def text_words(text: str) -> list[str]:
    """The index terms the text analyzer makes of a string."""
    global _ANALYZER
    if _ANALYZER is None:
        _ANALYZER = text_analyzer()
    return list(_ANALYZER.analyze(text))


def build_schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_integer_field("pmid", stored=True, indexed=True, fast=True)
    for name in schema.TEXT:
        b.add_text_field(name, tokenizer_name=ANALYZER, index_option="position")
    b.add_text_field(KEYWORDS, tokenizer_name=KEYWORD_TOKENIZER, index_option="basic")
    for name in schema.DATES:
        b.add_integer_field(name, indexed=True, fast=True)
    for name in schema.LINKS:
        b.add_integer_field(name, indexed=True)
    for name in schema.SORT_TEXT:
        b.add_text_field(name, tokenizer_name="raw", index_option="basic", fast=True)
    for name in schema.SORT_KEYS:
        b.add_integer_field(name, fast=True)
    b.add_integer_field(schema.PRIOR, fast=True)
    return b.build()


class TantivyIndex:
    """One tantivy index directory; the writer is opened on first write."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        try:
            self.index = tantivy.Index(build_schema(), path=str(path), reuse=True)
        except (OSError, ValueError) as exc:
            if "schema does not match" in str(exc):
                raise SchemaMismatch(f"the search index at {path} has an older schema") from None
            raise DataError(f"cannot open the search index at {path}: {exc}") from None
        self.index.register_tokenizer(ANALYZER, text_analyzer())
        self.index.register_tokenizer(KEYWORD_TOKENIZER, keyword_analyzer())
        self.analyzer = text_analyzer()
        self._writer: tantivy.IndexWriter | None = None
        self._threads = 2

    @property
    def writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            try:
                self._writer = self.index.writer(WRITER_HEAP, _writer_threads(self._threads))
            except ValueError as exc:
                raise DataError(f"the search index is busy (another ingest?): {exc}") from None
        return self._writer

    def set_threads(self, threads: int) -> None:
        self._threads = threads

    @property
    def encoder(self) -> Encoder:
        return document_json

    @property
    def stream_encoder(self) -> StreamEncoder | None:
        return encode_stream

    def add_json(self, documents: Iterable[str]) -> None:
        add = self.writer.add_json
        for doc in documents:
            add(doc)

    def delete(self, pmids: Iterable[int]) -> None:
        delete = self.writer.delete_documents_by_term
        for pmid in pmids:
            delete("pmid", pmid)

    def commit(self) -> None:
        if self._writer is not None:
            self._writer.commit()
            self._writer.wait_merging_threads()
            self._writer = None
            self.index.reload()

    def rollback(self) -> None:
        if self._writer is not None:
            self._writer.rollback()
            self._writer = None

    def _searcher(self) -> tantivy.Searcher:
        return self.index.searcher()

    def doc_count(self) -> int:
        return int(self._searcher().num_docs)

    def contains(self, pmid: int) -> bool:
        query = tantivy.Query.term_query(self.index.schema, "pmid", pmid)
        return _count(self._searcher().search(query, 1, count=True)) > 0

    def words(self, text: str) -> list[str]:
        """The index terms the text analyzer makes of a string."""
        return text_words(text)

    def lexicon(self) -> TantivyLexicon:
        """What the query resolver may ask of the records, over the current snapshot."""
        from pubmirror.index.tantivy_query import TantivyLexicon

        return TantivyLexicon(self.index, self.analyzer)

    def search(self, plan: Plan | None, sort: str = "relevance", limit: int = 20,
               offset: int = 0) -> Hits:  # fmt: skip
        """Records matching the plan (all records for None), in a PubMed sort order, paged;
        the count is exact whatever its size."""
        query = self._compile(plan)
        return self._page(query, sort, limit, offset)

    def _compile(self, plan: Plan | None) -> tantivy.Query:
        """The plan as a tantivy query (None: every record)."""
        if plan is None:
            return tantivy.Query.all_query()
        from pubmirror.index.tantivy_query import compile_plan

        return compile_plan(plan, self.index.schema)

    def _page(self, query: tantivy.Query, sort: str, limit: int, offset: int) -> Hits:
        searcher = self._searcher()
        order = SORTS.get(sort)
        if order is None:
            raise ValueError(f"unknown sort order {sort!r}; known: {', '.join(SORTS)}")
        field, direction = order
        weight = schema.PRIOR if field is None else None  # Best Match: BM25 × log2(2 + prior)
        result = searcher.search(query, max(limit, 1), count=True, order_by_field=field,
                                 offset=offset, order=direction, weight_by_field=weight)  # fmt: skip
        addresses = [addr for _, addr in result.hits][:limit]
        pmids = searcher.fast_field_values("pmid", addresses) if addresses else []
        return Hits(_count(result), [int(p) for p in pmids if p is not None])

    def explain(self, plan: Plan | None, pmid: int) -> Explanation:
        """Whether the record matches, which leaves match it in which fields, and its Best
        Match score with tantivy's breakdown; None-safe for a PMID that is not indexed."""
        from pubmirror.index.tantivy_query import compile_field, leaf_fields
        from pubmirror.query.plan import leaves

        searcher = self._searcher()
        schema_ = self.index.schema
        pmid_query = tantivy.Query.term_query(schema_, "pmid", pmid)
        found = searcher.search(pmid_query, 1)
        if not found.hits:
            return Explanation(pmid, False, False, [], 0.0, 0, "")
        address = found.hits[0][1]
        query = self._compile(plan)

        def hit(q: tantivy.Query) -> bool:
            both = tantivy.Query.boolean_query([(Occur.Must, q), (Occur.Must, pmid_query)])
            return bool(_count(searcher.search(both, 1, count=True)))

        clauses = [(leaf.shown, [f for f in leaf_fields(leaf) if hit(compile_field(leaf, f, schema_))])
                   for leaf in (leaves(plan) if plan is not None else [])]  # fmt: skip
        prior = searcher.fast_field_values(schema.PRIOR, [address])[0] or 0
        matched = hit(query)
        bm25 = 0.0
        breakdown = ""
        if matched:
            explanation = query.explain(searcher, address)
            breakdown = explanation.to_json()
            bm25 = float(orjson.loads(breakdown).get("value", 0.0))
        return Explanation(pmid, True, matched, clauses, bm25, int(prior), breakdown)

    def cited_by(self, pmid: int, sort: str = "date", limit: int = 20, offset: int = 0) -> Hits:
        """Indexed records whose reference list cites ``pmid`` (the ``refs`` links field)."""
        query = tantivy.Query.term_query(self.index.schema, "refs", pmid)
        return self._page(query, sort, limit, offset)

    def years(self, plan: Plan | None) -> dict[int, int]:
        """Results by publication year (PubMed's timeline), for any result size."""
        query = self._compile(plan)
        agg = {"years": {"histogram": {"field": "dp", "interval": 10000, "min_doc_count": 1}}}
        found = self._searcher().aggregate(query, agg)
        buckets = found.get("years", {}).get("buckets", [])
        return {int(b["key"]) // 10000: int(b["doc_count"]) for b in buckets if b["key"] > 0}

    def size_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file())

    def close(self) -> None:
        self.rollback()


def _count(result: tantivy.SearchResult) -> int:
    # The stubs omit SearchResult.count; it is there when searching with count=True.
    return int(getattr(result, "count", 0) or 0)
