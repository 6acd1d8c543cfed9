# cython: language_level=3
"""The compiled twin of :func:`pubmirror.medline.extract.search_fields`.

Same input (an lxml element), same output (``(pmid, version, fields)``), but the record's tree is
walked through libxml2's node structs, which lxml exposes in its public C API, instead of through
lxml's Python proxies: creating a proxy per element cost more than the rest of extraction. Only
struct fields are read; no libxml2 function is called, so nothing is linked but Python.

Records ingest reads are not parsed by lxml at all: the scanner (``_xmlscan.pxi``) builds the same
kind of tree from the record's bytes, and the walker reads both kinds through one fused type.
Values go into a byte buffer reused from record to record (``_fieldbuf.pxi``), from which come
either the fields dict (``search_fields``, ``scan_fields``) or, for ingest, a flat byte stream
that the index backend turns into its document without a Python object per value
(``scan_stream``).

``extract.py`` stays the reference: tests check that both give identical fields on every record we
have, and ingest falls back to it when this module was not built.
"""

from libc.string cimport strcmp, strlen
from lxml.includes.etreepublic cimport _Element, import_lxml__etree
from lxml.includes.tree cimport xmlAttr, xmlNode

import threading

from pubmirror.medline import dates as _dates

import_lxml__etree()

# The scanner's arena and the field buffer are one per process: a call holds this lock, so two
# threads never share them, even when the walker calls back into Python or the scanner runs
# without the GIL (which lets another thread, say one feeding tantivy, run meanwhile).
_lock = threading.Lock()

cdef int ELEMENT = 1
cdef int TEXT = 3
cdef int CDATA = 4

include "_xmlscan.pxi"

# The walker reads libxml2's trees (records parsed by lxml) and the scanner's (records it
# accepted) through one fused type: the code is written once and compiled for each.
ctypedef fused Tree:
    xmlNode
    Node

include "_fieldbuf.pxi"

include "_walktext.pxi"


# --- MeSH, journal, article ---------------------------------------------------------------------

cdef int mesh(Tree* headings) except -1:
    """Headings in ``mh``/``majr`` (name and UI), qualifiers in ``sh``, pairs in
    ``mhsh``/``majrsh``, and every descriptor and qualifier name as written in ``mesh_text``."""
    cdef Tree* h = headings.children
    cdef Tree* d
    cdef Tree* q
    cdef bint major, qmajor
    cdef Py_ssize_t text, name, name_len, ui, ui_len, qname, qname_len, pair, pair_len
    while h != NULL:
        if h.type == ELEMENT:
            d = h.children
            while d != NULL and d.type != ELEMENT:
                d = d.next
            if d != NULL:
                text = fb.nb
                direct_text(d)
                put(F_MESH_TEXT, text, fb.nb - text)  # kept even when empty, as extract.py does
                name = fb.nb
                app_copy(text, name - text)
                lower(name)
                name_len = fb.nb - name
                ui = fb.nb
                app_cstr(attr(d, "UI", ""))
                lower(ui)
                ui_len = fb.nb - ui
                major = attr_is(d, "MajorTopicYN", "", "Y")
                add_span(F_MH, name, name_len)
                add_span(F_MH, ui, ui_len)
                if major:
                    add_span(F_MAJR, name, name_len)
                    add_span(F_MAJR, ui, ui_len)
                q = d.next
                while q != NULL:
                    if is_tag(q, "QualifierName"):
                        text = fb.nb
                        direct_text(q)
                        put(F_MESH_TEXT, text, fb.nb - text)
                        qname = fb.nb
                        app_copy(text, qname - text)
                        lower(qname)
                        qname_len = fb.nb - qname
                        add_span(F_SH, qname, qname_len)
                        pair = fb.nb  # by name only: PubMed's term/subheading syntax
                        app_copy(name, name_len)
                        app_byte(47)
                        app_copy(qname, qname_len)
                        pair_len = fb.nb - pair
                        put(F_MHSH, pair, pair_len)
                        qmajor = attr_is(q, "MajorTopicYN", "", "Y")
                        if major or qmajor:
                            put(F_MAJRSH, pair, pair_len)
                        if qmajor and not major:
                            add_span(F_MAJR, name, name_len)
                            add_span(F_MAJR, ui, ui_len)
                    q = q.next
        h = h.next
    return 0


cdef int journal(Tree* j) except -1:
    cdef Tree* c = j.children
    cdef Tree* p
    while c != NULL:
        if is_tag(c, "ISSN") or is_tag(c, "Title") or is_tag(c, "ISOAbbreviation"):
            lower_text(c, F_TA)
        elif is_tag(c, "JournalIssue"):
            p = c.children
            while p != NULL:
                if is_tag(p, "Volume"):
                    lower_text(p, F_VI)
                elif is_tag(p, "Issue"):
                    lower_text(p, F_IP)
                elif is_tag(p, "PubDate"):
                    set_int(F_DP, date_int(p))
                p = p.next
        c = c.next
    return 0


