"""The PubMed query language.

The parser (:func:`parse`) turns a query into a syntax tree whose nodes keep their character
spans, plus a list of diagnostics; it never raises on user input. The tree records syntax only
(see :mod:`pubmirror.query.tree`). The resolver (:mod:`pubmirror.query.resolve`, with automatic
term mapping in :mod:`pubmirror.query.atm`) gives it meaning as a resolved tree
(:mod:`pubmirror.query.plan`), which search details print and index backends compile. The
language as implemented is documented in ``docs/search.md``.

>>> result = parse('lupus nephritis AND "heart attack"[tiab]')
>>> dump(result.tree), result.diagnostics
('AND(lupus nephritis, "heart attack"[tiab])', ())
"""

from __future__ import annotations

from pubmirror.query.parser import CODES, ParseResult, parse
from pubmirror.query.stopwords import STOPWORDS, is_stopword
from pubmirror.query.tags import FIELDS, Field, lookup
from pubmirror.query.tokens import Diagnostic, Severity, Span
from pubmirror.query.tree import (
    BinaryOp, Group, History, Node, Range, RelativeDate, Tag, Term, dump, to_query, walk,
)  # fmt: skip

__all__ = [
    "CODES", "FIELDS", "STOPWORDS",
    "BinaryOp", "Diagnostic", "Field", "Group", "History", "Node", "ParseResult", "Range",
    "RelativeDate", "Severity", "Span", "Tag", "Term",
    "dump", "is_stopword", "lookup", "parse", "to_query", "walk",
]  # fmt: skip
