# The record scanner, included by _cwalk.pyx.
#
# Parsing a record with libxml2 (through lxml) cost more than everything else ingest does to it:
# ~100 µs of a ~350 µs budget, most of it building a general-purpose tree. NLM's records use a
# tiny, regular corner of XML, so this scanner builds the walker's tree itself, in one pass over
# the record's bytes, into buffers reused from record to record.
#
# It is conservative by design: it accepts a record only when it is sure the record is well
# formed and that libxml2 would build the same tree; anything else (comments, CDATA, processing
# instructions, DOCTYPE, entities other than the five predefined ones, namespaces, a literal CR,
# invalid UTF-8 or characters XML forbids, mismatched tags, duplicate attributes, deep nesting)
# makes it *decline*, and the caller parses that record with lxml, which either reports the
# error or gives the element to the libxml2 walker. Declining is always safe; accepting what
# libxml2 would refuse is the one bug this file must not have (tests fuzz it against lxml).

from libc.stdlib cimport realloc
from libc.string cimport memcmp, memcpy

cdef struct Attr
cdef struct Node:
    # Field names follow libxml2's xmlNode, so the walker reads both kinds of tree alike.
    int type
    const unsigned char* name      # NUL-terminated (elements)
    Node* children
    Node* last
    Node* next
    const unsigned char* content   # NUL-terminated, references replaced (text)
    Attr* properties

cdef struct Attr:
    const unsigned char* name
    Node* children                 # one text node holding the value, as in libxml2
    Attr* next

cdef struct Arena:
    Node* nodes
    Py_ssize_t nn, nodes_cap
    Attr* attrs
    Py_ssize_t na, attrs_cap
    unsigned char* out
    Py_ssize_t no, out_cap
    bint full  # a node or attribute was refused: the reserved bounds were too small

cdef enum:
    TAB = 9
    LF = 10
    CR = 13
    SPACE = 32
    BANG = 33
    QUOT = 34
    HASH = 35
    AMP = 38
    APOS = 39
    SLASH = 47
    SEMI = 59
    LT = 60
    EQ = 61
    GT = 62
    QUESTION = 63
    RBRACKET = 93
    MAX_DEPTH = 200  # libxml2 refuses 256 without XML_PARSE_HUGE; records nest about 8 deep

cdef Arena _arena
_arena.nodes = NULL
_arena.attrs = NULL
_arena.out = NULL
_arena.nodes_cap = _arena.attrs_cap = _arena.out_cap = 0

# ASCII-only names: a colon (namespaces) or any non-ASCII name character makes the scanner decline.
cdef unsigned char NAME_START[256]
cdef unsigned char NAME_CHAR[256]
for _i in range(256):
    NAME_START[_i] = (65 <= _i <= 90) or (97 <= _i <= 122) or _i == 95
    NAME_CHAR[_i] = NAME_START[_i] or (48 <= _i <= 57) or _i == 46 or _i == 45


# Bytes character_data copies as they are: printable ASCII but for '&', '<' and ']' (and, in
# attribute values, the quotes, one of which ends the value); in text also TAB and LF.
cdef unsigned char TEXT_PLAIN[256]
cdef unsigned char ATTR_PLAIN[256]
for _i in range(256):
    ATTR_PLAIN[_i] = 0x20 <= _i < 0x80 and _i not in (38, 60, 93, 34, 39)
    TEXT_PLAIN[_i] = (0x20 <= _i < 0x80 and _i not in (38, 60, 93)) or _i in (9, 10)


cdef inline bint is_space(unsigned char c) noexcept nogil:
    return c == SPACE or c == LF or c == TAB  # a literal CR declines (libxml2 rewrites it)


cdef int reserve(Py_ssize_t nodes, Py_ssize_t attrs, Py_ssize_t out) except -1:
    """Grow the reused buffers; bounds come from counting '<' and '=' in the record."""
    cdef void* p
    if nodes > _arena.nodes_cap:
        p = realloc(_arena.nodes, nodes * sizeof(Node))
        if p == NULL:
            raise MemoryError()
        _arena.nodes, _arena.nodes_cap = <Node*>p, nodes
    if attrs > _arena.attrs_cap:
        p = realloc(_arena.attrs, attrs * sizeof(Attr))
        if p == NULL:
            raise MemoryError()
        _arena.attrs, _arena.attrs_cap = <Attr*>p, attrs
    if out > _arena.out_cap:
        p = realloc(_arena.out, out)
        if p == NULL:
            raise MemoryError()
        _arena.out, _arena.out_cap = <unsigned char*>p, out
    return 0


