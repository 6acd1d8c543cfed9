"""CSL-JSON: the Citation Style Language's data format (what citeproc-js, citeproc-py, pandoc and
Zotero read), one array of items.

Fields follow the CSL 1.0.2 variables (https://docs.citationstyles.org/en/stable/specification.html
#appendix-iv-variables) and the CSL-JSON schema: ``id`` (the PMID), ``type`` (``article-journal``,
``chapter`` or ``book``), ``title``, ``container-title`` (journal full title; a chapter's book),
``container-title-short`` (ISO abbreviation), ``author``/``editor`` (``family``/``given``/
``suffix``, a collective as ``literal``), ``issued`` (``date-parts`` ``[[year, month, day]]`` as
far as known, ``season`` as NLM writes it), ``volume``, ``issue``, ``page``, ``DOI``, ``PMID``,
``PMCID``, ``ISSN``/``ISBN`` (the first one), ``publisher``/``publisher-place``/``edition``/
``collection-title`` for books, ``abstract`` and ``keyword`` (comma-separated).

Shared choices (title without NLM's closing period, pages falling back to the ELocationID …) are
those of :mod:`pubmirror.formats.citedata`; ``page`` is the full range (NLM's ``217-64`` is
written ``217-264``, which every CSL processor can shorten again but not all can expand). Not
written: ``language`` (CSL wants a BCP 47 tag, NLM has ISO 639-2 codes such as ``eng`` that CSL
processors would misread) and ``URL``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pubmirror.formats import citedata
from pubmirror.formats.registry import Entry, Format, register
from pubmirror.medline.model import Author, Record

CSL_TYPES = {"article": "article-journal", "chapter": "chapter", "book": "book"}


def name(author: Author) -> dict[str, str]:
    if author.is_collective:
        return {"literal": author.collective_name}
    out = {"family": author.last_name, "given": citedata.given(author), "suffix": author.suffix}
    return {k: v for k, v in out.items() if v}


def issued(rec: Record) -> dict[str, Any] | None:
    year = citedata.year(rec)
    if not year:
        return None
    parts = [int(year)] + [p for p in (citedata.month(rec), citedata.day(rec)) if p]
    out: dict[str, Any] = {"date-parts": [parts]}
    if citedata.date(rec).season:
        out["season"] = citedata.date(rec).season
    return out


def item(rec: Record) -> dict[str, Any]:
    """The CSL-JSON item of one record; empty values are left out."""
    kind = citedata.kind(rec)
    data: dict[str, Any] = {
        "id": rec.pmid,
        "type": CSL_TYPES[kind],
        "title": citedata.title(rec),
        "author": [name(a) for a in citedata.authors(rec)],
        "editor": [name(a) for a in citedata.editors(rec)],
        "issued": issued(rec),
    }
    data.update(_book(rec) if rec.book is not None else _journal(rec))
    data.update({
        "DOI": rec.doi,
        "PMID": rec.pmid,
        "PMCID": citedata.pmcid(rec),
        "abstract": citedata.abstract(rec),
        "keyword": ", ".join(citedata.keywords(rec)),
    })
    return {k: v for k, v in data.items() if v}


def _journal(rec: Record) -> dict[str, Any]:
    return {
        "container-title": rec.journal.title,
        "container-title-short": citedata.journal_abbreviation(rec),
        "volume": rec.journal.volume,
        "issue": rec.journal.issue,
        "page": citedata.expanded_pages(rec),
        "ISSN": next(iter(citedata.issns(rec)), ""),
    }


def _book(rec: Record) -> dict[str, Any]:
    book = rec.book
    assert book is not None
    return {
        "container-title": citedata.book_title(rec) if citedata.kind(rec) == "chapter" else "",
        "collection-title": book.collection_title,
        "volume": book.volume,
        "edition": book.edition,
        "publisher": book.publisher,
        "publisher-place": book.publisher_location,
        "page": citedata.expanded_pages(rec),
        "ISBN": next(iter(citedata.isbns(rec)), ""),
    }


def render(entries: Sequence[Entry]) -> str:
    items = [item(e.record) for e in entries]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


FORMAT = register(
    Format(
        name="csl-json",
        title="CSL-JSON",
        media_type="application/vnd.citationstyles.csl+json",
        extension="json",
        render=render,
    )
)
