"""Build hook for the optional C accelerator of the scanner (everything else is in pyproject).

``optional=True``: without a C compiler the build goes on and lazydcm uses its pure-Python
scanner (same results, slower).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("lazydcm.io._scanfast", ["lazydcm/io/_scanfast.c"], optional=True),
    ]
)
