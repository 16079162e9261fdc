"""Vendor browser libraries from pinned npm tarballs checked by hash.

Run from the repository root:  python layers/vendor_js.py

For each package below it runs `npm pack NAME@VERSION` in a temporary folder, checks the
tarball against the pinned Subresource Integrity hash (sha512, as the npm registry publishes
it), and copies the listed files and the licence to FOLDER/NAME/, where FOLDER is the package's
destination: rangemap/vendor/ for the libraries the maps inline (shipped in the wheel), or
tests/vendor/ for tools only the tests use (axe-core), which stay out of the package. Each
folder's manifest FOLDER/VENDOR.json records version, integrity and each file's sha256; the
tests check the files against it, so an edit by hand shows. Nothing is fetched at run or test
time. Re-running the script rewrites the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parent.parent
#: Libraries the maps inline: part of the package.
VENDOR = REPO / "rangemap" / "vendor"
#: Tools only the tests load into the browser: kept out of the package (wheel size).
TEST_VENDOR = REPO / "tests" / "vendor"
#: Each destination folder's manifest.
MANIFEST = "VENDOR.json"


class Package(NamedTuple):
    """An npm package pinned by version and tarball hash, and the files taken from it."""

    name: str
    version: str
    integrity: str
    files: tuple[str, ...]  # paths inside the tarball's package/ folder
    folder: Path = VENDOR  # where NAME/ and the manifest entry go


PACKAGES = (
    # proj4js: the maps' own ellipsoidal aeqd (html_projection.CRS_JS) is a port of its aeqd;
    # the browser tests check the port against it bit for bit.
    Package(
        "proj4",
        "2.22.0",
        "sha512-MVvH09QrYm3A235rcX39WDiCKanrBiblu28l0KYIn/B2DofmYhvP/LLS43kE66jNDfx/P1l/nah3JmsAq8UgbQ==",
        ("dist/proj4.js", "LICENSE.md"),
        TEST_VENDOR,
    ),
    # "Ctrl + scroll to zoom" and two-finger pan for maps embedded in articles.
    Package(
        "leaflet-gesture-handling",
        "1.2.2",
        "sha512-Blf5V4PoNphWkzL7Y1qge+Spkd4OCQ2atjwUNhMhLIcjKzPcBH++x/lwOinaR9jSqLWqJ6oKYO8d0XdTffy4hQ==",
        (
            "dist/leaflet-gesture-handling.min.js",
            "dist/leaflet-gesture-handling.min.css",
            "LICENSE",
        ),
    ),
    # Accessibility rules the browser tests run on every map (tests/test_map_layout.py).
    Package(
        "axe-core",
        "4.14.1",
        "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
        ("axe.min.js", "LICENSE", "LICENSE-3RD-PARTY.txt"),
        TEST_VENDOR,
    ),
)


def sri(data: bytes) -> str:
    """Subresource Integrity string (sha512) of a tarball, as npm records it."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def fetch(package: Package, workdir: Path) -> bytes:
    """The package tarball from the npm registry, through npm itself."""
    spec = f"{package.name}@{package.version}"
    result = subprocess.run(
        ["npm", "pack", spec, "--json", "--pack-destination", str(workdir)],
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    )
    filename = json.loads(result.stdout)[0]["filename"]
    return (workdir / filename).read_bytes()


def vendor(package: Package, tarball: bytes, workdir: Path) -> dict[str, object]:
    """Check the tarball, copy its files into FOLDER/NAME/, return its manifest entry."""
    got = sri(tarball)
    if got != package.integrity:
        raise SystemExit(
            f"{package.name}@{package.version}: tarball hash {got} is not the pinned "
            f"{package.integrity}; refusing to vendor it"
        )
    archive = workdir / f"{package.name}.tgz"
    archive.write_bytes(tarball)
    target = package.folder / package.name
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    hashes = {}
    with tarfile.open(archive, "r:gz") as tar:
        for member in package.files:
            source = tar.extractfile(f"package/{member}")
            if source is None:
                raise SystemExit(f"{package.name}: {member} is not a file in the tarball")
            data = source.read()
            name = Path(member).name
            (target / name).write_bytes(data)
            hashes[name] = hashlib.sha256(data).hexdigest()
    return {"version": package.version, "integrity": package.integrity, "files": hashes}


def main() -> None:
    manifests: dict[Path, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for package in PACKAGES:
            entry = vendor(package, fetch(package, Path(tmp)), Path(tmp))
            manifests.setdefault(package.folder, {})[package.name] = entry
    for folder, manifest in manifests.items():
        text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
        (folder / MANIFEST).write_text(text, encoding="utf-8")
        print(f"vendored {', '.join(sorted(manifest))} into {folder}", file=sys.stderr)


if __name__ == "__main__":
    main()
