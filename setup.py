"""Package list for setuptools (all metadata lives in pyproject.toml).

setuptools' automatic discovery does not see packages whose folders are mapped
with ``package-dir`` (the top-level ``resources/`` and ``migrations/`` folders
ship as ``ato_desktop.resources`` and ``ato_desktop.migrations``), so the list
is computed here.
"""

from setuptools import find_packages, setup

packages = find_packages(include=["ato_desktop", "ato_desktop.*"])
packages += ["ato_desktop.resources", "ato_desktop.migrations", "ato_desktop.migrations.versions"]

setup(packages=packages)
