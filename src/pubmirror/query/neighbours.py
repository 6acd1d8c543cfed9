"""Every record's pmra neighbours at once: the exact all-pairs computation behind
``pubmirror neighbors build`` (``docs/similar.md``). Pure arithmetic over term counts, no index,
no store.

pmra's similarity is a dot product: with each record's weight of a term ``√idf · local`` (the
paper's form), ``sim(a, b)`` is the sum over shared terms of ``w_a · w_b``. So the records' weights
form a sparse matrix ``W`` (records × terms) and the neighbours of record ``a`` are the largest
entries of row ``a`` of ``W Wᵀ``. :func:`top_k` computes those rows one at a time, by walking the
postings (the columns of ``W``) of the record's terms: exact, and quadratic only in the document
frequencies of the terms that carry weight (terms in more than half the records carry none).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pubmirror.query.pmra import LAMBDA, MU

try:
    from pubmirror.query._cneighbours import top_k as _compiled_top_k
except ImportError:  # built without a C compiler: the numpy path below gives the same lists
    _compiled_top_k = None

__all__ = ["Counts", "Matrix", "compiled", "top_k", "weigh"]

Ints = NDArray[np.int32]
Longs = NDArray[np.int64]
Floats = NDArray[np.float64]


def compiled() -> bool:
    """Whether the compiled kernel is in use."""
    return _compiled_top_k is not None


@dataclass(frozen=True, slots=True)
class Counts:
    """Term counts of ``n`` records, row by row (CSR): record ``i`` holds term ``terms[j]``
    ``counts[j]`` times for ``j`` in ``indptr[i]:indptr[i+1]``; ``lengths[i]`` is its pmra length
    (all its term occurrences). Term ids are below ``n_terms``."""

    indptr: Longs
    terms: Ints
    counts: Ints
    lengths: Ints
    n_terms: int

    @property
    def n(self) -> int:
        return int(self.indptr.shape[0] - 1)


@dataclass(frozen=True, slots=True)
class Matrix:
    """The weights ``√idf · local`` of every record's terms (zero weights left out), by record
    (``indptr``, ``terms``, ``weights``) and by term (``t_indptr``, ``t_docs``, ``t_weights``)."""

    indptr: Longs
    terms: Ints
    weights: Floats
    t_indptr: Longs
    t_docs: Ints
    t_weights: Floats


def idfs(df: Longs, n: int) -> Floats:
    """``max(0, ln((N − df + 0.5) / (df + 0.5)))`` for every term (``pmra.idf``, vectorised)."""
    out: Floats = np.log((n - df + 0.5) / (df + 0.5))
    return np.maximum(out, 0.0)


def weigh(counts: Counts) -> Matrix:
    """The weight matrix of ``counts``, with document frequencies taken from ``counts`` itself."""
    n = counts.n
    rows = np.repeat(np.arange(n, dtype=np.int32), np.diff(counts.indptr))
    df = np.bincount(counts.terms, minlength=counts.n_terms).astype(np.int64)
    local = 1.0 / (1.0 + (MU / LAMBDA) ** (counts.counts - 1.0)
                   * np.exp((LAMBDA - MU) * counts.lengths[rows].astype(np.float64)))  # fmt: skip
    weights: Floats = np.asarray(local * np.sqrt(idfs(df, n))[counts.terms], dtype=np.float64)
    keep = weights > 0.0
    terms, rows = counts.terms[keep], rows[keep]
    weights = weights[keep]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    order = np.argsort(terms, kind="stable")  # by term, records in order within a term
    t_indptr = np.zeros(counts.n_terms + 1, dtype=np.int64)
    np.cumsum(np.bincount(terms, minlength=counts.n_terms), out=t_indptr[1:])
    return Matrix(indptr, terms, weights, t_indptr, rows[order], weights[order])


def top_k(matrix: Matrix, rows: Sequence[int] | Ints, k: int, jobs: int = 1,
          use_compiled: bool = True) -> tuple[Ints, Floats]:  # fmt: skip
    """The ``k`` best neighbours of each record in ``rows`` (record indices): an array of
    neighbour indices (−1 where a record has fewer than ``k``) and one of their scores, one row
    per record, best first, ties by index. ``jobs`` threads share the rows."""
    query = np.ascontiguousarray(rows, dtype=np.int32)
    docs = np.full((len(query), k), -1, dtype=np.int32)
    scores = np.zeros((len(query), k), dtype=np.float64)
    kernel = _compiled_top_k if use_compiled and _compiled_top_k is not None else _numpy_top_k
    step = max(1, min(4096, math.ceil(len(query) / max(1, jobs))))
    spans = [(i, min(i + step, len(query))) for i in range(0, len(query), step)]

    def run(span: tuple[int, int]) -> None:
        a, b = span
        kernel(matrix.indptr, matrix.terms, matrix.weights, matrix.t_indptr, matrix.t_docs,
               matrix.t_weights, query[a:b], docs[a:b], scores[a:b])  # fmt: skip

    if jobs <= 1 or len(spans) == 1:
        for span in spans:
            run(span)
    else:
        with ThreadPoolExecutor(jobs) as pool:
            list(pool.map(run, spans))
    return docs, scores


def _numpy_top_k(indptr: Longs, terms: Ints, weights: Floats, t_indptr: Longs, t_docs: Ints,
                 t_weights: Floats, rows: Ints, out_docs: Ints, out_scores: Floats) -> None:  # fmt: skip
    """The compiled kernel's contract in numpy: one record at a time, accumulated by
    ``bincount`` (sums in the same term order, so the same floats up to rounding)."""
    n, k = len(indptr) - 1, out_docs.shape[1]
    for r, d in enumerate(rows):
        spans = [(t_indptr[t], t_indptr[t + 1], w)
                 for t, w in zip(terms[indptr[d]:indptr[d + 1]], weights[indptr[d]:indptr[d + 1]])]
        if not spans:
            continue
        idx = np.concatenate([t_docs[a:b] for a, b, _ in spans])
        val = np.concatenate([t_weights[a:b] * w for a, b, w in spans])
        acc = np.bincount(idx, weights=val, minlength=n)
        acc[d] = 0.0
        found = np.flatnonzero(acc > 0.0)
        best = found[np.lexsort((found, -acc[found]))][:k]  # score descending, then index
        out_docs[r, : len(best)] = best
        out_scores[r, : len(best)] = acc[best]
