"""PubMed's Cite → NLM: the citation in NLM's own style (Citing Medicine), as PubMed writes it.

PubMed's NLM citation is the record's author list, title and NLM source string (the ``SO`` of
MEDLINE format, built by :func:`pubmirror.formats.common.source` rules) followed by the PMID and
PMCID. The seed as PubMed's Cite dialog shows it (and as printed here)::

    Toubi E, Kessel A, Shoenfeld Y. High-dose intravenous immunoglobulins: an option in the
    treatment of systemic lupus erythematosus. Hum Immunol. 2005 Apr;66(4):395-402. PMID:
    15866703.

Other records, as PubMed prints them: ``… Nucleic Acids Res. 2013 Mar 1;41(5):e64. doi:
10.1093/nar/gks1346. Epub 2013 Jan 4. PMID: 23293001; PMCID: PMC3597648.``

This is not rendered with citeproc-py: PubMed's layout is the NLM source string the project
already writes for MEDLINE ``SO`` and the Abstract display, and the official CSL style
``nlm-citation-sequence`` rendered by citeproc-py differs from it in most parts: six authors then
``et al.`` (PubMed lists all), ``2017Jun`` (citeproc-py drops the date's spaces), ``1116–22``
(en dash, shortened; PubMed prints ``MedlinePgn``), ``doi:10.x`` without space or period, no
``Epub`` date, an eCollection article dated by its issue, ``PubMed PMID: …; PubMed Central
PMCID: …``. Differences from the source string, each as in PubMed's citations:

* an ``Electronic-eCollection`` article is cited by its electronic date, without the trailing
  ``eCollection <date>.`` (``Front Microbiol. 2020 Oct 23;11:550420. doi: …. PMID: …``);
* without pages the first ``ELocationID`` stands in (``Nucleic Acids Res. 2021 Jan 4:gkaa1229.``);
* an article ahead of print ends ``Epub ahead of print.`` instead of its Epub date.

Books and chapters: authors, the chapter title, then NLM's book source (``In: Editors, editors.
Book [Internet]. Place: Publisher; year.``). Unlike PubMed, the chapter's posting and update
dates and the range of years of a living book are not printed.
"""

from __future__ import annotations

from collections.abc import Sequence

from pubmirror.formats import citedata, common, styled
from pubmirror.formats.registry import Entry, Format, register
from pubmirror.medline.model import Record

_EPUB_MODELS = ("Print-Electronic", "Electronic-Print")


def _sentence(text: str) -> str:
    text = citedata.one_line(text)
    return text if not text or text[-1] in ".?!" else text + "."


def source(rec: Record) -> str:
    """``Hum Immunol. 2005 Apr;66(4):395-402.`` plus `` doi: X.`` and the Epub note."""
    epub = citedata.epub_date(rec)
    electronic = rec.pub_model == "Electronic-eCollection" and epub is not None
    cited = epub if electronic and epub is not None else rec.journal.pub_date
    text = f"{common.journal_abbreviation(rec)}. {common.cited_date(cited)}"
    volume = rec.journal.volume + (f"({rec.journal.issue})" if rec.journal.issue else "")
    if volume:
        text += f";{volume}"
    if citedata.pages(rec):
        text += f":{citedata.pages(rec)}"
    text += "."
    if rec.doi:
        text += f" doi: {rec.doi}."
    if citedata.ahead_of_print(rec):
        text += " Epub ahead of print."
    elif epub is not None and rec.pub_model in _EPUB_MODELS:
        text += f" Epub {common.cited_date(epub)}."
    return text


def identifiers(rec: Record) -> str:
    pmcid = citedata.pmcid(rec)
    return f"PMID: {rec.pmid}; PMCID: {pmcid}." if pmcid else f"PMID: {rec.pmid}."


def citation(rec: Record) -> str:
    if rec.book is not None:
        chapter = _sentence(common.title(rec)) if citedata.kind(rec) == "chapter" else ""
        where = common.book_source(rec)
    else:
        chapter, where = _sentence(common.title(rec)), source(rec)
    parts = [common.author_list(rec.authors), chapter, where, identifiers(rec)]
    return " ".join(p for p in parts if p)


def render(entries: Sequence[Entry]) -> str:
    return styled.render(entries, citation)


FORMAT = register(
    Format(
        name="nlm",
        title="NLM",
        media_type="text/plain; charset=utf-8",
        extension="txt",
        render=render,
    )
)
