"""Ingest's fast path: from one record element, the search fields and nothing else.

Building the full :class:`~pubmirror.medline.model.Record` for each of 40 M records would make
ingest several times slower, so ingest calls :func:`search_fields` instead. It walks the element's
children once, dispatching on the tag, and never uses path expressions (lxml evaluates those in
Python, which measured five times slower). The result is a plain dict keyed by PubMed's own field
tags (``ti``, ``ab``, ``mh``, ``au`` …); the index layer maps those names to its schema. A test
checks these fields against ones derived from the full model for every record of the sample.

Keyword values are lower-cased here (the index stores them untokenized); text values are kept as
written (the index's analyzer tokenizes them). Dates are ``YYYYMMDD`` integers with ``00`` for an
unknown month or day, so that ``2005[dp]`` is the range 20050000–20051299.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from lxml import etree

from pubmirror.medline.dates import MONTHS, SEASONS, date_of_parts, medline_date_int, month_number

Fields = dict[str, Any]
Handler = Callable[[etree._Element, Fields], None]

_PAGE_END = re.compile(r"[-,;]")  # "35-41", "5, 30", "1788; discussion 1791": the first page

# PubMedPubDate statuses whose dates PubMed searches under their own tags.
HISTORY_TAGS = {"entrez": "crdt", "pubmed": "edat", "medline": "mhda"}


def text_of(elem: etree._Element | None) -> str:
    """All text inside an element, markup dropped (``<i>x</i>y`` → ``xy``)."""
    if elem is None:
        return ""
    if not len(elem):
        return elem.text or ""
    return etree.tostring(elem, method="text", encoding="unicode", with_tail=False)


def date_int(elem: etree._Element | None) -> int:
    """A PubDate/DateCompleted/PubMedPubDate element as ``YYYYMMDD`` (0 when unknown)."""
    if elem is None:
        return 0
    return date_of_parts((str(part.tag), part.text or "") for part in elem)


def add(fields: Fields, key: str, value: str) -> None:
    if value:
        if key in fields:
            fields[key].append(value)
        else:
            fields[key] = [value]


def lower_text(elem: etree._Element) -> str:
    return (elem.text or "").strip().lower()


def search_fields(elem: etree._Element) -> tuple[int, int, Fields]:
    """``(pmid, version, fields)`` for a PubmedArticle, PubmedBookArticle or MedlineCitation."""
    tag = elem.tag
    if tag == "PubmedBookArticle":
        from pubmirror.medline.extract_book import book_fields

        return book_fields(elem)
    fields: Fields = {"flags": []}
    citation = elem if tag == "MedlineCitation" else None
    for child in elem:
        if child.tag == "MedlineCitation":
            citation = child
        elif child.tag == "PubmedData":
            pubmed_data_fields(child, fields)
    if citation is None:
        raise ValueError(f"<{tag}> has no MedlineCitation")
    fields["stat"] = [citation.get("Status", "").lower()]
    fields["own"] = [citation.get("Owner", "NLM").lower()]  # the DTD's default
    pmid, version = 0, 1
    for child in citation:
        ctag = child.tag
        if ctag == "PMID":
            pmid, version = int(child.text or "0"), int(child.get("Version", "1"))
            continue
        handler = CITATION.get(str(ctag))
        if handler is not None:
            handler(child, fields)
    if "crdt" not in fields and "created" in fields:  # pre-2017 files have no history dates
        fields["crdt"] = fields["edat"] = fields["created"]
    fields.pop("created", None)
    return pmid, version, fields


def _date_into(key: str) -> Handler:
    def handler(elem: etree._Element, f: Fields) -> None:
        f[key] = date_int(elem)

    return handler


def _journal_info(info: etree._Element, f: Fields) -> None:
    for el in info:
        tag = el.tag
        if tag in ("MedlineTA", "ISSNLinking"):
            add(f, "ta", lower_text(el))
            if tag == "MedlineTA" and lower_text(el):
                f["sort_ta"] = lower_text(el)  # the Journal sort's key
        elif tag == "NlmUniqueID":
            add(f, "jid", lower_text(el))
        elif tag == "Country":
            add(f, "pl", lower_text(el))


def _chemicals(chemicals: etree._Element, f: Fields) -> None:
    for chem in chemicals:
        for el in chem:
            if el.tag == "NameOfSubstance":
                add(f, "nm", lower_text(el))
            elif el.tag == "RegistryNumber" and el.text != "0":
                add(f, "rn", lower_text(el))


def _suppl_mesh(names: etree._Element, f: Fields) -> None:
    for el in names:
        add(f, "nm", lower_text(el))


def _subset(el: etree._Element, f: Fields) -> None:
    add(f, "sb", lower_text(el))


def _mesh(headings: etree._Element, f: Fields) -> None:
    # The hottest loop of ingest (about 15 values a record): local lists, one merge at the end.
    terms: list[str] = []
    mh: list[str] = []
    majr: list[str] = []
    sh: list[str] = []
    pairs: list[str] = []
    major_pairs: list[str] = []
    for heading in headings.iterchildren(etree.Element):
        # The descriptor is the heading's first element, its qualifiers the QualifierNames after
        # it; a heading without one is skipped (only damaged records have such headings).
        desc = next(heading.iterchildren(etree.Element), None)
        if desc is None:
            continue
        text = desc.text or ""
        name, ui = text.lower(), desc.get("UI", "").lower()
        terms.append(text)
        major = desc.get("MajorTopicYN") == "Y"
        mh += (name, ui)
        if major:
            majr += (name, ui)
        for qual in desc.itersiblings("QualifierName"):
            qtext = qual.text or ""
            qname = qtext.lower()
            terms.append(qtext)
            sh.append(qname)
            pair = f"{name}/{qname}"  # by name only: PubMed's term/subheading syntax
            pairs.append(pair)
            qmajor = qual.get("MajorTopicYN") == "Y"
            if major or qmajor:
                major_pairs.append(pair)
            if qmajor and not major:  # a starred subheading makes its heading a major topic
                majr += (name, ui)
    for key, values in (("mh", mh), ("majr", majr), ("sh", sh), ("mhsh", pairs),
                        ("majrsh", major_pairs), ("mesh_text", terms)):  # fmt: skip
        values = [v for v in values if v] if key != "mesh_text" else values
        if values:
            f.setdefault(key, []).extend(values)


def _personal_names(names: etree._Element, f: Fields) -> None:
    for el in names:
        add(f, "ps", person_names(el)[0])


def _other_id(el: etree._Element, f: Fields) -> None:
    add(f, "oid", lower_text(el))


def _keywords(keywords: etree._Element, f: Fields) -> None:
    for el in keywords:
        word = text_of(el)
        add(f, "ot", word.strip().lower())
        add(f, "ot_text", word)


def _genes(genes: etree._Element, f: Fields) -> None:
    for el in genes:
        add(f, "gs", lower_text(el))


def _investigators(investigators: etree._Element, f: Fields) -> None:
    for el in investigators:
        short, full = person_names(el)
        add(f, "ir", short)
        add(f, "fir", full)
        _ids_and_affiliations(el, f)


def _other_abstract(el: etree._Element, f: Fields) -> None:
    add(f, "oab", " ".join(text_of(t) for t in el if t.tag == "AbstractText"))


def _flight(el: etree._Element, f: Fields) -> None:
    add(f, "sfm", lower_text(el))


def _article(art: etree._Element, f: Fields) -> None:
    for el in art:
        handler = ARTICLE.get(str(el.tag))
        if handler is not None:
            handler(el, f)


def _journal(journal: etree._Element, f: Fields) -> None:
    for el in journal:
        tag = el.tag
        if tag in ("ISSN", "Title", "ISOAbbreviation"):
            add(f, "ta", lower_text(el))
        elif tag == "JournalIssue":
            for part in el:
                if part.tag == "Volume":
                    add(f, "vi", lower_text(part))
                elif part.tag == "Issue":
                    add(f, "ip", lower_text(part))
                elif part.tag == "PubDate":
                    f["dp"] = date_int(part)


def _title(key: str) -> Handler:
    def handler(el: etree._Element, f: Fields) -> None:
        add(f, key, text_of(el))

    return handler


def _pagination(el: etree._Element, f: Fields) -> None:
    pages = {part.tag: part.text or "" for part in el}
    first = pages.get("StartPage") or _PAGE_END.split(pages.get("MedlinePgn", ""))[0]
    add(f, "pg", first.strip().lower())


def _elocation(el: etree._Element, f: Fields) -> None:
    add(f, "aid", lower_text(el))


def _abstract(el: etree._Element, f: Fields) -> None:
    texts = [text_of(t) for t in el if t.tag == "AbstractText"]
    if texts:
        f["ab"] = [" ".join(texts)]
        f["flags"].append("hasabstract")


def _authors(authors: etree._Element, f: Fields) -> None:
    authors_fields(authors, f)


def _language(el: etree._Element, f: Fields) -> None:
    add(f, "la", lower_text(el))


def _databanks(banks: etree._Element, f: Fields) -> None:
    for bank in banks:
        name = (bank.findtext("DataBankName") or "").lower()
        for acc in bank.iter("AccessionNumber"):
            add(f, "si", f"{name}/{lower_text(acc)}")


def _grants(grants: etree._Element, f: Fields) -> None:
    for grant in grants:
        for el in grant:
            if el.tag in ("GrantID", "Acronym", "Agency", "Country"):
                add(f, "gr", lower_text(el))


def _publication_types(types: etree._Element, f: Fields) -> None:
    for el in types:
        add(f, "pt", lower_text(el))


def _article_date(el: etree._Element, f: Fields) -> None:
    if el.get("DateType", "Electronic") == "Electronic":
        f["dep"] = date_int(el)


NAME_PARTS = ("LastName", "ForeName", "Initials", "Suffix", "CollectiveName")


def _affiliation(el: etree._Element, f: Fields) -> None:
    """Pre-2015 files: the article's one Affiliation (the first author's), no AffiliationInfo."""
    add(f, "ad", text_of(el))


def person_names(el: etree._Element) -> tuple[str, str]:
    """PubMed's short (``toubi e``) and full (``toubi, elias``) search forms, lower-cased."""
    parts = {p.tag: " ".join(text_of(p).split()) for p in el if p.tag in NAME_PARTS}
    last = parts.get("LastName", "")
    if not last:
        name = parts.get("CollectiveName", "").strip().lower()
        return name, name
    initials, suffix = parts.get("Initials", ""), parts.get("Suffix", "")
    short = f"{last} {initials}".strip()
    full = f"{last}, {parts.get('ForeName') or initials}".rstrip(", ")
    if suffix:
        short, full = f"{short} {suffix}", f"{full} {suffix}"
    return short.lower(), full.lower()


