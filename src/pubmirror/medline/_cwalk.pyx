# cython: language_level=3
"""The compiled twin of :func:`pubmirror.medline.extract.search_fields`.

Same input (an lxml element), same output (``(pmid, version, fields)``), but the record's tree is
walked through libxml2's node structs, which lxml exposes in its public C API, instead of through
lxml's Python proxies: creating a proxy per element cost more than the rest of extraction. Only
struct fields are read; no libxml2 function is called, so nothing is linked but Python.

``extract.py`` stays the reference: tests check that both give identical fields on every record we
have, and ingest falls back to it when this module was not built.
"""

from libc.string cimport strcmp, strlen
from lxml.includes.etreepublic cimport _Element, import_lxml__etree
from lxml.includes.tree cimport xmlAttr, xmlNode

from pubmirror.medline import extract as _py

import_lxml__etree()

cdef int ELEMENT = 1
cdef int TEXT = 3
cdef int CDATA = 4

include "_xmlscan.pxi"

# The walker reads libxml2's trees (records parsed by lxml) and the scanner's (records it
# accepted) through one fused type: the code is written once and compiled for each.
ctypedef fused Tree:
    xmlNode
    Node

cdef dict MONTHS = _py.MONTHS
cdef dict SEASONS = _py.SEASONS
cdef dict HISTORY_TAGS = _py.HISTORY_TAGS
_medline_date_int = _py.medline_date_int
_PAGE_END = _py._PAGE_END


cdef inline bint is_tag(Tree* n, const char* name):
    return n.type == ELEMENT and strcmp(<const char*>n.name, name) == 0


cdef inline str decode(const unsigned char* s):
    if s == NULL:
        return ""
    return (<const char*>s)[:strlen(<const char*>s)].decode("utf-8")


cdef str direct_text(Tree* n):
    """lxml's ``.text``: the text nodes before the first child element."""
    cdef Tree* c = n.children
    cdef list parts = []
    while c != NULL and (c.type == TEXT or c.type == CDATA):
        parts.append(decode(c.content))
        c = c.next
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else "".join(parts)


cdef void collect_text(Tree* n, list out):
    cdef Tree* c = n.children
    while c != NULL:
        if c.type == TEXT or c.type == CDATA:
            out.append(decode(c.content))
        elif c.type == ELEMENT:
            collect_text(c, out)
        c = c.next


cdef str all_text(Tree* n):
    """All text inside an element, markup dropped (``text_of``)."""
    if n == NULL:
        return ""
    cdef list parts = []
    collect_text(n, parts)
    return "".join(parts)


cdef str attr(Tree* n, const char* name, str default):
    if Tree is Node:
        return node_attr(n.properties, name, default)
    else:
        return xml_attr(n.properties, name, default)


cdef str xml_attr(xmlAttr* a, const char* name, str default):
    while a != NULL:
        if strcmp(<const char*>a.name, name) == 0:
            return "" if a.children == NULL else decode(a.children.content)
        a = a.next
    return default


cdef str node_attr(Attr* a, const char* name, str default):
    while a != NULL:
        if strcmp(<const char*>a.name, name) == 0:
            return decode(a.children.content)
        a = a.next
    return default


cdef inline str lower_text(Tree* n):
    return direct_text(n).strip().lower()


cdef inline void add(dict f, str key, str value):
    if value:
        lst = f.get(key)
        if lst is None:
            f[key] = [value]
        else:
            (<list>lst).append(value)


cdef void add_children(Tree* n, dict f, str key):
    """``lower_text`` of each child element under ``key`` (lists such as PublicationTypeList)."""
    cdef Tree* c = n.children
    while c != NULL:
        if c.type == ELEMENT:
            add(f, key, lower_text(c))
        c = c.next


cdef list abstract_texts(Tree* n):
    cdef list texts = []
    cdef Tree* c = n.children
    while c != NULL:
        if is_tag(c, "AbstractText"):
            texts.append(all_text(c))
        c = c.next
    return texts


