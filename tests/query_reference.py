"""The independent evaluation behind ``tests/test_query_counts.py``: the sample's records and
NLM's MeSH tree read with code of its own, and every query part as a plain loop over them.

The second implementation shares nothing with the product's search path: it reads both sample
files with the full record model (:func:`pubmirror.medline.parse.parse_record`, not the search
field extractor), applies the ingest rules of ``docs/ingest.md`` itself (highest version of each
PMID; the 2021 file ranks above the 2020 one; its DeleteCitation removes PMIDs), reads NLM's 2017
MeSH tree file with a few lines of its own, and evaluates each query as a plain loop over the
records. Nothing from ``pubmirror.medline.extract``, ``index/``, ``query/`` or ``service/`` is
used for it; ``Pubmirror`` is only the system under test.

Semantics evaluated here (the documented ones):

* words: runs of alphanumeric characters, lower-cased, accents folded to ASCII (tantivy's simple
  tokenizer, ``lowercase`` and ``ascii_fold``); a phrase is adjacent words, in order, inside one
  value of one field (never across two affiliations, two keywords, title and abstract);
* an unquoted multi-word term in a text field is a phrase when the phrase occurs in some record
  (in those fields), else all of its words, each anywhere in the fields; quoted: the phrase;
* ``[mh]`` explodes by descriptor UI through the tree (``[mh:noexp]`` does not); ``[majr]`` is
  the same restricted to major headings; ``heading/subheading[mh]`` matches a heading named as the
  heading or one of its descendants carrying that qualifier; ``[sh]`` a qualifier anywhere;
* ``[tw]`` also matches a whole publication type, substance name or corporate author (the
  guide: "Includes all words and numbers in … Publication Types, Substance Names, …");
* proximity ``"a b"[tiab:~N]``: both words, in any order, at most N words apart, within one
  value (the guide, for affiliations: "within the same affiliation");
* ``[au]`` truncates on the initials unless quoted; ``[fau]`` takes ``last, first``, or either
  order without the comma (the guide: "natural or inverted order"); a record's unknown month or
  day is read as January or the 1st (within its year); Boolean operators run strictly left to
  right.

Run: ``PUBMIRROR_SAMPLE=.home/sample .venv/bin/python -m pytest -q tests/test_query_counts.py``
(parsing 50,788 records with the full model takes most of the time: about 75 CPU seconds,
spread over worker processes).
"""

from __future__ import annotations

import multiprocessing
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from conftest import SAMPLE_2020, SAMPLE_2021
from lxml import etree

from pubmirror.medline.model import Author, PartialDate, Record
from pubmirror.medline.parse import parse_record
from pubmirror.medline.split import open_and_split

RANKED_FILES = (SAMPLE_2020, SAMPLE_2021)  # lowest rank first: NLM's names rank by year
BATCH = 500

# --- words: tantivy's simple tokenizer, lowercase and ascii_fold, re-implemented ------------------
# Lucene's ASCII folding, for the letters Unicode decomposition does not reduce to ASCII.
_FOLD_EXTRA = {
    "ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "đ": "d", "ð": "d", "ł": "l", "þ": "th",
    "ı": "i", "ħ": "h", "ŀ": "l", "ŉ": "n", "ŋ": "n", "ŧ": "t", "ſ": "s", "ĳ": "ij",
}  # fmt: skip
_LONG_TOKEN = 100  # tantivy's remove_long(100): tokens of 100 bytes or more are dropped


def _fold_char(ch: str) -> str:
    if ch.isascii():
        return ch
    if ch in _FOLD_EXTRA:
        return _FOLD_EXTRA[ch]
    plain = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return plain if plain.isascii() and plain else ch


_WORD = re.compile(r"[^\W_]+")  # runs of alphanumeric characters (str.isalnum)


def _fold(word: str) -> str:
    return word if word.isascii() else "".join(_fold_char(c) for c in word)


def analyze(text: str) -> list[str]:
    """The words of a text as the index holds them."""
    return [_fold(w.lower()) for w in _WORD.findall(text) if len(w.encode()) < _LONG_TOKEN]


def word_line(values: Iterable[str]) -> str:
    """A multi-valued text field as one string: ``" w1 w2 | w3 "``, so that a word is
    ``" w "`` in it and a phrase ``" w1 w2 "``, never across two values."""
    parts = [" ".join(ws) for ws in (analyze(v) for v in values) if ws]
    return " " + " | ".join(parts) + " " if parts else ""


