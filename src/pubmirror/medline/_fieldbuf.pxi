# The walker's output buffer, included by _cwalk.pyx.
#
# The walker used to build the fields dict directly: a Python string for every value, another
# for every strip() and lower(), lists, then the index encoder walked the dict again. That cost
# more than scanning the record. Now values are written as bytes into one buffer reused from
# record to record, and each field keeps a chain of spans into it. From there the fields become
# either the usual dict (``scan_fields``) or a flat byte *stream* (``scan_stream``) that an index
# backend encodes without creating a Python object per value.
#
# Transformations (strip, lower-case, collapse white space) are done in place on ASCII values
# and by Python's own str methods on anything else, so the results are exactly Python's.

from libc.stdlib cimport realloc
from libc.string cimport memcpy, memmove
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from cpython.unicode cimport PyUnicode_DecodeUTF8

# Field ids. KEY_NAMES below must list the same names in the same order.
cdef enum:
    F_FLAGS, F_STAT, F_OWN, F_TI, F_TT, F_AB, F_OAB, F_AD, F_OT_TEXT, F_MESH_TEXT,
    F_MH, F_MAJR, F_SH, F_MHSH, F_MAJRSH, F_PT, F_AU, F_FAU, F_1AU, F_LASTAU, F_CN, F_AUID,
    F_IR, F_FIR, F_TA, F_JID, F_PL, F_LA, F_VI, F_IP, F_PG, F_AID, F_GR, F_NM, F_RN, F_SB,
    F_PS, F_OID, F_OT, F_GS, F_SI, F_SFM, F_PUBSTATUS,
    F_REFS,
    F_DP, F_DEP, F_EDAT, F_CRDT, F_MHDA, F_DCOM, F_LR, F_CREATED,
    F_SORT_AU, F_SORT_TA,
    NKEYS

# How a field's values become Python values: a list of str, a list of int, one int, one str.
cdef enum:
    K_TEXTS = 0
    K_INTS = 1
    K_INT = 2
    K_TEXT = 3

KEY_NAMES = (
    "flags", "stat", "own", "ti", "tt", "ab", "oab", "ad", "ot_text", "mesh_text",
    "mh", "majr", "sh", "mhsh", "majrsh", "pt", "au", "fau", "1au", "lastau", "cn", "auid",
    "ir", "fir", "ta", "jid", "pl", "la", "vi", "ip", "pg", "aid", "gr", "nm", "rn", "sb",
    "ps", "oid", "ot", "gs", "si", "sfm", "pubstatus",
    "refs",
    "dp", "dep", "edat", "crdt", "mhda", "dcom", "lr", "created",
    "sort_au", "sort_ta",
)
assert len(KEY_NAMES) == NKEYS

cdef int KIND[NKEYS]
for _k in range(NKEYS):
    KIND[_k] = K_TEXTS
KIND[F_REFS] = K_INTS
for _k in range(F_DP, F_CREATED + 1):
    KIND[_k] = K_INT
KIND[F_SORT_AU] = K_TEXT
KIND[F_SORT_TA] = K_TEXT

KEY_KINDS = tuple(("texts", "ints", "int", "text")[KIND[_k]] for _k in range(NKEYS))

cdef struct Span:
    Py_ssize_t off, length   # the value's bytes in the buffer (text kinds)
    long long num            # the value (int kinds)
    int next                 # the next span of the same field, or -1

cdef struct FieldBuf:
    Span* spans
    Py_ssize_t ns, spans_cap
    unsigned char* buf
    Py_ssize_t nb, buf_cap
    int head[NKEYS]
    int tail[NKEYS]
    unsigned char present[NKEYS]

cdef FieldBuf fb
fb.spans = NULL
fb.buf = NULL
fb.ns = fb.nb = fb.spans_cap = fb.buf_cap = 0


cdef void fb_reset() noexcept:
    cdef int k
    fb.ns = fb.nb = 0
    for k in range(NKEYS):
        fb.head[k] = fb.tail[k] = -1
        fb.present[k] = 0
    fb.present[F_FLAGS] = 1  # the dict always has "flags", possibly empty


