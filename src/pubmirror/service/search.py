"""Searching: a PubMed query through parser → resolver → index, with its search details."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pubmirror.index.base import Explanation, SearchIndex
from pubmirror.mesh.vocabulary import Vocabulary
from pubmirror.query import Diagnostic, ParseResult, parse
from pubmirror.query.plan import Nothing, Plan, details
from pubmirror.query.resolve import Resolver

__all__ = ["SORTS", "SearchResult", "run_explain", "run_search"]

# What `--sort` accepts: PubMed's web names and esearch's.
SORTS = (
    "relevance", "date", "most_recent", "pubdate", "pub_date", "fauth", "first_author", "jour",
    "journal",
)  # fmt: skip


@dataclass(frozen=True)
class SearchResult:
    """One page of a search: the exact count, the page's PMIDs, and how the query was read."""

    query: str
    count: int
    pmids: list[int]
    details: str  # PubMed's "search details" (esearch's QueryTranslation)
    diagnostics: tuple[Diagnostic, ...]
    plan: Plan | None

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")


def run_explain(
    index: SearchIndex, vocabulary: Vocabulary, query: str, pmid: int
) -> tuple[SearchResult, Explanation]:
    """``search QUERY --explain PMID``: the query as read, and why the record does or does not
    match it (the clauses that match it, in which fields) with its Best Match score."""
    result = run_search(index, vocabulary, query, limit=0)
    return result, index.explain(result.plan, pmid)


def run_search(
    index: SearchIndex, vocabulary: Vocabulary, query: str, sort: str = "relevance",
    limit: int = 20, offset: int = 0, history: Mapping[int, Plan] | None = None,
) -> SearchResult:  # fmt: skip
    """An empty query lists every record; a query whose terms are all ignored (stopwords)
    finds nothing, as PubMed's does."""
    parsed = parse(query)
    resolver = Resolver(index.lexicon(), vocabulary, history or {})
    result, mapped = _run(index, parsed, resolver, sort, limit, offset)
    if result.count == 0 and mapped:
        # PubMed's "schema: all": a query whose term mapping finds nothing runs again with
        # every untagged term searched, word by word, in All Fields.
        resolver.mapping = False
        again, _ = _run(index, parsed, resolver, sort, limit, offset)
        if again.count:
            return again
    return result


def _run(
    index: SearchIndex, parsed: ParseResult, resolver: Resolver, sort: str, limit: int,
    offset: int,
) -> tuple[SearchResult, bool]:  # fmt: skip
    """One resolution and search, and whether term mapping added clauses to it."""
    resolution = resolver.resolve(parsed)
    plan = resolution.plan
    if plan is None and parsed.tree is not None:
        plan = Nothing("")
    hits = index.search(plan, sort, limit, offset)
    shown = details(plan) if plan is not None else ""
    result = SearchResult(parsed.query, hits.count, hits.pmids, shown,
                          parsed.diagnostics + resolution.diagnostics, plan)  # fmt: skip
    return result, resolution.mapped
