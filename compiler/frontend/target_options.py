"""The `targets:` section checked against the options each installed backend declares.

A backend lists its options as data (:attr:`~tinkc.backends.base.Backend.options`: a name, a regex
the value must match in full, an example); this module reports, at the option's position, an
unknown option, a value that is not a string, and a value that does not match — before anything is
emitted. Package and module names feed file paths, so `package: ../../etc` is a diagnostic here,
never a file outside the output directory (the writer refuses such paths too, without a position).

Options for a backend that is not installed draw a warning (the manifest may be shared with users
who have it); a backend that declares no options (``options = None``) is not checked.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tinkc.diagnostics import Sink, did_you_mean
from tinkc.frontend.model import Mapping, Node, Scalar, Sequence
from tinkc.ir.span import Span

if TYPE_CHECKING:
    from tinkc.backends.base import TargetOption
    from tinkc.ir import nodes as ir

# `name/arity`, as Elixir writes a function
_FUNCTION_SPEC = re.compile(r"(?P<name>[^/\s]+)/(?P<arity>[0-9]{1,3})")


def check_target_options(target: str, options: Mapping, key_span: Span, sink: Sink, types: dict[str, ir.TypeDecl] | None = None) -> None:
    """Report every problem of ``targets.<target>`` (``options``, whose key is at ``key_span``);
    ``types`` are the manifest's types, which `extensions` name."""
    from tinkc.backends.registry import available

    infos = available()
    info = infos.get(target)
    if info is None:
        hint = did_you_mean(target, infos) or f"installed targets: {', '.join(sorted(infos)) or 'none'}"
        sink.warning("targets.unknown-target", f"options for target `{target}`, which is not installed", key_span, hint=hint)
        return
    try:
        declared = info.load().options
    except Exception:  # noqa: BLE001 - a broken plug-in is reported by `tinkc targets` and `build`, not here
        return
    if declared is None:
        return
    for entry in options:
        spec = declared.get(entry.key)
        if spec is None:
            hint = did_you_mean(entry.key, declared) or (
                f"`{target}` takes: {', '.join(sorted(declared))}" if declared else f"`{target}` takes no options"
            )
            sink.error("targets.unknown-option", f"unknown option `{entry.key}` for target `{target}`", entry.key_span, hint=hint)
            continue
        value = entry.value
        where = f"`targets.{target}.{entry.key}` ({spec.doc})"
        if spec.kind == "deps":
            _check_deps(where, value, spec, sink)
            continue
        if spec.kind == "extensions":
            _check_extensions(target, value, spec, types or {}, sink)
            continue
        if spec.kind == "typespecs":
            _check_typespecs(target, value, spec, types or {}, sink)
            continue
        if not (isinstance(value, Scalar) and isinstance(value.value, str)):
            sink.error("targets.bad-option", f"{where} must be a string, not {value.describe()}", value.span, hint=f"e.g. `{spec.example}`")
            continue
        text = value.value
        if len(text) > spec.max_length:
            sink.error(
                "targets.bad-option",
                f"{where} is {len(text)} characters long; at most {spec.max_length} are allowed",
                value.span,
                hint=f"e.g. `{spec.example}`",
            )
        elif not re.fullmatch(spec.pattern, text):
            sink.error(
                "targets.bad-option",
                f"{where} is not a valid name: {_shown(text)}",
                value.span,
                hint=f"a plain name, never a path: e.g. `{spec.example}` (it must match `{spec.pattern}`)",
            )


