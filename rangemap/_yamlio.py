"""Load hand-written YAML keeping line numbers, so each problem is reported at the line to fix."""

from __future__ import annotations

import os
import re
import stat
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, BeforeValidator, ValidationError
from pydantic_core import ErrorDetails
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from rangemap.errors import CatalogError, close_matches, control_character
from rangemap.units import Written, may_be_grouped

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)

FIX_VALUE = "Fix the value and run again."
# Aliases can expand exponentially ("billion laughs"); a catalog has a few thousand nodes.
_MAX_NODES = 200_000
#: Deepest nesting accepted (a scene is 5 levels deep); deeper input would exhaust the stack.
_MAX_DEPTH = 50
#: Largest YAML file read, in bytes (the biggest catalog is about 25 kB); a scene path naming
#: /dev/zero or a huge file is refused before it is read.
MAX_YAML_BYTES = 2_000_000
#: Numbers as YAML 1.2 and JSON write them. YAML 1.1 also reads 1:30 (base 60: 90), 1_0 (10),
#: 010 (octal: 8) and 0x10 as numbers: silent surprises in a range, so they are refused.
_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_FLOAT = re.compile(
    r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)"
)
_TAG = "tag:yaml.org,2002:"
# SafeConstructor's own scalar constructors, so "0x1F", "1_000", ".nan", "2019-01-23" mean
# what YAML 1.1 says they mean.
_SCALARS = {
    _TAG + "null": SafeConstructor.construct_yaml_null,
    _TAG + "bool": SafeConstructor.construct_yaml_bool,
    _TAG + "int": SafeConstructor.construct_yaml_int,
    _TAG + "float": SafeConstructor.construct_yaml_float,
    _TAG + "timestamp": SafeConstructor.construct_yaml_timestamp,
    _TAG + "str": SafeConstructor.construct_yaml_str,
}
_EXPECTED = {
    _TAG + "timestamp": "a valid date",
    _TAG + "int": "an integer",
    _TAG + "float": "a number",
    _TAG + "bool": "true or false",
}


class LocatedProblem(Exception):
    """A problem found by a file's root validator, with its exact place in the file.

    Deliberately not a ValueError: pydantic wraps ValueErrors and replaces the location with the
    validator's own, while any other exception passes through ``model_validate`` unchanged.
    """

    def __init__(
        self, loc: Loc, message: str, fix: str = FIX_VALUE, *, first: Loc | None = None
    ) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message
        self.fix = fix
        self.first = first  # where a duplicated name first appears


def display_path(path: Path) -> str:
    """The path as the user should see it: relative to the working directory when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def load_yaml(path: Path) -> tuple[Any, yaml.Node]:
    """Read one YAML document as plain Python data, plus its node tree for `locate`.

    Rejects what PyYAML would silently accept or crash on: duplicate keys (SafeLoader keeps the
    last), merge keys, unknown tags, recursive aliases, non-text keys.
    """
    shown = display_path(path)
    try:
        raw = read_regular(path, MAX_YAML_BYTES)
    except FileNotFoundError:
        raise CatalogError(
            f"{shown}: file not found. Check the path (or restore the file) and run again."
        ) from None
    except NotRegularFile:
        raise CatalogError(
            f"{shown}: not a regular file (a device, FIFO or folder). Give a YAML file."
        ) from None
    except TooLarge:
        raise CatalogError(
            f"{shown}: larger than {MAX_YAML_BYTES:,} bytes, too large for a scene or catalog. "
            "Check the path."
        ) from None
    except OSError as exc:
        raise CatalogError(f"{shown}: cannot read the file ({exc.strerror}).") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CatalogError(
            f"{shown}, line {line}: not UTF-8 text. Save the file as UTF-8 and run again."
        ) from None
    try:
        root = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f", line {mark.line + 1}" if mark else ""
        problem = ", ".join(filter(None, [exc.context, exc.problem])) or "invalid YAML"
        raise CatalogError(
            f"{shown}{where}: invalid YAML: {problem}{_near(text, mark)}. "
            "Fix the syntax and run again."
        ) from None
    except yaml.reader.ReaderError as exc:  # a control character: it has no mark
        line = text[: exc.position].count("\n") + 1
        raise CatalogError(
            f"{shown}, line {line}: invalid YAML: {exc.reason} ({exc.character!r}). "
            "Delete the character and run again."
        ) from None
    except RecursionError:
        raise CatalogError(f"{shown}: invalid YAML: nested too deeply.") from None
    if root is None:
        raise CatalogError(f"{shown}: the file is empty. Restore its content and run again.")
    return _Converter(shown, root).convert(root, ()), root


class NotRegularFile(Exception):
    """An input path names a device, a FIFO or a folder (a link to one included)."""


class TooLarge(Exception):
    """An input file is larger than its reader's limit."""


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes (scenes, catalogs, area files).

    Opened without blocking and checked before reading, so a FIFO cannot hang the command and
    /dev/zero is not read: NotRegularFile; a larger file is TooLarge, after `limit` + 1 bytes
    at most. OSError (FileNotFoundError ...) as os.open raises it.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFile(path)
        raw = handle.read(limit + 1)
    if len(raw) > limit:
        raise TooLarge(path)
    return raw


