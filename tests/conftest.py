"""Shared fixtures: real data paths, fresh data homes, the CLI as a real subprocess, and small
NLM-style record files cut from the real sample.

Data:
    ``$PUBMIRROR_SAMPLE``    folder holding NLM's ``pubmed20n0014.xml.gz`` and ``pubmed21n1298.xml.gz``
                             (``make test`` sets it); tests that need it skip when it is absent.
    ``$PUBMIRROR_TESTDATA``  the shared real data (default ``<repo>/../shared/data``).
    ``<repo>/../shared/seed`` the seed record and its expected Abstract display.

Record cutting here is deliberately independent of ``pubmirror.medline.split``: a plain regular
expression over the decompressed bytes, so the tests do not check the splitter against itself.
"""

from __future__ import annotations

import gzip
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("PUBMIRROR_TESTDATA") or REPO.parent / "shared" / "data")
SEED = REPO.parent / "shared" / "seed"
SAMPLE_ENV = os.environ.get("PUBMIRROR_SAMPLE")
SAMPLE_2020 = "pubmed20n0014.xml.gz"
SAMPLE_2021 = "pubmed21n1298.xml.gz"

# NLM's prolog, as in the sample files.
XML_DECL = b'<?xml version="1.0" encoding="utf-8"?>\n'
DOCTYPE = (
    b'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2019//EN"'
    b' "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_190101.dtd">\n'
)
HEADER = XML_DECL + DOCTYPE + b"<PubmedArticleSet>\n"
FOOTER = b"</PubmedArticleSet>\n"

ARTICLE_RE = re.compile(rb"<PubmedArticle>.*?</PubmedArticle>", re.S)
PMID_RE = re.compile(rb'<MedlineCitation[^>]*>\s*<PMID Version="(\d+)">(\d+)</PMID>')
TITLE_RE = re.compile(rb"<ArticleTitle>(.*?)</ArticleTitle>", re.S)

CLI_TIMEOUT = 120.0


# --- data locations ---------------------------------------------------------------------------
def sample_dir() -> Path:
    if not SAMPLE_ENV:
        pytest.skip("PUBMIRROR_SAMPLE is not set (run `make test`, or set it to the sample folder)")
    folder = Path(SAMPLE_ENV)
    for name in (SAMPLE_2020, SAMPLE_2021):
        if not (folder / name).is_file():
            pytest.skip(f"sample file missing: {folder / name} (run `pubmirror sample`)")
    return folder


def data_file(relative: str) -> Path:
    path = DATA / relative
    if not path.exists():
        pytest.skip(f"shared test data not found: {path}")
    return path


def seed_file(name: str) -> Path:
    path = SEED / name
    if not path.exists():
        pytest.skip(f"seed file not found: {path}")
    return path


@pytest.fixture(scope="session")
def sample() -> Path:
    return sample_dir()


# --- real records -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Rec:
    """One real ``<PubmedArticle>`` element's original bytes."""

    pmid: int
    version: int
    data: bytes

    def with_title(self, title: bytes) -> Rec:
        data, n = TITLE_RE.subn(b"<ArticleTitle>" + title + b"</ArticleTitle>", self.data, count=1)
        assert n == 1, f"PMID {self.pmid} has no ArticleTitle"
        return Rec(self.pmid, self.version, data)

    @property
    def title(self) -> bytes:
        m = TITLE_RE.search(self.data)
        assert m
        return m.group(1)


def articles(data: bytes) -> Iterator[Rec]:
    for m in ARTICLE_RE.finditer(data):
        head = PMID_RE.search(m.group(0))
        assert head is not None, m.group(0)[:300]
        yield Rec(int(head.group(2)), int(head.group(1)), m.group(0))