cdef int reserve_bytes(Py_ssize_t extra) except -1:
    cdef void* p
    cdef Py_ssize_t cap
    if fb.nb + extra <= fb.buf_cap:
        return 0
    cap = max(2 * fb.buf_cap, fb.nb + extra, 16384)
    p = realloc(fb.buf, cap)
    if p == NULL:
        raise MemoryError()
    fb.buf, fb.buf_cap = <unsigned char*>p, cap
    return 0


cdef int app(const unsigned char* s, Py_ssize_t n) except -1:
    """Append bytes to the value being built."""
    cdef Py_ssize_t i
    cdef unsigned char* o
    if n > 0:
        reserve_bytes(n)
        o = fb.buf + fb.nb
        if n < 32:  # most text is a few words: a loop beats a call to memcpy
            for i in range(n):
                o[i] = s[i]
        else:
            memcpy(o, s, n)
        fb.nb += n
    return 0


cdef int app_cstr(const unsigned char* s) except -1:
    if s != NULL:
        app(s, strlen(<const char*>s))
    return 0


cdef int app_byte(unsigned char c) except -1:
    reserve_bytes(1)
    fb.buf[fb.nb] = c
    fb.nb += 1
    return 0


cdef int app_copy(Py_ssize_t off, Py_ssize_t n) except -1:
    """Append a copy of bytes already in the buffer (offsets survive its growth)."""
    if n > 0:
        reserve_bytes(n)
        memcpy(fb.buf + fb.nb, fb.buf + off, n)
        fb.nb += n
    return 0


cdef int app_str(str value) except -1:
    cdef bytes b = value.encode("utf-8")
    app(<const unsigned char*>b, len(b))
    return 0


cdef int new_span(int key) except -1:
    cdef void* p
    cdef Py_ssize_t cap
    if fb.ns == fb.spans_cap:
        cap = max(2 * fb.spans_cap, 256)
        p = realloc(fb.spans, cap * sizeof(Span))
        if p == NULL:
            raise MemoryError()
        fb.spans, fb.spans_cap = <Span*>p, cap
    cdef int i = <int>fb.ns
    fb.ns += 1
    fb.spans[i].next = -1
    fb.spans[i].off = fb.spans[i].length = 0
    fb.spans[i].num = 0
    if fb.tail[key] < 0:
        fb.head[key] = i
    else:
        fb.spans[fb.tail[key]].next = i
    fb.tail[key] = i
    fb.present[key] = 1
    return i


cdef int put(int key, Py_ssize_t off, Py_ssize_t length) except -1:
    """Append the value at buffer[off:off+length] to a field, even when empty."""
    cdef int i = new_span(key)
    fb.spans[i].off = off
    fb.spans[i].length = length
    return 0


cdef int add(int key, Py_ssize_t off) except -1:
    """Append the value built since ``off`` to a field, unless it is empty (``extract.add``)."""
    if fb.nb > off:
        put(key, off, fb.nb - off)
    return 0


cdef void clear(int key) noexcept:
    """Make the field present and empty (``f[key] = []``)."""
    fb.head[key] = fb.tail[key] = -1
    fb.present[key] = 1


cdef void drop(int key) noexcept:
    fb.head[key] = fb.tail[key] = -1
    fb.present[key] = 0


cdef int set_int(int key, long long value) except -1:
    clear(key)
    fb.spans[new_span(key)].num = value
    return 0


cdef long long get_int(int key) noexcept:
    return fb.spans[fb.head[key]].num if fb.head[key] >= 0 else 0


cdef int put_int(int key, long long value) except -1:
    fb.spans[new_span(key)].num = value
    return 0


# --- in-place transformations of the value built since ``off`` ---------------------------------

cdef unsigned char PY_SPACE[256]  # what str.split() and str.strip() remove, for ASCII
for _i in range(256):
    PY_SPACE[_i] = (9 <= _i <= 13) or (28 <= _i <= 32)


cdef inline bint is_ascii(Py_ssize_t off) noexcept:
    cdef Py_ssize_t i
    for i in range(off, fb.nb):
        if fb.buf[i] >= 0x80:
            return False
    return True


cdef inline str value_str(Py_ssize_t off):
    return PyUnicode_DecodeUTF8(<const char*>fb.buf + off, fb.nb - off, NULL)


cdef int replace_value(Py_ssize_t off, str value) except -1:
    fb.nb = off
    app_str(value)
    return 0


