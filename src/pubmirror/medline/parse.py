"""Build a :class:`~pubmirror.medline.model.Record` from one stored PubMed XML element.

The stored unit is one serialized record element: ``<PubmedArticle>``, ``<PubmedBookArticle>`` or,
from pre-2017 ``MedlineCitationSet`` files, a bare ``<MedlineCitation>``. Element names follow
NLM's ``pubmed_250101.dtd``.

Policy: a missing element gives the model's empty default, never an exception, because real files
omit nearly everything the DTD marks optional (and older DTDs lacked elements newer ones require).
Only an element that is not a record at all raises :class:`ValueError`.

Because the DTD is never loaded (see :data:`_PARSER`), its attribute defaults are not filled in by
the parser; the code applies them where they change meaning (``ValidYN="Y"``, ``IdType="pubmed"``,
``Owner="NLM"`` …).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import cast

from lxml import etree

from pubmirror.medline.model import (
    ISSN,
    Abstract,
    AbstractSection,
    Affiliation,
    ArticleId,
    Author,
    Book,
    BookSection,
    Chemical,
    CommentsCorrections,
    DataBank,
    ELocationID,
    Grant,
    HistoryDate,
    Identifier,
    ItemList,
    Journal,
    Keyword,
    Markup,
    MeshHeading,
    OtherID,
    Pagination,
    PartialDate,
    PublicationType,
    Qualifier,
    Record,
    Reference,
    SupplMeshName,
)

Element = etree._Element

# One parser for the process: building a parser per record costs more than parsing a small record.
# It never resolves entities, loads a DTD or touches the network, so stored bytes cannot make the
# parser read files or URLs (XXE); huge_tree lifts libxml2's limits that records with thousands of
# authors or investigators (e.g. PMID 33761533) would otherwise hit.
_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=True,
    remove_blank_text=False,
)

_RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle", "MedlineCitation", "BookDocument")


# --------------------------------------------------------------------------- public interface


def parse_record(data: bytes) -> Record:
    """Parse one serialized record element (see the module docstring) into a :class:`Record`.

    Raises :class:`ValueError` if ``data`` is not well-formed XML or its root is not a record.
    """
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        # One exception type for callers: malformed bytes are as unusable as a non-record root.
        raise ValueError(f"not well-formed PubMed record XML: {exc}") from exc
    return record_from_element(root)


def record_from_element(elem: Element) -> Record:
    """Build a :class:`Record` from a ``PubmedArticle``, ``PubmedBookArticle`` or ``MedlineCitation``.

    A bare ``BookDocument`` (from ``BookDocumentSet`` files) is accepted too.
    """
    tag = elem.tag if isinstance(elem.tag, str) else type(elem).__name__
    if tag == "PubmedArticle":
        return _pubmed_article(elem)
    if tag == "MedlineCitation":
        return _citation(elem)
    if tag == "PubmedBookArticle":
        return _book_article(elem)
    if tag == "BookDocument":
        return _book_document(elem)
    raise ValueError(
        f"<{tag}> is not a PubMed record element; expected one of "
        + ", ".join(f"<{t}>" for t in _RECORD_TAGS)
    )


# --------------------------------------------------------------------------- small helpers


def _find(parent: Element | None, path: str) -> Element | None:
    """``parent.find(path)`` that tolerates a missing parent, so lookups chain without checks."""
    return None if parent is None else parent.find(path)


def _find_all(parent: Element | None, path: str) -> list[Element]:
    return [] if parent is None else parent.findall(path)


def _itertext(elem: Element) -> str:
    # lxml-stubs type itertext() as str | bytes; a parsed tree's text nodes are always str.
    return "".join(cast("Iterator[str]", elem.itertext()))


def _all_text(elem: Element | None) -> str:
    """The element's text with inline markup dropped, trimmed (for plain, non-markup fields)."""
    return "" if elem is None else _itertext(elem).strip()


def _text(parent: Element | None, path: str) -> str:
    return _all_text(_find(parent, path))


def _texts(parent: Element | None, path: str) -> list[str]:
    return [_all_text(e) for e in _find_all(parent, path)]


def _attr(elem: Element | None, name: str, default: str = "") -> str:
    if elem is None:
        return default
    return str(elem.get(name, default)).strip()


