"""The backends' jinja environment (backends/templates.py): ``x.name`` on a dict reads what jinja's
own environment reads (the attribute first, then the item, else undefined), by its shorter path."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import jinja2
import pytest

from tinkc.backends.templates import _Environment

VALUES: list[Any] = [
    {"name": "n", "kind": 1},
    {"items": "an item called items", "get": 2, "name": None},
    {},
    {1: "a key that is no name"},
    SimpleNamespace(name="ns", items="attr"),
    ["a", "list"],
    "text",
    None,
]
NAMES = ["name", "kind", "items", "get", "keys", "missing", "upper", "__class__"]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
def test_getattr_is_jinjas(value: Any) -> None:
    ours, theirs = _Environment(undefined=jinja2.StrictUndefined), jinja2.Environment(undefined=jinja2.StrictUndefined)
    for name in NAMES:
        got, expected = ours.getattr(value, name), theirs.getattr(value, name)
        if isinstance(expected, jinja2.Undefined):
            assert isinstance(got, jinja2.StrictUndefined)
            assert got._undefined_name == expected._undefined_name  # noqa: SLF001 - what the error message names
            assert got._undefined_obj is expected._undefined_obj  # noqa: SLF001
        else:
            assert got == expected, name


def test_a_template_reads_a_dicts_field_and_its_methods() -> None:
    env = _Environment(undefined=jinja2.StrictUndefined)
    template = env.from_string("{{ d.name }} {{ d.items() | list | length }} {{ d.get('name') }}")
    assert template.render(d={"name": "x", "other": 1}) == "x 2 x"
    with pytest.raises(jinja2.UndefinedError, match="'dict object' has no attribute 'missing'"):
        env.from_string("{{ d.missing }}").render(d={"name": "x"})


def test_a_templates_globals_are_jinjas() -> None:
    ours, theirs = _Environment(), jinja2.Environment()
    for env in (ours, theirs):
        env.globals["shared"] = "env"
    own = {"own": 1, "shared": "template"}
    mine, reference = ours.make_globals(dict(own)), theirs.make_globals(dict(own))
    assert dict(mine) == dict(reference)
    for name in ("own", "shared", "range", "namespace"):
        assert mine[name] == reference[name]
    with pytest.raises(KeyError):
        mine["missing"]
    assert dict(ours.make_globals(None)) == dict(theirs.make_globals(None))
    text = "{% set ns = namespace(n=0) %}{% for i in range(3) %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }} {{ shared }}"
    assert ours.from_string(text).render() == theirs.from_string(text).render() == "3 env"