cdef bint abstract(Tree* n, dict f):
    """``ab``: an Abstract's sections as one value; whether it has any."""
    cdef list texts = abstract_texts(n)
    if texts:
        f["ab"] = [" ".join(texts)]
    return bool(texts)


cdef Tree* child(Tree* n, const char* name):
    cdef Tree* c = n.children
    while c != NULL:
        if is_tag(c, name):
            return c
        c = c.next
    return NULL


cdef int month_number(str value):
    value = value.strip().lower()
    if value.isdigit():
        return int(value)
    return MONTHS.get(value[:3], 0)


cdef long date_int(Tree* n):
    if n == NULL:
        return 0
    cdef long year = 0, month = 0, day = 0
    cdef Tree* c = n.children
    cdef str value
    while c != NULL:
        if c.type == ELEMENT:
            value = direct_text(c)
            if is_tag(c, "Year"):
                if value.isdigit():
                    year = int(value)
            elif is_tag(c, "Month"):
                month = month_number(value)
            elif is_tag(c, "Day"):
                if value.isdigit():
                    day = int(value)
            elif is_tag(c, "Season"):
                month = SEASONS.get(value.strip().lower(), 0) or month_number(value)
            elif is_tag(c, "MedlineDate"):
                return _medline_date_int(value)
        c = c.next
    return year * 10000 + month * 100 + day if year else 0


cdef tuple person_names(Tree* n):
    cdef str last = "", fore = "", initials = "", suffix = "", collective = ""
    cdef Tree* c = n.children
    while c != NULL:
        if c.type == ELEMENT:
            if is_tag(c, "LastName"):
                last = " ".join(all_text(c).split())
            elif is_tag(c, "ForeName"):
                fore = " ".join(all_text(c).split())
            elif is_tag(c, "Initials"):
                initials = " ".join(all_text(c).split())
            elif is_tag(c, "Suffix"):
                suffix = " ".join(all_text(c).split())
            elif is_tag(c, "CollectiveName"):
                collective = " ".join(all_text(c).split())
        c = c.next
    if not last:
        name = collective.strip().lower()
        return name, name
    short = f"{last} {initials}".strip()
    full = f"{last}, {fore or initials}".rstrip(", ")
    if suffix:
        short, full = f"{short} {suffix}", f"{full} {suffix}"
    return short.lower(), full.lower()


cdef void ids_and_affiliations(Tree* person, dict f):
    cdef Tree* c = person.children
    while c != NULL:
        if is_tag(c, "Identifier"):
            add(f, "auid", lower_text(c))
        elif is_tag(c, "AffiliationInfo"):
            add(f, "ad", all_text(child(c, "Affiliation")))
        elif is_tag(c, "Affiliation"):
            add(f, "ad", all_text(c))
        c = c.next


cdef void authors_fields(Tree* authors, dict f):
    cdef list short_names = []
    cdef Tree* a = authors.children
    while a != NULL:
        if a.type == ELEMENT:
            short, full = person_names(a)
            if child(a, "LastName") == NULL:
                add(f, "cn", short)
            else:
                short_names.append(short)
                add(f, "au", short)
                add(f, "fau", full)
            ids_and_affiliations(a, f)
        a = a.next
    if short_names:
        f["1au"] = [short_names[0]]
        f["lastau"] = [short_names[-1]]
        f["sort_au"] = short_names[0]