def _yes(elem: Element | None, name: str, default: str = "N") -> bool:
    """A ``…YN`` attribute as a bool, with the DTD default applied when it is absent."""
    return _attr(elem, name, default) == "Y"


def _escape(value: str) -> str:
    # The same escaping lxml applies to text nodes, so `xml` round-trips to what was stored.
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _markup(elem: Element) -> Markup:
    """Mixed content: plain text (all text nodes, untrimmed) and the inner XML.

    Children are serialized one by one (each with its tail) so the element's own tag and attributes
    are left out. lxml adds a namespace declaration to a child only when the child uses a prefix
    declared above it; PubMed declares ``xmlns:mml`` on each ``<mml:math>``, so none is added.
    """
    inner = _escape(elem.text or "") + "".join(
        etree.tostring(child, encoding="unicode") for child in elem
    )
    return Markup(_itertext(elem), inner)


def _markup_or_none(elem: Element | None) -> Markup | None:
    return None if elem is None else _markup(elem)


def _date(elem: Element | None) -> PartialDate | None:
    """Any NLM date element: PubDate, DateCompleted, PubMedPubDate, BeginningDate …"""
    if elem is None:
        return None
    return PartialDate(
        year=_text(elem, "Year"),
        month=_text(elem, "Month"),
        day=_text(elem, "Day"),
        season=_text(elem, "Season"),
        medline_date=_text(elem, "MedlineDate"),
        hour=_text(elem, "Hour"),
        minute=_text(elem, "Minute"),
    )


def _version(pmid: Element | None) -> int:
    """PMID ``Version`` (> 1 only for the few versioned citations); 1 when absent or malformed."""
    try:
        return int(_attr(pmid, "Version", "1"))
    except ValueError:
        return 1


# --------------------------------------------------------------------------- people


def _identifiers(elem: Element) -> tuple[Identifier, ...]:
    return tuple(Identifier(_attr(i, "Source"), _all_text(i)) for i in elem.iterfind("Identifier"))


def _affiliations(person: Element) -> tuple[Affiliation, ...]:
    found = [
        Affiliation(_text(info, "Affiliation"), _identifiers(info))
        for info in person.iterfind("AffiliationInfo")
    ]
    # Pre-2015 files put a bare <Affiliation> directly in <Author>, without AffiliationInfo.
    found += [Affiliation(_all_text(a)) for a in person.iterfind("Affiliation")]
    return tuple(found)


def _person(elem: Element) -> Author:
    """An Author, Investigator or PersonalNameSubject (they share the name elements)."""
    return Author(
        last_name=_text(elem, "LastName"),
        fore_name=_text(elem, "ForeName"),
        initials=_text(elem, "Initials"),
        suffix=_text(elem, "Suffix"),
        collective_name=_text(elem, "CollectiveName"),
        affiliations=_affiliations(elem),
        identifiers=_identifiers(elem),
        valid=_yes(elem, "ValidYN", "Y"),
        equal_contrib=_yes(elem, "EqualContrib"),
    )


def _people(parent: Element | None, path: str) -> list[Author]:
    return [_person(e) for e in _find_all(parent, path)]


# --------------------------------------------------------------------------- shared sections


def _abstract(elem: Element | None) -> Abstract | None:
    """An Abstract or OtherAbstract (the latter adds Type and Language)."""
    if elem is None:
        return None
    sections = tuple(
        AbstractSection(_markup(t), _attr(t, "Label"), _attr(t, "NlmCategory"))
        for t in elem.iterfind("AbstractText")
    )
    is_other = elem.tag == "OtherAbstract"
    return Abstract(
        sections=sections,
        copyright=_text(elem, "CopyrightInformation"),
        abstract_type=_attr(elem, "Type"),
        language=_attr(elem, "Language", "eng") if is_other else "",
    )


def _keywords(parent: Element | None) -> list[Keyword]:
    return [
        Keyword(_markup(k), _attr(kl, "Owner", "NLM"), _yes(k, "MajorTopicYN"))
        for kl in _find_all(parent, "KeywordList")
        for k in kl.iterfind("Keyword")
    ]


def _grants(parent: Element | None) -> list[Grant]:
    return [
        Grant(_text(g, "GrantID"), _text(g, "Acronym"), _text(g, "Agency"), _text(g, "Country"))
        for g in _find_all(parent, "GrantList/Grant")
    ]


