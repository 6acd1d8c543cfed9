"""Builds the optional compiled parts: the extractor (``pubmirror.medline._cwalk``), the record
splitter's loop (``pubmirror.medline._csplit``), the index
document writer (``pubmirror.index._cdocument``) and the neighbour-build kernel
(``pubmirror.query._cneighbours``); everything else is in pyproject.toml.
Without Cython or a C compiler the build goes on, and ingest and the neighbour build use their
pure-Python / numpy paths, which give the same results (tested)."""

from __future__ import annotations

from setuptools import Extension, setup

try:
    import lxml
    from Cython.Build import cythonize
except ImportError:  # no build tools: install the pure-Python package
    extensions: list[Extension] = []
else:
    extensions = cythonize(
        [
            Extension(
                "pubmirror.medline._cwalk",
                ["src/pubmirror/medline/_cwalk.pyx"],
                include_dirs=lxml.get_include(),
                optional=True,
            ),
            Extension("pubmirror.medline._csplit", ["src/pubmirror/medline/_csplit.pyx"], optional=True),
            Extension(
                "pubmirror.index._cdocument",
                ["src/pubmirror/index/_cdocument.pyx"],
                optional=True,
            ),
            Extension(
                "pubmirror.query._cneighbours",
                ["src/pubmirror/query/_cneighbours.pyx"],
                extra_compile_args=["-O3"],
                optional=True,
            ),
        ],
        language_level=3,
        quiet=True,
    )

setup(ext_modules=extensions)