# --- the records, seen through the model ----------------------------------------------------------
YMD = tuple[int, int, int]  # (year, month, day); 0 for an unknown part

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
SEASONS = {"winter": 1, "spring": 4, "summer": 7, "fall": 10, "autumn": 10}


def _month(text: str) -> int:
    text = text.strip().lower()
    if text.isdigit():
        return int(text)
    return MONTHS.index(text[:3]) + 1 if text[:3] in MONTHS else 0


def ymd(date: PartialDate | None) -> YMD | None:
    """A PubMed partial date; a MedlineDate (``1998 Dec-1999 Jan``) by its first year and month."""
    if date is None:
        return None
    if date.medline_date and not date.year:
        year = re.search(r"\b(1[5-9]\d\d|20\d\d)", date.medline_date)
        words = re.findall(r"[A-Za-z]+", date.medline_date)
        month = next((m for w in words if (m := _month(w) or SEASONS.get(w.lower(), 0))), 0)
        return (int(year.group(1)), month, 0) if year else None
    if not date.year.isdigit():
        return None
    month = _month(date.month) if date.month else SEASONS.get(date.season.strip().lower(), 0)
    if not month and date.season:
        month = _month(date.season)  # "Jan-Mar": the first month
    return int(date.year), month, int(date.day) if date.day.isdigit() else 0


@dataclass(frozen=True, slots=True)
class Heading:
    ui: str
    name: str  # lower case
    major: bool
    qualifiers: tuple[tuple[str, bool], ...]  # (name lower case, major)

    @property
    def any_major(self) -> bool:
        return self.major or any(major for _, major in self.qualifiers)


@dataclass(frozen=True, slots=True)
class Doc:
    """What the evaluator needs of one record; text fields are :func:`word_line` strings."""

    pmid: int
    text: dict[str, str]  # ti, ab, oab, ot, tt, ad, mesh
    headings: tuple[Heading, ...]
    values: dict[str, frozenset[str]]  # keyword fields, lower case: pt, la, ta, nm, au, fau, cn …
    first_author: str
    last_author: str
    dates: dict[str, tuple[YMD, ...]]  # dp (print and electronic), edat, crdt, dcom, lr
    status: str
    has_abstract: bool


def _personal(authors: Sequence[Author]) -> list[Author]:
    return [a for a in authors if not a.is_collective]


def _lower(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip().lower() for v in values if v.strip())


def doc_of(rec: Record) -> Doc:
    people = _personal(rec.authors)
    j = rec.journal
    keywords = [k.text.text for k in rec.keywords]
    text = {
        "ti": word_line([rec.title.text]),
        "ab": word_line([rec.abstract.text] if rec.abstract else []),
        "oab": word_line(a.text for a in rec.other_abstracts),
        "ot": word_line(keywords),
        "tt": word_line([rec.vernacular_title.text] if rec.vernacular_title else []),
        "ad": word_line(f.text for a in (*rec.authors, *rec.investigators) for f in a.affiliations),
        "mesh": word_line(n for h in rec.mesh_headings
                          for n in (h.descriptor, *(q.name for q in h.qualifiers))),
    }  # fmt: skip
    headings = tuple(
        Heading(h.descriptor_ui.upper(), h.descriptor.lower(), h.major,
                tuple((q.name.lower(), q.major) for q in h.qualifiers))
        for h in rec.mesh_headings
    )  # fmt: skip
    values = {
        "pt": _lower(p.name for p in rec.publication_types),
        "la": _lower(rec.languages),
        "ta": _lower([j.medline_ta, j.iso_abbreviation, j.title, j.issn_linking,
                      *(i.value for i in j.issns)]),
        "nm": _lower([*(c.name for c in rec.chemicals), *(s.name for s in rec.suppl_mesh)]),
        "au": _lower(a.short_name for a in people),
        "fau": _lower(a.full_name for a in people),
        "cn": _lower(a.collective_name for a in rec.authors if a.is_collective),
        "ot": _lower(keywords),
        "gr": _lower(v for g in rec.grants for v in (g.grant_id, g.acronym, g.agency, g.country)),
        "sb": _lower(rec.citation_subsets),
    }  # fmt: skip
    electronic = [d for kind, d in rec.article_dates if kind == "Electronic"]
    dates = {
        "dp": [ymd(rec.journal.pub_date), *(ymd(d) for d in electronic)],
        "edat": [ymd(rec.history_date("pubmed"))],
        "crdt": [ymd(rec.history_date("entrez"))],
        "dcom": [ymd(rec.date_completed)],
        "lr": [ymd(rec.date_revised)],
    }
    return Doc(
        pmid=int(rec.pmid),
        text=text,
        headings=headings,
        values=values,
        first_author=people[0].short_name.lower() if people else "",
        last_author=people[-1].short_name.lower() if people else "",
        dates={k: tuple(d for d in v if d is not None) for k, v in dates.items()},
        status=rec.status.lower(),
        has_abstract=rec.abstract is not None and bool(rec.abstract.sections),
    )