def _article_ids(id_list: Element | None) -> list[ArticleId]:
    return [
        ArticleId(_all_text(a), _attr(a, "IdType", "pubmed"))
        for a in _find_all(id_list, "ArticleId")
    ]


def _references(parent: Element | None) -> list[Reference]:
    """All references, flattened: a ReferenceList may nest further ReferenceLists (DTD order)."""
    found: list[Reference] = []
    for ref_list in _find_all(parent, "ReferenceList"):
        found.extend(
            Reference(_text(r, "Citation"), tuple(_article_ids(r.find("ArticleIdList"))))
            for r in ref_list.iterfind("Reference")
        )
        found.extend(_references(ref_list))
    return found


def _elocation_ids(parent: Element | None) -> list[ELocationID]:
    return [
        ELocationID(_all_text(e), _attr(e, "EIdType"), _yes(e, "ValidYN", "Y"))
        for e in _find_all(parent, "ELocationID")
    ]


def _pagination(elem: Element | None) -> Pagination:
    return Pagination(_text(elem, "StartPage"), _text(elem, "EndPage"), _text(elem, "MedlinePgn"))


def _publication_types(elems: Iterable[Element]) -> list[PublicationType]:
    return [PublicationType(_all_text(p), _attr(p, "UI")) for p in elems]


def _fill_pubmed_data(record: Record, data: Element | None) -> None:
    """PubmedData / PubmedBookData: history, publication status, ids and references."""
    if data is None:
        return  # MedlineCitationSet files carry none of it
    record.history = [
        HistoryDate(_attr(d, "PubStatus"), _date(d) or PartialDate())
        for d in data.iterfind("History/PubMedPubDate")
    ]
    record.publication_status = _text(data, "PublicationStatus")
    # Extend, not replace: a BookDocument has its own ArticleIdList (bookaccession, doi) too.
    record.article_ids.extend(_article_ids(data.find("ArticleIdList")))
    record.references.extend(_references(data))


# --------------------------------------------------------------------------- journal articles


def _pubmed_article(elem: Element) -> Record:
    citation = elem.find("MedlineCitation")
    record = _citation(citation) if citation is not None else Record(pmid="")
    _fill_pubmed_data(record, elem.find("PubmedData"))
    return record


def _citation(cit: Element) -> Record:
    pmid = cit.find("PMID")
    record = Record(
        pmid=_all_text(pmid),
        version=_version(pmid),
        status=_attr(cit, "Status"),
        owner=_attr(cit, "Owner", "NLM"),
        indexing_method=_attr(cit, "IndexingMethod"),
        version_date=_attr(cit, "VersionDate"),
        version_id=_attr(cit, "VersionID"),
        date_completed=_date(cit.find("DateCompleted")),
        date_revised=_date(cit.find("DateRevised")),
        date_created=_date(cit.find("DateCreated")),
    )
    _fill_article(record, cit.find("Article"), cit.find("MedlineJournalInfo"))
    _fill_indexing(record, cit)
    _fill_notes(record, cit)
    return record


def _journal(article: Element | None, info: Element | None) -> Journal:
    journal = _find(article, "Journal")
    issue = _find(journal, "JournalIssue")
    return Journal(
        issns=tuple(ISSN(_all_text(i), _attr(i, "IssnType")) for i in _find_all(journal, "ISSN")),
        volume=_text(issue, "Volume"),
        issue=_text(issue, "Issue"),
        cited_medium=_attr(issue, "CitedMedium"),
        pub_date=_date(_find(issue, "PubDate")) or PartialDate(),
        title=_text(journal, "Title"),
        iso_abbreviation=_text(journal, "ISOAbbreviation"),
        medline_ta=_text(info, "MedlineTA"),
        nlm_unique_id=_text(info, "NlmUniqueID"),
        issn_linking=_text(info, "ISSNLinking"),
        country=_text(info, "Country"),
    )


