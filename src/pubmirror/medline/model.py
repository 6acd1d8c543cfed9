"""The PubMed record model: what PubMed displays or searches, typed.

Names follow NLM's DTD (``pubmed_250101.dtd``) so a reader of the XML finds every field here under
the name it has there. The model is built on demand from a stored element (see
:mod:`pubmirror.medline.parse`); ingest never builds it (see :mod:`pubmirror.medline.extract`).

Text that may carry inline markup (``<i>``, ``<sup>``, MathML …) is a :class:`Markup`: its
``text`` is what a plain-text display prints, its ``xml`` keeps the markup losslessly.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Markup:
    """Mixed content: ``text`` without tags, ``xml`` the inner XML exactly as stored."""

    text: str
    xml: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date as NLM gives it: any of year/month/day, or a Season, or a free MedlineDate."""

    year: str = ""
    month: str = ""  # as written: "Apr", "04" or "4"
    day: str = ""
    season: str = ""
    medline_date: str = ""
    hour: str = ""
    minute: str = ""


@dataclass(frozen=True, slots=True)
class HistoryDate:
    """One ``PubMedPubDate``: a status (received, accepted, entrez, pubmed, medline …) and a date."""

    status: str
    date: PartialDate


@dataclass(frozen=True, slots=True)
class ISSN:
    value: str
    issn_type: str  # "Print" or "Electronic"


@dataclass(frozen=True, slots=True)
class Journal:
    issns: tuple[ISSN, ...] = ()
    volume: str = ""
    issue: str = ""
    cited_medium: str = ""
    pub_date: PartialDate = PartialDate()
    title: str = ""
    iso_abbreviation: str = ""
    # from MedlineJournalInfo
    medline_ta: str = ""
    nlm_unique_id: str = ""
    issn_linking: str = ""
    country: str = ""


@dataclass(frozen=True, slots=True)
class Identifier:
    """An author's identifier, such as an ORCID (``source="ORCID"``)."""

    source: str
    value: str


@dataclass(frozen=True, slots=True)
class Affiliation:
    text: str
    identifiers: tuple[Identifier, ...] = ()


