"""Browser libraries vendored from npm by layers/vendor_js.py, read for inlining into maps."""

from __future__ import annotations

import functools
import json
import re
from importlib import resources

#: Manifest written by layers/vendor_js.py: version, tarball integrity and sha256 per file.
MANIFEST = "VENDOR.json"


@functools.cache
def manifest() -> dict[str, dict]:
    """Package name -> {"version", "integrity", "files": {file name: sha256}}."""
    return json.loads(resources.files(__name__).joinpath(MANIFEST).read_text("utf-8"))


@functools.cache
def text(package: str, name: str) -> str:
    """A vendored file's text, without a source-map comment (a file the page must not ask for)."""
    data = resources.files(__name__).joinpath(package, name).read_text("utf-8")
    return re.sub(r"\s*//# sourceMappingURL=\S+\s*$", "\n", data)