def authors_fields(authors: etree._Element, f: Fields) -> None:
    """au/fau/cn/auid/ad and first/last author from an AuthorList."""
    short_names: list[str] = []
    for author in authors:
        short, full = person_names(author)
        if author.find("LastName") is None:
            add(f, "cn", short)
        else:
            short_names.append(short)
            add(f, "au", short)
            add(f, "fau", full)
        _ids_and_affiliations(author, f)
    if short_names:
        f["1au"] = [short_names[0]]
        f["lastau"] = [short_names[-1]]
        f["sort_au"] = short_names[0]


def _ids_and_affiliations(person: etree._Element, f: Fields) -> None:
    """An author's or investigator's identifiers (auid) and affiliations (ad)."""
    for el in person:
        if el.tag == "Identifier":
            add(f, "auid", lower_text(el))
        elif el.tag == "AffiliationInfo":
            add(f, "ad", text_of(el.find("Affiliation")))
        elif el.tag == "Affiliation":  # pre-2015 files: no AffiliationInfo
            add(f, "ad", text_of(el))


def pubmed_data_fields(data: etree._Element, f: Fields) -> None:
    """History dates, ArticleIds and the reference list's PMIDs from PubmedData/PubmedBookData."""
    for part in data:
        tag = part.tag
        if tag == "History":
            for el in part:
                key = HISTORY_TAGS.get(el.get("PubStatus", ""))
                if key and key not in f:
                    f[key] = date_int(el)
        elif tag == "ArticleIdList":
            for el in part:
                if el.get("IdType", "pubmed") != "pubmed":  # the DTD's default
                    add(f, "aid", lower_text(el))
        elif tag == "ReferenceList":
            _references(part, f)
        elif tag == "PublicationStatus":
            add(f, "pubstatus", lower_text(part))


