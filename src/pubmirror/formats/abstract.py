"""PubMed's Abstract (text) display, as legacy PubMed and efetch ``rettype=abstract`` print it.

Layout of one record (blank lines between blocks; a block without data is left out)::

    Hum Immunol. 2005 Apr;66(4):395-402. doi: 10.x. Epub 2005 Mar 1.

    <title>

    Toubi E(1), Kessel A(2).

    Author information:
    (1)<first affiliation>
    (2)<second affiliation>

    BACKGROUND: <text>

    METHODS: <text>

    <copyright>

    DOI: 10.x
    PMCID: PMC123
    PMID: 15866703 [PubMed - indexed for MEDLINE]

Decisions, checked against the seed page (``shared/seed``) and NCBI's efetch text:

* One distinct affiliation is printed plainly under the authors (the seed). Several distinct
  affiliations are numbered in order of first use, ``Author information:`` then ``(n)text``
  lines, and each author gets ``(n)`` after the name, as efetch's abstract text does.
* Structured abstracts: one paragraph per section, ``LABEL: text``; unlabelled sections bare.
* The copyright statement is its own paragraph after the abstract.
* The status in brackets uses the legacy wording (``PubMed - indexed for MEDLINE``,
  ``PubMed``, ``PubMed - in process``, ``PubMed - as supplied by publisher``), as on the seed.
* Lines are not wrapped (the seed page is not; efetch wraps at 80 columns — we do not).
* One record: no number. Several: ``1. `` before each source line, one blank line between
  records.
* Not printed (NCBI prints them, we do not yet): "Comment in"/"Erratum in" lists, the
  vernacular (original-language) title, other-language abstracts.
"""

from __future__ import annotations

from collections.abc import Sequence

from pubmirror.formats import common
from pubmirror.formats.registry import Entry, Format, register
from pubmirror.medline.model import Abstract, Record


def render(entries: Sequence[Entry]) -> str:
    blocks = [record_text(e.record) for e in entries]
    if len(blocks) > 1:
        blocks = [f"{i}. {block}" for i, block in enumerate(blocks, 1)]
    return "\n".join(blocks)


def record_text(rec: Record) -> str:
    """One record's display, ending with a newline."""
    paragraphs = [source_line(rec), common.title(rec)]
    paragraphs += authors_and_affiliations(rec)
    paragraphs += abstract_paragraphs(rec.abstract)
    paragraphs.append(footer(rec))
    return "\n\n".join(p for p in paragraphs if p) + "\n"


def source_line(rec: Record) -> str:
    text = common.source(rec)
    if rec.publication_status == "aheadofprint":
        text += " [Epub ahead of print]"
    return text


def affiliation_numbers(rec: Record) -> tuple[list[str], dict[int, str]]:
    """Distinct affiliation texts in order of first use, and ``(n)`` marks per author index."""
    distinct: list[str] = []
    marks: dict[int, str] = {}
    for i, author in enumerate(rec.authors):
        for aff in author.affiliations:
            if aff.text not in distinct:
                distinct.append(aff.text)
            marks[i] = marks.get(i, "") + f"({distinct.index(aff.text) + 1})"
    return distinct, marks


def authors_and_affiliations(rec: Record) -> list[str]:
    distinct, marks = affiliation_numbers(rec)
    if len(distinct) <= 1:
        return [common.author_list(rec.authors), distinct[0] if distinct else ""]
    numbered = "\n".join(f"({i}){text}" for i, text in enumerate(distinct, 1))
    return [common.author_list(rec.authors, marks), "Author information:\n" + numbered]


def abstract_paragraphs(abstract: Abstract | None) -> list[str]:
    if abstract is None:
        return []
    out = [f"{s.label}: {s.text.text}" if s.label else s.text.text for s in abstract.sections]
    if abstract.copyright:
        out.append(abstract.copyright)
    return out


def footer(rec: Record) -> str:
    lines = []
    if rec.doi:
        lines.append(f"DOI: {rec.doi}")
    pmc = rec.article_id("pmc")
    if pmc:
        lines.append(f"PMCID: {pmc}")
    lines.append(f"PMID: {rec.pmid} [{common.status_wording(rec)}]")
    return "\n".join(lines)


FORMAT = register(
    Format(
        name="abstract",
        title="Abstract (text)",
        media_type="text/plain; charset=utf-8",
        extension="txt",
        render=render,
        efetch=(("abstract", "text"),),
    )
)