cdef int pagination(Tree* n) except -1:
    """``pg``: StartPage, else MedlinePgn up to its first '-', ',' or ';'."""
    cdef Py_ssize_t start = 0, start_len = 0, pgn = 0, pgn_len = 0, off, i
    cdef Tree* c = n.children
    cdef unsigned char b
    while c != NULL:
        if is_tag(c, "StartPage"):
            start = fb.nb
            direct_text(c)
            start_len = fb.nb - start
        elif is_tag(c, "MedlinePgn"):
            pgn = fb.nb
            direct_text(c)
            pgn_len = fb.nb - pgn
        c = c.next
    off = fb.nb
    if start_len:
        app_copy(start, start_len)
    else:
        for i in range(pgn, pgn + pgn_len):
            b = fb.buf[i]
            if b == 45 or b == 44 or b == 59:
                break
            app_byte(b)
    strip_lower(off)
    add(F_PG, off)
    return 0


cdef int article(Tree* art) except -1:
    cdef Tree* c = art.children
    cdef Tree* p
    cdef Py_ssize_t off
    while c != NULL:
        if c.type != ELEMENT:
            pass
        elif is_tag(c, "Journal"):
            journal(c)
        elif is_tag(c, "ArticleTitle") or is_tag(c, "VernacularTitle"):
            off = fb.nb
            all_text(c)
            add(F_TI if is_tag(c, "ArticleTitle") else F_TT, off)
        elif is_tag(c, "Pagination"):
            pagination(c)
        elif is_tag(c, "ELocationID"):
            lower_text(c, F_AID)
        elif is_tag(c, "Abstract"):
            if abstract(c):
                flag(b"hasabstract")
        elif is_tag(c, "AuthorList"):
            authors_fields(c)
        elif is_tag(c, "Language"):
            lower_text(c, F_LA)
        elif is_tag(c, "DataBankList"):
            databanks(c)
        elif is_tag(c, "GrantList"):
            p = c.children
            while p != NULL:
                if p.type == ELEMENT:
                    grant(p)
                p = p.next
        elif is_tag(c, "PublicationTypeList"):
            add_children(c, F_PT)
        elif is_tag(c, "ArticleDate"):
            if attr_is(c, "DateType", "Electronic", "Electronic"):
                set_int(F_DEP, date_int(c))
        elif is_tag(c, "Affiliation"):
            off = fb.nb
            all_text(c)
            add(F_AD, off)
        c = c.next
    return 0


cdef int grant(Tree* g) except -1:
    cdef Tree* c = g.children
    while c != NULL:
        if (is_tag(c, "GrantID") or is_tag(c, "Acronym") or is_tag(c, "Agency")
                or is_tag(c, "Country")):
            lower_text(c, F_GR)
        c = c.next
    return 0


cdef int databanks(Tree* banks) except -1:
    """``si``: ``bank/accession`` for every AccessionNumber under each DataBank."""
    cdef Tree* b = banks.children
    cdef Tree* nm
    cdef Py_ssize_t name
    while b != NULL:
        if b.type == ELEMENT:
            nm = child(b, "DataBankName")
            name = fb.nb
            if nm != NULL:
                direct_text(nm)
                lower(name)
            accessions(b, name, fb.nb - name)
        b = b.next
    return 0


cdef int accessions(Tree* n, Py_ssize_t name, Py_ssize_t name_len) except -1:
    cdef Tree* c = n.children
    cdef Py_ssize_t value, value_len, si
    while c != NULL:
        if c.type == ELEMENT:
            if strcmp(<const char*>c.name, "AccessionNumber") == 0:
                value = fb.nb
                direct_text(c)
                strip_lower(value)
                value_len = fb.nb - value
                si = fb.nb
                app_copy(name, name_len)
                app_byte(47)
                app_copy(value, value_len)
                put(F_SI, si, fb.nb - si)
            accessions(c, name, name_len)
        c = c.next
    return 0


cdef int references(Tree* n) except -1:
    """``refs``: the PMIDs a reference list cites (ArticleIds of type pubmed, at any depth)."""
    cdef Tree* c = n.children
    cdef Py_ssize_t off
    while c != NULL:
        if c.type == ELEMENT:
            if strcmp(<const char*>c.name, "ArticleId") == 0:
                if attr_is(c, "IdType", "pubmed", "pubmed"):
                    off = fb.nb
                    direct_text(c)
                    strip(off)
                    if digits(off, fb.nb) and fb.nb - off <= 18:
                        put_int(F_REFS, number(off, fb.nb))
                    elif not is_ascii(off):
                        text = value_str(off)
                        if text.isdigit():
                            put_int(F_REFS, int(text))
                    elif digits(off, fb.nb):
                        raise ValueError(f"reference PMID out of range: {value_str(off)}")
                    fb.nb = off
            references(c)
        c = c.next
    return 0


