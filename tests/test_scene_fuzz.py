"""Fuzzing scene files: whatever a scene file holds, load_scene returns a Scene or raises one
CatalogError naming the file (never a crash, a traceback or another exception)."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from yaml_mutations import mutated_lines

from rangemap.errors import CatalogError
from rangemap.scene import Scene, builtin_scenes, load_scene, scenes_dir

SCENE_TEXTS = {
    name: (scenes_dir() / f"{name}.yaml").read_text("utf-8") for name in builtin_scenes()
}
FUZZ = settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

#: Pieces that mean something in YAML or in a scene, to splice into the text.
TOKENS = [
    ":", "- ", "  ", "\t", "#", "&a", "*a", "!!int", "!!python/object", "<<: *a", "{", "}", "[",
    "]", "'", '"', "|", ">-", "---", "...", "\n", "\x00", "\ufeff", "null", "~", "yes", "NO",
    ".nan", "-.inf", "1e999", "0x1F", "2019-02-30", "9m729/", "9m729/ru-48", "inf",
    "kaliningrad", "91,0", "0,181", "javascript:alert(1)", "#GGGGGG", "é", "\u2028", "🚀",
]  # fmt: skip

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(TOKENS),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def check(path: Path) -> None:
    """The property: a Scene, or a CatalogError naming the file."""
    try:
        assert isinstance(load_scene(path), Scene)
    except CatalogError as err:
        assert path.name in str(err)


def mutated_text() -> st.SearchStrategy[str]:
    """A built-in scene with a few line edits: deleted, duplicated, swapped, re-indented,
    truncated, or with a token or random text spliced in."""
    pieces = st.one_of(st.sampled_from(TOKENS), st.text(max_size=8))
    return mutated_lines([SCENE_TEXTS[name] for name in sorted(SCENE_TEXTS)], pieces)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a loaded YAML tree, as keys and indexes from the root."""
    out = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, (*path, index))
    return out


@st.composite
def mutated_tree(draw: st.DrawFn) -> str:
    """A built-in scene with one value replaced, one key removed or an unknown key added,
    written back as YAML: wrong types, out-of-range numbers, NaN, odd text in every field."""
    tree = yaml.safe_load(SCENE_TEXTS[draw(st.sampled_from(sorted(SCENE_TEXTS)))])
    places = _paths(tree)
    where = draw(st.sampled_from(places[1:]))
    parent = tree
    for step in where[:-1]:
        parent = parent[step]
    op = draw(st.sampled_from(["replace", "remove", "add"]))
    if op == "replace":
        parent[where[-1]] = draw(_values)
    elif op == "remove":
        del parent[where[-1]]
    elif isinstance(parent, dict):
        parent[draw(st.text(min_size=1, max_size=12))] = draw(_values)
    else:
        parent.append(draw(_values))
    return yaml.safe_dump(tree, allow_unicode=True, sort_keys=False)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@FUZZ
@given(text=mutated_text())
@example(text=SCENE_TEXTS["inf-2020"].replace("claims:", "claims: &x", 1))
@example(text=SCENE_TEXTS["inf-2020"].replace("    thresholds: [inf]", "  thresholds: [inf]", 1))
def test_mutated_scene_text_loads_or_raises_catalog_error(folder: Path, text: str) -> None:
    path = folder / "mutated.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    check(path)


@FUZZ
@given(text=mutated_tree())
def test_mutated_scene_values_load_or_raise_catalog_error(folder: Path, text: str) -> None:
    path = folder / "values.yaml"
    path.write_text(text, encoding="utf-8")
    check(path)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
@example(data=b"title: T\nsites:\n  - site: '" + str(math.pi).encode() + b",181'\n")
@example(data=b"\xff\xfe\x00t")
def test_random_bytes_load_or_raise_catalog_error(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.getbasetemp() / "random.yaml"
    path.write_bytes(data)
    check(path)


# --- text through the page's script ---------------------------------------------------------

#: Marks each fuzzed text, so it can be found in the page: letters no template or library uses.
MARK = "qzqx"
#: A JSON string as js_value writes it: ASCII, backslash escapes, nothing raw that could end it.
_JSON_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
_script_text = st.lists(
    st.one_of(
        st.sampled_from(list("`${}<>/\\\"'!-*#%&;:=+()[]\n\t \u2028\u2029\u00e9\U0001f680")),
        st.sampled_from(["</script>", "<!--", "-->", "${", "`+", "{{", "{%", "</", "*/"]),
        st.characters(blacklist_categories=("Cs", "Cc", "Cf")),
    ),
    max_size=10,
).map(lambda parts: f"{MARK}{''.join(parts)}{MARK}")


def _code_outside_json_strings(page: str) -> str:
    """The page's inline scripts with every JSON string literal taken out."""
    return "\n".join(_JSON_STRING.sub('""', body) for body in _SCRIPT.findall(page))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(name=_script_text, label=_script_text, title=_script_text)
@example(name=f"{MARK}Belarus`+(window.__xss=1)+`{MARK}", label=f"{MARK}`{MARK}", title=MARK)
@example(name=f"{MARK}</script><script>{MARK}", label=f"{MARK}${{1}}{MARK}", title=MARK)
def test_scene_text_reaches_the_page_script_only_as_json(
    folder: Path, name: str, label: str, title: str
) -> None:
    """Whatever a name, label or title holds, in the page's scripts it is inside JSON string
    literals only: never in a template literal, a single-quoted string or the code itself
    (the launch-area tooltip once put an area's name in a template literal)."""
    from rangemap.render.html_map import map_html, render_map
    from rangemap.scene_build import resolve_scene

    data = {
        "title": title,
        "sites": [
            {"site": "kaliningrad-region", "name": name, "ranges": [{"km": 150, "label": label}]},
        ],
    }
    path = folder / "script.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        scene = load_scene(path)
    except CatalogError as err:  # text a scene refuses (stripped to nothing, say)
        assert path.name in str(err)
        return
    page = map_html(render_map(resolve_scene(scene), self_contained=True))
    assert page.count("<script") == page.count("</script>")  # code, and the JSON blocks
    assert MARK not in _code_outside_json_strings(page)
    assert MARK in page  # ... and it is there, as text