@dataclass(frozen=True, slots=True)
class Author:
    """A person (last name, fore name, initials, suffix) or a collective (``collective_name``)."""

    last_name: str = ""
    fore_name: str = ""
    initials: str = ""
    suffix: str = ""
    collective_name: str = ""
    affiliations: tuple[Affiliation, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    valid: bool = True
    equal_contrib: bool = False

    @property
    def is_collective(self) -> bool:
        return bool(self.collective_name) and not self.last_name

    @property
    def short_name(self) -> str:
        """PubMed's display form: ``Toubi E``, or the collective name."""
        if self.is_collective:
            return self.collective_name
        parts = [self.last_name, self.initials]
        if self.suffix:
            parts.append(self.suffix)
        return " ".join(p for p in parts if p)

    @property
    def full_name(self) -> str:
        """The MEDLINE ``FAU`` form: ``Toubi, Elias``."""
        if self.is_collective:
            return self.collective_name
        name = self.last_name
        given = self.fore_name or self.initials
        if given:
            name += ", " + given
        if self.suffix:
            name += " " + self.suffix
        return name


@dataclass(frozen=True, slots=True)
class AbstractSection:
    text: Markup
    label: str = ""
    nlm_category: str = ""


@dataclass(frozen=True, slots=True)
class Abstract:
    sections: tuple[AbstractSection, ...] = ()
    copyright: str = ""
    # OtherAbstract only
    abstract_type: str = ""
    language: str = ""

    @property
    def text(self) -> str:
        return " ".join(s.text.text for s in self.sections)


@dataclass(frozen=True, slots=True)
class ELocationID:
    value: str
    eid_type: str  # "doi" or "pii"
    valid: bool = True


@dataclass(frozen=True, slots=True)
class Pagination:
    start_page: str = ""
    end_page: str = ""
    medline_pgn: str = ""


@dataclass(frozen=True, slots=True)
class DataBank:
    name: str
    accession_numbers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Grant:
    grant_id: str = ""
    acronym: str = ""
    agency: str = ""
    country: str = ""


@dataclass(frozen=True, slots=True)
class PublicationType:
    name: str
    ui: str = ""


@dataclass(frozen=True, slots=True)
class Chemical:
    registry_number: str
    name: str
    ui: str = ""


@dataclass(frozen=True, slots=True)
class SupplMeshName:
    name: str
    ui: str = ""
    concept_type: str = ""  # Disease, Protocol, Organism …


@dataclass(frozen=True, slots=True)
class CommentsCorrections:
    ref_type: str  # CommentOn, ErratumIn, RetractionIn …
    ref_source: str
    pmid: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Qualifier:
    name: str
    ui: str = ""
    major: bool = False


@dataclass(frozen=True, slots=True)
class MeshHeading:
    descriptor: str
    descriptor_ui: str = ""
    major: bool = False
    descriptor_type: str = ""  # "Geographic" for a few descriptors
    qualifiers: tuple[Qualifier, ...] = ()

    @property
    def any_major(self) -> bool:
        return self.major or any(q.major for q in self.qualifiers)


@dataclass(frozen=True, slots=True)
class OtherID:
    value: str
    source: str = ""


@dataclass(frozen=True, slots=True)
class Keyword:
    text: Markup
    owner: str = ""
    major: bool = False


@dataclass(frozen=True, slots=True)
class ArticleId:
    value: str
    id_type: str  # pubmed, doi, pmc, pii, mid, pmcid …


@dataclass(frozen=True, slots=True)
class Reference:
    citation: str = ""
    article_ids: tuple[ArticleId, ...] = ()

    @property
    def pmid(self) -> str:
        return next((a.value for a in self.article_ids if a.id_type == "pubmed"), "")


@dataclass(frozen=True, slots=True)
class BookSection:
    title: str = ""
    location_label: str = ""


@dataclass(frozen=True, slots=True)
class ItemList:
    """A Bookshelf ``ItemList``: a typed list such as a GeneReviews chapter's ``Synonyms``."""

    list_type: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Book:
    """Book fields of a ``PubmedBookArticle`` (NCBI Bookshelf)."""

    title: Markup = Markup("", "")
    publisher: str = ""
    publisher_location: str = ""
    pub_date: PartialDate = PartialDate()
    volume: str = ""
    edition: str = ""
    collection_title: str = ""
    medium: str = ""
    report_number: str = ""
    isbns: tuple[str, ...] = ()
    editors: tuple[Author, ...] = ()
    location_label: str = ""  # chapter label, when the record is a chapter
    sections: tuple[BookSection, ...] = ()
    article_title: Markup | None = None  # chapter title
    authors: tuple[Author, ...] = ()  # the Book's own AuthorList Type="authors" (whole-book records)
    volume_title: str = ""
    beginning_date: PartialDate | None = None  # a serial book's publication span
    ending_date: PartialDate | None = None
    contribution_date: PartialDate | None = None  # BookDocument ContributionDate ("Initial Posting")
    item_lists: tuple[ItemList, ...] = ()


@dataclass(slots=True)
class Record:
    """One PubMed citation (``PubmedArticle``, ``MedlineCitation`` or ``PubmedBookArticle``)."""

    pmid: str
    version: int = 1
    kind: str = "article"  # "article" or "book"
    status: str = ""  # MEDLINE, PubMed-not-MEDLINE, In-Process, In-Data-Review, Publisher …
    owner: str = ""
    indexing_method: str = ""
    version_date: str = ""
    version_id: str = ""  # MedlineCitation VersionID, set on the rare versioned citations
    date_completed: PartialDate | None = None
    date_revised: PartialDate | None = None
    date_created: PartialDate | None = None  # older (pre-2017) files only
    pub_model: str = ""
    journal: Journal = field(default_factory=Journal)
    title: Markup = Markup("", "")
    vernacular_title: Markup | None = None
    pagination: Pagination = field(default_factory=Pagination)
    elocation_ids: list[ELocationID] = field(default_factory=list)
    abstract: Abstract | None = None
    other_abstracts: list[Abstract] = field(default_factory=list)
    authors: list[Author] = field(default_factory=list)
    authors_complete: bool = True
    investigators: list[Author] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    databanks: list[DataBank] = field(default_factory=list)
    grants: list[Grant] = field(default_factory=list)
    publication_types: list[PublicationType] = field(default_factory=list)
    article_dates: list[tuple[str, PartialDate]] = field(default_factory=list)  # (DateType, date)
    chemicals: list[Chemical] = field(default_factory=list)
    suppl_mesh: list[SupplMeshName] = field(default_factory=list)
    citation_subsets: list[str] = field(default_factory=list)
    comments_corrections: list[CommentsCorrections] = field(default_factory=list)
    gene_symbols: list[str] = field(default_factory=list)
    mesh_headings: list[MeshHeading] = field(default_factory=list)
    personal_name_subjects: list[Author] = field(default_factory=list)
    other_ids: list[OtherID] = field(default_factory=list)
    keywords: list[Keyword] = field(default_factory=list)
    general_notes: list[str] = field(default_factory=list)
    coi_statement: str = ""
    number_of_references: str = ""
    space_flight_missions: list[str] = field(default_factory=list)
    # PubmedData
    history: list[HistoryDate] = field(default_factory=list)
    publication_status: str = ""
    article_ids: list[ArticleId] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    book: Book | None = None

    def article_id(self, id_type: str) -> str:
        """The first ArticleId of a type (``doi``, ``pmc``, ``pii``, ``mid`` …), or ``""``."""
        return next((a.value for a in self.article_ids if a.id_type == id_type), "")

    def history_date(self, status: str) -> PartialDate | None:
        return next((h.date for h in self.history if h.status == status), None)

    @property
    def doi(self) -> str:
        found = self.article_id("doi")
        if found:
            return found
        return next((e.value for e in self.elocation_ids if e.eid_type == "doi"), "")
