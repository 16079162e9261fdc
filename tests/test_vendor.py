"""The vendored browser libraries are the files the pinned npm tarballs hold (no network).

Two folders: rangemap/vendor/ (inlined into the maps, shipped) and tests/vendor/ (axe-core,
a test tool kept out of the package); each has its own manifest written by layers/vendor_js.py.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
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


SCRIPT = _build_script()
FOLDERS = {"package": SCRIPT.VENDOR, "tests": SCRIPT.TEST_VENDOR}


def _manifest(folder: Path) -> dict[str, dict]:
    return json.loads((folder / SCRIPT.MANIFEST).read_text("utf-8"))


#: (folder, package) for every vendored package, whichever folder it is in.
VENDORED = [(key, name) for key, folder in FOLDERS.items() for name in sorted(_manifest(folder))]


def test_the_package_reads_the_manifest_the_script_writes():
    assert vendor.manifest() == _manifest(SCRIPT.VENDOR)


@pytest.mark.parametrize("key", sorted(FOLDERS))
def test_manifest_matches_the_build_script_pins(key):
    folder = FOLDERS[key]
    pins = {p.name: (p.version, p.integrity) for p in SCRIPT.PACKAGES if p.folder == folder}
    written = {name: (e["version"], e["integrity"]) for name, e in _manifest(folder).items()}
    assert pins and written == pins


def test_test_tools_stay_out_of_the_package():
    assert "axe-core" in _manifest(SCRIPT.TEST_VENDOR)
    assert not (SCRIPT.VENDOR / "axe-core").exists()
    assert SCRIPT.TEST_VENDOR.parent.name == "tests"  # hatch packages only rangemap/


@pytest.mark.parametrize(("key", "package"), VENDORED)
def test_vendored_files_have_the_manifest_hashes(key, package):
    root = FOLDERS[key] / package
    files = _manifest(FOLDERS[key])[package]["files"]
    on_disk = sorted(p.name for p in root.iterdir())
    assert on_disk == sorted(files)  # nothing added or left out by hand
    for name, sha256 in files.items():
        assert hashlib.sha256((root / name).read_bytes()).hexdigest() == sha256, name


@pytest.mark.parametrize(("key", "package"), VENDORED)
def test_every_package_keeps_its_licence(key, package):
    files = _manifest(FOLDERS[key])[package]["files"]
    assert any(name.startswith("LICENSE") for name in files)


def test_every_vendored_folder_is_in_a_manifest():
    for folder in FOLDERS.values():
        dirs = sorted(p.name for p in folder.iterdir() if p.is_dir() and p.name != "__pycache__")
        assert dirs == sorted(_manifest(folder))


def test_integrity_check_rejects_a_changed_tarball(tmp_path):
    package = SCRIPT.PACKAGES[0]
    with pytest.raises(SystemExit, match="is not the pinned"):
        SCRIPT.vendor(package, b"not the tarball", tmp_path)


def test_inlined_text_has_no_source_map_request():
    js = vendor.text("leaflet-gesture-handling", "leaflet-gesture-handling.min.js")
    assert "sourceMappingURL" not in js
    assert "GestureHandling" in js


@pytest.mark.parametrize("lang", ["en", "de", "pl", "ru", "uk", "fr", "ro"])
def test_gesture_hints_in_the_page_language_and_english_only(lang):
    """The plugin's hint table keeps the page's language and its fallback, each entry as the
    plugin wrote it; the rest of the script is unchanged."""
    from rangemap.render.html_assets import _HINT_ENTRY, _HINT_TABLE, gesture_handling

    whole = vendor.text("leaflet-gesture-handling", "leaflet-gesture-handling.min.js")
    entries = {m.group(1): m.group(0) for m in _HINT_ENTRY.finditer(_HINT_TABLE.search(whole)[1])}
    assert len(entries) == 53
    _, js = gesture_handling(lang)
    kept = {m.group(1): m.group(0) for m in _HINT_ENTRY.finditer(_HINT_TABLE.search(js)[1])}
    assert kept == {k: entries[k] for k in {lang, "en"}}
    table = _HINT_TABLE.search(whole)
    assert js.replace("<\\/", "</") == whole[: table.start(1)] + _HINT_TABLE.search(js)[1] + (
        whole[table.end(1) :]
    )


def test_a_regional_language_keeps_its_base_languages_gesture_hint():
    """A scene in "de-CH": the page asks the plugin for "de" (html_map.language_js), so the
    German hint must be in the page, not only the English fallback."""
    from rangemap.render.html_map import map_html, render_map
    from rangemap.scene import load_scene

    scene = load_scene("us-germany-2024").model_copy(update={"lang": "de-CH"})
    page = map_html(render_map(scene))
    assert "de:{touch:" in page and "Verschieben der Karte mit zwei Fingern" in page
