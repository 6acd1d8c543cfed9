"""The citation data every export shares (RIS, BibTeX, CSL-JSON and the styled citations).

One reading of a :class:`Record` for all of them, so the exports agree with each other:

* kind: ``article``, or for ``PubmedBookArticle`` records ``chapter`` (the record has a chapter
  title) or ``book`` (a whole book).
* title: the plain text of the title (inline markup and MathML flattened, as every display does)
  without the one period NLM appends to every ArticleTitle. Reference managers and citation
  styles add their own punctuation (Zotero strips the period on import too); ``?``/``!`` stay.
* pages: ``MedlinePgn``, else ``StartPage-EndPage``, else (articles only) the first
  ``ELocationID``: an e-location such as ``e94587``, a pii or even a DOI is the article's "page"
  in PubMed's own citations (``J Inherit Metab Dis. 2021;10.1002/jimd.12358.``).
* date: the issue's ``PubDate`` (a book's ``PubDate``); a ``MedlineDate`` gives its first year.
* keywords: the author keywords, then the MeSH descriptors (without qualifiers), each once.
"""

from __future__ import annotations

import re

from pubmirror.formats import common
from pubmirror.medline.model import Author, PartialDate, Record

_RANGE = re.compile(r"^([A-Za-z]*)(\d+)-([A-Za-z]*)(\d+)$")
_YEAR = re.compile(r"\d{4}")
_BREAKS = re.compile(r"[ \t\n\r\f\v\x1c-\x1f\x85\u2028\u2029]+")


def kind(rec: Record) -> str:
    """``article``, ``chapter`` or ``book``."""
    if rec.book is None:
        return "article"
    return "chapter" if rec.book.article_title is not None else "book"


def title(rec: Record) -> str:
    """The flattened title without NLM's closing period (``...`` and ``?`` are kept)."""
    text = one_line(common.title(rec))
    if text.endswith(".") and not text.endswith(".."):
        return text[:-1].rstrip(" ")  # "injection ." (PMID 418687) ends at "injection"
    return text


def book_title(rec: Record) -> str:
    return one_line(rec.book.title.text) if rec.book is not None else ""


def journal_abbreviation(rec: Record) -> str:
    """The ISO abbreviation (what PubMed's AMA citation prints), else NLM's title abbreviation."""
    return rec.journal.iso_abbreviation or rec.journal.medline_ta


def pages(rec: Record) -> str:
    found = common.pages(rec)
    if found or rec.book is not None:  # a book's ELocationID is its DOI, not a page
        return found
    return rec.elocation_ids[0].value if rec.elocation_ids else ""


def is_page_range(text: str) -> bool:
    """``395-402``, ``e1732-e1740``, ``S1-5``: one range of (prefixed) page numbers."""
    return _RANGE.match(text) is not None


def page_span(rec: Record) -> tuple[str, str]:
    """First and last page, NLM's shortened end page written out (``330-7`` → 330, 337).

    Anything that is not one plain range (``e123``, ``1-5, 9``) is kept whole as the first page.
    """
    text = pages(rec)
    m = _RANGE.match(text)
    if m is None:
        return text, ""
    start_prefix, start, end_prefix, end = m.groups()
    if len(end) < len(start):
        end = start[: len(start) - len(end)] + end
    return start_prefix + start, (end_prefix or start_prefix) + end


def expanded_pages(rec: Record) -> str:
    """The pages with NLM's shortened end page written out: ``217-64`` → ``217-264``.

    PubMed's styled citations print full ranges, and citeproc-py's ``page-range-format`` only
    shortens ranges, it does not expand them.
    """
    start, end = page_span(rec)
    return f"{start}-{end}" if end else start


def date(rec: Record) -> PartialDate:
    return rec.book.pub_date if rec.book is not None else rec.journal.pub_date


def year(rec: Record) -> str:
    d = date(rec)
    found = _YEAR.search(d.year or d.medline_date)
    return found.group(0) if found else ""


def month(rec: Record) -> int:
    """1–12, or 0 (no month, a season, or a MedlineDate)."""
    d = date(rec)
    return common.month_number(d.month) if d.month and not d.medline_date else 0


def day(rec: Record) -> int:
    d = date(rec)
    return int(d.day) if month(rec) and d.day.isdigit() else 0


def authors(rec: Record) -> list[Author]:
    """The record's authors (a whole book's own authors for book records)."""
    return rec.authors


def editors(rec: Record) -> list[Author]:
    return list(rec.book.editors) if rec.book is not None else []


def given(author: Author) -> str:
    """The given name as NLM has it: the fore name, else the initials."""
    return author.fore_name or author.initials


def issns(rec: Record) -> list[str]:
    """Print ISSN first, then electronic, then linking, each once."""
    ordered = sorted(rec.journal.issns, key=lambda i: i.issn_type != "Print")
    found = [i.value for i in ordered] + [rec.journal.issn_linking]
    return list(dict.fromkeys(v for v in found if v))


def isbns(rec: Record) -> list[str]:
    return list(rec.book.isbns) if rec.book is not None else []


def keywords(rec: Record) -> list[str]:
    found = [one_line(k.text.text) for k in rec.keywords]
    found += [h.descriptor for h in rec.mesh_headings]
    return list(dict.fromkeys(k for k in found if k))


def abstract(rec: Record) -> str:
    """The abstract as MEDLINE ``AB`` prints it (``LABEL: text`` per section), on one line."""
    if rec.abstract is None or not rec.abstract.sections:
        return ""
    from pubmirror.formats.medline import abstract_text  # sibling writer; imported when used

    return one_line(abstract_text(rec))


def language(rec: Record) -> str:
    """NLM's three-letter code of the first language (``eng``)."""
    return rec.languages[0] if rec.languages else ""


def pmcid(rec: Record) -> str:
    return rec.article_id("pmc")


def cited_electronically(rec: Record) -> bool:
    """Published electronically only (PLoS One, Sci Rep, BMC …): ``PublicationStatus`` epublish
    and ``PubModel`` Electronic or Electronic-eCollection (an Electronic-Print article that is
    epublish still has a print issue to cite)."""
    return rec.publication_status == "epublish" and rec.pub_model in (
        "Electronic", "Electronic-eCollection")


def ahead_of_print(rec: Record) -> bool:
    return rec.publication_status == "aheadofprint"


def epub_date(rec: Record) -> PartialDate | None:
    return common.electronic_date(rec)


def one_line(text: str) -> str:
    """Runs of spaces and line breaks (newline, tab, U+2028 …) as one space, ends stripped: a
    value must stay on one line. Other spaces (no-break, thin …) are kept as NLM has them."""
    return _BREAKS.sub(" ", text).strip(" ")
