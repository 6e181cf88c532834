"""The one thing pyproject.toml cannot say: which Cython extension modules to build.

Every ``src/seawall/**/*.pyx`` becomes the module of the same dotted name
(``src/seawall/risk/engine.pyx`` is ``seawall.risk.engine``), compiled with
the interpreter's own C flags.
"""

from pathlib import Path

from Cython.Build import cythonize
from setuptools import Extension, setup

SOURCES = sorted(Path("src").glob("seawall/**/*.pyx"))
EXTENSIONS = [
    Extension(".".join(path.relative_to("src").with_suffix("").parts), [str(path)])
    for path in SOURCES
]

setup(ext_modules=cythonize(EXTENSIONS, compiler_directives={"language_level": 3}))
