"""NCBI's MEDLINE/PubMed tagged format (efetch ``rettype=medline``, web "PubMed" format, .nbib).

Line layout, as in NCBI's files (``shared/data/biopython/Medline``, ``Entrez_history/efetch2.txt``):

* ``TAG - value``: the tag left-justified and space-padded to four characters, then ``- ``.
* Long values wrap onto continuation lines indented six spaces, at spaces. NCBI has used two
  rules; both are implemented (:func:`wrap`) and each is tested on real NCBI lines:

  - "current" (default; NCBI's output since the 2020 PubMed, e.g. records revised 2021–2025):
    greedy fill while the line's text is at most 81 characters, and every wrapped line keeps
    the space after its last word (so wrapped lines end in a space, 88 characters at most).
  - "legacy" (the 2002–2012 files in ``shared/data/biopython/Medline`` and
    ``Entrez_history/efetch2.txt``, all at most 87 characters): cut the text at 81 characters;
    if a space follows the cut, break there and drop it; if the cut falls just after a space,
    keep that space at the end of the line; otherwise go back to the last space, break there
    and drop it. Such files never hold a line of exactly 80 characters of text. Both rules
    break at the same places; they differ in the trailing space only.
* Every record starts with an empty line (the file starts with one; records are separated by
  one), and every line ends with ``\\n``.

Tag order follows current NCBI output: PMID OWN STAT DA DCOM LR IS VI IP DP TI PG LID AB CI
(FAU AU AUID AD, CN)… LA SI GR PT RF TT DEP PL TA JT JID RN NM SB GS (CIN CON EIN … from
CommentsCorrections) MH PS/FPS PMC MID OID OAB/OABL OTO/OT GN COIS IR/FIR/IRAD SFM EDAT MHDA PMCR
CRDT PHST AID PST SO. Placement of NM, PS/FPS, OAB/OABL, GN, SFM and RF is our best reading of
NCBI records, not verified against a sample. Book records use PMID STAT DRDT PB DP TI BTI
(CTI, EN, ISBN) AB CI FED/ED FAU/AU/AD LA PT PL OTO/OT EDAT MHDA CRDT PHST AID SO.

Values: dates ``YYYYMMDD`` (DCOM, LR, DEP, DA); EDAT = ``pubmed`` history date, MHDA =
``medline``, CRDT = ``entrez`` (the User Guide: entrez is the Create Date [crdt], pubmed the Entry
Date [edat]), all ``YYYY/MM/DD HH:MM``; PHST lines ``YYYY/MM/DD HH:MM [status]`` for every
history date in XML order (current NCBI output carries a time on all of them, ``00:00`` when
NLM has none; NCBI's 2009-era files omitted it); ``MH`` with ``*`` on the major descriptor or
qualifier; ``IS`` one line per ISSN plus ``(Linking)``; ``RN number (name)``; ``GR`` the grant's
id/acronym/agency/country joined by ``/``; ``AID``/``LID`` ``value [type]``; ``OID source:
value``; CommentsCorrections ``RefSource. PMID: n``. Deviations: ``PUBM`` (pre-2010) is not
written; ``Cites``/``ReprintIn``/``ReprintOf`` comments have no MEDLINE tag and are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from pubmirror.formats import common
from pubmirror.formats.registry import Entry, Format, register
from pubmirror.medline.model import Author, Book, MeshHeading, Record

WIDTH_CURRENT = 81  # characters of value per line, not counting the kept trailing space
WIDTH_LEGACY = 81  # 87 with the six-character prefix

Field = tuple[str, str]

COMMENT_TAGS = {
    "CommentOn": "CON",
    "CommentIn": "CIN",
    "ErratumIn": "EIN",
    "ErratumFor": "EFR",
    "CorrectedandRepublishedIn": "CRI",
    "CorrectedandRepublishedFrom": "CRF",
    "RetractionIn": "RIN",
    "RetractionOf": "ROF",
    "PartialRetractionIn": "PRIN",
    "PartialRetractionOf": "PROF",
    "RepublishedFrom": "RPF",
    "RepublishedIn": "RPI",
    "RetractedandRepublishedIn": "RRI",
    "RetractedandRepublishedFrom": "RRF",
    "SummaryForPatientsIn": "SPIN",
    "OriginalReportIn": "ORI",
    "UpdateIn": "UIN",
    "UpdateOf": "UOF",
    "ExpressionOfConcernIn": "ECI",
    "ExpressionOfConcernFor": "ECF",
    "DatasetDescribedIn": "DDIN",
    "DatasetUseReportedIn": "DRIN",
}

_NOT_AID = {"pubmed", "pmc", "pmcid", "mid", "pmcpid", "pmpid", "medline"}
_SPACES = re.compile(r"\s+")


# --- layout ---------------------------------------------------------------------------------


def wrap(text: str, style: str = "current") -> list[str]:
    """Split a value into NCBI's lines: ``style`` "current" (default) or "legacy"."""
    return wrap_legacy(text) if style == "legacy" else wrap_current(text)


