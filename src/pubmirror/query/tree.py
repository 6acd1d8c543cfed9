"""The PubMed syntax tree: what the user wrote, with spans, before any field or MeSH lookup.

One small frozen dataclass per node kind. Every node has ``span = (start, end)``, offsets into
the query it came from, so ``query[node.span[0]:node.span[1]]`` is the node's source text.
The tree records syntax only: which words were typed, whether they were quoted, which tag
followed. What a term means (automatic term mapping, MeSH explosion, stopwords, author
truncation) is the resolver's business, a later stage.

Operators are evaluated strictly left to right, as PubMed does, so a chain ``a OR b AND c`` is
the left-deep ``BinaryOp(AND, BinaryOp(OR, a, b), c)``; only a :class:`Group` (parentheses)
changes the order.

:func:`to_query` prints a normalized PubMed query (canonical short tags, explicit ``AND``);
:func:`dump` prints the structure compactly for tests and debugging.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from pubmirror.query.tokens import OPERATORS, QUOTES, Span

__all__ = [
    "BinaryOp", "Group", "History", "Node", "Range", "RelativeDate", "Tag", "Term",
    "dump", "to_query", "walk",
]  # fmt: skip

Operator = Literal["AND", "OR", "NOT"]
Unit = Literal["day", "month", "year"]


@dataclass(frozen=True)
class Tag:
    """A field tag as resolved by :mod:`pubmirror.query.tags`.

    Attributes:
        field: the canonical short tag (``"tiab"`` for ``[Title/Abstract]``).
        noexp: ``[mh:noexp]``: do not explode.
        proximity: N of ``[tiab:~N]``, or ``None``.
        span: the bracketed text, brackets included.
    """

    field: str
    span: Span
    noexp: bool = False
    proximity: int | None = None


@dataclass(frozen=True)
class Term:
    """Words searched together: a bare run (``lupus nephritis``) or a quoted phrase.

    Adjacent bare words stay one term: PubMed first tries them as a phrase (automatic term
    mapping, or the phrase index when tagged) and only the resolver knows whether that works.

    Attributes:
        words: the words as typed (case kept); for ``heading/subheading[mh]`` the heading only.
        quoted: written in double quotes.
        tag: the field tag that followed, if PubMed knows it.
        subheading: ``"tu"`` for ``aspirin/tu[mh]`` (MeSH-tagged terms only).
        wildcard: some word contains a valid ``*`` (truncation; at least 4 characters before it).
    """

    words: tuple[str, ...]
    span: Span
    quoted: bool = False
    tag: Tag | None = None
    subheading: str | None = None
    wildcard: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.words)

    @property
    def field(self) -> str | None:
        return self.tag.field if self.tag else None

    @property
    def proximity(self) -> int | None:
        return self.tag.proximity if self.tag else None


@dataclass(frozen=True)
class Range:
    """``low:high[tag]``: ``2000:2005[dp]``, ``"2020/01/01"[dp] : "3000"[dp]``, ``1:10[pg]``.

    ``low`` and ``high`` are the bounds as typed, quotes removed. ``tag`` is ``None`` when the
    user gave none (reported as ``bad-range``).
    """

    low: str
    high: str
    span: Span
    tag: Tag | None = None


@dataclass(frozen=True)
class RelativeDate:
    """``"last 5 years"[dp]``: the ``count`` units before today, in a date field."""

    count: int
    unit: Unit
    tag: Tag
    span: Span


@dataclass(frozen=True)
class History:
    """``#3``: search number 3 of the caller's history (``#0`` is the clipboard)."""

    number: int
    span: Span


@dataclass(frozen=True)
class Group:
    """A parenthesized sub-query; the span includes the parentheses."""

    child: Node
    span: Span


@dataclass(frozen=True)
class BinaryOp:
    """``left OP right``. ``implicit``: no operator was written (adjacent terms are ANDed)."""

    op: Operator
    left: Node
    right: Node
    span: Span
    implicit: bool = False
    op_span: Span | None = None


Node = Term | Range | RelativeDate | History | Group | BinaryOp


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children, left to right."""
    yield node
    if isinstance(node, Group):
        yield from walk(node.child)
    elif isinstance(node, BinaryOp):
        yield from walk(node.left)
        yield from walk(node.right)


def to_query(node: Node) -> str:
    """A normalized PubMed query for ``node``: parsing it again gives the same tree.

    >>> to_query(Term(("cancer",), (0, 11), tag=Tag("ti", (6, 11))))
    'cancer[ti]'
    """
    if isinstance(node, BinaryOp):
        right = to_query(node.right)
        if isinstance(node.right, BinaryOp):  # only a hand-built tree can nest to the right
            right = f"({right})"
        return f"{to_query(node.left)} {node.op} {right}"
    if isinstance(node, Group):
        return f"({to_query(node.child)})"
    if isinstance(node, History):
        return f"#{node.number}"
    if isinstance(node, Range):
        return f"{_bound(node.low)}:{_bound(node.high)}{_tag(node.tag)}"
    if isinstance(node, RelativeDate):
        plural = "" if node.count == 1 else "s"
        return f'"last {node.count} {node.unit}{plural}"{_tag(node.tag)}'
    return _term(node)


def _term(term: Term) -> str:
    text = term.text
    if term.subheading is not None:
        text = f"{text}/{term.subheading}"
    if term.quoted:
        text = f'"{text}"'
    return text + _tag(term.tag)


def _tag(tag: Tag | None) -> str:
    if tag is None:
        return ""
    if tag.noexp:
        return f"[{tag.field}:noexp]"
    if tag.proximity is not None:
        return f"[{tag.field}:~{tag.proximity}]"
    return f"[{tag.field}]"


_NEEDS_QUOTES = frozenset("()[]:&|" + QUOTES)


def _bound(value: str) -> str:
    """A range bound, quoted when it would not read back as one word."""
    plain = value and value not in OPERATORS and not value.startswith("#")
    if plain and not any(c.isspace() or c in _NEEDS_QUOTES for c in value):
        return value
    return f'"{value}"'


def dump(node: Node) -> str:
    """The tree's shape in one line: ``AND(OR(a, b), c[ti])``; leaves print as :func:`to_query`.

    >>> dump(Group(History(1, (1, 3)), (0, 4)))
    'Group(#1)'
    """
    if isinstance(node, BinaryOp):
        return f"{node.op}({dump(node.left)}, {dump(node.right)})"
    if isinstance(node, Group):
        return f"Group({dump(node.child)})"
    return to_query(node)
