"""The resolver: syntax tree → resolved query (:mod:`pubmirror.query.plan`).

It decides what every term means: which index fields a tag covers, automatic term mapping for
untagged terms (:mod:`pubmirror.query.atm`), MeSH lookup and explosion, author truncation, date
ranges, stopwords, truncation variants, history references. What it must know of the records (is
this phrase anywhere? which words start with ``immun``?) it asks a :class:`Lexicon`, which the
service implements over the search index; MeSH comes from a
:class:`~pubmirror.mesh.vocabulary.Vocabulary`. It never raises on user input: problems become
diagnostics, as the parser's do.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pubmirror.mesh.vocabulary import Vocabulary
from pubmirror.query import fields as F
from pubmirror.query.atm import Mapper, mesh_keyword
from pubmirror.query.lexicon import Lexicon
from pubmirror.query.parser import ParseResult
from pubmirror.query.plan import And, Keyword, Not, Nothing, Or, Plan, Pmids, Range, Terms, Text
from pubmirror.query.tags import lookup as tag_lookup
from pubmirror.query.tokens import Diagnostic, Span
from pubmirror.query.tree import BinaryOp, Group, History, Node, RelativeDate, Term
from pubmirror.query.tree import Range as RangeNode

__all__ = ["CODES", "Lexicon", "Resolution", "Resolver", "TRUNCATION_LIMIT"]

TRUNCATION_LIMIT = 600  # PubMed searches the first 600 variants of a truncated word

CODES: dict[str, str] = {
    "phrase-not-found": "a quoted phrase found nowhere: searched without quotes instead",
    "stopword-ignored": "a stopword in an untagged term was not searched",
    "truncation-limit": "a truncated word has more variants than PubMed's 600: the first 600",
    "mesh-not-loaded": "no MeSH vocabulary is loaded: MeSH terms are searched unexploded",
    "history-not-found": "#N refers to no search in the history",
    "field-not-indexed": "this field's data is not in the index: the term matches nothing",
    "range-not-supported": "ranges work in date fields only: the term matches nothing",
    "bad-date": "a date PubMed would not read: the term matches nothing",
}


@dataclass(frozen=True)
class Resolution:
    plan: Plan | None
    diagnostics: tuple[Diagnostic, ...]
    mapped: bool = False  # automatic term mapping added a MeSH, type, journal or author clause


@dataclass
class Resolver:
    """Resolve parsed queries against one lexicon and vocabulary.

    ``history``: earlier searches' plans by number, for ``#N``; ``today``: for relative dates;
    ``mapping``: automatic term mapping on (off: PubMed's "schema: all" rerun).
    """

    lexicon: Lexicon
    vocabulary: Vocabulary
    history: Mapping[int, Plan] = field(default_factory=dict)
    today: dt.date = field(default_factory=dt.date.today)
    mapping: bool = True

    def resolve(self, parsed: ParseResult) -> Resolution:
        run = _Run(self)
        plan = run.node(parsed.tree) if parsed.tree is not None else None
        return Resolution(plan, tuple(run.diagnostics), run.mapper.mapped)


class _Run:
    """One resolution: the resolver's settings and the diagnostics found so far."""

    def __init__(self, resolver: Resolver) -> None:
        self.r = resolver
        self.diagnostics: list[Diagnostic] = []
        self.mapper = Mapper(resolver.lexicon, resolver.vocabulary, self.warn, resolver.mapping)

    def warn(self, span: Span, code: str, message: str) -> None:
        assert code in CODES, code
        self.diagnostics.append(Diagnostic(span[0], span[1], code, message, "warning"))

    # -- structure --------------------------------------------------------------------------
    def node(self, node: Node) -> Plan | None:
        """The plan of a subtree; None when nothing in it is searched (only stopwords)."""
        if isinstance(node, BinaryOp):
            return self.binary(node)
        if isinstance(node, Group):
            return self.node(node.child)
        if isinstance(node, History):
            return self.history(node)
        if isinstance(node, RangeNode):
            return self.range(node)
        if isinstance(node, RelativeDate):
            return self.relative(node)
        return self.term(node)

    def binary(self, node: BinaryOp) -> Plan | None:
        left, right = self.node(node.left), self.node(node.right)
        if left is None or right is None:  # an ignored side drops out, operator and all
            return left if right is None else (None if node.op == "NOT" else right)
        if node.op == "NOT":
            return Not(left, right)
        kind = And if node.op == "AND" else Or
        items = left.items if isinstance(left, kind) else (left,)  # left-deep chains flatten
        return kind((*items, right))

    def history(self, node: History) -> Plan:
        plan = self.r.history.get(node.number)
        if plan is None:
            self.warn(node.span, "history-not-found", f"#{node.number} is not in the history")
            return Nothing(f"#{node.number}")
        return plan

    # -- terms ------------------------------------------------------------------------------
    def term(self, term: Term) -> Plan | None:
        tag = F.ALIASES.get(term.field or "", term.field)
        if tag is None or tag == "all":
            if term.wildcard:
                return self.truncated(term, F.TEXT_FIELDS["all"], "All Fields")
            return self.mapper.untagged(term)
        if tag in F.NOT_INDEXED:
            self.warn(term.span, "field-not-indexed", f"[{tag}] is not indexed")
            return Nothing(f'"{term.text}"[{_label(tag)}]')
        if tag in F.DATE_FIELDS:
            return self.date(term, tag)
        if tag == "pmid":
            return self.pmids(term.words, term.span)
        if tag in F.TEXT_FIELDS:
            return self.text(term, tag)
        if tag in ("mh", "majr") or term.subheading is not None:
            return self.mesh(term, "majr" if tag == "majr" else "mh")
        return self.keyword(term, tag)

    def pmids(self, words: Sequence[str], span: Span) -> Plan:
        numbers = tuple(int(w) for w in words if w.isdigit())
        if not numbers:
            return Nothing(f'"{" ".join(words)}"[PMID]')
        return Pmids(numbers, " OR ".join(f"{n}[PMID]" for n in numbers))

    def text(self, term: Term, tag: str) -> Plan:
        """A term in text fields: a word, a phrase (or its words when the phrase is nowhere and
        was not quoted), a proximity search, or a truncation."""
        fields = F.TEXT_FIELDS[tag]
        label = _label(tag)
        if term.wildcard:
            return self.truncated(term, fields, label)
        words = tuple(self.r.lexicon.words(term.text))
        if not words:
            return Nothing(f'"{term.text}"[{label}]')
        shown = f'"{term.text.lower()}"[{label}]'
        if term.proximity is not None:
            return Text(fields, words, f'"{term.text.lower()}"[{label}:~{term.proximity}]',
                        slop=term.proximity)  # fmt: skip
        value = F.keyword_value(term.text)
        keywords = F.TW_KEYWORDS if tag == "tw" else ()  # [tw] also takes whole publication
        # types, substance names … (the User Guide's list): "case reports"[tw]
        whole = any(self.r.lexicon.has_keyword(k, value) for k in keywords)
        if (len(words) > 1 and not term.quoted and not whole
                and not self.r.lexicon.has_phrase(fields, words)):  # fmt: skip
            return And(tuple(Text(fields, (w,), f'"{w}"[{label}]') for w in words))
        return Text(fields, words, shown, keywords=keywords, value=value if keywords else "")

    def truncated(self, term: Term, fields: tuple[str, ...], label: str) -> Plan:
        """``immun*``: the word's variants (at most 600); ``"breast feed*"``: a phrase whose
        last word is a prefix."""
        text = term.text.split("*", 1)[0]  # a mid-word '*' truncates there (see docs)
        words = tuple(self.r.lexicon.words(text))
        shown = f"{term.text.lower()}[{label}]"
        if not words:
            return Nothing(shown)
        if len(words) > 1:
            return Text(fields, words, shown, prefix=True)
        found = self.r.lexicon.variants(fields, words[0], TRUNCATION_LIMIT)
        if len(found) > TRUNCATION_LIMIT:
            self.warn(term.span, "truncation-limit",
                      f"{term.text}: more than {TRUNCATION_LIMIT} variants; "
                      f"only the first {TRUNCATION_LIMIT} were searched")  # fmt: skip
            found = found[:TRUNCATION_LIMIT]
        return Terms(fields, tuple(found), shown)

    def keyword(self, term: Term, tag: str) -> Plan:
        label = _label(term.field or tag)  # [lid] searches aid but is shown as Location ID
        if tag in F.AUTHOR_TAGS:
            return self.author(term, tag)
        if term.wildcard:
            prefix = F.keyword_value(term.text.split("*", 1)[0])
            return Keyword((tag,), (), f"{term.text.lower()}[{label}]", prefixes=(prefix,))
        value = F.keyword_value(term.text)
        if tag == "la":
            return Keyword(("la",), (F.language_code(value),), f'"{value}"[{label}]')
        if tag == "sb":
            return self.subset(value, label)
        if tag == "sh":
            return self.subheading(term, value, label)
        if tag == "ta":
            values = tuple(dict.fromkeys((value, F.keyword_value(value.replace(".", " ")))))
            return Keyword(("ta",), values, f'"{value}"[{label}]')
        return Keyword((tag,), (value,), f'"{value}"[{label}]')

    def author(self, term: Term, tag: str) -> Plan:
        """Names truncate on their initials (``smith j`` finds ``smith ja``) unless quoted;
        full names may be written in natural order (``john smith``)."""
        value = F.author_value(term.text.split("*", 1)[0])
        label = _label(tag)
        shown = f'"{value}"[{label}]' if term.quoted else f"{value}[{label}]"
        values = [value]
        if tag in F.FULL_NAME_TAGS and "," not in value and " " in value:
            # Natural or inverted order, as the guide allows: "wei zhang" or "zhang wei".
            first, last = value.rsplit(" ", 1)
            head, rest = value.split(" ", 1)
            values = list(dict.fromkeys((f"{last}, {first}", f"{head}, {rest}")))
        if term.quoted and not term.wildcard:
            return Keyword((tag,), tuple(values), shown)
        prefixes = tuple(v if term.wildcard or "," in v or " " in v else v + " " for v in values)
        return Keyword((tag,), tuple(values), shown, prefixes=prefixes)

    def subset(self, value: str, label: str) -> Plan:
        statuses = F.STATUS_SUBSETS.get(value.replace(" ", ""))
        if statuses:
            return Keyword(("stat",), statuses, f"{value}[{label}]")
        if value in ("pubmed pmc", "free full text", "full text", "pmc"):
            # Approximation: records with a PMC id (free full text in PMC) — see docs.
            return Keyword(("aid",), (), f'"{value}"[{label}]', prefixes=("pmc",))
        return Keyword(("sb",), (value,), f"{value}[{label}]")

    def subheading(self, term: Term, value: str, label: str) -> Plan:
        vocab = self.r.vocabulary
        found = vocab.subheading(value)
        if found is None:
            return Keyword(("sh",), (value,), f'"{value}"[{label}]')
        names = [found] if term.tag and term.tag.noexp else vocab.explode_subheading(value)
        values = tuple(dict.fromkeys(q.name.lower() for q in names))
        return Keyword(("sh",), values, f'"{found.name.lower()}"[{label}]')

    def mesh(self, term: Term, tag: str) -> Plan:
        """``[mh]``/``[majr]`` (and ``term/subheading``): exploded by descriptor UI down the tree
        unless ``:noexp``; by name, unexploded, when the vocabulary does not know the term."""
        noexp = bool(term.tag and term.tag.noexp)
        if term.wildcard:
            prefix = F.keyword_value(term.text.split("*", 1)[0])
            return Keyword((tag,), (), f"{term.text.lower()}[{_label(tag)}]", prefixes=(prefix,))
        if not self.r.vocabulary.loaded:
            self.warn(term.span, "mesh-not-loaded",
                      "no MeSH vocabulary loaded (pubmirror mesh load): searched unexploded")  # fmt: skip
        return mesh_keyword(self.r.vocabulary, term.text, tag, not noexp, term.subheading)

    # -- dates ------------------------------------------------------------------------------
    def date(self, term: Term, tag: str) -> Plan:
        bounds = _date_bounds(term.text)
        label = _label(tag)
        if bounds is None:
            self.warn(term.span, "bad-date", f"{term.text!r} is not a yyyy/mm/dd date")
            return Nothing(f'"{term.text}"[{label}]')
        return Range(F.DATE_FIELDS[tag], bounds[0], bounds[1], f'"{term.text}"[{label}]')

    def range(self, node: RangeNode) -> Plan:
        tag = node.tag.field if node.tag else None
        label = _label(tag) if tag else "?"
        shown = f"{node.low}:{node.high}[{label}]"
        if tag not in F.DATE_FIELDS:
            self.warn(node.span, "range-not-supported", "ranges work in date fields only")
            return Nothing(shown)
        low, high = _date_bounds(node.low), _date_bounds(node.high)
        if low is None or high is None:
            self.warn(node.span, "bad-date", "a range bound is not a yyyy/mm/dd date")
            return Nothing(shown)
        return Range(F.DATE_FIELDS[tag], low[0], high[1], shown)

    def relative(self, node: RelativeDate) -> Plan:
        """``"last 5 years"[dp]``: from that long before today; publication dates include
        future-dated records, as PubMed's do."""
        today = self.r.today
        if node.unit == "day":
            start = today - dt.timedelta(days=node.count)
        elif node.unit == "month":
            months = today.year * 12 + today.month - 1 - node.count
            start = dt.date(months // 12, months % 12 + 1, min(today.day, 28))
        else:
            start = today.replace(year=today.year - node.count, day=min(today.day, 28))
        tag = node.tag.field
        high = 99991299 if tag == "dp" else _int(today)
        low = _int(start)
        shown = f"{start:%Y/%m/%d}:{today:%Y/%m/%d}[{_label(tag)}]"
        return Range(F.DATE_FIELDS.get(tag, (tag,)), low, high, shown)


def _label(tag: str) -> str:
    """The field's name in search details: ``[Title/Abstract]``, ``[Date - Publication]``."""
    if tag in F.DATE_LABELS:
        return F.DATE_LABELS[tag]
    found = tag_lookup(tag)
    return found.name if found else tag


def _int(day: dt.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


_DATE = re.compile(r"\s*(\d{4})(?:[/-](\d{1,2})(?:[/-](\d{1,2}))?)?\s*$")


def _date_bounds(text: str) -> tuple[int, int] | None:
    """The first and last ``YYYYMMDD`` a typed date covers: ``2005/06`` → 20050600..20050699.

    Records store an unknown month or day as 00, and PubMed reads those as January and the
    1st; so a bound in January (or on a 1st) also takes in the 00 before it.
    """
    m = _DATE.match(text)
    if not m:
        return None
    year = int(m.group(1)) * 10000
    if m.group(2) is None:
        return year, year + 9999
    month = int(m.group(2))
    low = year if month == 1 else year + month * 100
    if m.group(3) is None:
        return low, year + month * 100 + 99
    day = int(m.group(3))
    if day == 1:
        return low, year + month * 100 + 1
    return year + month * 100 + day, year + month * 100 + day