def wrap_current(text: str, width: int = WIDTH_CURRENT) -> list[str]:
    """Today's rule: fill words while the line holds at most 81 characters, and keep the space
    after the last word of every wrapped line."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line + " ")
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return lines


def wrap_legacy(text: str, width: int = WIDTH_LEGACY) -> list[str]:
    """The 2002–2012 rule: cut at 81; break there if a space follows (dropping it), keep the
    space if the cut falls just after one, else go back to the last space (dropping it)."""
    lines = []
    while len(text) > width:
        if text[width] == " ":
            lines.append(text[:width])
            text = text[width + 1 :]
        elif text[width - 1] == " ":
            lines.append(text[:width])
            text = text[width:]
        else:
            cut = text.rfind(" ", 0, width)
            if cut <= 0:
                lines.append(text[:width])
                text = text[width:]
            else:
                lines.append(text[:cut])
                text = text[cut + 1 :]
    lines.append(text)
    return lines


def format_field(tag: str, value: str, style: str = "current") -> str:
    """One field as NCBI prints it, each line ending in ``\\n``."""
    first, *rest = wrap(_SPACES.sub(" ", value).strip(), style)
    out = f"{tag:<4}- {first}\n"
    return out + "".join(f"      {line}\n" for line in rest)


def render(entries: Sequence[Entry]) -> str:
    return "".join(record_text(e.record) for e in entries)


def record_text(rec: Record) -> str:
    """One record: an empty line, then its fields."""
    return "\n" + "".join(format_field(tag, value) for tag, value in fields(rec) if value)


# --- fields ---------------------------------------------------------------------------------


def fields(rec: Record) -> list[Field]:
    """All fields of a record, in NCBI's order."""
    if rec.book is not None:
        return list(_book_fields(rec, rec.book))
    return [*_head(rec), *_article(rec), *_journal_info(rec), *_indexing(rec), *_ids(rec),
            *_tail(rec)]


def _head(rec: Record) -> Iterator[Field]:
    yield "PMID", rec.pmid
    yield "OWN", rec.owner
    yield "STAT", rec.status
    for tag, date in (("DA", rec.date_created), ("DCOM", rec.date_completed),
                      ("LR", rec.date_revised)):
        if date is not None:
            yield tag, common.yyyymmdd(date)


def _article(rec: Record) -> Iterator[Field]:
    j = rec.journal
    for issn in j.issns:
        yield "IS", f"{issn.value} ({issn.issn_type})"
    if j.issn_linking:
        yield "IS", f"{j.issn_linking} (Linking)"
    yield "VI", j.volume
    yield "IP", j.issue
    yield "DP", common.cited_date(j.pub_date)
    yield "TI", rec.title.text
    yield "PG", common.pages(rec)
    for eid in rec.elocation_ids:
        yield "LID", f"{eid.value} [{eid.eid_type}]"
    if rec.abstract is not None:
        yield "AB", abstract_text(rec)
        yield "CI", rec.abstract.copyright
    yield from _authors(rec.authors, "FAU", "AU", "AD")
    for lang in rec.languages:
        yield "LA", lang
    for bank in rec.databanks:
        for acc in bank.accession_numbers or ("",):
            yield "SI", f"{bank.name}/{acc}" if acc else bank.name
    for grant in rec.grants:
        yield "GR", "/".join(p for p in (grant.grant_id, grant.acronym, grant.agency,
                                          grant.country) if p)
    for pt in rec.publication_types:
        yield "PT", pt.name
    yield "RF", rec.number_of_references
    if rec.vernacular_title is not None:
        yield "TT", rec.vernacular_title.text
    epub = common.electronic_date(rec)
    if epub is not None:
        yield "DEP", common.yyyymmdd(epub)


def abstract_text(rec: Record) -> str:
    """``AB``: the sections joined by a space, each ``LABEL: text`` when labelled."""
    assert rec.abstract is not None
    return " ".join(f"{s.label}: {s.text.text}" if s.label else s.text.text
                    for s in rec.abstract.sections)


def _authors(authors: list[Author], full: str, short: str, aff: str) -> Iterator[Field]:
    """FAU/AU/AUID/AD per person (FIR/IR/IRAD for investigators); CN for a collective."""
    for a in authors:
        if a.is_collective:
            yield "CN", a.collective_name
        else:
            yield full, a.full_name
            yield short, a.short_name
        for ident in a.identifiers:
            yield "AUID", f"{ident.source}: {ident.value}"
        for affiliation in a.affiliations:
            yield aff, affiliation.text


def _investigators(authors: list[Author]) -> Iterator[Field]:
    """NCBI prints IR before FIR (see a 2009 BMJ record), then IRAD."""
    for a in authors:
        yield "IR", a.short_name
        yield "FIR", a.full_name
        for ident in a.identifiers:
            yield "AUID", f"{ident.source}: {ident.value}"
        for affiliation in a.affiliations:
            yield "IRAD", affiliation.text


