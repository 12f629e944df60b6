"""Releases of the fixture extract (tests/conftest.py) for the tests of a release's standard files.

`published_release` computes the release `published` (k = 10, noise 2), approves it on
PUBLISHED and writes its standard files, once per test run (the files take tens of seconds on
two cores). `older_release` copies it as a release written before releases had standard files:
the same tables, name and approval, no `files/` and none listed in its manifest.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from conftest import build_clean

NAME = "published"
PUBLISHED = dt.datetime(2025, 7, 1, 9, 0, tzinfo=dt.timezone.utc)
_BUILT: dict[str, Path] = {}


def published_release(tmp_path_factory) -> Path:
    """The releases folder holding NAME, approved, with its standard files (built on first use)."""
    from dashboard.export import standard
    from dashboard.privacy import Rule
    from dashboard.release import catalogue
    from dashboard.release.build import build

    if "published" not in _BUILT:
        root = tmp_path_factory.mktemp("published")
        build(build_clean(root / "clean"), root / "releases", NAME, Rule(k=10, noise=2), now=PUBLISHED)
        catalogue.approve(root / "releases", NAME, "official@example.org", now=PUBLISHED)
        catalogue.add_files(root / "releases", NAME,
                            lambda entry, out: standard.write_release(entry.folder, entry.manifest, out))
        _BUILT["published"] = root / "releases"
    return _BUILT["published"]


def older_release(published: Path, target: Path) -> Path:
    """A releases folder at `target` holding a copy of the published release without its files."""
    from dashboard.release.build import FILES, MANIFEST

    folder = target / NAME
    shutil.copytree(published / NAME, folder, ignore=shutil.ignore_patterns(FILES))
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    manifest.pop("files")
    (folder / MANIFEST).chmod(0o644)
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return target