def _references(refs: etree._Element, f: Fields) -> None:
    for el in refs.iter("ArticleId"):
        if el.get("IdType", "pubmed") == "pubmed" and (el.text or "").strip().isdigit():
            f.setdefault("refs", []).append(int(el.text.strip()))  # type: ignore[union-attr]


CITATION: dict[str, Handler] = {
    "DateCompleted": _date_into("dcom"),
    "DateRevised": _date_into("lr"),
    "DateCreated": _date_into("created"),
    "Article": _article,
    "MedlineJournalInfo": _journal_info,
    "ChemicalList": _chemicals,
    "SupplMeshList": _suppl_mesh,
    "CitationSubset": _subset,
    "MeshHeadingList": _mesh,
    "PersonalNameSubjectList": _personal_names,
    "OtherID": _other_id,
    "KeywordList": _keywords,
    "GeneSymbolList": _genes,
    "InvestigatorList": _investigators,
    "OtherAbstract": _other_abstract,
    "SpaceFlightMission": _flight,
}

ARTICLE: dict[str, Handler] = {
    "Journal": _journal,
    "ArticleTitle": _title("ti"),
    "VernacularTitle": _title("tt"),
    "Pagination": _pagination,
    "ELocationID": _elocation,
    "Abstract": _abstract,
    "AuthorList": _authors,
    "Language": _language,
    "DataBankList": _databanks,
    "GrantList": _grants,
    "PublicationTypeList": _publication_types,
    "ArticleDate": _article_date,
    "Affiliation": _affiliation,
}


# The compiled twin (``_cwalk.pyx``) gives the same fields about four times faster; ingest uses
# it when it was built (``pip install`` builds it where Cython and a C compiler are available).
# Its ``scan_fields`` goes further: it reads a record's original bytes without lxml, or declines
# (None) and leaves the record to lxml; without the extension it always declines.
# ``scan_similar`` reads only what Similar articles needs (title, abstract, MeSH headings);
# ``scan_stream`` gives the fields as one bytes object, which index backends can encode without a
# Python object per value (its layout: ``_cwalk.scan_stream``).
try:
    from pubmirror.medline._cwalk import scan_fields, scan_similar, scan_stream
    from pubmirror.medline._cwalk import search_fields as fast_search_fields
except ModuleNotFoundError:  # pragma: no cover - a build without the extension
    # Only a missing module: any other ImportError (an import cycle, say) must not quietly
    # leave ingest on the Python path.
    fast_search_fields = search_fields

    def scan_fields(data: bytes) -> tuple[int, int, Fields] | None:
        return None

    def scan_similar(data: bytes) -> Fields | None:
        return None

    def scan_stream(data: bytes) -> tuple[int, int, bytes] | None:
        return None
