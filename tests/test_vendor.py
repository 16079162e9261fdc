"""The vendored browser libraries are the files the pinned npm tarballs hold (no network)."""

from __future__ import annotations

import hashlib
import importlib.util
from importlib import resources
from pathlib import Path

import pytest

from rangemap import vendor

REPO = Path(__file__).resolve().parent.parent


def _build_script():
    spec = importlib.util.spec_from_file_location("vendor_js", REPO / "layers" / "vendor_js.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_manifest_matches_the_build_script_pins():
    pins = {p.name: (p.version, p.integrity) for p in _build_script().PACKAGES}
    shipped = {name: (e["version"], e["integrity"]) for name, e in vendor.manifest().items()}
    assert shipped == pins


@pytest.mark.parametrize("package", sorted(vendor.manifest()))
def test_shipped_files_have_the_manifest_hashes(package):
    root = resources.files("rangemap.vendor").joinpath(package)
    files = vendor.manifest()[package]["files"]
    shipped = sorted(p.name for p in root.iterdir())
    assert shipped == sorted(files)  # nothing added or left out by hand
    for name, sha256 in files.items():
        assert hashlib.sha256(root.joinpath(name).read_bytes()).hexdigest() == sha256, name


@pytest.mark.parametrize("package", sorted(vendor.manifest()))
def test_every_package_keeps_its_licence(package):
    files = vendor.manifest()[package]["files"]
    assert any(name.startswith("LICENSE") for name in files)


def test_integrity_check_rejects_a_changed_tarball(tmp_path):
    script = _build_script()
    package = script.PACKAGES[0]
    with pytest.raises(SystemExit, match="is not the pinned"):
        script.vendor(package, b"not the tarball", tmp_path)


def test_inlined_text_has_no_source_map_request():
    js = vendor.text("leaflet-gesture-handling", "leaflet-gesture-handling.min.js")
    assert "sourceMappingURL" not in js
    assert "GestureHandling" in js