def plain_number(value: Any) -> Any:
    """Before-validator of number fields: no booleans (YAML 1.1 reads yes/no/on/off as
    true/false, which pydantic would take as 1 and 0), no text that is not plain decimal."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {value!r}")
    if isinstance(value, str) and not _FLOAT.fullmatch(value.strip()):
        try:
            float(value)
        except ValueError:
            return value  # not a number at all: pydantic says so in its words
        raise ValueError(f"expected a number in plain decimal digits, got {value!r}")
    return value


#: A number field of a YAML file: see plain_number.
Number = typing.Annotated[float, BeforeValidator(plain_number)]


def _compose(text: str) -> yaml.Node | None:
    """The node tree, composed by libyaml where PyYAML has it: catalogs load on every command,
    and the pure-Python composer is ten times slower (BENCHMARKS.md).

    On any problem the text is composed again in pure Python, so that errors carry PyYAML's
    own messages and marks, exactly as before.
    """
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.compose(text, Loader=fast)
        except (yaml.YAMLError, RecursionError):
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _near(text: str, mark: yaml.Mark | None) -> str:
    """The offending line's text, which names the field a syntax error is in."""
    lines = text.splitlines()
    if mark is None or not 0 <= mark.line < len(lines) or not lines[mark.line].strip():
        return ""
    snippet = lines[mark.line].strip()
    return f" (in {snippet if len(snippet) <= 60 else snippet[:57] + '...'!r})"


def locate(root: yaml.Node, loc: Loc) -> int:
    """1-based line of the place `loc` (a pydantic error location) names in the node tree."""
    return _walk(root, loc)[0]


def locate_in(path: Path, loc: Loc) -> int:
    """1-based line of `loc` in the file at `path` (read again: for messages only)."""
    return locate(load_yaml(path)[1], loc)


def validate(model_cls: type[M], path: Path, *, context: Mapping[str, Any] | None = None) -> M:
    """Load `path` and validate it as `model_cls`; any problem becomes one CatalogError.

    The message names the file, the line, the entry and the field, and says how to fix it.
    `context` is handed to pydantic validators (e.g. the names another file defines).
    """
    data, root = load_yaml(path)
    shown = display_path(path)
    try:
        return model_cls.model_validate(data, context=dict(context or {}))
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        first = _first(errors)
        message, fix = _explain(first, model_cls)
        more = len(errors) - 1
        if more:
            fix += f" ({more} more problem{'s' if more > 1 else ''} in this file after this one.)"
        line, where = _walk(root, tuple(first["loc"]))
        raise CatalogError(_format(shown, line, where, message, fix)) from None
    except LocatedProblem as exc:
        line, where = _walk(root, exc.loc)
        message = exc.message
        if exc.first is not None:
            message += f" (first on line {locate(root, exc.first)})"
        raise CatalogError(_format(shown, line, where, message, exc.fix)) from None


def _first(errors: list[ErrorDetails]) -> ErrorDetails:
    """The error to report: the first, except that a misspelt field name shows up as a missing
    field plus an unknown one, and the unknown one says what to fix ("did you mean 'lat'?")."""
    first = errors[0]
    if first["type"] == "missing":
        entry = tuple(first["loc"][:-1])
        for error in errors:
            if error["type"] == "extra_forbidden" and tuple(error["loc"][:-1]) == entry:
                return error
    return first


def _format(shown: str, line: int, where: list[str], message: str, fix: str) -> str:
    """One problem as the user reads it: `file, line N, site 'x', field 'lat': message. fix`."""
    return f"{', '.join([f'{shown}, line {line}', *where])}: {message}. {fix}"


