"""The resolved query: what each part of the syntax tree searches, for compilers and printers.

The resolver (:mod:`pubmirror.query.resolve`) turns the syntax tree into this tree. Its leaves name
the index fields they search by the names of :mod:`pubmirror.index.schema` (PubMed's tags), and
each carries ``shown``, the text PubMed prints for it in "search details"; :func:`details` is
the printer. A compiler per backend (``index/tantivy_query.py``) turns the same tree into that
backend's query, so what the user is shown is what runs.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "And", "Keyword", "Not", "Nothing", "Or", "Plan", "Pmids", "Range", "Terms", "Text",
    "details", "leaves",
]  # fmt: skip


@dataclass(frozen=True)
class Text:
    """Words of analyzed text fields (already analyzed: lower case, accents folded).

    One word matches that word. Several match as a phrase: adjacent and in order, or with
    ``slop`` (proximity ``[tiab:~N]``) within N words of each other. ``prefix``: the last word
    is truncated (``"breast feed*"``). ``keywords`` and ``value``: also match a keyword field
    whose whole value is ``value`` (All Fields reaches author names, journals, MeSH headings …).
    """

    fields: tuple[str, ...]
    words: tuple[str, ...]
    shown: str
    slop: int | None = None
    prefix: bool = False
    keywords: tuple[str, ...] = ()
    value: str = ""


@dataclass(frozen=True)
class Terms:
    """Any of ``terms`` (single analyzed words, such as a truncation's variants) in ``fields``."""

    fields: tuple[str, ...]
    terms: tuple[str, ...]
    shown: str


@dataclass(frozen=True)
class Keyword:
    """Exact values of keyword fields (``mh``, ``au``, ``pt`` …), any of which matches.

    ``values`` match whole values; ``prefixes`` match values that start with them (author
    initials truncate automatically: ``smith j`` finds ``smith ja``).
    """

    tags: tuple[str, ...]
    values: tuple[str, ...]
    shown: str
    prefixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Range:
    """A date range, inclusive, as ``YYYYMMDD`` integers (``00`` for an unknown month or day)."""

    fields: tuple[str, ...]
    low: int
    high: int
    shown: str


@dataclass(frozen=True)
class Pmids:
    values: tuple[int, ...]
    shown: str


@dataclass(frozen=True)
class Nothing:
    """Matches no record (a term the resolver could not use); ``shown`` says why."""

    shown: str


@dataclass(frozen=True)
class And:
    items: tuple[Plan, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Plan, ...]


@dataclass(frozen=True)
class Not:
    left: Plan
    right: Plan


Plan = Text | Terms | Keyword | Range | Pmids | Nothing | And | Or | Not
Leaf = Text | Terms | Keyword | Range | Pmids | Nothing


def details(plan: Plan) -> str:
    """PubMed's "search details" (esearch's QueryTranslation) for a resolved query.

    >>> details(Or((Keyword(("mh",), ("d009369",), '"neoplasms"[MeSH Terms]'),
    ...             Text(("ti",), ("cancer",), '"cancer"[All Fields]'))))
    '"neoplasms"[MeSH Terms] OR "cancer"[All Fields]'
    """
    if isinstance(plan, And | Or):
        op = " AND " if isinstance(plan, And) else " OR "
        return op.join(_operand(item) for item in plan.items)
    if isinstance(plan, Not):
        return f"{_operand(plan.left)} NOT {_operand(plan.right)}"
    return plan.shown


def _operand(plan: Plan) -> str:
    text = details(plan)
    return f"({text})" if isinstance(plan, And | Or | Not) and _compound(plan) else text


def _compound(plan: And | Or | Not) -> bool:
    return isinstance(plan, Not) or len(plan.items) > 1


def leaves(plan: Plan) -> list[Leaf]:
    """The leaves, left to right."""
    if isinstance(plan, And | Or):
        return [leaf for item in plan.items for leaf in leaves(item)]
    if isinstance(plan, Not):
        return leaves(plan.left) + leaves(plan.right)
    return [plan]
