"""The one thing pyproject.toml cannot say: which Cython extension modules to build."""

# finds the .pyx files under src/
from pathlib import Path

# turns each .pyx into C, again only when the .pyx or a .pxd it cimports changed
from Cython.Build import cythonize

# the build backend named in pyproject.toml, which reads all the rest from there
from setuptools import Extension, setup

# every src/seawall/**/*.pyx; relative paths, as setuptools wants for sources
SOURCES: list[Path] = sorted(Path("src").glob("seawall/**/*.pyx"))

# each becomes the module of the same dotted name (src/seawall/risk/x.pyx -> seawall.risk.x)
EXTENSIONS: list[Extension] = [
    # src/ is the import root, so the dotted name is the path below it without .pyx
    Extension(".".join(path.relative_to("src").with_suffix("").parts), [str(path)])
    # one extension per .pyx; none is fine (an empty list builds a pure-Python package)
    for path in SOURCES
]

# Python 3 semantics in every .pyx; C flags stay the interpreter's own (sysconfig: -O3)
setup(ext_modules=cythonize(EXTENSIONS, compiler_directives={"language_level": 3}))