cdef inline Node* new_node(int kind) noexcept nogil:
    """A fresh node from the arena, or NULL when it is full (the caller declines)."""
    if _arena.nn == _arena.nodes_cap:
        _arena.full = True
        return NULL
    cdef Node* n = &_arena.nodes[_arena.nn]
    _arena.nn += 1
    n.type = kind
    n.name = NULL
    n.children = n.last = n.next = NULL
    n.content = NULL
    n.properties = NULL
    return n


cdef inline void append_child(Node* parent, Node* child) noexcept nogil:
    if parent.last == NULL:
        parent.children = child
    else:
        parent.last.next = child
    parent.last = child


cdef inline const unsigned char* copy_name(const unsigned char* s, Py_ssize_t length) noexcept nogil:
    cdef unsigned char* o = _arena.out + _arena.no
    cdef Py_ssize_t i
    for i in range(length):  # names are short: a loop beats a call to memcpy
        o[i] = s[i]
    o[length] = 0
    _arena.no += length + 1
    return o


cdef inline Py_ssize_t utf8_char(const unsigned char* s, Py_ssize_t p, Py_ssize_t n) noexcept nogil:
    """Length of the valid UTF-8 sequence at p encoding a character XML allows, else 0."""
    cdef unsigned char c = s[p]
    cdef unsigned char lo = 0x80, hi = 0xBF
    cdef Py_ssize_t need, i
    if c < 0xC2:
        return 0
    elif c < 0xE0:
        need = 1
    elif c < 0xF0:
        need = 2
        if c == 0xE0:
            lo = 0xA0
        elif c == 0xED:
            hi = 0x9F  # no surrogates
    elif c < 0xF5:
        need = 3
        if c == 0xF0:
            lo = 0x90
        elif c == 0xF4:
            hi = 0x8F  # nothing above U+10FFFF
    else:
        return 0
    if p + need >= n or s[p + 1] < lo or s[p + 1] > hi:
        return 0
    for i in range(2, need + 1):
        if s[p + i] & 0xC0 != 0x80:
            return 0
    if c == 0xEF and s[p + 1] == 0xBF and s[p + 2] >= 0xBE:
        return 0  # U+FFFE and U+FFFF are not XML characters
    return need + 1


cdef inline bint xml_char(unsigned long v) noexcept nogil:
    return (v == 9 or v == 10 or v == 13 or 0x20 <= v <= 0xD7FF or 0xE000 <= v <= 0xFFFD
            or 0x10000 <= v <= 0x10FFFF)


cdef inline unsigned char* put_utf8(unsigned char* o, unsigned long v) noexcept nogil:
    if v < 0x80:
        o[0] = <unsigned char>v
        return o + 1
    if v < 0x800:
        o[0] = <unsigned char>(0xC0 | (v >> 6))
        o[1] = <unsigned char>(0x80 | (v & 0x3F))
        return o + 2
    if v < 0x10000:
        o[0] = <unsigned char>(0xE0 | (v >> 12))
        o[1] = <unsigned char>(0x80 | ((v >> 6) & 0x3F))
        o[2] = <unsigned char>(0x80 | (v & 0x3F))
        return o + 3
    o[0] = <unsigned char>(0xF0 | (v >> 18))
    o[1] = <unsigned char>(0x80 | ((v >> 12) & 0x3F))
    o[2] = <unsigned char>(0x80 | ((v >> 6) & 0x3F))
    o[3] = <unsigned char>(0x80 | (v & 0x3F))
    return o + 4


cdef inline int hex_digit(unsigned char c) noexcept nogil:
    if 48 <= c <= 57:
        return c - 48
    if 97 <= c <= 102:
        return c - 87
    if 65 <= c <= 70:
        return c - 55
    return -1