def _docs_of(chunks: list[bytes]) -> list[tuple[int, Doc]]:
    """(version, doc) of each record: the worker processes' job."""
    out = []
    for data in chunks:
        rec = parse_record(data)
        out.append((rec.version, doc_of(rec)))
    return out


def _batches(path: Path, deleted: list[int]) -> Iterator[list[bytes]]:
    batch: list[bytes] = []
    for chunk in open_and_split(path):
        if chunk.tag == "DeleteCitation":
            deleted.extend(int(p.text or "0") for p in etree.fromstring(chunk.data).iter("PMID"))
            continue
        batch.append(chunk.data)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def read_sample(folder: Path) -> dict[int, Doc]:
    """The records search should see: files in rank order; a higher version of a PMID wins, and
    so does the same version from a higher-ranked file (or later in one file); a file's
    DeleteCitation (listed after its records) removes the PMID from it and every lower file."""
    found: dict[int, tuple[int, Doc]] = {}
    # The full model parses about 1,000 records a CPU second: every CPU helps.
    workers = min(os.cpu_count() or 1, 8)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver")) as pool:
        for name in RANKED_FILES:
            deleted: list[int] = []
            for batch in pool.map(_docs_of, _batches(folder / name, deleted)):
                for version, doc in batch:
                    if version >= found.get(doc.pmid, (0, doc))[0]:
                        found[doc.pmid] = (version, doc)
            for pmid in deleted:
                found.pop(pmid, None)
    return {pmid: doc for pmid, (_, doc) in found.items()}


# --- NLM's MeSH tree file, read here --------------------------------------------------------------
@dataclass(frozen=True)
class Tree:
    """Descriptors by lower-case name, their tree numbers and names, from a tree file."""

    by_name: dict[str, str]
    names: dict[str, str]
    numbers: dict[str, tuple[str, ...]]
    rows: tuple[tuple[str, str], ...]  # (tree number, UI)

    def explode(self, ui: str) -> frozenset[str]:
        """The UI and every descriptor at or under one of its tree numbers."""
        tops = self.numbers[ui]
        below = {u for number, u in self.rows
                 if any(number == t or number.startswith(t + ".") for t in tops)}  # fmt: skip
        return frozenset(below | {ui})


def read_tree(path: Path) -> Tree:
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].split("\t") == ["Tree Number", "Desc Ui", "Term"]
    names: dict[str, str] = {}
    numbers: dict[str, list[str]] = defaultdict(list)
    rows = []
    for line in lines[1:]:
        number, ui, name = line.split("\t")
        names[ui] = name
        numbers[ui].append(number)
        rows.append((number, ui))
    by_name = {" ".join(n.lower().split()): ui for ui, n in names.items()}
    return Tree(by_name, names, {u: tuple(t) for u, t in numbers.items()}, tuple(rows))


# --- the evaluator: each query part is a function from the corpus to a set of PMIDs ---------------
@dataclass(frozen=True)
class Corpus:
    docs: dict[int, Doc]
    tree: Tree

    def where(self, test: Callable[[Doc], bool]) -> frozenset[int]:
        return frozenset(p for p, d in self.docs.items() if test(d))


Eval = Callable[[Corpus], frozenset[int]]