cdef void mesh(Tree* headings, dict f):
    cdef list terms = [], mh = [], majr = [], sh = [], pairs = [], major_pairs = []
    cdef Tree* h = headings.children
    cdef Tree* d
    cdef Tree* q
    cdef bint major, qmajor
    while h != NULL:
        if h.type == ELEMENT:
            d = h.children
            while d != NULL and d.type != ELEMENT:
                d = d.next
            if d != NULL:
                text = direct_text(d)
                name = text.lower()
                ui = attr(d, "UI", "").lower()
                terms.append(text)
                major = attr(d, "MajorTopicYN", "") == "Y"
                mh.append(name)
                mh.append(ui)
                if major:
                    majr.append(name)
                    majr.append(ui)
                q = d.next
                while q != NULL:
                    if is_tag(q, "QualifierName"):
                        qtext = direct_text(q)
                        qname = qtext.lower()
                        terms.append(qtext)
                        sh.append(qname)
                        pair = f"{name}/{qname}"
                        pairs.append(pair)
                        qmajor = attr(q, "MajorTopicYN", "") == "Y"
                        if major or qmajor:
                            major_pairs.append(pair)
                        if qmajor and not major:
                            majr.append(name)
                            majr.append(ui)
                    q = q.next
        h = h.next
    for key, values in (("mh", mh), ("majr", majr), ("sh", sh), ("mhsh", pairs),
                        ("majrsh", major_pairs)):
        values = [v for v in values if v]
        if values:
            f.setdefault(key, []).extend(values)
    if terms:
        f.setdefault("mesh_text", []).extend(terms)


cdef void journal(Tree* j, dict f):
    cdef Tree* c = j.children
    cdef Tree* p
    while c != NULL:
        if is_tag(c, "ISSN") or is_tag(c, "Title") or is_tag(c, "ISOAbbreviation"):
            add(f, "ta", lower_text(c))
        elif is_tag(c, "JournalIssue"):
            p = c.children
            while p != NULL:
                if is_tag(p, "Volume"):
                    add(f, "vi", lower_text(p))
                elif is_tag(p, "Issue"):
                    add(f, "ip", lower_text(p))
                elif is_tag(p, "PubDate"):
                    f["dp"] = date_int(p)
                p = p.next
        c = c.next


cdef void pagination(Tree* n, dict f):
    cdef str start = "", medline = ""
    cdef Tree* c = n.children
    while c != NULL:
        if is_tag(c, "StartPage"):
            start = direct_text(c)
        elif is_tag(c, "MedlinePgn"):
            medline = direct_text(c)
        c = c.next
    first = start or _PAGE_END.split(medline)[0]
    add(f, "pg", first.strip().lower())


cdef void article(Tree* art, dict f):
    cdef Tree* c = art.children
    cdef Tree* p
    while c != NULL:
        if c.type != ELEMENT:
            pass
        elif is_tag(c, "Journal"):
            journal(c, f)
        elif is_tag(c, "ArticleTitle"):
            add(f, "ti", all_text(c))
        elif is_tag(c, "VernacularTitle"):
            add(f, "tt", all_text(c))
        elif is_tag(c, "Pagination"):
            pagination(c, f)
        elif is_tag(c, "ELocationID"):
            add(f, "aid", lower_text(c))
        elif is_tag(c, "Abstract"):
            if abstract(c, f):
                f["flags"].append("hasabstract")
        elif is_tag(c, "AuthorList"):
            authors_fields(c, f)
        elif is_tag(c, "Language"):
            add(f, "la", lower_text(c))
        elif is_tag(c, "DataBankList"):
            databanks(c, f)
        elif is_tag(c, "GrantList"):
            p = c.children
            while p != NULL:
                if p.type == ELEMENT:
                    grant(p, f)
                p = p.next
        elif is_tag(c, "PublicationTypeList"):
            add_children(c, f, "pt")
        elif is_tag(c, "ArticleDate"):
            if attr(c, "DateType", "Electronic") == "Electronic":
                f["dep"] = date_int(c)
        elif is_tag(c, "Affiliation"):
            add(f, "ad", all_text(c))
        c = c.next


cdef void grant(Tree* g, dict f):
    cdef Tree* c = g.children
    while c != NULL:
        if (is_tag(c, "GrantID") or is_tag(c, "Acronym") or is_tag(c, "Agency")
                or is_tag(c, "Country")):
            add(f, "gr", lower_text(c))
        c = c.next


