"""The numba cache directory follows the source: a change anywhere starts a fresh cache."""

import os

import numba
import pytest

from physlab.core.numba_setup import cache_dir, source_digest


def test_digest_changes_with_any_source_file(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text("x = 1\n")
    (package / "sub" / "b.py").write_text("y = 2\n")
    first = source_digest(package)
    (package / "sub" / "b.py").write_text("y = 3\n")
    assert source_digest(package) != first


def test_qt_code_does_not_key_the_cache(tmp_path):
    package = tmp_path / "pkg"
    for folder in ("gui", "lab/ui"):
        (package / folder).mkdir(parents=True)
    for name in ("gui/window.py", "lab/ui/tab.py", "lab/ui/scaling_tab.py", "lab/kernels.py"):
        (package / name).write_text("x = 1\n")
    first = source_digest(package)
    for name in ("gui/window.py", "lab/ui/tab.py", "lab/ui/scaling_tab.py"):
        (package / name).write_text("x = 2\n")
    assert source_digest(package) == first
    (package / "lab/kernels.py").write_text("x = 2\n")
    assert source_digest(package) != first


def test_new_cache_directory_replaces_the_old_one(tmp_path):
    old = cache_dir(tmp_path, "aaaa")
    old.mkdir()
    (old / "kernel.nbi").write_text("stale")
    new = cache_dir(tmp_path, "bbbb")
    assert new.name == "numba-bbbb" and not old.exists()


@pytest.mark.skipif(bool(os.environ.get("NUMBA_CACHE_DIR")), reason="the user chose the cache")
def test_kernels_cache_under_the_versioned_directory():
    assert numba.config.CACHE_DIR.endswith("numba-" + source_digest())
