# Reading values out of a record's tree into the field buffer, included by _cwalk.pyx after
# the Tree type and the buffer (_fieldbuf.pxi): text and attributes, dates and people's names.
# The rules are extract.py's; what they need of Python's string semantics for non-ASCII text is
# done by Python (see the transformations in _fieldbuf.pxi).

_date_of_parts = _dates.date_of_parts
_month_number = _dates.month_number

# dates.MONTHS (name's first three letters → number), for the usual ``<Month>Jan</Month>``:
# read here, 3 µs a record less than asking month_number (measured on the sample).
cdef char month_names[12][3]
cdef int month_numbers[12]
cdef int n_months = 0
cdef bytes _encoded
for _name, _number in _dates.MONTHS.items():
    assert len(_name) == 3 and _name.isascii() and _name.islower() and n_months < 12
    _encoded = _name.encode()
    memcpy(month_names[n_months], <const char*>_encoded, 3)
    month_numbers[n_months] = _number
    n_months += 1

cdef const unsigned char* EMPTY = b""


cdef inline bint is_tag(Tree* n, const char* name) noexcept:
    # The first letters differ in most comparisons of the walker's if-chains: checked inline.
    return (n.type == ELEMENT and n.name[0] == name[0]
            and strcmp(<const char*>n.name, name) == 0)


cdef inline str decode(const unsigned char* s):
    if s == NULL:
        return ""
    return (<const char*>s)[:strlen(<const char*>s)].decode("utf-8")


cdef Tree* child(Tree* n, const char* name) noexcept:
    cdef Tree* c = n.children
    while c != NULL:
        if is_tag(c, name):
            return c
        c = c.next
    return NULL


# --- text and attributes, appended to the value being built ------------------------------------

cdef int direct_text(Tree* n) except -1:
    """lxml's ``.text``: the text nodes before the first child element."""
    cdef Tree* c = n.children
    while c != NULL and (c.type == TEXT or c.type == CDATA):
        app_cstr(c.content)
        c = c.next
    return 0


cdef int all_text(Tree* n) except -1:
    """All text inside an element, markup dropped (``extract.text_of``); nothing for NULL."""
    cdef Tree* c
    if n == NULL:
        return 0
    c = n.children
    while c != NULL:
        if c.type == TEXT or c.type == CDATA:
            app_cstr(c.content)
        elif c.type == ELEMENT:
            all_text(c)
        c = c.next
    return 0


cdef const unsigned char* xml_attr(xmlAttr* a, const char* name) noexcept:
    while a != NULL:
        if strcmp(<const char*>a.name, name) == 0:
            if a.children == NULL or a.children.content == NULL:
                return EMPTY
            return a.children.content
        a = a.next
    return NULL


cdef const unsigned char* node_attr(Attr* a, const char* name) noexcept:
    while a != NULL:
        if strcmp(<const char*>a.name, name) == 0:
            return a.children.content
        a = a.next
    return NULL


cdef inline const unsigned char* attr(Tree* n, const char* name, const char* default) noexcept:
    cdef const unsigned char* v
    if Tree is Node:
        v = node_attr(n.properties, name)
    else:
        v = xml_attr(n.properties, name)
    return <const unsigned char*>default if v == NULL else v


cdef inline bint attr_is(Tree* n, const char* name, const char* default,
                         const char* expected) noexcept:
    return strcmp(<const char*>attr(n, name, default), expected) == 0


cdef int lower_text(Tree* n, int key) except -1:
    """``add(key, direct_text.strip().lower())``."""
    cdef Py_ssize_t off = fb.nb
    direct_text(n)
    strip_lower(off)
    add(key, off)
    return 0


cdef int add_children(Tree* n, int key) except -1:
    """``lower_text`` of each child element (lists such as PublicationTypeList)."""
    cdef Tree* c = n.children
    while c != NULL:
        if c.type == ELEMENT:
            lower_text(c, key)
        c = c.next
    return 0