TEXT_TAGS = {
    "ti": ("ti",),
    "tiab": ("ti", "ab", "oab", "ot"),
    "tw": ("ti", "ab", "oab", "mesh", "ot"),
    "ad": ("ad",),
}
# [tw]'s whole values: publication types, substance names, corporate authors.
TW_VALUES = ("pt", "nm", "cn")
# Untagged single words: text everywhere, and whole values of keyword fields (All Fields).
ALL_TEXT = ("ti", "ab", "oab", "ad", "ot", "tt", "mesh")
ALL_VALUES = ("pt", "nm", "au", "fau", "cn", "ta", "la", "ot", "gr", "sb")
# The User Guide's abbreviations of the subheadings queried here, in MEDLINE's spelling.
SUBHEADINGS = {
    "dt": "drug therapy", "tu": "therapeutic use", "ge": "genetics", "im": "immunology",
    "ad": "administration & dosage", "co": "complications",
}  # fmt: skip


def _has(doc: Doc, fields: Sequence[str], needle: str) -> bool:
    return any(needle in doc.text[f] for f in fields)


def _whole(doc: Doc, fields: Sequence[str], value: str) -> bool:
    return any(value in doc.values[f] for f in fields)


def text(tag: str, typed: str, quoted: bool = False) -> Eval:
    """``typed[tag]``: a word; a phrase; or, unquoted and found nowhere as a phrase, its words."""
    fields = TEXT_TAGS[tag]
    words = analyze(typed)
    whole = " ".join(typed.lower().split())

    def run(c: Corpus) -> frozenset[int]:
        phrase = c.where(lambda d: _has(d, fields, f" {' '.join(words)} "))
        if tag == "tw":
            phrase |= c.where(lambda d: _whole(d, TW_VALUES, whole))
        if quoted or len(words) == 1 or phrase:
            return phrase
        return c.where(lambda d: all(_has(d, fields, f" {w} ") for w in words))

    return run


def all_fields(word: str) -> Eval:
    """An untagged word that is no heading, journal or publication type: All Fields."""
    (analyzed,) = analyze(word)
    return lambda c: c.where(
        lambda d: _has(d, ALL_TEXT, f" {analyzed} ") or _whole(d, ALL_VALUES, word.lower())
    )


def _uis(c: Corpus, name: str, explode: bool) -> frozenset[str] | None:
    ui = c.tree.by_name.get(" ".join(name.lower().split()))
    if ui is None:
        return None
    return c.tree.explode(ui) if explode else frozenset({ui})


def mh(name: str, explode: bool = True, major: bool = False) -> Eval:
    """``[mh]`` / ``[majr]``: by UI through the tree; by name when the tree lacks the term."""

    def run(c: Corpus) -> frozenset[int]:
        uis = _uis(c, name, explode)
        key = name.lower()

        def hit(h: Heading) -> bool:
            named = h.ui in uis if uis is not None else h.name == key
            return named and (h.any_major or not major)

        return c.where(lambda d: any(hit(h) for h in d.headings))

    return run


def mh_sub(name: str, sub: str, major: bool = False) -> Eval:
    """``heading/subheading[mh]``: a heading named as one in the (exploded) tree, with the
    qualifier; ``[majr]``: the heading or that qualifier starred."""
    qualifier = SUBHEADINGS.get(sub, sub)

    def run(c: Corpus) -> frozenset[int]:
        uis = _uis(c, name, True)
        names = {c.tree.names[u].lower() for u in uis} if uis else {name.lower()}

        def hit(h: Heading) -> bool:
            return h.name in names and any(
                q == qualifier and (not major or h.major or q_major) for q, q_major in h.qualifiers
            )

        return c.where(lambda d: any(hit(h) for h in d.headings))

    return run


def sh(sub: str) -> Eval:
    qualifier = SUBHEADINGS.get(sub, sub)
    return lambda c: c.where(
        lambda d: any(q == qualifier for h in d.headings for q, _ in h.qualifiers)
    )


def value(tag: str, typed: str) -> Eval:
    """A keyword field's whole value, case-insensitive (``[pt]``, ``[ta]``, ``[nm]`` …)."""
    wanted = typed.lower()
    return lambda c: c.where(lambda d: wanted in d.values[tag])


def la(typed: str) -> Eval:
    """``english[la]``: the language code is the name's first three letters."""
    return value("la", typed.lower()[:3])


