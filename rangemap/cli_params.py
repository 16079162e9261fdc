"""Click parameter types of the command line: ranges with units, output files by format."""

from __future__ import annotations

from typing import Any

import click

from rangemap.errors import InputError


class RangeParam(click.ParamType):
    """A range in km, or with a unit: 480, 480km, 1000mi, 300nmi (rangemap.units)."""

    name = "range"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from rangemap.units import parse_range

        label = param.opts[0] if param is not None and param.opts else "range"
        try:
            return parse_range(value, label=label)
        except InputError as err:
            self.fail(str(err).removeprefix(f"{label}: "), param, ctx)


RANGE = RangeParam()