cdef Py_ssize_t reference(const unsigned char* s, Py_ssize_t p, Py_ssize_t n,
                          unsigned char** out) noexcept nogil:
    """Replace the reference at s[p] == '&'; the index after its ';', or -1 to decline."""
    cdef Py_ssize_t q = p + 1
    cdef unsigned long v = 0
    cdef int base = 10, d, digits = 0
    if q < n and s[q] == HASH:
        q += 1
        if q < n and s[q] == 120:  # 'x'; XML does not allow 'X'
            base = 16
            q += 1
        while q < n and s[q] != SEMI:
            d = hex_digit(s[q])
            if d < 0 or d >= base or digits == 8:
                return -1
            v = v * base + d
            digits += 1
            q += 1
        if q >= n or digits == 0 or not xml_char(v):
            return -1
        out[0] = put_utf8(out[0], v)
        return q + 1
    if q + 3 <= n and memcmp(s + q, b"lt;", 3) == 0:
        v, q = LT, q + 3
    elif q + 3 <= n and memcmp(s + q, b"gt;", 3) == 0:
        v, q = GT, q + 3
    elif q + 4 <= n and memcmp(s + q, b"amp;", 4) == 0:
        v, q = AMP, q + 4
    elif q + 5 <= n and memcmp(s + q, b"quot;", 5) == 0:
        v, q = QUOT, q + 5
    elif q + 5 <= n and memcmp(s + q, b"apos;", 5) == 0:
        v, q = APOS, q + 5
    else:
        return -1  # any other entity: undefined here, and never expanded
    out[0][0] = <unsigned char>v
    out[0] += 1
    return q


cdef Py_ssize_t character_data(const unsigned char* s, Py_ssize_t p, Py_ssize_t n,
                               unsigned char stop, bint in_attribute,
                               const unsigned char** content) noexcept nogil:
    """Copy text up to ``stop`` into the arena with references replaced; the index of ``stop``
    or -1 to decline. In attribute values TAB and LF become spaces, as XML prescribes."""
    cdef unsigned char* start = _arena.out + _arena.no
    cdef unsigned char* o = start
    cdef unsigned char c
    cdef Py_ssize_t k
    cdef const unsigned char* plain = &TEXT_PLAIN[0]
    if in_attribute:
        plain = &ATTR_PLAIN[0]
    while p < n:
        # Runs of bytes that need no attention are most of a record: copied as they are read
        # (runs are short, so a loop beats a call to memcpy).
        while p < n and plain[s[p]]:
            o[0] = s[p]
            o += 1
            p += 1
        if p >= n:
            break
        c = s[p]
        if c == stop:
            o[0] = 0
            content[0] = start
            _arena.no += (o - start) + 1
            return p
        if 0x20 <= c < 0x80 and c != AMP and c != LT and c != RBRACKET:
            o[0] = c
            o += 1
            p += 1
        elif c == AMP:
            p = reference(s, p, n, &o)
            if p < 0:
                return -1
        elif c == LF or c == TAB:
            o[0] = SPACE if in_attribute else c
            o += 1
            p += 1
        elif c == RBRACKET:
            if p + 2 < n and s[p + 1] == RBRACKET and s[p + 2] == GT:
                return -1  # "]]>" may not appear in text
            o[0] = c
            o += 1
            p += 1
        elif c >= 0x80:
            k = utf8_char(s, p, n)
            if k == 0:
                return -1
            memcpy(o, s + p, k)
            o += k
            p += k
        else:
            return -1  # '<' in an attribute value, a control character, a literal CR
    return -1


cdef Py_ssize_t skip_space(const unsigned char* s, Py_ssize_t p, Py_ssize_t n) noexcept nogil:
    while p < n and is_space(s[p]):
        p += 1
    return p


cdef Py_ssize_t attributes(const unsigned char* s, Py_ssize_t p, Py_ssize_t n,
                           Node* element) noexcept nogil:
    """Read a start tag's attributes from just after its name; the index after '>' or '/>'
    (negated minus one for '/>', i.e. -2 - index), or -1 to decline."""
    cdef Py_ssize_t q, name_at
    cdef Attr* a
    cdef Attr* other
    cdef Attr* last = NULL
    cdef Node* value
    cdef unsigned char quote
    while True:
        q = skip_space(s, p, n)
        if q >= n:
            return -1
        if s[q] == GT:
            return q + 1
        if s[q] == SLASH:
            if q + 1 < n and s[q + 1] == GT:
                return -2 - (q + 2)
            return -1
        if q == p or not NAME_START[s[q]]:
            return -1  # attributes must be separated by white space
        name_at = q
        while q < n and NAME_CHAR[s[q]]:
            q += 1
        if q - name_at >= 3 and memcmp(s + name_at, b"xml", 3) == 0:
            return -1  # xmlns declarations and other reserved names: leave them to libxml2
        if _arena.na == _arena.attrs_cap:
            _arena.full = True
            return -1
        a = &_arena.attrs[_arena.na]
        _arena.na += 1
        a.name = copy_name(s + name_at, q - name_at)
        a.next = NULL
        other = element.properties
        while other != NULL:
            if strcmp(<const char*>other.name, <const char*>a.name) == 0:
                return -1  # duplicate attribute
            other = other.next
        q = skip_space(s, q, n)
        if q >= n or s[q] != EQ:
            return -1
        q = skip_space(s, q + 1, n)
        if q >= n or (s[q] != QUOT and s[q] != APOS):
            return -1
        quote = s[q]
        value = new_node(TEXT)
        if value == NULL:
            return -1
        q = character_data(s, q + 1, n, quote, True, &value.content)
        if q < 0:
            return -1
        a.children = value
        if last == NULL:
            element.properties = a
        else:
            last.next = a
        last = a
        p = q + 1