def _explain(error: ErrorDetails, model_cls: type[BaseModel]) -> tuple[str, str]:
    """The message and the fix for one pydantic error."""
    kind, msg, value = error["type"], error["msg"], error.get("input")
    if kind == "missing":
        return msg, "Add the field and run again."
    if kind == "extra_forbidden":
        loc = tuple(error["loc"])
        allowed = sorted(_fields_at(model_cls, loc[:-1]))
        name = str(loc[-1])
        # A misspelling ("lable", "claim") or a longer form ("lattitude" for lat), not merely
        # a field with some letters in common (an unknown `kind` is not `km_min`, ratio 0.6).
        close = (
            close_matches(name, allowed, n=1, key=str, cutoff=0.7)
            or [
                f
                for f in allowed
                if min(len(f), len(name)) >= 3 and (name.startswith(f) or f.startswith(name))
            ][:1]
        )
        known = f"; known fields: {', '.join(allowed)}" if allowed else ""
        fix = f"Did you mean {close[0]!r}? Rename it" if close else "Remove or rename it"
        return f"unknown field {name!r}{known}", f"{fix} and run again."
    # Catalog lists are tuples inside (frozen models); the author wrote a YAML list.
    msg = msg.replace("Tuple should", "List should").replace("a valid tuple", "a list")
    if kind == "value_error":
        return msg.removeprefix("Value error, ").rstrip("."), FIX_VALUE
    if kind == "string_type" and isinstance(value, bool):
        # YAML 1.1 reads yes/no/on/off (any case) as booleans: `country: NO` is False.
        return f"{msg}, got {value!r}", "Put the value in quotes and run again."
    if value is None or isinstance(value, str | int | float | bool):
        shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
        return f"{msg}, got {shown}", FIX_VALUE
    return msg, FIX_VALUE


def _fields_at(model_cls: type[BaseModel], loc: Loc) -> list[str]:
    """Field names of the model found at `loc`, to suggest a fix for an unknown field."""
    tp: Any = model_cls
    for step in loc:
        tp = _model_or_item(tp, step)
        if tp is None:
            return []
    tp = _model_or_item(tp, None)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [field.alias or name for name, field in tp.model_fields.items()]
    return []


def _model_or_item(tp: Any, step: str | int | None) -> Any:
    """Follow one `loc` step through a type: a model's field, or a sequence's item type."""
    while typing.get_origin(tp) is typing.Annotated or typing.get_origin(tp) in (
        typing.Union,
        type(int | None),
    ):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        tp = args[0]
    if step is None:
        return tp
    if isinstance(step, str) and isinstance(tp, type) and issubclass(tp, BaseModel):
        fields = {f.alias or name: f for name, f in tp.model_fields.items()}
        return fields[step].annotation if step in fields else None
    if isinstance(step, int) and typing.get_origin(tp) in (tuple, list):
        return typing.get_args(tp)[0]
    return None


def _walk(root: yaml.Node, loc: Loc) -> tuple[int, list[str]]:
    """Follow `loc` through the node tree: the line reached and the entries passed on the way.

    Steps that name nothing in the file are skipped: pydantic inserts union member names
    (``'float'``) into locations, and a missing field names a key that is not there (the line
    is then the entry's first line).
    """
    node, line = root, root.start_mark.line + 1
    where: list[str] = []
    field: str | None = None
    for step in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            field = step
            pair = next((p for p in node.value if _key_text(p[0]) == step), None)
            if pair is not None:
                line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if not 0 <= step < len(node.value):
                break
            node = node.value[step]
            line = node.start_mark.line + 1
            where.append(_entry(field, step, node))
            field = None
    if field is not None:
        where.append(f"field {field!r}")
    return line, where


def _entry(list_key: str | None, index: int, node: yaml.Node) -> str:
    """How an entry of a list is named in messages: `site 'deveselu'`, or `source 2`."""
    if list_key is None:  # the document itself is a list
        return f"item {index + 1}"
    kind = _singular(list_key)
    if kind == list_key:  # not a plural: no name for one of its items
        return f"{list_key!r} item {index + 1}"
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if _key_text(key_node) == "id" and isinstance(value_node, yaml.ScalarNode):
                return f"{kind} {value_node.value!r}"
    return f"{kind} {index + 1}"


def _singular(word: str) -> str:
    """English singular of a list's key: sites -> site, treaties -> treaty, aliases -> alias."""
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    return word.removesuffix("s")


