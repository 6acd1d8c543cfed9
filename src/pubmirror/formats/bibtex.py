"""BibTeX: one entry per record, for LaTeX (BibTeX or biblatex/biber) and reference managers.

Entry type ``@article``; ``@incollection`` for a book chapter (``booktitle``, ``editor``,
``publisher``, ``address``), ``@book`` for a whole book. The key is ``pmid`` + PMID (unique,
stable). Fields, in this order: ``author`` and ``editor`` (``Family, Given`` or ``Family, Suffix,
Given`` joined by `` and ``; a collective in braces so it is not split into names; initials
without a fore name get periods, ``A`` → ``A.``, ``MP`` → ``M. P.``, so BibTeX reads each as a
given name), ``title`` (in double braces: BibTeX styles would otherwise lower-case PubMed's
capitalization), ``journal`` (full NLM title) and biblatex's ``shortjournal`` (ISO
abbreviation), ``series``, ``edition``, ``publisher``, ``address``, ``year``, ``month`` (BibTeX's
month macros ``jan``…``dec``), ``volume``, ``number`` (the issue), ``pages`` (``395--402``),
``issn``/``isbn``, ``doi``, ``pmid``, ``pmcid``, ``language`` (NLM's code), ``keywords`` (author
keywords, then MeSH descriptors, comma-separated; one holding a comma is braced) and ``abstract``.

Escaping: the file is UTF-8 and non-ASCII letters are written as they are (biber, or BibTeX with
``inputenc``, read them). The characters TeX would misread are escaped: ``& % $ # _`` as ``\\&``
…, ``\\ ^ ~`` as ``\\textbackslash{}``, ``\\textasciicircum{}``, ``\\textasciitilde{}``, and
braces as ``\\textbraceleft{}``/``\\textbraceright{}`` (not ``\\{``: BibTeX counts every brace,
escaped or not, to find the end of a value). Whitespace runs become one space. ``doi`` is the
exception: biblatex reads it verbatim (``\\_`` would end up in the link), so it is written as it
is unless it holds a brace.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pubmirror.formats import citedata, common
from pubmirror.formats.registry import Entry, Format, register
from pubmirror.medline.model import Author, Record

TYPES = {"article": "article", "chapter": "incollection", "book": "book"}
MONTHS = [m.lower() for m in common.MONTHS]
_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
}
_TABLE = str.maketrans(_SPECIAL)
Field = tuple[str, str]


def escape(text: str) -> str:
    """``text`` as a BibTeX value body: TeX specials escaped, on one line."""
    return citedata.one_line(text).translate(_TABLE)


def _verbatim(text: str) -> str:
    """A DOI as it is: biblatex reads ``doi`` verbatim (``\\_`` would end up in the link), only
    braces, which would end the value, are escaped."""
    return escape(text) if "{" in text or "}" in text else citedata.one_line(text)


def _given(author: Author) -> str:
    if author.fore_name:
        return author.fore_name
    return " ".join(f"{c}." for c in author.initials if c.isalpha())


def person(author: Author) -> str:
    if author.is_collective:
        return "{" + escape(author.collective_name) + "}"
    last = escape(author.last_name)
    if " and " in f" {last} ":
        last = "{" + last + "}"  # a family name holding the word "and" would split the list
    parts = [last, escape(author.suffix), escape(_given(author))]
    return ", ".join(p for p in parts if p)


def people(authors: list[Author]) -> str:
    return " and ".join(person(a) for a in authors)


def fields(rec: Record) -> Iterator[Field]:
    yield "author", people(citedata.authors(rec))
    yield "editor", people(citedata.editors(rec))
    title = escape(citedata.title(rec))
    yield "title", "{" + title + "}" if title else ""
    yield from (_book(rec) if rec.book is not None else _journal(rec))
    yield "doi", _verbatim(rec.doi)
    yield "pmid", rec.pmid
    yield "pmcid", citedata.pmcid(rec)
    yield "language", escape(citedata.language(rec))
    yield "keywords", ", ".join(_keyword(k) for k in citedata.keywords(rec))
    yield "abstract", escape(citedata.abstract(rec))


def _keyword(text: str) -> str:
    """A keyword; braced when it holds a comma (MeSH ``Lupus Erythematosus, Systemic``), which
    would otherwise split it in biblatex's comma-separated list."""
    text = escape(text)
    return "{" + text + "}" if "," in text else text


def _date(rec: Record) -> Iterator[Field]:
    yield "year", citedata.year(rec)
    month = citedata.month(rec)
    yield "month", MONTHS[month - 1] if month else ""


def _pages(rec: Record) -> str:
    first, last = citedata.page_span(rec)
    return escape(f"{first}--{last}" if last else first)


def _journal(rec: Record) -> Iterator[Field]:
    yield "journal", escape(rec.journal.title)
    yield "shortjournal", escape(citedata.journal_abbreviation(rec))
    yield from _date(rec)
    yield "volume", escape(rec.journal.volume)
    yield "number", escape(rec.journal.issue)
    yield "pages", _pages(rec)
    yield "issn", escape(next(iter(citedata.issns(rec)), ""))


def _book(rec: Record) -> Iterator[Field]:
    book = rec.book
    assert book is not None
    if citedata.kind(rec) == "chapter":
        yield "booktitle", escape(citedata.book_title(rec))
    yield "series", escape(book.collection_title)
    yield "edition", escape(book.edition)
    yield "publisher", escape(book.publisher)
    yield "address", escape(book.publisher_location)
    yield from _date(rec)
    yield "volume", escape(book.volume)
    yield "pages", _pages(rec)
    yield "isbn", escape(next(iter(citedata.isbns(rec)), ""))


def entry_text(rec: Record) -> str:
    lines = [f"@{TYPES[citedata.kind(rec)]}{{pmid{rec.pmid},"]
    for name, value in fields(rec):
        if not value:
            continue
        # month macros go unbraced: BibTeX expands them to the style's month names
        lines.append(f"  {name} = {value}," if name == "month" else f"  {name} = {{{value}}},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(entries: Sequence[Entry]) -> str:
    return "\n".join(entry_text(e.record) for e in entries)


FORMAT = register(
    Format(
        name="bibtex",
        title="BibTeX",
        media_type="application/x-bibtex; charset=utf-8",
        extension="bib",
        render=render,
    )
)