cdef void databanks(Tree* banks, dict f):
    cdef Tree* b = banks.children
    cdef Tree* nm
    cdef list accs
    while b != NULL:
        if b.type == ELEMENT:
            nm = child(b, "DataBankName")
            name = direct_text(nm).lower() if nm != NULL else ""
            accs = []
            collect_named(b, "AccessionNumber", accs)
            for value in accs:
                add(f, "si", f"{name}/{value}")
        b = b.next


cdef void collect_named(Tree* n, const char* name, list out):
    """``lower_text`` of every descendant named ``name``, in document order."""
    cdef Tree* c = n.children
    while c != NULL:
        if c.type == ELEMENT:
            if strcmp(<const char*>c.name, name) == 0:
                out.append(lower_text(c))
            collect_named(c, name, out)
        c = c.next


cdef void references(Tree* n, dict f):
    cdef Tree* c = n.children
    cdef str text
    while c != NULL:
        if c.type == ELEMENT:
            if strcmp(<const char*>c.name, "ArticleId") == 0:
                if attr(c, "IdType", "pubmed") == "pubmed":
                    text = direct_text(c).strip()
                    if text.isdigit():
                        f.setdefault("refs", []).append(int(text))
            references(c, f)
        c = c.next


cdef void pubmed_data(Tree* data, dict f):
    cdef Tree* part = data.children
    cdef Tree* el
    while part != NULL:
        if is_tag(part, "History"):
            el = part.children
            while el != NULL:
                if el.type == ELEMENT:
                    key = HISTORY_TAGS.get(attr(el, "PubStatus", ""))
                    if key and key not in f:
                        f[key] = date_int(el)
                el = el.next
        elif is_tag(part, "ArticleIdList"):
            el = part.children
            while el != NULL:
                if el.type == ELEMENT and attr(el, "IdType", "pubmed") != "pubmed":
                    add(f, "aid", lower_text(el))
                el = el.next
        elif is_tag(part, "ReferenceList"):
            references(part, f)
        elif is_tag(part, "PublicationStatus"):
            add(f, "pubstatus", lower_text(part))
        part = part.next


cdef void citation_child(Tree* c, dict f):
    cdef Tree* p
    cdef Tree* q
    if is_tag(c, "DateCompleted"):
        f["dcom"] = date_int(c)
    elif is_tag(c, "DateRevised"):
        f["lr"] = date_int(c)
    elif is_tag(c, "DateCreated"):
        f["created"] = date_int(c)
    elif is_tag(c, "Article"):
        article(c, f)
    elif is_tag(c, "MedlineJournalInfo"):
        p = c.children
        while p != NULL:
            if is_tag(p, "MedlineTA") or is_tag(p, "ISSNLinking"):
                add(f, "ta", lower_text(p))
                if is_tag(p, "MedlineTA") and lower_text(p):
                    f["sort_ta"] = lower_text(p)
            elif is_tag(p, "NlmUniqueID"):
                add(f, "jid", lower_text(p))
            elif is_tag(p, "Country"):
                add(f, "pl", lower_text(p))
            p = p.next
    elif is_tag(c, "ChemicalList"):
        p = c.children
        while p != NULL:
            if p.type == ELEMENT:
                q = p.children
                while q != NULL:
                    if is_tag(q, "NameOfSubstance"):
                        add(f, "nm", lower_text(q))
                    elif is_tag(q, "RegistryNumber") and direct_text(q) != "0":
                        add(f, "rn", lower_text(q))
                    q = q.next
            p = p.next
    elif is_tag(c, "SupplMeshList"):
        add_children(c, f, "nm")
    elif is_tag(c, "CitationSubset"):
        add(f, "sb", lower_text(c))
    elif is_tag(c, "MeshHeadingList"):
        mesh(c, f)
    elif is_tag(c, "PersonalNameSubjectList"):
        p = c.children
        while p != NULL:
            if p.type == ELEMENT:
                add(f, "ps", person_names(p)[0])
            p = p.next
    elif is_tag(c, "OtherID"):
        add(f, "oid", lower_text(c))
    elif is_tag(c, "KeywordList"):
        p = c.children
        while p != NULL:
            if p.type == ELEMENT:
                word = all_text(p)
                add(f, "ot", word.strip().lower())
                add(f, "ot_text", word)
            p = p.next
    elif is_tag(c, "GeneSymbolList"):
        add_children(c, f, "gs")
    elif is_tag(c, "InvestigatorList"):
        p = c.children
        while p != NULL:
            if p.type == ELEMENT:
                short, full = person_names(p)
                add(f, "ir", short)
                add(f, "fir", full)
                ids_and_affiliations(p, f)
            p = p.next
    elif is_tag(c, "OtherAbstract"):
        add(f, "oab", " ".join(abstract_texts(c)))
    elif is_tag(c, "SpaceFlightMission"):
        add(f, "sfm", lower_text(c))