cdef int lower(Py_ssize_t off) except -1:
    """``value.lower()``."""
    cdef Py_ssize_t i
    cdef unsigned char c
    if not is_ascii(off):
        return replace_value(off, value_str(off).lower())
    for i in range(off, fb.nb):
        c = fb.buf[i]
        if 65 <= c <= 90:
            fb.buf[i] = c + 32
    return 0


cdef int strip(Py_ssize_t off) except -1:
    """``value.strip()``."""
    cdef Py_ssize_t start = off, end = fb.nb
    if not is_ascii(off):
        return replace_value(off, value_str(off).strip())
    while start < end and PY_SPACE[fb.buf[start]]:
        start += 1
    while end > start and PY_SPACE[fb.buf[end - 1]]:
        end -= 1
    memmove(fb.buf + off, fb.buf + start, end - start)
    fb.nb = off + (end - start)
    return 0


cdef int strip_lower(Py_ssize_t off) except -1:
    """``value.strip().lower()``."""
    strip(off)
    lower(off)
    return 0


cdef int squeeze(Py_ssize_t off) except -1:
    """``" ".join(value.split())``."""
    cdef Py_ssize_t i, o = off
    cdef bint gap = False
    if not is_ascii(off):
        return replace_value(off, " ".join(value_str(off).split()))
    for i in range(off, fb.nb):
        if PY_SPACE[fb.buf[i]]:
            gap = o > off
        else:
            if gap:
                fb.buf[o] = 32
                o += 1
                gap = False
            fb.buf[o] = fb.buf[i]
            o += 1
    fb.nb = o
    return 0


# --- reading the fields back ---------------------------------------------------------------------

cdef dict fields_dict():
    """The fields as ``extract.search_fields`` gives them."""
    cdef dict out = {}
    cdef int k, i, kind
    cdef list values
    for k in range(NKEYS):
        if not fb.present[k]:
            continue
        kind = KIND[k]
        i = fb.head[k]
        if kind == K_INT:
            out[KEY_NAMES[k]] = fb.spans[i].num if i >= 0 else 0
        elif kind == K_TEXT:
            out[KEY_NAMES[k]] = (PyUnicode_DecodeUTF8(<const char*>fb.buf + fb.spans[i].off,
                                                      fb.spans[i].length, NULL) if i >= 0 else "")
        else:
            values = []
            while i >= 0:
                if kind == K_INTS:
                    values.append(fb.spans[i].num)
                else:
                    values.append(PyUnicode_DecodeUTF8(<const char*>fb.buf + fb.spans[i].off,
                                                       fb.spans[i].length, NULL))
                i = fb.spans[i].next
            out[KEY_NAMES[k]] = values
    return out


cdef bytes fields_stream():
    """The fields as a flat byte stream (layout in ``_cwalk.scan_stream``'s docstring)."""
    cdef Py_ssize_t size = 0, pos = 0
    cdef int k, i
    cdef unsigned int count, length
    cdef unsigned char* o
    cdef bytes out
    for k in range(NKEYS):
        if fb.present[k]:
            size += 5
            i = fb.head[k]
            while i >= 0:
                size += 8 if KIND[k] == K_INTS or KIND[k] == K_INT else 4 + fb.spans[i].length
                i = fb.spans[i].next
    out = PyBytes_FromStringAndSize(NULL, size)
    o = <unsigned char*>PyBytes_AS_STRING(out)
    for k in range(NKEYS):
        if not fb.present[k]:
            continue
        count = 0
        i = fb.head[k]
        while i >= 0:
            count += 1
            i = fb.spans[i].next
        o[pos] = <unsigned char>k
        memcpy(o + pos + 1, &count, 4)
        pos += 5
        i = fb.head[k]
        while i >= 0:
            if KIND[k] == K_INTS or KIND[k] == K_INT:
                memcpy(o + pos, &fb.spans[i].num, 8)
                pos += 8
            else:
                length = <unsigned int>fb.spans[i].length
                memcpy(o + pos, &length, 4)
                memcpy(o + pos + 4, fb.buf + fb.spans[i].off, fb.spans[i].length)
                pos += 4 + fb.spans[i].length
            i = fb.spans[i].next
    return out