def _key_text(node: yaml.Node) -> str | None:
    """The text of a plain key node, or None for tagged, complex or non-text keys."""
    if isinstance(node, yaml.ScalarNode) and node.tag == _TAG + "str":
        return node.value
    return None


class _Converter:
    """Turns a composed node tree into dicts, lists and scalars, checking what PyYAML does not."""

    def __init__(self, shown: str, root: yaml.Node) -> None:
        self.shown = shown
        self.root = root
        self.constructor = SafeConstructor()
        self.resolver = Resolver()
        self.nodes = 0
        self.open: set[int] = set()

    def fail(self, loc: Loc, node: yaml.Node, message: str, fix: str) -> CatalogError:
        """A CatalogError at `node`, named by the entries along `loc`."""
        _, where = _walk(self.root, loc)
        return CatalogError(_format(self.shown, node.start_mark.line + 1, where, message, fix))

    def convert(self, node: yaml.Node, loc: Loc) -> Any:
        """Plain Python data for `node` at location `loc`."""
        self.nodes += 1
        if self.nodes > _MAX_NODES:
            raise self.fail(
                loc, node, "too many values (aliases expand too far)", "Write the values out."
            )
        if len(loc) > _MAX_DEPTH:
            raise self.fail(
                loc[:2],  # where the nesting starts; the full path would fill a page
                node,
                f"nested more than {_MAX_DEPTH} levels deep",
                "Flatten the structure and run again.",
            )
        if id(node) in self.open:
            raise self.fail(
                loc, node, "an alias refers to itself", "Remove the alias and run again."
            )
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, loc)
        expected = _TAG + ("seq" if isinstance(node, yaml.SequenceNode) else "map")
        if node.tag != expected:
            raise self.fail(
                loc, node, f"unsupported YAML tag {node.tag!r}", "Remove the tag and run again."
            )
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.convert(item, (*loc, i)) for i, item in enumerate(node.value)]
            return self.mapping(node, loc)
        finally:
            self.open.discard(id(node))

    def scalar(self, node: yaml.ScalarNode, loc: Loc) -> Any:
        """A scalar's value, for the standard YAML 1.1 tags only."""
        construct = _SCALARS.get(node.tag)
        if construct is None:
            raise self.fail(
                loc, node, f"unsupported YAML tag {node.tag!r}", "Remove the tag and run again."
            )
        # PyYAML's constructors trust the resolver's patterns and crash on an explicit tag
        # that does not fit (`!!int`, `!!int abc`, `!!bool maybe`): check the pattern first.
        fits = node.tag == _TAG + "str" or node.tag == self.resolver.resolve(
            yaml.ScalarNode, node.value, (True, False)
        )
        if node.tag == _TAG + "str":
            bad = control_character(node.value)
            if bad:
                raise self.fail(loc, node, f"the text contains {bad}", "Remove it and run again.")
        plain = {_TAG + "int": _INT, _TAG + "float": _FLOAT}.get(node.tag)
        if fits and plain is not None and not plain.fullmatch(node.value):
            raise self.fail(
                loc,
                node,
                f"{node.value!r} is not a plain decimal number (YAML 1.1 reads base-60 "
                "1:30, 1_0, octal 010 and hex 0x10 as numbers)",
                "Write the number in decimal digits (or quote it if it is text) and run again.",
            )
        try:
            if not fits:
                raise ValueError(node.value)
            value = construct(self.constructor, node)
        except ValueError:  # or a date that fits the pattern but does not exist: 2019-02-30
            expected = _EXPECTED.get(node.tag, node.tag.removeprefix(_TAG))
            raise self.fail(loc, node, f"{node.value!r} is not {expected}", FIX_VALUE) from None
        if isinstance(value, float) and may_be_grouped(node.value):
            return Written(value, node.value)  # a range field refuses "2.350" as ambiguous
        return value

    def mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[str, Any]:
        """A mapping with text keys, each key once."""
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                raise self.fail(
                    loc,
                    key_node,
                    "merge keys (<<) are not supported",
                    "Write the fields out and run again.",
                )
            key = _key_text(key_node)
            if key is not None and control_character(key):
                key = None
            if key is None:
                raise self.fail(
                    loc, key_node, "keys must be plain text", "Fix the key and run again."
                )
            if key in result:
                raise self.fail(
                    (*loc, key),
                    key_node,
                    f"duplicate key {key!r} (first on line {first_line[key]})",
                    "Remove one of them and run again.",
                )
            first_line[key] = key_node.start_mark.line + 1
            result[key] = self.convert(value_node, (*loc, key))
        return result