def search_fields(_Element elem not None):
    """``(pmid, version, fields)``, exactly as :func:`pubmirror.medline.extract.search_fields`."""
    cdef xmlNode* root = elem._c_node
    if is_tag(root, "PubmedBookArticle"):
        return _py.search_fields(elem)
    return walk(root, elem.tag)


def scan_fields(bytes data not None):
    """The same from a record's original bytes, or None when the scanner declines the record
    (parse it with lxml then). Book records are declined: their fields come from Python."""
    cdef Node* root = scan(data)
    if root == NULL or is_tag(root, "PubmedBookArticle"):
        return None
    return walk(root, decode(root.name))


def scan_similar(bytes data not None):
    """The fields Similar articles reads (``ti``, ``ab``, and the MeSH ones), exactly as
    :func:`scan_fields` gives them, from a walk of only the title, abstract and headings; None
    when the scanner declines the record or it is a book."""
    cdef dict fields = {}
    cdef Node* citation
    cdef Node* c
    cdef Node* a
    cdef Node* root = scan(data)
    if root == NULL or is_tag(root, "PubmedBookArticle"):
        return None
    citation = root if is_tag(root, "MedlineCitation") else child(root, "MedlineCitation")
    if citation == NULL:
        return None
    c = citation.children
    while c != NULL:
        if is_tag(c, "Article"):
            a = c.children
            while a != NULL:
                if is_tag(a, "ArticleTitle"):
                    add(fields, "ti", all_text(a))
                elif is_tag(a, "Abstract"):
                    abstract(a, fields)
                a = a.next
        elif is_tag(c, "MeshHeadingList"):
            mesh(c, fields)
        c = c.next
    return fields


cdef tuple walk(Tree* root, str tag):
    cdef dict fields = {"flags": []}
    cdef Tree* citation = root if is_tag(root, "MedlineCitation") else NULL
    cdef Tree* c = root.children
    while c != NULL:
        if is_tag(c, "MedlineCitation"):
            citation = c
        elif is_tag(c, "PubmedData"):
            pubmed_data(c, fields)
        c = c.next
    if citation == NULL:
        raise ValueError(f"<{tag}> has no MedlineCitation")
    fields["stat"] = [attr(citation, "Status", "").lower()]
    fields["own"] = [attr(citation, "Owner", "NLM").lower()]
    pmid, version = 0, 1
    c = citation.children
    while c != NULL:
        if c.type == ELEMENT:
            if is_tag(c, "PMID"):
                pmid, version = int(direct_text(c) or "0"), int(attr(c, "Version", "1"))
            else:
                citation_child(c, fields)
        c = c.next
    if "crdt" not in fields and "created" in fields:
        fields["crdt"] = fields["edat"] = fields["created"]
    fields.pop("created", None)
    return pmid, version, fields

