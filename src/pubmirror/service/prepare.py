"""Turning record bytes into what the store and index take; runs in ingest's worker processes.

A worker gets a batch of raw record chunks and gives back, per record, its PMID, version, the
compressed original bytes and the index document made by the index backend's encoder
(``SearchIndex.encoder``; tantivy's is JSON, which it parses in Rust, cheaper than building
``Document`` objects in Python). Deletions pass through as PMID lists.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass

import zstandard
from lxml import etree

from pubmirror.medline.extract import Fields, fast_search_fields, scan_fields, scan_stream
from pubmirror.medline.reader import Deletion
from pubmirror.medline.split import Chunk, parse_chunk
from pubmirror.errors import BadInputError
from pubmirror.index.base import Encoder, StreamEncoder
from pubmirror.store.sqlite_store import compress, compress_all, compressor
from pubmirror.system import usable_cpus


BATCH = 400  # records a batch: prepared, sent and applied together
# Each file of at least DICT_MIN records gets a zstd dictionary trained on its first records:
# a 2020 baseline dictionary compressed 2021 update records 30% worse than their own (measured).
# 500 records train in a third of the time 1,500 took (0.03 against 0.08 s for pubmed20n0014,
# 0.09 against 0.28 s for pubmed21n1298) for a store 1% larger (measured).
DICT_SAMPLES = 500
DICT_MIN = 500
DICT_SIZE = 112 << 10


@dataclass(frozen=True, slots=True)
class Prepared:
    pmid: int
    version: int
    codec: int
    blob: bytes
    doc: str  # the index document (the backend's encoding)

    def __reduce__(self) -> tuple[type[Prepared], tuple[int, int, int, bytes, str]]:
        # Batches cross process boundaries; the default pickling of a slotted dataclass cost
        # 7.7 µs a record, this 2 µs (measured).
        return Prepared, (self.pmid, self.version, self.codec, self.blob, self.doc)


class Preparer:
    """Per-process state: the compressor for the store's current dictionary, and the index
    backend's document encoders (from a fields dict, and from a field stream if it has one)."""

    def __init__(
        self, codec: int, dict_bytes: bytes | None, encode: Encoder,
        encode_stream: StreamEncoder | None = None,
    ) -> None:  # fmt: skip
        self.codec = codec if dict_bytes is not None else 0
        self.comp: zstandard.ZstdCompressor | None = compressor(self.codec, dict_bytes)
        self.encode = encode
        self.encode_stream = encode_stream

    def record(self, data: bytes, fields: tuple[int, int, Fields]) -> Prepared:
        """Raises ValueError for a record without a usable PMID or Version."""
        pmid, version, found = fields
        check_key(pmid, version)
        return Prepared(pmid, version, self.codec, compress(self.comp, data), self.encode(pmid, found))

    def keyed(self, path: str, chunk: Chunk) -> tuple[int, int, str]:
        """A record's PMID, version and index document; ValueError for an unusable record."""
        # The scanner reads plain records without lxml, straight into the backend's document
        # when it takes a field stream; what the scanner declines (it declines the same bytes
        # whichever way it is asked), lxml parses, and reports with the line if malformed.
        if self.encode_stream is not None:
            found = scan_stream(chunk.data)
            if found is not None:
                pmid, version, stream = found
                check_key(pmid, version)
                return pmid, version, self.encode_stream(pmid, stream)
            fields = None
        else:
            fields = scan_fields(chunk.data)
        if fields is None:
            fields = fast_search_fields(parse_chunk(path, chunk))
        pmid, version, found_fields = fields
        check_key(pmid, version)
        return pmid, version, self.encode(pmid, found_fields)

    def chunks(self, path: str, chunks: list[Chunk]) -> list[Prepared | Deletion]:
        originals = [chunk.data for chunk in chunks if chunk.tag != "DeleteCitation"]
        # zstd runs without the GIL: on a second CPU it compresses the batch while this thread
        # reads it (ingest's main thread was the bottleneck with two CPUs, tantivy's threads
        # idle a third of the time; measured).
        pool = _compressing_pool()
        compressed = pool.submit(compress_all, self.comp, originals) if pool else None
        try:
            keyed = self._keyed_all(path, chunks)
        except BaseException:
            # One compressor must not serve two threads: its batch finishes before the error goes.
            if compressed is not None and not compressed.cancel():
                wait([compressed])
            raise
        blobs = iter(compressed.result() if compressed else compress_all(self.comp, originals))
        codec = self.codec
        return [k if isinstance(k, Deletion) else Prepared(k[0], k[1], codec, next(blobs), k[2])
                for k in keyed]  # fmt: skip

    def _keyed_all(self, path: str, chunks: list[Chunk]) -> list[tuple[int, int, str] | Deletion]:
        keyed: list[tuple[int, int, str] | Deletion] = []
        for chunk in chunks:
            try:
                if chunk.tag == "DeleteCitation":
                    keyed.append(deletion_of(parse_chunk(path, chunk)))
                    continue
                keyed.append(self.keyed(path, chunk))
            except ValueError as exc:  # well-formed XML, but not a usable record
                raise BadInputError(path, f"unusable <{chunk.tag}>: {exc}", chunk.line) from None
        return keyed


_pool: ThreadPoolExecutor | None = None


def _compressing_pool() -> ThreadPoolExecutor | None:
    """One thread for zstd, when this process may use more than one CPU (on one it would only
    add hand-overs)."""
    global _pool
    if _pool is None and usable_cpus() > 1:
        _pool = ThreadPoolExecutor(1, thread_name_prefix="pubmirror-zstd")
    return _pool


def _forget_pool() -> None:
    """In a fork (ingest's reader process): the parent's pool came without its thread, and
    would queue the child's work for a thread that never runs it."""
    global _pool
    _pool = None


os.register_at_fork(after_in_child=_forget_pool)


def train_dictionary(first: list[Chunk]) -> bytes | None:
    """The zstd dictionary for a file, trained on its first records; None when too few."""
    samples: list[bytes | bytearray | memoryview] = []
    samples.extend(c.data for c in first if c.tag != "DeleteCitation")
    if len(samples) < DICT_MIN:
        return None
    try:
        # Fixed cover parameters: the default search over them took 0.47 s a file for a
        # dictionary no better (718.1 against 718.9 B a record on the sample; measured).
        return zstandard.train_dictionary(DICT_SIZE, samples, k=1024, d=8).as_bytes()
    except zstandard.ZstdError:  # unlikely with this many samples; zlib still works
        return None


def check_key(pmid: int, version: int) -> None:
    if pmid <= 0 or version <= 0:
        raise ValueError(f"PMID {pmid} version {version} is not a valid citation key")


def deletion_of(elem: etree._Element) -> Deletion:
    texts = ((p.text or "").strip() for p in elem.iter("PMID"))
    return Deletion(tuple(int(t) for t in texts if t.isdigit()))


# --- worker-process entry point (a ProcessPoolExecutor needs a module-level function) ---------
_preparers: dict[tuple[int, Encoder, StreamEncoder | None], Preparer] = {}


def work(
    path: str, chunks: list[Chunk], codec: int, dict_bytes: bytes | None, encode: Encoder,
    encode_stream: StreamEncoder | None,
) -> list[Prepared | Deletion]:  # fmt: skip
    """Prepare a batch in a worker; each file may bring its own dictionary, kept per process."""
    key = (codec, encode, encode_stream)
    preparer = _preparers.get(key)
    if preparer is None:
        preparer = _preparers[key] = Preparer(codec, dict_bytes, encode, encode_stream)
    return preparer.chunks(path, chunks)
