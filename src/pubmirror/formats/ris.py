"""RIS, the tagged format reference managers import (EndNote, Zotero, Mendeley, RefWorks …).

Layout, per the RIS specification (Research Information Systems, "RIS Format Specifications"):
every line is a two-character tag, two spaces, a hyphen, a space and the value (``TY  - JOUR``);
a record opens with ``TY`` and closes with ``ER  - ``, and the next record follows on the next
line; lines end with CRLF ("carriage return/line feed (ANSI 13 10)", which rispy, Zotero and
EndNote all read). A value never spans lines: a line without a tag would be read as the
continuation of the previous one, so line breaks inside a value (U+2028 …) become spaces. The
text is UTF-8: the 2001 specification's 8-bit character set cannot hold PubMed's titles and
names, and current reference managers read UTF-8.

Tags, in this order: ``TY`` (``JOUR``; ``CHAP`` for a book chapter, ``BOOK`` for a whole book),
``TI`` title, ``AU`` per author (``Family, Given, Suffix``; a collective as written), ``A2`` per
book editor, ``T2`` the journal's full title (a chapter's book), ``J2`` the ISO journal
abbreviation, ``T3`` a book's series, ``PY`` year, ``DA`` ``YYYY/MM/DD`` (as far as known),
``VL``, ``IS``, ``SP``/``EP`` (first/last page, NLM's ``330-7`` written out as 330/337; a page
string that is no plain range stays whole in ``SP``), ``ET`` edition, ``PB``, ``CY``, ``SN`` (the
print ISSN, else the electronic or linking one; a book's ISBN), ``LA`` (NLM's language code),
``KW`` per keyword (author keywords, then MeSH descriptors), ``AB`` abstract (``LABEL: text``
per section, as MEDLINE ``AB``), ``DO`` DOI, ``AN`` the PMID (accession number), ``C2`` the PMCID
(EndNote's "Custom 2", the field EndNote names PMCID), ``DB  - PubMed``.

Shared choices (title without NLM's closing period, pages falling back to the ELocationID …) are
those of :mod:`pubmirror.formats.citedata`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pubmirror.formats import citedata
from pubmirror.formats.registry import Entry, Format, register
from pubmirror.medline.model import Author, Record

EOL = "\r\n"
TYPES = {"article": "JOUR", "chapter": "CHAP", "book": "BOOK"}
Field = tuple[str, str]


def person(author: Author) -> str:
    if author.is_collective:
        return author.collective_name
    parts = [author.last_name, citedata.given(author), author.suffix]
    return ", ".join(p for p in parts if p)


def ris_date(rec: Record) -> str:
    """``YYYY/MM/DD`` with the parts NLM gives (``2005/04``)."""
    parts = [citedata.year(rec)]
    parts += [f"{p:02d}" for p in (citedata.month(rec), citedata.day(rec)) if p]
    return "/".join(parts) if parts[0] else ""


def fields(rec: Record) -> Iterator[Field]:
    kind = citedata.kind(rec)
    yield "TY", TYPES[kind]
    yield "TI", citedata.title(rec)
    for a in citedata.authors(rec):
        yield "AU", person(a)
    for a in citedata.editors(rec):
        yield "A2", person(a)
    yield from (_book(rec, kind) if rec.book is not None else _journal(rec))
    yield "LA", citedata.language(rec)
    for kw in citedata.keywords(rec):
        yield "KW", kw
    yield "AB", citedata.abstract(rec)
    yield "DO", rec.doi
    yield "AN", rec.pmid
    yield "C2", citedata.pmcid(rec)
    yield "DB", "PubMed"


def _journal(rec: Record) -> Iterator[Field]:
    yield "T2", rec.journal.title
    yield "J2", citedata.journal_abbreviation(rec)
    yield "PY", citedata.year(rec)
    yield "DA", ris_date(rec)
    yield "VL", rec.journal.volume
    yield "IS", rec.journal.issue
    first, last = citedata.page_span(rec)
    yield "SP", first
    yield "EP", last
    yield "SN", next(iter(citedata.issns(rec)), "")


def _book(rec: Record, kind: str) -> Iterator[Field]:
    book = rec.book
    assert book is not None
    yield "T2", citedata.book_title(rec) if kind == "chapter" else ""
    yield "T3", book.collection_title
    yield "PY", citedata.year(rec)
    yield "DA", ris_date(rec)
    yield "VL", book.volume
    first, last = citedata.page_span(rec)
    yield "SP", first
    yield "EP", last
    yield "ET", book.edition
    yield "PB", book.publisher
    yield "CY", book.publisher_location
    yield "SN", next(iter(citedata.isbns(rec)), "")


def record_text(rec: Record) -> str:
    lines = [f"{tag}  - {citedata.one_line(value)}" for tag, value in fields(rec)
             if citedata.one_line(value)]
    lines.append("ER  - ")
    return EOL.join(lines) + EOL


def render(entries: Sequence[Entry]) -> str:
    return "".join(record_text(e.record) for e in entries)


FORMAT = register(
    Format(
        name="ris",
        title="RIS",
        media_type="application/x-research-info-systems; charset=utf-8",
        extension="ris",
        render=render,
    )
)
