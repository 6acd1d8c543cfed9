"""PubMed's CSV export (web Save → CSV).

Header ``PMID,Title,Authors,Citation,First Author,Journal/Book,Publication Year,Create Date,
PMCID,NIHMS ID,DOI``; the document starts with a UTF-8 byte order mark (U+FEFF, so the caller's
UTF-8 encoding writes EF BB BF) and every field is quoted, as PubMed's download.

Columns: Citation is the NLM source string with the journal abbreviation (as in the sample row
of the behaviour notes, ``Econ Bot. 2021 Mar;75(2):101-110. doi: …. Epub 2021 Jan 3.``);
Journal/Book the abbreviation (the book title for books); Create Date PubMed's Create Date
(CRDT, the ``entrez`` history date, ``YYYY/MM/DD``). Rows end with CRLF (RFC 4180; NCBI's line
ending is not documented).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from pubmirror.formats import common
from pubmirror.formats.registry import Entry, Format, register
from pubmirror.medline.model import Record

BOM = "\ufeff"
HEADER = ("PMID", "Title", "Authors", "Citation", "First Author", "Journal/Book",
          "Publication Year", "Create Date", "PMCID", "NIHMS ID", "DOI")


def row(rec: Record) -> list[str]:
    created = common.create_date(rec)
    journal = rec.book.title.text if rec.book is not None else common.journal_abbreviation(rec)
    return [
        rec.pmid,
        common.title(rec),
        common.author_list(rec.authors),
        common.source(rec),
        rec.authors[0].short_name if rec.authors else "",
        journal,
        common.pub_year(rec),
        common.slash_date(created) if created is not None else "",
        rec.article_id("pmc"),
        rec.article_id("mid"),
        rec.doi,
    ]


def render(entries: Sequence[Entry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(HEADER)
    for entry in entries:
        writer.writerow(row(entry.record))
    return BOM + out.getvalue()


FORMAT = register(
    Format(
        name="csv",
        title="CSV",
        media_type="text/csv; charset=utf-8",
        extension="csv",
        render=render,
    )
)
