"""Pieces several displays share: NLM dates, the NLM source (citation) string, status wording.

The source string is what NCBI prints as ``SO`` in MEDLINE format and as the first line of the
Abstract display: ``Hum Immunol. 2005 Apr;66(4):395-402. doi: 10.x. Epub 2005 Mar 1.``
(NLM's "Citing Medicine" journal style as PubMed applies it). Rules implemented:

* journal: ``MedlineTA`` (``ISOAbbreviation``, then the full title, when absent);
* date: the issue's ``PubDate`` as ``YYYY Mon DD`` / ``YYYY Season`` / ``MedlineDate``; for
  ``PubModel="Electronic-eCollection"`` NCBI cites the electronic date and appends
  ``eCollection <PubDate>.``;
* ``;volume(issue)`` then ``:pages`` (``MedlinePgn``, else start-end), each only when present;
* `` doi: X.`` when the record has a DOI, `` Epub YYYY Mon DD.`` when the article was published
  electronically ahead of the cited print issue (PubModel ``Print-Electronic`` or
  ``Electronic-Print``).

Books (``PubmedBookArticle``) get NLM's book form: ``Editors, editors. Title [Medium]. Place:
Publisher; Date.``, prefixed ``In: `` for a chapter. Deviation: only the book's start date is
cited (NCBI prints ranges such as ``1993-2025`` for living books).
"""

from __future__ import annotations

from pubmirror.medline.model import Author, PartialDate, Record

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

STATUS_WORDING = {
    "MEDLINE": "PubMed - indexed for MEDLINE",
    "OLDMEDLINE": "PubMed - OLDMEDLINE",
    "PubMed-not-MEDLINE": "PubMed",
    "In-Process": "PubMed - in process",
    "In-Data-Review": "PubMed - in process",
    "Publisher": "PubMed - as supplied by publisher",
}

_EPUB_MODELS = ("Print-Electronic", "Electronic-Print")


def month_number(month: str) -> int:
    """``Apr``/``04``/``4`` → 4; 0 when absent or unreadable."""
    month = month.strip()
    if month.isdigit():
        return int(month)
    key = month[:3].title()
    return MONTHS.index(key) + 1 if key in MONTHS else 0


def month_abbr(month: str) -> str:
    """``04``/``4``/``Apr`` → ``Apr``; an unreadable month is kept as written."""
    number = month_number(month)
    return MONTHS[number - 1] if 1 <= number <= 12 else month.strip()


def cited_date(d: PartialDate) -> str:
    """A date as NLM cites it: ``2005 Apr``, ``2009 Jun 1``, ``1990 Spring``, or MedlineDate."""
    if d.medline_date:
        return d.medline_date
    parts = [d.year]
    if d.season:
        parts.append(d.season)
    elif d.month:
        parts.append(month_abbr(d.month))
        if d.day:
            parts.append(str(int(d.day)) if d.day.isdigit() else d.day)
    return " ".join(p for p in parts if p)


def yyyymmdd(d: PartialDate) -> str:
    """``20060314`` (MEDLINE DCOM/LR/DEP); missing month/day are left out."""
    out = d.year
    if d.month:
        out += f"{month_number(d.month):02d}"
        if d.day:
            out += f"{int(d.day):02d}" if d.day.isdigit() else d.day
    return out


def slash_date(d: PartialDate, with_time: bool = False) -> str:
    """``2009/03/24`` or, with time, ``2009/03/24 09:00`` (00:00 when NLM gives none)."""
    out = d.year
    if d.month:
        out += f"/{month_number(d.month):02d}"
        if d.day:
            out += f"/{int(d.day):02d}" if d.day.isdigit() else f"/{d.day}"
    if with_time:
        out += f" {_two(d.hour)}:{_two(d.minute)}"
    return out


def _two(value: str) -> str:
    return f"{int(value):02d}" if value.isdigit() else "00"


def electronic_date(rec: Record) -> PartialDate | None:
    """The ``ArticleDate DateType="Electronic"``, if any."""
    return next((d for kind, d in rec.article_dates if kind.lower() == "electronic"), None)


def journal_abbreviation(rec: Record) -> str:
    j = rec.journal
    return j.medline_ta or j.iso_abbreviation or j.title


def pages(rec: Record) -> str:
    p = rec.pagination
    if p.medline_pgn:
        return p.medline_pgn
    if p.start_page and p.end_page:
        return f"{p.start_page}-{p.end_page}"
    return p.start_page


def source(rec: Record, journal: bool = True) -> str:
    """The NLM source string (MEDLINE ``SO``); ``journal=False`` leaves out the abbreviation."""
    if rec.book is not None:
        return book_source(rec)
    epub = electronic_date(rec)
    ecollection = rec.pub_model == "Electronic-eCollection" and epub is not None
    cited = epub if ecollection and epub is not None else rec.journal.pub_date
    date = cited_date(cited)
    text = f"{journal_abbreviation(rec)}. {date}" if journal else date
    volume_issue = rec.journal.volume + (f"({rec.journal.issue})" if rec.journal.issue else "")
    if volume_issue:
        text += f";{volume_issue}"
    if pages(rec):
        text += f":{pages(rec)}"
    text += "."
    if rec.doi:
        text += f" doi: {rec.doi}."
    if ecollection:
        text += f" eCollection {cited_date(rec.journal.pub_date)}."
    elif epub is not None and rec.pub_model in _EPUB_MODELS:
        text += f" Epub {cited_date(epub)}."
    return text


def book_source(rec: Record) -> str:
    """NLM's book citation: ``Adam MP, editors. GeneReviews. Seattle (WA): UW; 1993.``"""
    book = rec.book
    assert book is not None
    parts = []
    if book.editors:
        parts.append(", ".join(a.short_name for a in book.editors) + ", editors.")
    title = book.title.text.rstrip(".")
    if book.medium:
        title += f" [{book.medium}]"
    parts.append(title + ".")
    if book.edition:
        parts.append(book.edition.rstrip(".") + ".")
    place = ": ".join(p for p in (book.publisher_location, book.publisher) if p)
    date = cited_date(book.pub_date)
    if place or date:
        parts.append("; ".join(p for p in (place, date) if p) + ".")
    text = " ".join(parts)
    return f"In: {text}" if book.article_title is not None else text


def author_list(authors: list[Author], numbers: dict[int, str] | None = None) -> str:
    """``Toubi E, Kessel A, Shoenfeld Y.``; ``numbers`` maps an author index to ``(1)(2)``."""
    names = [a.short_name + ((numbers or {}).get(i, "")) for i, a in enumerate(authors)]
    names = [n for n in names if n]
    return ", ".join(names) + "." if names else ""


def title(rec: Record) -> str:
    """The title PubMed shows: the article's, a book chapter's, else the book's."""
    if rec.book is not None and rec.book.article_title is not None:
        return rec.book.article_title.text
    if rec.title.text:
        return rec.title.text
    return rec.book.title.text if rec.book is not None else ""


def status_wording(rec: Record) -> str:
    """The bracketed status of the legacy text displays: ``PubMed - indexed for MEDLINE``."""
    return STATUS_WORDING.get(rec.status, "PubMed")


def pub_year(rec: Record) -> str:
    if rec.book is not None:
        return rec.book.pub_date.year or rec.book.pub_date.medline_date[:4]
    d = rec.journal.pub_date
    return d.year or d.medline_date[:4]


def create_date(rec: Record) -> PartialDate | None:
    """PubMed's Create Date (CRDT): the ``entrez`` history date (``pubmed`` when absent)."""
    return rec.history_date("entrez") or rec.history_date("pubmed")