def read_plain(path: Path) -> bytes:
    with open(path, "rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        with gzip.open(path, "rb") as gz:
            return gz.read()
    return path.read_bytes()


def first_records(path: Path, n: int) -> list[Rec]:
    """The first ``n`` PubmedArticle elements of a (gzipped) NLM file, read only as far as needed."""
    out: list[Rec] = []
    buf = b""
    with gzip.open(path, "rb") as gz:
        while len(out) < n:
            block = gz.read(4 << 20)
            if not block:
                break
            buf += block
            last = 0
            for m in ARTICLE_RE.finditer(buf):
                head = PMID_RE.search(m.group(0))
                assert head is not None
                out.append(Rec(int(head.group(2)), int(head.group(1)), m.group(0)))
                last = m.end()
                if len(out) == n:
                    break
            buf = buf[last:]
    assert len(out) == n, f"{path} has fewer than {n} records"
    return out


@pytest.fixture(scope="session")
def sample_records(sample: Path) -> list[Rec]:
    """The first 2,500 records of pubmed20n0014 (real, distinct PMIDs, version 1)."""
    recs = first_records(sample / SAMPLE_2020, 2500)
    assert len({r.pmid for r in recs}) == len(recs)
    return recs


def nlm_bytes(
    records: Sequence[Rec | bytes], deletions: Sequence[int] = (), prolog: bytes = HEADER
) -> bytes:
    """An NLM-layout file: declaration, DOCTYPE, root, records, then a DeleteCitation list."""
    parts = [prolog]
    for r in records:
        parts.append(b"  " + (r.data if isinstance(r, Rec) else r) + b"\n")
    if deletions:
        parts.append(b"<DeleteCitation>\n")
        parts.extend(b'<PMID Version="1">%d</PMID>\n' % p for p in deletions)
        parts.append(b"</DeleteCitation>\n")
    parts.append(FOOTER)
    return b"".join(parts)


def write_nlm(
    folder: Path, name: str, records: Sequence[Rec | bytes], deletions: Sequence[int] = ()
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    data = nlm_bytes(records, deletions)
    if name.endswith(".gz"):
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


# --- homes and the CLI ------------------------------------------------------------------------
@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A fresh, empty data home."""
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """A folder for test input files."""
    path = tmp_path / "in"
    path.mkdir()
    return path


def cli_command() -> list[str]:
    script = Path(sys.executable).parent / "pubmirror"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from pubmirror.faces.cli import main; main()"]


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PUBMIRROR_HOME", None)
    env["COLUMNS"] = "200"
    return env


@dataclass
class Done:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def run_cli(home: Path, *args: str, timeout: float = CLI_TIMEOUT) -> Done:
    """Run ``pubmirror --home HOME ARGS`` as a real process; a hang fails the test."""
    cmd = [*cli_command(), "--home", str(home), *args]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env(), start_new_session=True
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        out, err = proc.communicate()
        pytest.fail(
            f"`pubmirror {' '.join(args)}` hung for {timeout:.0f} s and was killed;"
            f" stderr: {err.decode(errors='replace')[-2000:]}"
        )
    return Done(cmd, proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"))


def start_cli(home: Path, *args: str) -> subprocess.Popen[bytes]:
    """Start ``pubmirror`` in its own process group (so a kill reaches its workers too)."""
    cmd = [*cli_command(), "--home", str(home), *args]
    return subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env(), start_new_session=True
    )


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group this test started (the CLI and its worker processes)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


@pytest.fixture
def cli() -> Callable[..., Done]:
    return run_cli


# --- the sample, ingested once per session ----------------------------------------------------
@dataclass
class SampleHome:
    path: Path
    results: list  # FileResult, one per sample file


@pytest.fixture(scope="session")
def sample_home(sample: Path, tmp_path_factory: pytest.TempPathFactory) -> SampleHome:
    """A data home holding both sample files, ingested once (about 20 s)."""
    from pubmirror.service import Pubmirror

    path = tmp_path_factory.mktemp("sample-home")
    with Pubmirror(path) as service:
        results = service.ingest([sample / SAMPLE_2020, sample / SAMPLE_2021])
    return SampleHome(path, results)
