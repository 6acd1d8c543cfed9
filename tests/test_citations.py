"""Cited by and References: from the records' own reference lists, within the mirror.

"Cited by" comes from the index (each record's cited PMIDs are a links field), "References"
from the stored record; so the two must agree with each other, with an independent reading of
the reference lists, and across replacements and deletions.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import SAMPLE_2020, SAMPLE_2021, SampleHome, articles, read_plain, run_cli, write_nlm

from pubmirror.errors import NotFoundError
from pubmirror.medline.parse import parse_record
from pubmirror.service import Pubmirror

CITING, CITED = 399607, 406965  # a pubmed20n0014 record and one it cites, both in that file


def _independent_links(sample: Path, stored: set[int]) -> dict[int, list[int]]:
    """citing PMID → cited PMIDs in the mirror, from the full model of the latest versions."""
    latest: dict[int, tuple[int, bytes]] = {}
    for name in (SAMPLE_2020, SAMPLE_2021):
        for rec in articles(read_plain(sample / name)):
            if rec.pmid in stored and rec.version >= latest.get(rec.pmid, (0, b""))[0]:
                latest[rec.pmid] = (rec.version, rec.data)
    links: dict[int, list[int]] = {}
    for pmid, (_, data) in latest.items():
        if b"<ReferenceList" not in data:
            continue
        ids = [int(i.value) for ref in parse_record(data).references for i in ref.article_ids
               if i.id_type == "pubmed" and i.value.strip().isdigit()]  # fmt: skip
        cited = [p for p in dict.fromkeys(ids) if p in stored]
        if cited:
            links[pmid] = cited
    return links


@pytest.fixture(scope="module")
def service(sample_home: SampleHome) -> Pubmirror:
    return Pubmirror(sample_home.path)


def test_references_and_cited_by_agree_with_the_records(
    service: Pubmirror, sample: Path
) -> None:
    stored = {r.pmid for r in service.store.iter_latest()}
    links = _independent_links(sample, stored)
    assert sum(map(len, links.values())) == 819  # measured on the sample
    citers: dict[int, set[int]] = defaultdict(set)
    for citing, cited in links.items():
        assert service.references(citing) == cited
        for pmid in cited:
            citers[pmid].add(citing)
    for cited, expected in citers.items():
        hits = service.cited_by(cited, limit=10_000)
        assert set(hits.pmids) == expected and hits.count == len(expected)


def test_cited_by_a_pmid_outside_the_mirror(service: Pubmirror) -> None:
    """Cited by works for any PMID: the cited record need not be mirrored."""
    outside = [p for p in _refs_of(service, CITING) if not service.store.versions([p])]
    assert outside, "expected some references outside the sample"
    assert CITING in service.cited_by(outside[0], limit=1000).pmids


def _refs_of(service: Pubmirror, pmid: int) -> list[int]:
    xml = service.fetch(pmid).xml.decode()
    block = xml.split("<ReferenceList", 1)[1]
    return [int(p) for p in re.findall(r'<ArticleId IdType="pubmed">\s*(\d+)\s*<', block)]


def _records(sample: Path, *pmids: int) -> list[bytes]:
    found = {r.pmid: r.data for r in articles(read_plain(sample / SAMPLE_2020)) if r.pmid in pmids}
    return [found[p] for p in pmids]


def test_links_follow_replacements_and_deletions(sample: Path, tmp_path: Path) -> None:
    citing, cited = _records(sample, CITING, CITED)
    uncited = re.sub(rb"<ReferenceList>.*</ReferenceList>", b"", citing, flags=re.S)
    assert uncited != citing
    files = tmp_path / "in"
    steps = [
        (write_nlm(files, "pubmed20n0001.xml", [citing, cited]), [CITING]),
        (write_nlm(files, "pubmed20n0002.xml", [uncited]), []),  # a revision drops the list
        (write_nlm(files, "pubmed20n0003.xml", [citing]), [CITING]),
        (write_nlm(files, "pubmed20n0004.xml", [], deletions=[CITING]), []),
    ]
    with Pubmirror(tmp_path / "home") as service:
        for path, expected in steps:
            service.ingest([path])
            assert service.cited_by(CITED).pmids == expected, path.name
            if expected:
                assert CITED in service.references(CITING)
        with pytest.raises(NotFoundError):
            service.references(CITING)


def test_cli_citedby_and_refs(sample_home: SampleHome) -> None:
    done = run_cli(sample_home.path, "citedby", str(CITED), "--count")
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 1
    listed = run_cli(sample_home.path, "citedby", str(CITED)).stdout.split()
    assert str(CITING) in listed
    refs = run_cli(sample_home.path, "refs", str(CITING))
    assert refs.returncode == 0 and str(CITED) in refs.stdout.split()
    shown = run_cli(sample_home.path, "refs", str(CITING), "--format", "pmid")
    assert shown.stdout.split() == refs.stdout.split()
    assert run_cli(sample_home.path, "refs", "1").returncode == 1