def _fill_article(record: Record, article: Element | None, info: Element | None) -> None:
    """The Article element: journal, title, pages, abstract, authors, languages, types …"""
    record.pub_model = _attr(article, "PubModel")
    record.journal = _journal(article, info)
    title = _find(article, "ArticleTitle")
    record.title = _markup(title) if title is not None else Markup("", "")
    record.vernacular_title = _markup_or_none(_find(article, "VernacularTitle"))
    record.pagination = _pagination(_find(article, "Pagination"))
    record.elocation_ids = _elocation_ids(article)
    record.abstract = _abstract(_find(article, "Abstract"))
    author_list = _find(article, "AuthorList")
    record.authors = _with_article_affiliation(_people(author_list, "Author"), article)
    record.authors_complete = _yes(author_list, "CompleteYN", "Y")
    record.languages = _texts(article, "Language")
    record.databanks = [
        DataBank(_text(d, "DataBankName"), tuple(_texts(d, "AccessionNumberList/AccessionNumber")))
        for d in _find_all(article, "DataBankList/DataBank")
    ]
    record.grants = _grants(article)
    record.publication_types = _publication_types(_find_all(article, "PublicationTypeList/*"))
    record.article_dates = [
        (_attr(d, "DateType", "Electronic"), _date(d) or PartialDate())
        for d in _find_all(article, "ArticleDate")
    ]


def _with_article_affiliation(authors: list[Author], article: Element | None) -> list[Author]:
    """Pre-2014 files give one <Affiliation> in <Article>; it is the first author's."""
    affiliation = _text(article, "Affiliation")
    if not affiliation or not authors or authors[0].affiliations:
        return authors
    first = authors[0]
    moved = Author(
        first.last_name, first.fore_name, first.initials, first.suffix, first.collective_name,
        (Affiliation(affiliation),), first.identifiers, first.valid, first.equal_contrib,
    )  # fmt: skip
    return [moved, *authors[1:]]


def _mesh_heading(heading: Element) -> MeshHeading:
    descriptor = heading.find("DescriptorName")
    return MeshHeading(
        descriptor=_all_text(descriptor),
        descriptor_ui=_attr(descriptor, "UI"),
        major=_yes(descriptor, "MajorTopicYN"),
        descriptor_type=_attr(descriptor, "Type"),
        qualifiers=tuple(
            Qualifier(_all_text(q), _attr(q, "UI"), _yes(q, "MajorTopicYN"))
            for q in heading.iterfind("QualifierName")
        ),
    )


def _chemical(chem: Element) -> Chemical:
    name = chem.find("NameOfSubstance")
    return Chemical(_text(chem, "RegistryNumber"), _all_text(name), _attr(name, "UI"))


def _fill_indexing(record: Record, cit: Element) -> None:
    """NLM indexing: chemicals, supplementary concepts, subsets, MeSH, keywords."""
    record.chemicals = [_chemical(c) for c in cit.iterfind("ChemicalList/Chemical")]
    record.suppl_mesh = [
        SupplMeshName(_all_text(s), _attr(s, "UI"), _attr(s, "Type"))
        for s in cit.iterfind("SupplMeshList/SupplMeshName")
    ]
    record.citation_subsets = _texts(cit, "CitationSubset")
    record.gene_symbols = _texts(cit, "GeneSymbolList/GeneSymbol")
    record.mesh_headings = [_mesh_heading(h) for h in cit.iterfind("MeshHeadingList/MeshHeading")]
    record.personal_name_subjects = _people(cit, "PersonalNameSubjectList/PersonalNameSubject")
    record.keywords = _keywords(cit)


def _fill_notes(record: Record, cit: Element) -> None:
    """Links, other ids and abstracts, investigators and the free-text notes."""
    record.comments_corrections = [
        CommentsCorrections(_attr(c, "RefType"), _text(c, "RefSource"), _text(c, "PMID"), _text(c, "Note"))
        for c in cit.iterfind("CommentsCorrectionsList/CommentsCorrections")
    ]
    record.number_of_references = _text(cit, "NumberOfReferences")
    record.other_ids = [OtherID(_all_text(o), _attr(o, "Source")) for o in cit.iterfind("OtherID")]
    record.other_abstracts = [
        a for a in (_abstract(o) for o in cit.iterfind("OtherAbstract")) if a is not None
    ]
    record.coi_statement = _text(cit, "CoiStatement")
    record.space_flight_missions = _texts(cit, "SpaceFlightMission")
    record.investigators = _people(cit, "InvestigatorList/Investigator")
    record.general_notes = _texts(cit, "GeneralNote")


