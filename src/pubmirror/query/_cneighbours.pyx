# cython: boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The all-pairs kernel of the neighbour build (``pubmirror.query.neighbours``), compiled.

For each query record: accumulate, over its terms and each term's postings, the products of the
two records' weights (so every record sharing a term gets its exact pmra score), then keep the
``k`` best in a min-heap. The pure-numpy path in ``neighbours.py`` computes the same lists (tested);
this one is about fifty times faster and releases the GIL, so threads share the work.
"""

from libc.stdlib cimport calloc, free, malloc


cdef inline bint _worse(double sa, int da, double sb, int db) noexcept nogil:
    # Lower score first; on a tie the higher record index (higher PMID) is the worse.
    return sa < sb or (sa == sb and da > db)


cdef void _sift_down(double* hs, int* hd, int n, int i) noexcept nogil:
    cdef int child, best
    cdef double ts
    cdef int td
    while True:
        best = i
        child = 2 * i + 1
        if child < n and _worse(hs[child], hd[child], hs[best], hd[best]):
            best = child
        child += 1
        if child < n and _worse(hs[child], hd[child], hs[best], hd[best]):
            best = child
        if best == i:
            return
        ts = hs[i]; hs[i] = hs[best]; hs[best] = ts
        td = hd[i]; hd[i] = hd[best]; hd[best] = td
        i = best


cdef void _sift_up(double* hs, int* hd, int i) noexcept nogil:
    cdef int parent
    cdef double ts
    cdef int td
    while i > 0:
        parent = (i - 1) // 2
        if not _worse(hs[i], hd[i], hs[parent], hd[parent]):
            return
        ts = hs[i]; hs[i] = hs[parent]; hs[parent] = ts
        td = hd[i]; hd[i] = hd[parent]; hd[parent] = td
        i = parent


def top_k(const long long[::1] indptr, const int[::1] terms, const double[::1] weights,
          const long long[::1] t_indptr, const int[::1] t_docs, const double[::1] t_weights,
          const int[::1] rows, int[:, ::1] out_docs, double[:, ::1] out_scores) -> None:
    """Fill ``out_docs[i]``/``out_scores[i]`` with the best neighbours of record ``rows[i]``,
    best first (ties: lower index first); unused slots get index -1 and score 0."""
    cdef Py_ssize_t n_docs = indptr.shape[0] - 1
    cdef int k = out_docs.shape[1]
    cdef Py_ssize_t i, r, p, q
    cdef int d, e, t, n_touched, size
    cdef double w, s
    cdef double* acc = <double*>calloc(n_docs if n_docs > 0 else 1, sizeof(double))
    cdef int* touched = <int*>malloc((n_docs if n_docs > 0 else 1) * sizeof(int))
    cdef double* heap_s = <double*>malloc((k if k > 0 else 1) * sizeof(double))
    cdef int* heap_d = <int*>malloc((k if k > 0 else 1) * sizeof(int))
    if acc == NULL or touched == NULL or heap_s == NULL or heap_d == NULL:
        free(acc); free(touched); free(heap_s); free(heap_d)
        raise MemoryError()
    with nogil:
        for r in range(rows.shape[0]):
            d = rows[r]
            n_touched = 0
            for p in range(indptr[d], indptr[d + 1]):
                t = terms[p]
                w = weights[p]
                for q in range(t_indptr[t], t_indptr[t + 1]):
                    e = t_docs[q]
                    if acc[e] == 0.0:  # weights are > 0, so 0 means not reached yet
                        touched[n_touched] = e
                        n_touched += 1
                    acc[e] += w * t_weights[q]
            size = 0
            for i in range(n_touched):
                e = touched[i]
                s = acc[e]
                acc[e] = 0.0
                if e == d or k == 0:
                    continue
                if size < k:
                    heap_s[size] = s
                    heap_d[size] = e
                    _sift_up(heap_s, heap_d, size)
                    size += 1
                elif _worse(heap_s[0], heap_d[0], s, e):
                    heap_s[0] = s
                    heap_d[0] = e
                    _sift_down(heap_s, heap_d, size, 0)
            for i in range(size, k):
                out_docs[r, i] = -1
                out_scores[r, i] = 0.0
            while size > 0:  # the root is the worst kept: fill from the back
                size -= 1
                out_docs[r, size] = heap_d[0]
                out_scores[r, size] = heap_s[0]
                heap_s[0] = heap_s[size]
                heap_d[0] = heap_d[size]
                _sift_down(heap_s, heap_d, size, 0)
    free(acc); free(touched); free(heap_s); free(heap_d)


# --- pmra words of ASCII text ------------------------------------------------------------------
from cpython.dict cimport PyDict_GetItem, PyDict_SetItem
from cpython.object cimport PyObject
from cpython.unicode cimport PyUnicode_DecodeASCII

DEF MAX_TOKEN = 100  # the index analyzer drops tokens of 100 bytes or more


cdef inline bint _alnum(unsigned char c) noexcept nogil:
    return (48 <= c <= 57) or (65 <= c <= 90) or (97 <= c <= 122)


def add_ascii_words(str text, long times, dict counts, dict cache, object word_of,
                    Py_ssize_t cache_max) -> None:
    """Add ``times`` × each pmra word of ASCII ``text`` to ``counts``.

    The index analyzer on ASCII text (runs of letters and digits, lower-cased, tokens of 100
    bytes or more dropped) followed by ``word_of`` (stopwords, stemming), whose results are kept
    in ``cache`` up to ``cache_max`` tokens: ``pmra.term_vector``'s work without a Python string
    per token from the tokenizer. The caller checks ``text.isascii()``.
    """
    cdef bytes data = text.encode("ascii")
    cdef const unsigned char* s = data
    cdef Py_ssize_t n = len(data), i = 0, start, j, length
    cdef char buf[MAX_TOKEN]
    cdef unsigned char c
    cdef PyObject* found
    cdef object token, word
    while i < n:
        while i < n and not _alnum(s[i]):
            i += 1
        start = i
        while i < n and _alnum(s[i]):
            i += 1
        length = i - start
        if length == 0 or length >= MAX_TOKEN:
            continue
        for j in range(length):
            c = s[start + j]
            buf[j] = c + 32 if 65 <= c <= 90 else c
        token = PyUnicode_DecodeASCII(buf, length, NULL)
        found = PyDict_GetItem(cache, token)  # borrowed: the dictionary keeps it alive
        if found == NULL:
            word = word_of(token)
            if len(cache) < cache_max:
                PyDict_SetItem(cache, token, word)
        else:
            word = <object>found
        if word:
            found = PyDict_GetItem(counts, word)
            PyDict_SetItem(counts, word, times if found == NULL else <object>found + times)
