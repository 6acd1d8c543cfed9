"""Builds the optional compiled extractor (``pubmirror.medline._cwalk``); everything else is in
pyproject.toml. Without Cython or a C compiler the build goes on and ingest uses the pure-Python
extractor, which gives the same fields (tested)."""

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
            )
        ],
        language_level=3,
        quiet=True,
    )

setup(ext_modules=extensions)