# --------------------------------------------------------------------------- books (Bookshelf)


def _book_article(elem: Element) -> Record:
    doc = elem.find("BookDocument")
    record = _book_document(doc) if doc is not None else Record(pmid="", kind="book")
    _fill_pubmed_data(record, elem.find("PubmedBookData"))
    return record


def _split_author_lists(parent: Element | None) -> tuple[list[Author], list[Author]]:
    """(authors, editors) from a parent's AuthorLists; a list without Type holds authors."""
    authors: list[Author] = []
    editors: list[Author] = []
    for author_list in _find_all(parent, "AuthorList"):
        target = editors if _attr(author_list, "Type") == "editors" else authors
        target.extend(_people(author_list, "Author"))
    return authors, editors


def _sections(parent: Element | None) -> list[BookSection]:
    """Sections flattened depth-first (a Section may hold sub-Sections)."""
    found: list[BookSection] = []
    for section in _find_all(parent, "Section"):
        found.append(BookSection(_text(section, "SectionTitle"), _text(section, "LocationLabel")))
        found.extend(_sections(section))
    return found


def _book(doc: Element, doc_editors: list[Author]) -> Book:
    book = doc.find("Book")
    title = _find(book, "BookTitle")
    book_authors, editors = _split_author_lists(book)
    return Book(
        title=_markup(title) if title is not None else Markup("", ""),
        publisher=_text(book, "Publisher/PublisherName"),
        publisher_location=_text(book, "Publisher/PublisherLocation"),
        pub_date=_date(_find(book, "PubDate")) or PartialDate(),
        volume=_text(book, "Volume"),
        edition=_text(book, "Edition"),
        collection_title=_text(book, "CollectionTitle"),
        medium=_text(book, "Medium"),
        report_number=_text(book, "ReportNumber"),
        isbns=tuple(_texts(book, "Isbn")),
        editors=tuple(editors + doc_editors),
        location_label=_text(doc, "LocationLabel"),
        sections=tuple(_sections(doc.find("Sections"))),
        article_title=_markup_or_none(doc.find("ArticleTitle")),
        authors=tuple(book_authors),
        volume_title=_text(book, "VolumeTitle"),
        beginning_date=_date(_find(book, "BeginningDate")),
        ending_date=_date(_find(book, "EndingDate")),
        contribution_date=_date(doc.find("ContributionDate")),
        item_lists=tuple(
            ItemList(_attr(il, "ListType"), tuple(_texts(il, "Item"))) for il in doc.iterfind("ItemList")
        ),
    )


def _book_document(doc: Element) -> Record:
    """A BookDocument: a whole book, or a chapter/section of one (then ArticleTitle is set)."""
    pmid = doc.find("PMID")
    authors, doc_editors = _split_author_lists(doc)
    book = _book(doc, doc_editors)
    # CompleteYN of the list the authors came from (lxml elements must not be tested for truth).
    author_list = _find(doc, "AuthorList")
    if author_list is None:
        author_list = _find(doc, "Book/AuthorList")
    return Record(
        pmid=_all_text(pmid),
        version=_version(pmid),
        kind="book",
        date_revised=_date(doc.find("DateRevised")),
        # What PubMed shows as the title: the chapter's, else the book's.
        title=book.article_title or book.title,
        vernacular_title=_markup_or_none(doc.find("VernacularTitle")),
        pagination=_pagination(doc.find("Pagination")),
        elocation_ids=_elocation_ids(doc.find("Book")),
        abstract=_abstract(doc.find("Abstract")),
        # A whole-book record has no AuthorList of its own; PubMed cites the book's authors.
        authors=authors or list(book.authors),
        authors_complete=_yes(author_list, "CompleteYN", "Y"),
        investigators=_people(doc, "InvestigatorList/Investigator")
        + _people(doc, "Book/InvestigatorList/Investigator"),
        languages=_texts(doc, "Language"),
        grants=_grants(doc),
        publication_types=_publication_types(doc.iterfind("PublicationType")),
        keywords=_keywords(doc),
        article_ids=_article_ids(doc.find("ArticleIdList")),
        references=_references(doc),
        book=book,
    )