cdef int flag(const char* name) except -1:
    cdef Py_ssize_t off = fb.nb
    app_cstr(<const unsigned char*>name)
    put(F_FLAGS, off, fb.nb - off)
    return 0


cdef int abstract_texts(Tree* n) except -1:
    """The AbstractText sections joined by spaces; how many there were."""
    cdef int found = 0
    cdef Tree* c = n.children
    while c != NULL:
        if is_tag(c, "AbstractText"):
            if found:
                app_byte(32)
            all_text(c)
            found += 1
        c = c.next
    return found


cdef int abstract(Tree* n) except -1:
    """``ab``: an Abstract's sections as one value; whether it has any."""
    cdef Py_ssize_t off = fb.nb
    if not abstract_texts(n):
        return 0
    clear(F_AB)
    put(F_AB, off, fb.nb - off)
    return 1


# --- dates ------------------------------------------------------------------------------------

cdef inline bint digits(Py_ssize_t off, Py_ssize_t end) noexcept:
    cdef Py_ssize_t i
    if end <= off:
        return False
    for i in range(off, end):
        if not 48 <= fb.buf[i] <= 57:
            return False
    return True


cdef inline long long number(Py_ssize_t off, Py_ssize_t end) noexcept:
    cdef long long v = 0
    cdef Py_ssize_t i
    for i in range(off, end):
        v = v * 10 + (fb.buf[i] - 48)
    return v


cdef long long date_int(Tree* n) except -1:
    """``extract.date_int``: YYYYMMDD, 0 when unknown. Numeric Year, Month and Day parts and
    plain month names (the usual case) are read here (:func:`month_of`); a date with anything
    else (a Season, a MedlineDate, long or non-ASCII parts) goes whole to
    ``dates.date_of_parts``."""
    cdef long long year = 0, month = 0, day = 0
    cdef Tree* c
    cdef Py_ssize_t off = fb.nb
    if n == NULL:
        return 0
    c = n.children
    while c != NULL:
        if c.type == ELEMENT:
            fb.nb = off
            direct_text(c)
            if (is_tag(c, "Season") or is_tag(c, "MedlineDate") or fb.nb - off > 9
                    or not is_ascii(off)):
                fb.nb = off
                return date_of_parts(n)
            if is_tag(c, "Year"):
                if digits(off, fb.nb):
                    year = number(off, fb.nb)
            elif is_tag(c, "Month"):
                month = number(off, fb.nb) if digits(off, fb.nb) else month_of(off, fb.nb)
            elif is_tag(c, "Day"):
                if digits(off, fb.nb):
                    day = number(off, fb.nb)
        c = c.next
    fb.nb = off
    return year * 10000 + month * 100 + day if year else 0


cdef long long month_of(Py_ssize_t off, Py_ssize_t end) except -1:
    """``dates.month_number`` of an ASCII, non-numeric month: a name without surrounding
    white space is looked up here, anything else is left to month_number."""
    cdef char lower[3]
    cdef int i
    if end - off < 3 or fb.buf[off] <= 32 or fb.buf[end - 1] <= 32:
        return _month_number(value_str(off))
    for i in range(3):
        lower[i] = fb.buf[off + i] | 32 if 65 <= fb.buf[off + i] <= 90 else fb.buf[off + i]
    for i in range(n_months):
        if memcmp(lower, month_names[i], 3) == 0:
            return month_numbers[i]
    return 0


cdef long long date_of_parts(Tree* n) except -1:
    """``date_int`` by Python's rules, for the dates the loop above does not read itself."""
    parts = []
    cdef Tree* c = n.children
    cdef Py_ssize_t off = fb.nb
    while c != NULL:
        if c.type == ELEMENT:
            fb.nb = off
            direct_text(c)
            parts.append((decode(c.name), value_str(off)))
        c = c.next
    fb.nb = off
    result = _date_of_parts(parts)
    if not 0 <= result < 2**62:
        raise ValueError(f"date out of range: {result}")
    return result


# --- people -----------------------------------------------------------------------------------

