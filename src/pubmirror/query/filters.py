"""PubMed's sidebar filters, each a query clause, as the User Guide's "Filter search strategies"
gives them.

A filtered search is the user's query ANDed with the filters: filters of one group (two article
types, say) are ORed, as the sidebar does, and groups are ANDed. The result is an ordinary
query, so search details show the filters like any other clause.

>>> with_filters("asthma", ["humans", "review", "clinical-trial"])
'(asthma) AND (humans[mh]) AND ("review"[pt] OR "clinical trial"[pt])'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pubmirror.errors import UsageError

__all__ = ["FILTERS", "Filter", "filter_for", "with_filters"]


@dataclass(frozen=True)
class Filter:
    name: str
    group: str
    clause: str
    label: str  # the sidebar's wording


def _group(group: str, *rows: tuple[str, str, str]) -> list[Filter]:
    return [Filter(name, group, clause, label) for name, label, clause in rows]


FILTERS: dict[str, Filter] = {
    f.name: f
    for f in [
        *_group(
            "text availability",
            ("abstract", "Abstract", "hasabstract"),
            ("free-full-text", "Free full text", '"free full text"[sb]'),
            ("full-text", "Full text", '"full text"[sb]'),
        ),
        *_group(
            "article type",
            ("clinical-trial", "Clinical Trial", '"clinical trial"[pt]'),
            ("rct", "Randomized Controlled Trial", '"randomized controlled trial"[pt]'),
            ("meta-analysis", "Meta-Analysis", '"meta-analysis"[pt]'),
            ("review", "Review", '"review"[pt]'),
            ("systematic-review", "Systematic Review", '"systematic review"[pt]'),
            ("case-reports", "Case Reports", '"case reports"[pt]'),
            ("guideline", "Guideline", '"guideline"[pt] OR "practice guideline"[pt]'),
        ),
        *_group(
            "publication date",
            ("1y", "1 year", '"last 1 year"[dp]'),
            ("5y", "5 years", '"last 5 years"[dp]'),
            ("10y", "10 years", '"last 10 years"[dp]'),
        ),
        *_group(
            "species",
            ("humans", "Humans", "humans[mh]"),
            ("animals", "Other Animals", "animals[mh:noexp]"),
        ),
        *_group("sex", ("female", "Female", "female[mh]"), ("male", "Male", "male[mh]")),
        *_group(
            "age",
            ("child", "Child: birth-18 years", "infant[mh] OR child[mh] OR adolescent[mh]"),
            ("newborn", "Newborn: birth-1 month", '"infant, newborn"[mh]'),
            ("infant", "Infant: birth-23 months", "infant[mh]"),
            ("infant-1-23m", "Infant: 1-23 months", "infant[mh:noexp]"),
            ("preschool", "Preschool Child: 2-5 years", '"child, preschool"[mh]'),
            ("child-6-12", "Child: 6-12 years", "child[mh:noexp]"),
            ("adolescent", "Adolescent: 13-18 years", "adolescent[mh]"),
            ("adult", "Adult: 19+ years", "adult[mh]"),
            ("young-adult", "Young Adult: 19-24 years", '"young adult"[mh]'),
            ("adult-19-44", "Adult: 19-44 years", "adult[mh:noexp]"),
            ("middle-aged-aged", "Middle Aged + Aged: 45+ years",
             '"middle aged"[mh] OR aged[mh]'),
            ("middle-aged", "Middle Aged: 45-64 years", '"middle aged"[mh]'),
            ("aged", "Aged: 65+ years", "aged[mh]"),
            ("80-and-over", "80 and over: 80+ years", '"aged, 80 and over"[mh]'),
        ),
    ]
}  # fmt: skip


# Languages the sidebar offers by name; any other is ``language:NAME``.
LANGUAGES = frozenset({
    "english", "french", "german", "spanish", "italian", "chinese", "japanese", "russian",
    "portuguese", "dutch", "polish", "korean",
})  # fmt: skip


def filter_for(name: str) -> Filter:
    """A sidebar filter by name; also ``language:NAME`` (``language:english``) and
    ``years:2000-2010`` (a custom publication date range)."""
    key = name.strip().lower()
    if key in FILTERS:
        return FILTERS[key]
    kind, _, value = key.partition(":")
    if key in LANGUAGES:
        kind, value = "language", key
    if kind == "language" and value.isalpha():
        return Filter(key, "language", f"{value}[la]", value.capitalize())
    low, dash, high = value.partition("-")
    if kind == "years" and dash and low.isdigit() and high.isdigit():
        return Filter(key, "publication date", f"{low}:{high}[dp]", f"{low}-{high}")
    known = ", ".join(FILTERS)
    raise UsageError(f"unknown filter {name!r}; known: {known}, language:NAME, years:FROM-TO")


def with_filters(query: str, names: Sequence[str]) -> str:
    """The query with the filters applied (groups ANDed, filters of a group ORed)."""
    groups: dict[str, list[str]] = {}
    for name in names:
        found = filter_for(name)
        groups.setdefault(found.group, []).append(found.clause)
    parts = [f"({query})"] if query.strip() else []
    parts += ["(" + " OR ".join(clauses) + ")" for clauses in groups.values()]
    return " AND ".join(parts)
