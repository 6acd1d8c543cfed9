"""Search fields of a ``PubmedBookArticle`` (NCBI Bookshelf records), the book twin of extract."""

from __future__ import annotations

from lxml import etree

from pubmirror.medline.extract import (
    Fields,
    add,
    authors_fields,
    date_int,
    person_names,
    pubmed_data_fields,
    text_of,
)


def book_fields(elem: etree._Element) -> tuple[int, int, Fields]:
    doc = elem.find("BookDocument")
    if doc is None:
        raise ValueError("<PubmedBookArticle> has no BookDocument")
    pmid_el = doc.find("PMID")
    pmid = int(pmid_el.text or "0") if pmid_el is not None else 0
    version = int(pmid_el.get("Version", "1")) if pmid_el is not None else 1
    f: Fields = {"flags": ["book"], "stat": ["publisher"], "own": ["nlm"]}
    book = doc.find("Book")
    if book is not None:
        add(f, "ti", text_of(book.find("BookTitle")))
        add(f, "ta", (book.findtext("CollectionTitle") or "").lower())
        add(f, "ti", text_of(book.find("CollectionTitle")))  # [ti]: "as well as the collection title"
        add(f, "pl", (book.findtext("Publisher/PublisherLocation") or "").strip().lower())
        add(f, "vi", (book.findtext("Volume") or "").lower())
        for el in book.iterfind("Isbn"):
            add(f, "isbn", (el.text or "").replace("-", "").lower())
        f["dp"] = date_int(book.find("PubDate"))
        own_authors = any(a.get("Type", "authors") == "authors" for a in doc.iterfind("AuthorList"))
        for authors in book.iterfind("AuthorList"):
            if authors.get("Type", "authors") == "editors":
                _editors(authors, f)
            elif not own_authors:  # a whole book: the book's authors are the record's authors
                authors_fields(authors, f)
    add(f, "ti", text_of(doc.find("ArticleTitle")))
    add(f, "tt", text_of(doc.find("VernacularTitle")))
    abstract = [text_of(t) for t in doc.iterfind("Abstract/AbstractText")]
    if abstract:
        f["ab"] = [" ".join(abstract)]
        f["flags"].append("hasabstract")
    for authors in doc.iterfind("AuthorList"):
        if authors.get("Type", "authors") == "authors":
            authors_fields(authors, f)
        else:
            _editors(authors, f)
    for el in doc.iterfind("Language"):
        add(f, "la", (el.text or "").lower())
    for el in doc.iterfind("PublicationType"):
        add(f, "pt", (el.text or "").lower())
    for el in doc.iterfind("KeywordList/Keyword"):
        add(f, "ot", text_of(el).lower())
        add(f, "ot_text", text_of(el))
    for el in doc.iterfind("ArticleIdList/ArticleId"):
        if el.get("IdType", "pubmed") != "pubmed":
            add(f, "aid", (el.text or "").strip().lower())
    for el in doc.iterfind("GrantList/Grant"):
        for part in el:
            if part.tag in ("GrantID", "Acronym", "Agency", "Country"):
                add(f, "gr", (part.text or "").strip().lower())
    f["lr"] = date_int(doc.find("DateRevised"))
    data = elem.find("PubmedBookData")
    if data is not None:
        pubmed_data_fields(data, f)
    return pmid, version, f


def _editors(authors: etree._Element, f: Fields) -> None:
    for el in authors.iterfind("Author"):
        short, full = person_names(el)
        add(f, "ed", short)
        add(f, "fed", full)