def _check_deps(where: str, value: Node, spec: TargetOption, sink: Sink) -> None:
    """`deps`: a mapping from package names to version requirements, each checked: they are written
    into the project file (mix.exs, pyproject.toml, package.json), so no quote or newline."""
    if not isinstance(value, Mapping):
        sink.error(
            "targets.bad-option",
            f"{where} must be a mapping of package names to versions, not {value.describe()}",
            value.span,
            hint=f"e.g. `{spec.example}`",
        )
        return
    for e in value:
        if not re.fullmatch(spec.key_pattern, e.key):
            sink.error(
                "targets.bad-option",
                f"{where}: {_shown(e.key)} is not a package name",
                e.key_span,
                hint=f"it must match `{spec.key_pattern}`",
            )
        version = e.value
        if not (isinstance(version, Scalar) and isinstance(version.value, str)):
            sink.error(
                "targets.bad-option",
                f"{where}: the version of `{e.key}` must be a string, not {version.describe()}",
                version.span,
                hint=f"e.g. `{spec.example}`",
            )
        elif len(version.value) > spec.max_length or not re.fullmatch(spec.pattern, version.value):
            sink.error(
                "targets.bad-option",
                f"{where}: {_shown(version.value)} is not a version requirement",
                version.span,
                hint=f"e.g. `{spec.example}` (it must match `{spec.pattern}`)",
            )


def _check_extensions(target: str, value: Node, spec: TargetOption, types: dict[str, ir.TypeDecl], sink: Sink) -> None:
    """`extensions`: `{Record: {module: Hand.Written, functions: [name/arity, ...]}}`. The record must
    be one the manifest declares (its generated module is the one that delegates); each function a
    `name/arity` whose name the record's module does not already define (a field, a helper, the parse
    function or what the backend generates on every record: `spec.reserved`)."""
    from tinkc.ir import nodes as ir

    where = f"`targets.{target}.extensions`"
    if not isinstance(value, Mapping):
        sink.error(
            "targets.bad-option",
            f"{where} must be a mapping of record types to extensions, not {value.describe()}",
            value.span,
            hint=f"e.g. `{spec.example}`",
        )
        return
    records = {k: t for k, t in types.items() if isinstance(t, ir.Record)}
    for e in value:
        decl = records.get(e.key)
        if decl is None:
            what = "an enum, union or alias" if e.key in types else "not a type of this manifest"
            hint = did_you_mean(e.key, records) or f"records: {', '.join(sorted(records)) or 'none'}"
            sink.error(
                "extension.unknown-module",
                f"{where}: `{e.key}` is {what}; only a record's generated module takes extensions",
                e.key_span,
                hint=hint,
            )
            continue
        rec = f"`targets.{target}.extensions.{e.key}`"
        ext = e.value
        if not isinstance(ext, Mapping):
            sink.error(
                "extension.syntax",
                f"{rec} must be a mapping with `module` and `functions`, not {ext.describe()}",
                ext.span,
                hint=f"e.g. `{spec.example}`",
            )
            continue
        for k in ext:
            if k.key not in ("module", "functions"):
                hint = did_you_mean(k.key, ("module", "functions")) or "an extension takes `module` and `functions`"
                sink.error("extension.syntax", f"{rec}: unknown key `{k.key}`", k.key_span, hint=hint)
        for needed in ("module", "functions"):
            if needed not in ext:
                sink.error("extension.syntax", f"{rec} needs `{needed}`", e.key_span, hint=f"e.g. `{spec.example}`")
        module = ext.get("module")
        if module is not None and not (
            isinstance(module, Scalar)
            and isinstance(module.value, str)
            and len(module.value) <= spec.max_length
            and re.fullmatch(spec.pattern, module.value)
        ):
            shown = _shown(module.value) if isinstance(module, Scalar) and isinstance(module.value, str) else module.describe()
            sink.error(
                "extension.bad-module",
                f"{rec}: {shown} is not a module name for `{target}`",
                module.span,
                hint=f"it must match `{spec.pattern}`",
            )
        functions = ext.get("functions")
        if functions is None:
            continue
        if not isinstance(functions, Sequence):
            sink.error(
                "extension.bad-function",
                f"`targets.{target}.extensions.{e.key}.functions` must be a list of `name/arity`, not {functions.describe()}",
                functions.span,
                hint=f"e.g. `{spec.example}`",
            )
            continue
        taken = {f.name for f in decl.fields} | {h.name for h in decl.helpers} | set(spec.reserved)
        if decl.parse is not None:
            taken.add(decl.parse.function)
        seen: set[str] = set()
        for item in functions.items:
            m = _FUNCTION_SPEC.fullmatch(item.value) if isinstance(item, Scalar) and isinstance(item.value, str) else None
            if m is None or not re.fullmatch(spec.key_pattern, m["name"]):
                shown = _shown(item.value) if isinstance(item, Scalar) and isinstance(item.value, str) else item.describe()
                sink.error(
                    "extension.bad-function",
                    f"{rec}: {shown} is not a function spec `name/arity`",
                    item.span,
                    hint=f"a function name (matching `{spec.key_pattern}`), a slash and its number of arguments: e.g. `{spec.example}`",
                )
                continue
            name = m["name"]
            if name in taken or name in seen:
                if name in seen:
                    why = "is delegated twice"
                elif name in spec.reserved:
                    why = f"is a name the generated module of `{e.key}` reserves (every record's module defines it, or the language does)"
                else:
                    why = f"is already a function the generated module of `{e.key}` defines (a field, a helper or its parse function)"
                sink.error(
                    "extension.clash",
                    f"{rec}: `{name}` {why}",
                    item.span,
                    hint="rename the hand-written function; a generated module cannot define one name twice",
                )
            seen.add(name)