cdef struct Name:
    Py_ssize_t short_off, short_len, full_off, full_len


cdef int rstrip_comma_space(Py_ssize_t off) noexcept:
    """``value.rstrip(", ")`` (both characters are ASCII, so bytes suffice)."""
    while fb.nb > off and (fb.buf[fb.nb - 1] == 44 or fb.buf[fb.nb - 1] == 32):
        fb.nb -= 1
    return 0


cdef int person_names(Tree* n, Name* out) except -1:
    """``extract.person_names``: the short (``smith j``) and full (``smith, john``) forms."""
    cdef Py_ssize_t part[5][2]   # last, fore, initials, suffix, collective: offset, length
    cdef int i, which
    cdef Py_ssize_t off
    cdef Tree* c = n.children
    for i in range(5):
        part[i][0] = part[i][1] = 0
    while c != NULL:
        if c.type == ELEMENT:
            which = (0 if is_tag(c, "LastName") else 1 if is_tag(c, "ForeName")
                     else 2 if is_tag(c, "Initials") else 3 if is_tag(c, "Suffix")
                     else 4 if is_tag(c, "CollectiveName") else -1)
            if which >= 0:
                off = fb.nb
                all_text(c)
                squeeze(off)
                part[which][0], part[which][1] = off, fb.nb - off
        c = c.next
    if part[0][1] == 0:  # no last name: a collective's name, both forms
        off = fb.nb
        app_copy(part[4][0], part[4][1])
        lower(off)
        out.short_off = out.full_off = off
        out.short_len = out.full_len = fb.nb - off
        return 0
    off = fb.nb
    app_copy(part[0][0], part[0][1])
    app_byte(32)
    app_copy(part[2][0], part[2][1])
    strip(off)
    if part[3][1]:
        app_byte(32)
        app_copy(part[3][0], part[3][1])
    lower(off)
    out.short_off, out.short_len = off, fb.nb - off
    off = fb.nb
    app_copy(part[0][0], part[0][1])
    app(<const unsigned char*>b", ", 2)
    which = 1 if part[1][1] else 2
    app_copy(part[which][0], part[which][1])
    rstrip_comma_space(off)
    if part[3][1]:
        app_byte(32)
        app_copy(part[3][0], part[3][1])
    lower(off)
    out.full_off, out.full_len = off, fb.nb - off
    return 0


cdef int add_span(int key, Py_ssize_t off, Py_ssize_t length) except -1:
    if length:
        put(key, off, length)
    return 0


cdef int ids_and_affiliations(Tree* person) except -1:
    cdef Tree* c = person.children
    cdef Py_ssize_t off
    while c != NULL:
        if is_tag(c, "Identifier"):
            lower_text(c, F_AUID)
        elif is_tag(c, "AffiliationInfo") or is_tag(c, "Affiliation"):
            off = fb.nb
            all_text(child(c, "Affiliation") if is_tag(c, "AffiliationInfo") else c)
            add(F_AD, off)
        c = c.next
    return 0


cdef int authors_fields(Tree* authors) except -1:
    cdef Name name, first, last
    cdef bint any_person = False
    cdef Tree* a = authors.children
    while a != NULL:
        if a.type == ELEMENT:
            person_names(a, &name)
            if child(a, "LastName") == NULL:
                add_span(F_CN, name.short_off, name.short_len)
            else:
                if not any_person:
                    first, any_person = name, True
                last = name
                add_span(F_AU, name.short_off, name.short_len)
                add_span(F_FAU, name.full_off, name.full_len)
            ids_and_affiliations(a)
        a = a.next
    if any_person:  # 1au, lastau and the sort key are replaced, as extract.py assigns them
        clear(F_1AU)
        put(F_1AU, first.short_off, first.short_len)
        clear(F_LASTAU)
        put(F_LASTAU, last.short_off, last.short_len)
        clear(F_SORT_AU)
        put(F_SORT_AU, first.short_off, first.short_len)
    return 0