cdef Py_ssize_t end_tag(const unsigned char* s, Py_ssize_t p, Py_ssize_t n,
                        Node* open_element) noexcept nogil:
    """Match ``</name>`` at s[p] against the open element; the index after '>' or -1."""
    cdef Py_ssize_t length = strlen(<const char*>open_element.name)
    cdef Py_ssize_t q = p + 2
    if q + length > n or memcmp(s + q, open_element.name, length) != 0:
        return -1
    q += length
    if q < n and NAME_CHAR[s[q]]:
        return -1
    q = skip_space(s, q, n)
    if q >= n or s[q] != GT:
        return -1
    return q + 1


cdef Node* scan_tree(const unsigned char* s, Py_ssize_t n) noexcept nogil:
    """The record's tree, or NULL to decline. The arena must hold the bounds of ``reserve``."""
    cdef Node* stack[MAX_DEPTH]
    cdef int depth = 0
    cdef Node* root = NULL
    cdef Node* node
    cdef Py_ssize_t p = 0, q
    _arena.nn = _arena.na = _arena.no = 0
    while p < n:
        if s[p] != LT:
            if depth == 0:
                return NULL  # text outside the root element
            node = new_node(TEXT)
            if node == NULL:
                return NULL
            p = character_data(s, p, n, LT, False, &node.content)
            if p < 0:
                return NULL
            append_child(stack[depth - 1], node)
        elif p + 1 < n and s[p + 1] == SLASH:
            if depth == 0:
                return NULL
            p = end_tag(s, p, n, stack[depth - 1])
            if p < 0:
                return NULL
            depth -= 1
            if depth == 0:
                return root if skip_space(s, p, n) == n else NULL
        elif p + 1 < n and NAME_START[s[p + 1]]:
            if root != NULL and depth == 0:
                return NULL  # a second root
            if depth == MAX_DEPTH:
                return NULL
            q = p + 1
            while q < n and NAME_CHAR[s[q]]:
                q += 1
            node = new_node(ELEMENT)
            if node == NULL:
                return NULL
            node.name = copy_name(s + p + 1, q - p - 1)
            p = attributes(s, q, n, node)
            if p == -1:
                return NULL
            if depth == 0:
                root = node
            else:
                append_child(stack[depth - 1], node)
            if p >= 0:
                stack[depth] = node
                depth += 1
            else:  # an empty element, <name/>
                p = -2 - p
                if depth == 0:
                    return root if skip_space(s, p, n) == n else NULL
        else:
            return NULL  # <!-- -->, <![CDATA[, <?pi?>, <!DOCTYPE, or a stray '<'
    return NULL  # the data ends before the root closes


SMALL_RECORD = 65536


cdef Node* scan(bytes data) except? NULL:
    cdef const unsigned char* s = data
    cdef Py_ssize_t n = len(data), i, lt = 0, eq = 0
    cdef Node* root
    _arena.full = False
    if n <= SMALL_RECORD:
        # Bounds from the size alone, as a well-formed record's markup needs bytes: an element
        # at least 4 ("<a/>"), a text node 1 between two tags, an attribute 5 (' a=""'); counting
        # '<' and '=' first cost a tenth of the scan. Should input need more, the arena says it
        # is full and the record is scanned again with counted bounds.
        reserve(n // 2 + n // 5 + 4, n // 5 + 1, 2 * n + 16)
        with nogil:  # the caller holds _cwalk's lock: the arena is this thread's
            root = scan_tree(s, n)
        if not _arena.full:
            return root
        _arena.full = False
    for i in range(n):
        if s[i] == LT:
            lt += 1
        elif s[i] == EQ:
            eq += 1
    # Elements <= '<' count, text nodes <= '<' count + 1, attributes (and their value nodes)
    # <= '=' count; every string copied is no longer than its source, plus one NUL.
    reserve(2 * lt + eq + 2, eq + 1, 2 * n + 16)
    with nogil:
        root = scan_tree(s, n)
    return root