def _check_typespecs(target: str, value: Node, spec: TargetOption, types: dict[str, ir.TypeDecl], sink: Sink) -> None:
    """`typespecs`: `{Module: [Type, ...]}`, modules of typespecs gathering declared types under
    snake-cased names (Tinkex's `Types.TypeAliases`). A module is one name (`pattern`) that no type
    or type namespace already takes in the types' module; each entry a declared type, listed once."""
    from tinkc.backends.base import pascal_case

    where = f"`targets.{target}.typespecs`"
    if not isinstance(value, Mapping):
        sink.error(
            "targets.bad-option",
            f"{where} must be a mapping of module names to lists of types, not {value.describe()}",
            value.span,
            hint=f"e.g. `{spec.example}`",
        )
        return
    taken = {t.lower() for t in types} | {pascal_case(t.namespace).lower() for t in types.values() if t.namespace}
    for e in value:
        if not re.fullmatch(spec.pattern, e.key) or len(e.key) > spec.max_length:
            sink.error(
                "targets.bad-option", f"{where}: {_shown(e.key)} is not a module name", e.key_span, hint=f"it must match `{spec.pattern}`"
            )
            continue
        if e.key.lower() in taken:
            sink.error(
                "targets.bad-option",
                f"{where}: `{e.key}` is already the module of a type or a type namespace",
                e.key_span,
                hint="choose another module name (e.g. `TypeAliases`)",
            )
        listing = f"`targets.{target}.typespecs.{e.key}`"
        if not isinstance(e.value, Sequence) or not e.value.items:
            what = "an empty list" if isinstance(e.value, Sequence) else e.value.describe()
            sink.error(
                "targets.bad-option", f"{listing} must list at least one type, not {what}", e.value.span, hint=f"e.g. `{spec.example}`"
            )
            continue
        seen: set[str] = set()
        for item in e.value.items:
            name = item.value if isinstance(item, Scalar) and isinstance(item.value, str) else None
            if name is None or name not in types:
                shown = _shown(name) if name is not None else item.describe()
                hint = (did_you_mean(name, types) if name is not None else None) or "list types the manifest declares"
                sink.error("targets.bad-option", f"{listing}: {shown} is not a type of this manifest", item.span, hint=hint)
            elif name in seen:
                sink.error("targets.bad-option", f"{listing}: `{name}` is listed twice", item.span, hint="list each type once")
            if name is not None:
                seen.add(name)


def _shown(text: str) -> str:
    """The value as a diagnostic can print it: control characters escaped, long values cut."""
    shown = text if len(text) <= 60 else text[:57] + "..."
    return "`" + shown.encode("unicode_escape").decode("ascii") + "`" if not shown.isprintable() else f"`{shown}`"