cdef int history_key(const unsigned char* status) noexcept:
    """HISTORY_TAGS of extract.py: the PubMedPubDate statuses searched under their own tags."""
    if strcmp(<const char*>status, "entrez") == 0:
        return F_CRDT
    if strcmp(<const char*>status, "pubmed") == 0:
        return F_EDAT
    if strcmp(<const char*>status, "medline") == 0:
        return F_MHDA
    return -1


cdef int pubmed_data(Tree* data) except -1:
    cdef Tree* part = data.children
    cdef Tree* el
    cdef int key
    while part != NULL:
        if is_tag(part, "History"):
            el = part.children
            while el != NULL:
                if el.type == ELEMENT:
                    key = history_key(attr(el, "PubStatus", ""))
                    if key >= 0 and not fb.present[key]:
                        set_int(key, date_int(el))
                el = el.next
        elif is_tag(part, "ArticleIdList"):
            el = part.children
            while el != NULL:
                if el.type == ELEMENT and not attr_is(el, "IdType", "pubmed", "pubmed"):
                    lower_text(el, F_AID)
                el = el.next
        elif is_tag(part, "ReferenceList"):
            references(part)
        elif is_tag(part, "PublicationStatus"):
            lower_text(part, F_PUBSTATUS)
        part = part.next
    return 0


cdef int citation_child(Tree* c) except -1:
    cdef Tree* p
    cdef Tree* q
    cdef Name name
    cdef Py_ssize_t off, word, word_len
    if is_tag(c, "DateCompleted"):
        set_int(F_DCOM, date_int(c))
    elif is_tag(c, "DateRevised"):
        set_int(F_LR, date_int(c))
    elif is_tag(c, "DateCreated"):
        set_int(F_CREATED, date_int(c))
    elif is_tag(c, "Article"):
        article(c)
    elif is_tag(c, "MedlineJournalInfo"):
        p = c.children
        while p != NULL:
            if is_tag(p, "MedlineTA") or is_tag(p, "ISSNLinking"):
                off = fb.nb
                lower_text(p, F_TA)
                if is_tag(p, "MedlineTA") and fb.nb > off:  # the Journal sort's key
                    clear(F_SORT_TA)
                    put(F_SORT_TA, off, fb.nb - off)
            elif is_tag(p, "NlmUniqueID"):
                lower_text(p, F_JID)
            elif is_tag(p, "Country"):
                lower_text(p, F_PL)
            p = p.next
    elif is_tag(c, "ChemicalList"):
        p = c.children
        while p != NULL:
            if p.type == ELEMENT:
                q = p.children
                while q != NULL:
                    if is_tag(q, "NameOfSubstance"):
                        lower_text(q, F_NM)
                    elif is_tag(q, "RegistryNumber"):
                        off = fb.nb
                        direct_text(q)
                        if fb.nb - off == 1 and fb.buf[off] == 48:  # "0": no registry number
                            fb.nb = off
                        else:
                            strip_lower(off)
                            add(F_RN, off)
                    q = q.next
            p = p.next
    elif is_tag(c, "SupplMeshList"):
        add_children(c, F_NM)
    elif is_tag(c, "CitationSubset"):
        lower_text(c, F_SB)
    elif is_tag(c, "MeshHeadingList"):
        mesh(c)
    elif is_tag(c, "PersonalNameSubjectList"):
        p = c.children
        while p != NULL:
            if p.type == ELEMENT:
                person_names(p, &name)
                add_span(F_PS, name.short_off, name.short_len)
            p = p.next
    elif is_tag(c, "OtherID"):
        lower_text(c, F_OID)
    elif is_tag(c, "KeywordList"):
        p = c.children
        while p != NULL:
            if p.type == ELEMENT:
                word = fb.nb
                all_text(p)
                word_len = fb.nb - word
                off = fb.nb
                app_copy(word, word_len)
                strip_lower(off)
                add(F_OT, off)
                add_span(F_OT_TEXT, word, word_len)
            p = p.next
    elif is_tag(c, "GeneSymbolList"):
        add_children(c, F_GS)
    elif is_tag(c, "InvestigatorList"):
        p = c.children
        while p != NULL:
            if p.type == ELEMENT:
                person_names(p, &name)
                add_span(F_IR, name.short_off, name.short_len)
                add_span(F_FIR, name.full_off, name.full_len)
                ids_and_affiliations(p)
            p = p.next
    elif is_tag(c, "OtherAbstract"):
        off = fb.nb
        abstract_texts(c)
        add(F_OAB, off)
    elif is_tag(c, "SpaceFlightMission"):
        lower_text(c, F_SFM)
    return 0