def _journal_info(rec: Record) -> Iterator[Field]:
    j = rec.journal
    yield "PL", j.country
    yield "TA", j.medline_ta
    yield "JT", j.title
    yield "JID", j.nlm_unique_id
    for chem in rec.chemicals:
        yield "RN", f"{chem.registry_number} ({chem.name})"
    for scr in rec.suppl_mesh:
        yield "NM", scr.name
    for subset in rec.citation_subsets:
        yield "SB", subset
    for symbol in rec.gene_symbols:
        yield "GS", symbol


def _indexing(rec: Record) -> Iterator[Field]:
    for cc in rec.comments_corrections:
        tag = COMMENT_TAGS.get(cc.ref_type)
        if tag:
            yield tag, comment_value(cc.ref_source, cc.pmid)
    for heading in rec.mesh_headings:
        yield "MH", mesh_term(heading)
    for person in rec.personal_name_subjects:
        yield "PS", person.short_name
        yield "FPS", person.full_name


def comment_value(ref_source: str, pmid: str) -> str:
    """``Nat Aging. 2025 Feb;5(2):333. doi: 10.x. PMID: 39881191`` (NCBI, 2025)."""
    return f"{ref_source.rstrip('.')}. PMID: {pmid}" if pmid else ref_source


def mesh_term(heading: MeshHeading) -> str:
    """``Descriptor/qualifier``; ``*`` marks the major descriptor or qualifier."""
    text = ("*" if heading.major else "") + heading.descriptor
    for q in heading.qualifiers:
        text += "/" + ("*" if q.major else "") + q.name
    return text


def _ids(rec: Record) -> Iterator[Field]:
    yield "PMC", rec.article_id("pmc")
    yield "MID", rec.article_id("mid")
    for oid in rec.other_ids:
        yield "OID", f"{oid.source}: {oid.value}" if oid.source else oid.value
    for other in rec.other_abstracts:
        yield "OAB", " ".join(f"{s.label}: {s.text.text}" if s.label else s.text.text
                              for s in other.sections)
        yield "OABL", other.language
    yield from _keywords(rec)
    for note in rec.general_notes:
        yield "GN", note
    yield "COIS", rec.coi_statement
    yield from _investigators(rec.investigators)
    for mission in rec.space_flight_missions:
        yield "SFM", mission


def _keywords(rec: Record) -> Iterator[Field]:
    """``OTO`` each time the keyword owner changes, then ``OT`` (``*`` for major keywords)."""
    owner: str | None = None
    for kw in rec.keywords:
        if kw.owner != owner:
            owner = kw.owner
            yield "OTO", owner or "NOTNLM"
        yield "OT", ("*" if kw.major else "") + kw.text.text


def _tail(rec: Record) -> Iterator[Field]:
    for tag, status, timed in (("EDAT", "pubmed", True), ("MHDA", "medline", True),
                               ("PMCR", "pmc-release", False), ("CRDT", "entrez", True)):
        date = rec.history_date(status)
        if date is not None:
            yield tag, common.slash_date(date, with_time=timed)
    for h in rec.history:
        yield "PHST", f"{common.slash_date(h.date, with_time=True)} [{h.status}]"
    for aid in rec.article_ids:
        if aid.id_type not in _NOT_AID:
            yield "AID", f"{aid.value} [{aid.id_type}]"
    yield "PST", rec.publication_status
    yield "SO", common.source(rec)


def _book_fields(rec: Record, book: Book) -> Iterator[Field]:
    yield "PMID", rec.pmid
    yield "STAT", rec.status
    if rec.date_revised is not None:
        yield "DRDT", common.yyyymmdd(rec.date_revised)
    yield "PB", book.publisher
    yield "DP", common.cited_date(book.pub_date)
    if book.article_title is not None:
        yield "TI", book.article_title.text
    yield "BTI", book.title.text
    yield "CTI", book.collection_title
    yield "EN", book.edition
    for isbn in book.isbns:
        yield "ISBN", isbn
    if rec.abstract is not None:
        yield "AB", abstract_text(rec)
        yield "CI", rec.abstract.copyright
    for editor in book.editors:
        yield "FED", editor.full_name
        yield "ED", editor.short_name
    yield from _authors(rec.authors, "FAU", "AU", "AD")
    for lang in rec.languages:
        yield "LA", lang
    for pt in rec.publication_types:
        yield "PT", pt.name
    yield "PL", book.publisher_location
    yield from _keywords(rec)
    yield from _tail(rec)


FORMAT = register(
    Format(
        name="medline",
        title="PubMed (MEDLINE tagged)",
        media_type="text/plain; charset=utf-8",
        extension="nbib",
        render=render,
        efetch=(("medline", "text"),),
    )
)
