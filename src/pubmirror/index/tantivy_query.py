"""The tantivy compiler of resolved queries (:mod:`pubmirror.query.plan`), and the lexicon the
resolver asks about the indexed records.

One function per plan node. Keyword leaves become terms of the single ``kw`` field
(``tag=value``, see :func:`pubmirror.index.tantivy_document.keyword_term`); a keyword prefix (author
initials, ``smith*[au]``) becomes a regular expression over that field's term dictionary;
proximity (PubMed: any order, at most N words apart) is a sloppy phrase tried in every order
of its words (up to four words; longer ones in the order typed).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice, permutations

import tantivy

from pubmirror.index.tantivy_document import KEYWORDS, keyword_term
from pubmirror.query.plan import And, Keyword, Not, Nothing, Or, Plan, Pmids, Range, Terms, Text

__all__ = ["TantivyLexicon", "compile_field", "compile_plan", "leaf_fields"]

MAX_PERMUTED = 4  # 4! = 24 phrase queries; beyond that proximity keeps the typed order
_REGEX_META = frozenset("\\.+*?()|[]{}^$#&-~")

Occur = tantivy.Occur


def compile_plan(plan: Plan, schema: tantivy.Schema) -> tantivy.Query:
    if isinstance(plan, And):
        return tantivy.Query.boolean_query(
            [(Occur.Must, compile_plan(p, schema)) for p in plan.items]
        )
    if isinstance(plan, Or):
        return _any([compile_plan(p, schema) for p in plan.items])
    if isinstance(plan, Not):
        return tantivy.Query.boolean_query(
            [(Occur.Must, compile_plan(plan.left, schema)),
             (Occur.MustNot, compile_plan(plan.right, schema))]
        )  # fmt: skip
    if isinstance(plan, Text):
        return _text(plan, schema)
    if isinstance(plan, Terms):
        return _any([tantivy.Query.term_set_query(schema, f, list(plan.terms))
                     for f in plan.fields if plan.terms])  # fmt: skip
    if isinstance(plan, Keyword):
        return _keyword(plan, schema)
    if isinstance(plan, Range):
        return _any([
            tantivy.Query.range_query(schema, f, tantivy.FieldType.Integer, plan.low, plan.high)
            for f in plan.fields
        ])  # fmt: skip
    if isinstance(plan, Pmids):
        return tantivy.Query.term_set_query(schema, "pmid", list(plan.values))
    assert isinstance(plan, Nothing)
    return tantivy.Query.empty_query()


def leaf_fields(leaf: Plan) -> list[str]:
    """The index fields a leaf searches, as explain reports them (keyword tags by tag)."""
    if isinstance(leaf, Text):
        return [*leaf.fields, *(leaf.keywords if leaf.value else ())]
    if isinstance(leaf, Terms | Range):
        return list(leaf.fields)
    if isinstance(leaf, Keyword):
        return list(leaf.tags)
    return ["pmid"] if isinstance(leaf, Pmids) else []


def compile_field(leaf: Plan, field: str, schema: tantivy.Schema) -> tantivy.Query:
    """A leaf restricted to one of its fields: which field matched, for explain."""
    if isinstance(leaf, Text):
        if field in leaf.fields:
            return _words(leaf, schema, field)
        return tantivy.Query.term_query(schema, KEYWORDS, keyword_term(field, leaf.value))
    if isinstance(leaf, Terms):
        return tantivy.Query.term_set_query(schema, field, list(leaf.terms))
    if isinstance(leaf, Keyword):
        return _keyword(Keyword((field,), leaf.values, leaf.shown, leaf.prefixes), schema)
    if isinstance(leaf, Range):
        return compile_plan(Range((field,), leaf.low, leaf.high, leaf.shown), schema)
    return compile_plan(leaf, schema)


def _any(queries: list[tantivy.Query]) -> tantivy.Query:
    if not queries:
        return tantivy.Query.empty_query()
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(Occur.Should, q) for q in queries])


# Best Match weighs where a word is found (the "F" of BM25F, approximated by boosting each
# field's BM25): title and MeSH count more than abstract, affiliation less.
FIELD_BOOST = {"ti": 2.0, "mesh_text": 1.5, "ot_text": 1.5, "ab": 1.0, "oab": 0.8, "tt": 1.0,
               "ad": 0.3}  # fmt: skip


def _text(plan: Text, schema: tantivy.Schema) -> tantivy.Query:
    queries = [_boost(_words(plan, schema, f), FIELD_BOOST.get(f, 1.0)) for f in plan.fields]
    if plan.keywords and plan.value:
        terms = [keyword_term(tag, plan.value) for tag in plan.keywords]
        queries.append(tantivy.Query.term_set_query(schema, KEYWORDS, terms))
    return _any(queries)


def _boost(query: tantivy.Query, boost: float) -> tantivy.Query:
    return query if boost == 1.0 else tantivy.Query.boost_query(query, boost)


def _words(plan: Text, schema: tantivy.Schema, field: str) -> tantivy.Query:
    words = list(plan.words)
    if plan.prefix:
        # Not phrase_prefix_query: tantivy caps its expansions at 50, silently (found by the
        # count tests: "novel prot*" lost "novel protocol"); a regex phrase expands to 16,384.
        patterns = [_escape(w) for w in words[:-1]] + [_escape(words[-1]) + ".*"]
        return tantivy.Query.regex_phrase_query(
            schema, field, list[str | tuple[int, str]](patterns), plan.slop or 0
        )
    if len(words) == 1:
        return tantivy.Query.term_query(schema, field, words[0])
    if plan.slop is None:
        return tantivy.Query.phrase_query(schema, field, list[str | tuple[int, str]](words))
    orders = permutations(words) if len(words) <= MAX_PERMUTED else iter([tuple(words)])
    return _any([
        tantivy.Query.phrase_query(schema, field, list[str | tuple[int, str]](order), plan.slop)
        for order in orders
    ])  # fmt: skip


def _keyword(plan: Keyword, schema: tantivy.Schema) -> tantivy.Query:
    queries = []
    terms = [keyword_term(tag, v) for tag in plan.tags for v in plan.values]
    if terms:
        queries.append(tantivy.Query.term_set_query(schema, KEYWORDS, terms))
    for tag in plan.tags:
        for prefix in plan.prefixes:
            pattern = _escape(keyword_term(tag, prefix)) + ".*"
            queries.append(tantivy.Query.regex_query(schema, KEYWORDS, pattern))
    return _any(queries)


def _escape(text: str) -> str:
    return "".join("\\" + c if c in _REGEX_META else c for c in text)


class TantivyLexicon:
    """:class:`pubmirror.query.lexicon.Lexicon` over one searcher (one index snapshot)."""

    def __init__(self, index: tantivy.Index, analyzer: tantivy.TextAnalyzer) -> None:
        self.index = index
        self.schema = index.schema
        self.searcher = index.searcher()
        self.analyzer = analyzer

    def words(self, text: str) -> list[str]:
        return list(self.analyzer.analyze(text))

    def has_keyword(self, tag: str, value: str) -> bool:
        return bool(self.searcher.doc_freq(KEYWORDS, keyword_term(tag, value)))

    def has_keyword_prefix(self, tag: str, prefix: str) -> bool:
        return bool(self.searcher.terms_with_prefix(KEYWORDS, keyword_term(tag, prefix), limit=1))

    def has_phrase(self, fields: Sequence[str], words: Sequence[str]) -> bool:
        query = _any([
            tantivy.Query.phrase_query(self.schema, f, list[str | tuple[int, str]](words))
            for f in fields
        ]) if len(words) > 1 else _any([
            tantivy.Query.term_query(self.schema, f, words[0]) for f in fields
        ])  # fmt: skip
        result = self.searcher.search(query, 1, count=True)
        return bool(getattr(result, "count", 0))

    def variants(self, fields: Sequence[str], prefix: str, limit: int) -> list[str]:
        found: set[str] = set()
        for f in fields:
            found.update(term for term, _ in self.searcher.terms_with_prefix(f, prefix))
        return list(islice(sorted(found), limit + 1))