cdef int lowered_attr(int key, Tree* n, const char* name, const char* default) except -1:
    """``f[key] = [attr.lower()]``: replaced, and kept even when empty."""
    cdef Py_ssize_t off = fb.nb
    app_cstr(attr(n, name, default))
    lower(off)
    clear(key)
    put(key, off, fb.nb - off)
    return 0


cdef tuple walk(Tree* root, str tag):
    """Fill the buffer with a record's fields; ``(pmid, version)``."""
    cdef Tree* citation = root if is_tag(root, "MedlineCitation") else NULL
    cdef Tree* c = root.children
    cdef Py_ssize_t off
    fb_reset()
    while c != NULL:
        if is_tag(c, "MedlineCitation"):
            citation = c
        elif is_tag(c, "PubmedData"):
            pubmed_data(c)
        c = c.next
    if citation == NULL:
        raise ValueError(f"<{tag}> has no MedlineCitation")
    lowered_attr(F_STAT, citation, "Status", "")
    lowered_attr(F_OWN, citation, "Owner", "NLM")  # the DTD's default
    pmid, version = 0, 1
    c = citation.children
    while c != NULL:
        if c.type == ELEMENT:
            if is_tag(c, "PMID"):
                off = fb.nb
                direct_text(c)
                pmid = int(value_str(off) or "0")
                version = int(decode(attr(c, "Version", "1")))
                fb.nb = off
            else:
                citation_child(c)
        c = c.next
    if not fb.present[F_CRDT] and fb.present[F_CREATED]:  # pre-2017 files: no history dates
        set_int(F_CRDT, get_int(F_CREATED))
        set_int(F_EDAT, get_int(F_CREATED))
    drop(F_CREATED)
    return pmid, version


def search_fields(_Element elem not None):
    """``(pmid, version, fields)``, exactly as :func:`pubmirror.medline.extract.search_fields`."""
    cdef xmlNode* root = elem._c_node
    if is_tag(root, "PubmedBookArticle"):
        # Imported here: extract imports this module (a module-level import would be a cycle).
        from pubmirror.medline.extract import search_fields as python_search_fields

        return python_search_fields(elem)
    with _lock:
        pmid, version = walk(root, elem.tag)
        return pmid, version, fields_dict()


cdef tuple walked(bytes data):
    """``(pmid, version)`` of a record scanned and walked, its fields left in the buffer; None
    when the scanner declines it or it is a book. The caller holds ``_lock``."""
    cdef Node* root = scan(data)
    if root == NULL or is_tag(root, "PubmedBookArticle"):
        return None
    return walk(root, decode(root.name))


def scan_fields(bytes data not None):
    """The same from a record's original bytes, or None when the scanner declines the record
    (parse it with lxml then). Book records are declined: their fields come from Python."""
    with _lock:
        key = walked(data)
        return None if key is None else (*key, fields_dict())


def scan_stream(bytes data not None):
    """``(pmid, version, stream)``: the fields of :func:`scan_fields` as one bytes object, for
    index encoders that read them without a Python object per value; None when it declines.

    The stream holds each present field in the order of :data:`KEY_NAMES`: one byte, the
    field's index in ``KEY_NAMES``; a native-endian uint32, its number of values; then each
    value: for the ``int`` and ``ints`` kinds (:data:`KEY_KINDS`) a native-endian int64, for
    ``text`` and ``texts`` a uint32 length and that many bytes of UTF-8."""
    with _lock:
        key = walked(data)
        return None if key is None else (*key, fields_stream())


def scan_similar(bytes data not None):
    """The fields Similar articles reads (``ti``, ``ab``, and the MeSH ones), exactly as
    :func:`scan_fields` gives them, from a walk of only the title, abstract and headings; None
    when the scanner declines the record or it is a book."""
    with _lock:
        return similar_fields(data)


cdef similar_fields(bytes data):
    cdef Node* citation
    cdef Node* c
    cdef Node* a
    cdef Node* root = scan(data)
    cdef Py_ssize_t off
    if root == NULL or is_tag(root, "PubmedBookArticle"):
        return None
    citation = root if is_tag(root, "MedlineCitation") else child(root, "MedlineCitation")
    if citation == NULL:
        return None
    fb_reset()
    drop(F_FLAGS)
    c = citation.children
    while c != NULL:
        if is_tag(c, "Article"):
            a = c.children
            while a != NULL:
                if is_tag(a, "ArticleTitle"):
                    off = fb.nb
                    all_text(a)
                    add(F_TI, off)
                elif is_tag(a, "Abstract"):
                    abstract(a)
                a = a.next
        elif is_tag(c, "MeshHeadingList"):
            mesh(c)
        c = c.next
    return fields_dict()