def _name_matches(name: str, typed: str, quoted: bool) -> bool:
    if quoted:
        return name == typed
    if " " in typed or "," in typed:
        return name.startswith(typed)
    return name == typed or name.startswith(typed + " ")


def author(typed: str, quoted: bool = False, tag: str = "au") -> Eval:
    """``[au]``, ``[fau]``: ``smith j`` is ``smith j`` or ``smith j…``; ``smith`` is ``smith`` or
    ``smith …``; quoted, exactly that."""
    wanted = typed.lower()
    return lambda c: c.where(
        lambda d: any(_name_matches(n, wanted, quoted) for n in d.values[tag])
    )


def full_author(typed: str, quoted: bool = False) -> Eval:
    """``[fau]``: ``lastname, forename``; without a comma in natural (``wei zhang``) or
    inverted (``zhang wei``) order, as the PubMed User Guide allows."""
    wanted = typed.lower()
    forms = [wanted]
    if "," not in wanted and " " in wanted:
        head, tail = wanted.split(" ", 1)
        rest, last = wanted.rsplit(" ", 1)
        forms = [f"{head}, {tail}", f"{last}, {rest}"]
    return lambda c: c.where(
        lambda d: any(_name_matches(n, f, quoted) for n in d.values["fau"] for f in forms)
    )


def truncated(tag: str, prefix: str) -> Eval:
    """``word*[tag]``: any word of the fields that starts with the prefix."""
    fields = TEXT_TAGS[tag]
    needle = " " + prefix.lower()
    return lambda c: c.where(lambda d: _has(d, fields, needle))


def phrase_prefix(tag: str, typed: str) -> Eval:
    """``"breast feed*"[tag]``: the phrase, its last word a prefix."""
    fields = TEXT_TAGS[tag]
    needle = " " + " ".join(analyze(typed))
    return lambda c: c.where(lambda d: _has(d, fields, needle))


def near(tag: str, first: str, second: str, gap: int) -> Eval:
    """``"first second"[tag:~gap]``: both words in one value, in either order, with at most
    ``gap`` words between them."""
    fields = TEXT_TAGS[tag]

    def close(line: str) -> bool:
        for part in line.split(" | "):
            words = part.split()
            at = [i for i, w in enumerate(words) if w == first]
            to = [j for j, w in enumerate(words) if w == second]
            if any(0 < abs(i - j) <= gap + 1 for i in at for j in to):
                return True
        return False

    def hit(d: Doc) -> bool:
        return _has(d, fields, f" {first} ") and any(close(d.text[f]) for f in fields)

    return lambda c: c.where(hit)


def first_author(typed: str) -> Eval:
    wanted = typed.lower()
    return lambda c: c.where(lambda d: _name_matches(d.first_author, wanted, False))


def last_author(typed: str) -> Eval:
    wanted = typed.lower()
    return lambda c: c.where(lambda d: _name_matches(d.last_author, wanted, False))


def _as_int(year_: int, month: int, day: int) -> int:
    return year_ * 10000 + month * 100 + day


def dates(tag: str, low: YMD, high: YMD) -> Eval:
    """A date range, both ends inclusive; a bound without month or day (``(2019, 0, 0)``) runs
    from the first to the last day it covers. A record's unknown month or day is read as
    January or the 1st, as PubMed reads them (so it counts as within its year)."""
    lo = _as_int(low[0], low[1] or 1, low[2] or 1)
    hi = _as_int(high[0], high[1] or 12, high[2] or 31)

    def inside(date: YMD) -> bool:
        return lo <= _as_int(date[0], date[1] or 1, date[2] or 1) <= hi

    return lambda c: c.where(lambda d: any(inside(x) for x in d.dates[tag]))


def status(wanted: str) -> Eval:
    """``medline[sb]``: the citation's Status."""
    return lambda c: c.where(lambda d: d.status == wanted)


def has_abstract() -> Eval:
    return lambda c: c.where(lambda d: d.has_abstract)


def pmids(*numbers: int) -> Eval:
    return lambda c: frozenset(numbers) & c.docs.keys()


def AND(*parts: Eval) -> Eval:
    return lambda c: frozenset.intersection(*(p(c) for p in parts))


def OR(*parts: Eval) -> Eval:
    return lambda c: frozenset.union(*(p(c) for p in parts))


def NOT(left: Eval, right: Eval) -> Eval:
    return lambda c: left(c) - right(c)
