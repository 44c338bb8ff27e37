"""The Elixir rendering of IR types: typespecs, codec descriptions, default values, and one module
per manifest type under the types namespace.

Every type module describes itself with `__type__/0` (the runtime's `Codec` decodes and encodes by
that description) and offers the same functions: records `new/0,1`, `decode/1`, `from_json/1`,
`from_map/1`, `to_json/1`, `to_map/1`; enums `values/0`, `parse/1`, `to_string/1`, `decode/1`,
`to_json/1`; unions `decode/1`, `from_json/1`, `from_map/1`, `to_json/1`, `to_map/1` (and the
`tag_accessor:` function), aliases `decode/1`, `from_json/1`, `to_json/1`. Forward compatibility is in the runtime: an unknown enum
value stays a string, a union variant with an unknown tag stays its JSON map.
"""

from __future__ import annotations

import json
from typing import Any

from tinkc.backends.elixir import exfmt, symbols, templating
from tinkc.backends.elixir.exfmt import List as ListNode
from tinkc.backends.elixir.exfmt import Map, Node, Pair, Struct, Text, Tuple
from tinkc.backends.elixir.modules import Aliases
from tinkc.backends.elixir.symbols import Layout
from tinkc.ir import nodes as ir
from tinkc.ir.helpers import ECall, ECompare, EFunc, EKey, ELit, EPath, Expr, HelperArg, PathStep, may_fail
from tinkc.sdk import SdkPlan, extensions_of
from tinkc.sdk.plan import (
    DerivedPlan,
    ExtensionFunction,
    ExtensionPlan,
    HelperPlan,
    TagAccessorPlan,
    TypespecModulePlan,
    tag_accessor_of,
    typespecs_of,
)

PRIM_TERMS = {"string": ":string", "int": ":integer", "float": ":float", "bool": ":boolean", "bytes": ":bytes",
              "any": ":any", "datetime": ":datetime", "date": ":date"}  # fmt: skip
# the alternatives of each primitive's typespec
PRIM_SPECS = {"string": ["String.t()"], "int": ["integer()"], "float": ["float()"], "bool": ["boolean()"], "bytes": ["binary()"],
              "any": ["term()"], "datetime": ["DateTime.t()", "NaiveDateTime.t()"], "date": ["Date.t()"]}  # fmt: skip


class TypeRenderer:
    """Type expressions of one emitted module (references go through its aliases)."""

    def __init__(self, api: ir.Api, layout: Layout, aliases: Aliases) -> None:
        self.api = api
        self.layout = layout
        self.aliases = aliases

    def module(self, type_id: str) -> str:
        return self.aliases.ref(self.layout.type_module(type_id))

    # -- codec descriptions -------------------------------------------------------------------------

    def term(self, t: ir.TypeRef) -> Node:
        if isinstance(t, ir.Prim):
            return Text(PRIM_TERMS[t.name])
        if isinstance(t, ir.Ref):
            return Text(self.module(t.name))
        if isinstance(t, ir.ListT):
            return Tuple([Text(":list"), self.term(t.item)])
        if isinstance(t, ir.MapT):
            return Tuple([Text(":map"), self.term(t.value)])
        if isinstance(t, ir.Nullable):
            return Tuple([Text(":nullable"), self.term(t.inner)])
        if isinstance(t, ir.Lit):
            return Tuple([Text(":literal"), Text(scalar(t.value))])
        if isinstance(t, ir.UnionT):
            return Tuple([Text(":one_of"), ListNode([self.term(m) for m in t.members])])
        if isinstance(t, ir.FutureT):
            return self.term(t.result)
        raise TypeError(f"no codec type for {t!r}")

    # -- typespecs ----------------------------------------------------------------------------------

    def spec(self, t: ir.TypeRef) -> str:
        return " | ".join(self.alternatives(t))

    def alternatives(self, t: ir.TypeRef) -> list[str]:
        """The alternatives of a typespec union (deduplicated, `nil` last)."""
        out: list[str] = []
        for alt in self._alternatives(t):
            if alt not in out:
                out.append(alt)
        if "nil" in out:
            out.remove("nil")
            out.append("nil")
        return out

    def _alternatives(self, t: ir.TypeRef) -> list[str]:
        if isinstance(t, ir.Prim):
            return list(PRIM_SPECS[t.name])
        if isinstance(t, ir.Ref):
            return [f"{self.module(t.name)}.t()"]
        if isinstance(t, ir.ListT):
            return [f"[{self.spec(t.item)}]"]
        if isinstance(t, ir.MapT):
            return [f"%{{optional(String.t()) => {self.spec(t.value)}}}"]
        if isinstance(t, ir.Nullable):
            return [*self._alternatives(t.inner), "nil"]
        if isinstance(t, ir.Lit):
            return ["String.t()" if isinstance(t.value, str) else str(t.value)]
        if isinstance(t, ir.UnionT):
            return [alt for m in t.members for alt in self._alternatives(m)]
        if isinstance(t, ir.FutureT):
            return ["Task.t()"]
        if isinstance(t, ir.ClientT):
            return [f"{self.aliases.ref(self.layout.client_module(self.api.clients[t.client]))}.t()"]
        raise TypeError(f"no typespec for {t!r}")

    # -- values -------------------------------------------------------------------------------------

    def value(self, t: ir.TypeRef | None, value: Any) -> Node:
        """A JSON value (a manifest default or constant) as the Elixir term of type `t`."""
        value = ir.thaw(value)
        if value is None:
            return Text("nil")
        base = self.api.resolve_alias(t) if t is not None else None
        while isinstance(base, ir.Nullable):
            base = self.api.resolve_alias(base.inner)
        decl = self.api.types.get(base.name) if isinstance(base, ir.Ref) else None
        if isinstance(decl, ir.Enum) and isinstance(value, str):
            return Text(symbols.enum_member(value))
        if isinstance(decl, ir.Record) and isinstance(value, dict):
            return self.record_value(decl, value)
        if isinstance(decl, ir.Union_) and isinstance(value, dict):
            variant = self.variant_for(decl, value)
            if variant is not None:
                return self.record_value(variant, value)
        if isinstance(value, list):
            item = base.item if isinstance(base, ir.ListT) else None
            return ListNode([self.value(item, v) for v in value])
        if isinstance(value, dict):
            inner = base.value if isinstance(base, ir.MapT) else None
            return Map([Pair(f"{symbols.string(k)} =>", self.value(inner, v)) for k, v in value.items()])
        if isinstance(base, ir.Prim) and base.name == "float" and isinstance(value, int) and not isinstance(value, bool):
            return Text(float_literal(float(value)))
        return Text(scalar(value))

    def record_value(self, decl: ir.Record, value: dict[str, Any]) -> Node:
        pairs = []
        for f in decl.fields:
            key = f.json_name if f.json_name in value else f.name
            if key in value:
                pairs.append(Pair(symbols.key(symbols.field_name(f.name)), self.value(f.type, value[key])))
        return Struct(self.module(decl.id), pairs)

    def variant_for(self, decl: ir.Union_, value: dict[str, Any]) -> ir.Record | None:
        records = [r for r in (self.api.types.get(v.type) for v in decl.variants) if isinstance(r, ir.Record)]
        if decl.discriminator is not None:
            tag = value.get(discriminator_wire(self.api, decl))
            for v in decl.variants:
                record = self.api.types.get(v.type)
                if v.tag == tag and isinstance(record, ir.Record):
                    return record
            return None
        for record in records:  # an untagged union: the first variant that has every given key
            names = {f.json_name for f in record.fields} | {f.name for f in record.fields}
            if set(value) <= names:
                return record
        return None


def scalar(value: Any) -> str:
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return int_literal(value)
    if isinstance(value, float):
        return float_literal(value)
    if isinstance(value, str):
        return symbols.string(value)
    return symbols.string(json.dumps(value))


def int_literal(value: int) -> str:
    """Integers as the formatter writes them: `10_000` (underscores from five digits on)."""
    text = str(abs(value))
    if len(text) >= 5:
        groups = []
        while text:
            groups.insert(0, text[-3:])
            text = text[:-3]
        text = "_".join(groups)
    return ("-" if value < 0 else "") + text


def float_literal(value: float) -> str:
    """An Elixir float literal: always a digit on both sides of the point (`1.0e-12`)."""
    text = repr(value)
    if text in ("inf", "-inf", "nan"):
        raise ValueError(f"no Elixir literal for {value}")
    mantissa, _, exponent = text.partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    return mantissa + (f"e{int(exponent)}" if exponent else "")


def discriminator_wire(api: ir.Api, decl: ir.Union_) -> str:
    """The wire name of a union's discriminator (the field's json_name in its variants)."""
    disc = decl.discriminator or ""
    for v in decl.variants:
        record = api.types.get(v.type)
        if isinstance(record, ir.Record) and record.field(disc) is not None:
            return record.field(disc).json_name  # type: ignore[union-attr]
    return disc


# ---------------------------------------------------------------------------------------------------
# Modules


def moduledoc(api: ir.Api, decl: ir.TypeDecl, extra: str | None = None) -> list[str]:
    text = decl.doc or f"The `{decl.id}` type of the {api.service.name} API."
    if decl.deprecated:
        text += "\n\nDeprecated."
    if extra:
        text += "\n\n" + extra
    return exfmt.heredoc("@moduledoc", text)


def type_module(
    api: ir.Api,
    layout: Layout,
    decl: ir.TypeDecl,
    plan_helpers: dict[str, tuple[HelperPlan, ...]] | None = None,
    plan_derived: dict[str, tuple[DerivedPlan, ...]] | None = None,
    extensions: tuple[ExtensionPlan, ...] = (),
) -> tuple[str, str]:
    """The path and source of the module of one type declaration (``extensions``: the delegations
    `targets.elixir.extensions` gives this record)."""
    plan_helpers = plan_helpers or {}
    plan_derived = plan_derived or {}
    module = layout.type_module(decl.id)
    aliases = Aliases(module)
    codec = aliases.ref(layout.runtime("Runtime.Codec"))
    types = TypeRenderer(api, layout, aliases)
    head = []
    if isinstance(decl, ir.Record):
        body = record_body(api, decl, types, codec)
        body[1]["positional"] = positional_new_clause(api, plan_helpers.get(decl.id, ()), types)
        if decl.parse is not None:
            body[1]["parse"] = parse_function(decl.parse, codec, aliases.ref(layout.runtime("Error")))
        helpers = [helper_function(api, h, types, codec) for h in plan_helpers.get(decl.id, ())]
        helpers += [delegation(ext.module, f) for ext in extensions for f in ext.functions]
        if helpers:
            body[1]["parse"] = "\n\n".join([p for p in [body[1]["parse"]] if p] + helpers)
        if plan_derived.get(decl.id):
            body[1]["fields"] += "\n\n" + lines(attribute("derived", derived_terms(plan_derived[decl.id])))
            body[1]["derived"] = True
        extra = None
    elif isinstance(decl, ir.Enum):
        body = enum_body(decl, codec)
        helpers = [helper_function(api, h, types, codec) for h in plan_helpers.get(decl.id, ())]
        body[1]["helpers"] = "\n\n".join(helpers) if helpers else None
        extra = "A value this SDK does not know yet (a newer server may send one) is kept as its string."
        # an enum defines to_string/1 as Tinkex's do; Kernel's must then not be imported
        head.append("  import Kernel, except: [to_string: 1]")
    elif isinstance(decl, ir.Union_):
        body = union_body(api, decl, types, codec)
        extra = (
            f"One of the variants, told apart by `{discriminator_wire(api, decl)}`; a variant this SDK does not know "
            "(a newer server may send one) is kept as its JSON map."
            if decl.discriminator
            else "The first of these types that the value fits."
        )
    else:
        body = alias_body(decl, types, codec)
        extra = None
    head.insert(0, lines(moduledoc(api, decl, extra)))
    head.append(lines(aliases.lines()))
    template, context = body
    text = templating.render(template, module=module, head=[h for h in head if h], blocks=[], **context)
    return layout.path(module), text


def lines(out: list[str]) -> str:
    return "\n".join(out)


# a declaration's template (extending the module's) and what it shows
Body = tuple[str, dict[str, Any]]


def record_body(api: ir.Api, decl: ir.Record, types: TypeRenderer, codec: str) -> Body:
    fields = []
    defaults = []
    schema = []
    for f in decl.fields:
        name = symbols.field_name(f.name)
        alternatives = types.alternatives(f.type)
        if not f.required and not f.has_default and "nil" not in alternatives:
            alternatives.append("nil")
        fields.append((symbols.key(name), alternatives))
        default = types.value(f.type, f.default) if f.has_default else Text("nil")
        defaults.append(Pair(symbols.key(name), default))
        presence = ":required" if f.required else ":optional"
        schema.append(Tuple([Text(symbols.atom(name)), Text(symbols.string(f.json_name)), types.term(f.type), Text(presence)]))
    return "record.ex.jinja", {
        "defstruct": lines(exfmt.keyword_call("defstruct", defaults) if defaults else ["  defstruct []"]),
        "type": lines(exfmt.struct_type(fields)),
        "fields": lines(attribute("fields", ListNode(schema))),
        "codec": codec,
        "parse": None,
        "derived": False,
    }


def derived_terms(derived: tuple[DerivedPlan, ...]) -> Node:
    """`@derived`: `{field, source field, template, variable}` of each derived field (the codec fills
    the field from the source's parse when the JSON leaves it out)."""
    return ListNode(
        [
            Tuple(
                [
                    Text(symbols.atom(symbols.field_name(d.field))),
                    Text(symbols.atom(symbols.field_name(d.source))),
                    Text(symbols.string(d.template)),
                    Text(symbols.string(d.var)),
                ]
            )
            for d in derived
        ]
    )


def template_node(value: Any, types: TypeRenderer, names: dict[str, str]) -> Node:
    """A helper's `new` template as an Elixir term: JSON with each parameter encoded in place."""
    if isinstance(value, HelperArg):
        return exfmt.Call(
            f"{types.aliases.ref(types.layout.runtime('Runtime.Codec'))}.encode", [Text(names[value.name]), types.term(value.type)]
        )
    if isinstance(value, dict):
        return Map([Pair(f"{symbols.string(k)} =>", template_node(v, types, names)) for k, v in value.items()])
    if isinstance(value, list):
        return ListNode([template_node(v, types, names) for v in value])
    return Text(scalar(value) if value is not None else "nil")


def helper_function(api: ir.Api, h: HelperPlan, types: TypeRenderer, codec: str) -> str:
    """A record's helper (`ModelInput.from_ints/1`, `ImageChunk.new/2,3`, `model_names/1`); its
    optional (trailing) parameters are keyword options, unknown ones an `ArgumentError`."""
    # `new` with two or more positional parameters is Tinkex's `ImageChunk.new/2,3`, beside the
    # record's `new/0,1` (the type-declarations pass keeps it from taking those arities)
    name = "new" if h.name == "new" else symbols.function_name(h.name)
    doc = h.doc or f"The `{h.name}` helper of `{h.record}`."
    if h.kind == "expr":
        assert h.expr is not None
        if may_fail(h.expr):
            doc += " A value it cannot answer for (what it reads is absent, or an item lacks it) is an `:invalid_argument` error (raised)."
        # an enum's value is an atom (or its wire text, for a value this SDK does not know): no struct to match
        head = f"{name}(value)" if isinstance(api.types.get(h.record), ir.Enum) else f"{name}(%__MODULE__{{}} = value)"
        return lines(
            [
                *exfmt.heredoc("@doc", doc),
                *exfmt.spec(name, ["t()"], types.alternatives(h.result)),
                *exfmt.short_def(head, exfmt.Call(f"{codec}.evaluate", [Text("value"), expr_node(api, h.expr, types)])),
            ]
        )
    if h.kind == "get":
        doc += " A union item without the field read is an `:invalid_argument` error (raised)."
        return lines(
            [
                *exfmt.heredoc("@doc", doc),
                *exfmt.spec(name, ["t()"], types.alternatives(h.result)),
                *exfmt.short_def(
                    f"{name}(%__MODULE__{{}} = value)", exfmt.Call(f"{codec}.project", [Text("value"), path_node(h.path, types)])
                ),
            ]
        )
    if h.kind == "push":
        # `ModelInput.append(value, chunk)`: the value first, as Tinkex's
        vars_ = {p.name: symbols.variable_name(p.name) for p in h.params}
        merge = (
            Tuple([Text(symbols.string(x)) if x is not None else Text("nil") for x in (h.merge.field, h.merge.discriminator, h.merge.tag)])
            if h.merge is not None
            else Text("nil")
        )
        call = exfmt.Call(
            f"{codec}.push",
            [Text("value"), Text("__MODULE__"), Text(symbols.string(h.push_field or "")), template_node(h.template, types, vars_), merge],
        )
        doc += " A copy of the value; invalid values are an `:invalid_argument` error (raised)."
        spec_args = ["t()", *[" | ".join(types.alternatives(p.type)) for p in h.params]]
        return lines(
            [
                *exfmt.heredoc("@doc", doc),
                *exfmt.spec(name, spec_args, ["t()"]),
                *exfmt.short_def(f"{name}({', '.join(['%__MODULE__{} = value', *vars_.values()])})", call),
            ]
        )
    required = [p for p in h.params if not p.optional]
    optional = [p for p in h.params if p.optional]
    names = {p.name: symbols.variable_name(p.name) for p in required}
    if h.positional:  # `done(finish_reason \\ nil, total_tokens \\ nil)`: trailing arguments with defaults
        names.update({p.name: symbols.variable_name(p.name) for p in optional})
        build = exfmt.Call(f"{codec}.construct", [Text("__MODULE__"), template_node(h.template, types, names)])
        defaults = [f"{names[p.name]} \\\\ {scalar(p.default) if p.has_default else 'nil'}" for p in optional]
        spec_args = [" | ".join(types.alternatives(p.type)) for p in h.params]
        doc += " Invalid values are an `:invalid_argument` error (raised)."
        return lines(
            [
                *exfmt.heredoc("@doc", doc),
                *exfmt.spec(name, spec_args, ["t()"]),
                *exfmt.short_def(f"{name}({', '.join([*(names[p.name] for p in required), *defaults])})", build),
            ]
        )
    names.update({p.name: f"opts[{symbols.atom(symbols.field_name(p.name))}]" for p in optional})
    args = [names[p.name] for p in required] + (["opts \\\\ []"] if optional else [])
    spec_args = [" | ".join(types.alternatives(p.type)) for p in required] + (["keyword()"] if optional else [])
    build = exfmt.Call(f"{codec}.construct", [Text("__MODULE__"), template_node(h.template, types, names)])
    doc += " Invalid values are an `:invalid_argument` error (raised)."
    if name == "new" and len(required) == 1:
        # `FutureRetrieveRequest.new("req-1")`: the record's `new/1` sends a lone scalar here (see
        # `positional_new_clause`), so this one is `new/2` only, its options not defaulted
        args[-1] = "opts"
    if optional:
        doc += (
            " Options: "
            + ", ".join(f"`:{p.name}`" + (f" (default `{scalar(p.default)}`)" if p.has_default else "") for p in optional)
            + " (an unknown one is an `ArgumentError`)."
        )
        # `Keyword.validate!` puts the defaults in (`[:seq_id, optimizer: false]`: keyword pairs last;
        # defaults alone are the call's trailing keywords, without brackets, as the formatter writes)
        atoms: list[Node] = [Text(symbols.atom(symbols.field_name(p.name))) for p in optional if not p.has_default]
        pairs: list[Node] = [Text(f"{symbols.key(symbols.field_name(p.name))} {scalar(p.default)}") for p in optional if p.has_default]
        keys: list[Node] = [ListNode(atoms + pairs)] if atoms else pairs
        body = exfmt.block(
            [exfmt.statement(exfmt.Call("Keyword.validate!", [Text("opts"), *keys]), 4, "").copy(), exfmt.statement(build, 4)]
        )
        body[0] = "    opts = " + body[0].lstrip()
        return lines(
            [
                *exfmt.heredoc("@doc", doc),
                *exfmt.spec(name, spec_args, ["t()"]),
                *exfmt.def_head(name, args),
                *body,
                "  end",
            ]
        )
    return lines(
        [*exfmt.heredoc("@doc", doc), *exfmt.spec(name, spec_args, ["t()"]), *exfmt.short_def(f"{name}({', '.join(args)})", build)]
    )


def path_node(path: tuple[PathStep, ...], types: TypeRenderer) -> Node:
    """A `get` path as `project` reads it: `:each`, a field's atom, or `{atom, variant modules}`."""
    steps: list[Node] = []
    for step in path:
        if step.field is None:
            steps.append(Text(":each"))
            continue
        atom = Text(symbols.atom(symbols.field_name(step.field)))
        steps.append(Tuple([atom, ListNode([Text(types.module(v)) for v in step.variants])]) if step.variants else atom)
    return ListNode(steps)


def expr_node(api: ir.Api, e: Expr, types: TypeRenderer) -> Node:
    """A helper expression as the term `Codec.evaluate` reads (ir/helpers.py); a literal compared
    with an enum's value is the enum's member (its atom)."""
    if isinstance(e, EPath):
        return Tuple([Text(":path"), path_node(e.steps, types)])
    if isinstance(e, ELit):
        return Tuple([Text(":const"), Text(scalar(e.value))])
    if isinstance(e, EKey):
        return Tuple([Text(":key"), expr_node(api, e.of, types), Text(symbols.string(e.key))])
    if isinstance(e, ECall):
        cases = [Tuple([Text(types.module(c.record) if c.discriminator else ":any"), expr_node(api, c.expr, types)]) for c in e.cases]
        return Tuple([Text(":call"), expr_node(api, e.of, types), Text("true" if e.many else "false"), ListNode(cases)])
    if isinstance(e, EFunc):
        if e.name == "json":
            assert e.type is not None
            return Tuple([Text(":json"), expr_node(api, e.arg, types), types.term(e.type)])
        return Tuple([Text(f":{e.name}"), expr_node(api, e.arg, types)])
    assert isinstance(e, ECompare)
    enum = isinstance(e.type, ir.Ref) and isinstance(api.types.get(e.type.name), ir.Enum)
    values = [Text(symbols.enum_member(v) if enum else scalar(v)) for v in e.values]
    return Tuple([Text(f":{e.op}"), expr_node(api, e.left, types), ListNode(values)])


# the guard telling a positional `new`'s lone argument from `new/1`'s keyword list or map (a
# list of SDK values is never one of tuples; `[]` is left to `new/1`, which builds the same struct)
_GUARDS = {
    "string": "is_binary({0})",
    "int": "is_integer({0})",
    "float": "is_float({0})",
    "bool": "is_boolean({0})",
    "list": "is_list({0}) and {0} != [] and not is_tuple(hd({0}))",
}


def positional_new_clause(api: ir.Api, helpers: tuple[HelperPlan, ...], types: TypeRenderer) -> tuple[str, str] | None:
    """When a record's `new` helper takes one required (scalar) parameter and options (Tinkex's
    `FutureRetrieveRequest.new/1,2`): the clause of the record's own `new/1` that sends that scalar
    to it (`def new(request_id) when is_binary(request_id), do: new(request_id, [])`) and the
    scalar's type for `new/1`'s spec. The keyword list or map form keeps working: the guard tells
    them apart, the type-declarations pass having allowed only string, int, float or bool."""
    from tinkc.passes.type_declarations import positional_guard

    h = next((x for x in helpers if x.name == "new" and x.kind == "new"), None)
    required = [p for p in h.params if not p.optional] if h is not None else []
    if len(required) != 1:
        return None
    guard = positional_guard(api, required[0].type)
    assert guard is not None
    var = symbols.variable_name(required[0].name)
    spec = " | ".join(types.alternatives(required[0].type))
    clause = f"  def new({var}) when {_GUARDS[guard].format(var)}, do: new({var}, [])"
    if not exfmt.fits(clause):  # as the formatter breaks it: `do:` on its own line, blank lines around
        clause = f"\n  def new({var}) when {_GUARDS[guard].format(var)},\n    do: new({var}, [])\n"
    return clause, spec


def parse_function(parse: ir.ParseTemplate, codec: str, error: str) -> str:
    """`<function>/1` of a record with a parse template (Tinkex's `from_tinker_path/1`): the text
    split into the struct, or the invalid-argument error."""
    name = symbols.function_name(parse.function)
    doc = (
        f"Splits `text` by `{parse.template}` into the struct: `{{:ok, struct}}`, or `{{:error, %{error}{{}}}}` of kind "
        "`:invalid_argument` when the text does not match."
    )
    call = exfmt.Call(f"{codec}.parse_template", [Text("__MODULE__"), Text(symbols.string(parse.template)), Text("text")])
    return lines(
        [
            *exfmt.heredoc("@doc", doc),
            *exfmt.spec(name, ["String.t()"], ["{:ok, t()}", f"{{:error, {error}.t()}}"]),
            *exfmt.short_def(f"{name}(text)", call),
        ]
    )


def attribute(name: str, value: Node) -> list[str]:
    """`@name value` (a list attribute keeps its elements one a line when it does not fit)."""
    return exfmt.layout(value, f"  @{name} ", 2)


def enum_body(decl: ir.Enum, codec: str) -> Body:
    members = [symbols.enum_member(v.value) for v in decl.values]
    values = ListNode([Tuple([Text(symbols.string(v.value)), Text(m)]) for v, m in zip(decl.values, members, strict=True)])
    atoms = [m for m, v in zip(members, decl.values, strict=True) if len(v.value) <= symbols.MAX_ATOM]  # the others are strings
    return "enum.ex.jinja", {
        "type": lines(exfmt.union_type("@type t", [*atoms, "String.t()"], 2)),
        "values": lines(attribute("values", values)),
        "codec": codec,
    }


def union_body(api: ir.Api, decl: ir.Union_, types: TypeRenderer, codec: str) -> Body:
    variants = [types.module(v.type) for v in decl.variants]
    alternatives = [f"{m}.t()" for m in variants]
    if decl.discriminator is not None:
        alternatives.append("map()")
        pairs = [Pair(f"{symbols.string(v.tag)} =>", Text(m)) for v, m in zip(decl.variants, variants, strict=True) if v.tag is not None]
        table = attribute("variants", Map(pairs))
        kind = f"{{:union, {symbols.string(discriminator_wire(api, decl))}, @variants}}"
    else:
        table = attribute("variants", ListNode([Text(m) for m in variants]))
        kind = "{:one_of, @variants}"
    accessor = tag_accessor_of(api, decl)
    return "union.ex.jinja", {
        "type": lines(exfmt.union_type("@type t", alternatives, 2)),
        "attribute": lines(table),
        "kind": kind,
        "codec": codec,
        "json_type": "term()" if decl.discriminator is None else "map()",
        "maps": True,
        "accessor": tag_function(accessor, types) if accessor is not None else None,
    }


def tag_function(plan: TagAccessorPlan, types: TypeRenderer) -> str:
    """`tag_accessor:` (Tinkex's `TelemetryEvent.event_type/1`): one clause per known variant,
    answering its tag, and one for a variant this SDK does not know (kept as its JSON map)."""
    name = symbols.function_name(plan.name)
    doc = f"The `{plan.wire}` tag of a value, as its wire string (an unknown variant's own)."
    out = [*exfmt.heredoc("@doc", doc), *exfmt.spec(name, ["t()"], ["String.t()"])]
    for variant, tag in plan.tags:
        out += exfmt.short_def(f"{name}(%{types.module(variant)}{{}})", Text(symbols.string(tag)))
    out += exfmt.short_def(f"{name}(%{{{symbols.string(plan.wire)} => tag}}) when is_binary(tag)", Text("tag"))
    return lines(out)


def alias_body(decl: ir.Alias, types: TypeRenderer, codec: str) -> Body:
    return "union.ex.jinja", {
        "maps": False,
        "accessor": None,
        "type": lines(exfmt.union_type("@type t", types.alternatives(decl.target), 2)),
        "attribute": lines(exfmt.layout(types.term(decl.target), "  @target ", 2)),
        "kind": "{:alias, @target}",
        "codec": codec,
        "json_type": "term()",
    }


def type_modules(plan: SdkPlan, layout: Layout) -> list[tuple[str, str]]:
    extensions = extensions_of(plan.api, "elixir")
    return [
        type_module(plan.api, layout, t.decl, plan.helpers, plan.derived, tuple(e for e in extensions if e.record == t.decl.id))
        for t in plan.types
    ] + [typespec_module(plan.api, layout, m) for m in typespecs_of(plan.api, "elixir")]


def typespec_module(api: ir.Api, layout: Layout, spec: TypespecModulePlan) -> tuple[str, str]:
    """`targets.elixir.typespecs`: a module of typespecs in the types' namespace (Tinkex's
    `Types.TypeAliases`), `@type <snake name> :: <Type>.t()` for each listed type, documented by
    the type's doc."""
    module = f"{layout.types_namespace}.{symbols.module_segment(spec.module)}"
    aliases = Aliases(module)
    types = TypeRenderer(api, layout, aliases)
    blocks = []
    for tid in spec.types:
        decl = api.types[tid]
        doc = decl.doc or f"The `{tid}` type of the {api.service.name} API."
        blocks.append(
            lines(
                [*exfmt.heredoc("@typedoc", doc), *exfmt.union_type(f"@type {symbols.typespec_name(tid)}", [f"{types.module(tid)}.t()"], 2)]
            )
        )
    listed = ", ".join(f"`{t}`" for t in spec.types)
    head = [
        lines(
            exfmt.heredoc(
                "@moduledoc", f"Typespecs of the {api.service.name} API's {listed}, gathered in one module (`targets.elixir.typespecs`)."
            )
        ),
        lines(aliases.lines()),
    ]
    text = templating.module(module, head, blocks)
    return layout.path(module), text


def delegation(module: str, f: ExtensionFunction) -> str:
    """`defdelegate name(arg1, ...), to: Hand.Written` (`targets.elixir.extensions`): the hand-written
    module stays the one place the function is written; the generated module only names it."""
    name = f.name  # the hand-written function's own name (the manifest's check keeps it a plain one)
    args = ", ".join(f"arg{i}" for i in range(1, f.arity + 1))
    one = f"  defdelegate {name}({args}), to: {module}"
    head = one if exfmt.fits(one) else f"  defdelegate {name}({args}),\n    to: {module}"
    doc = f"Delegates to `{module}.{name}/{f.arity}`, written by hand beside the SDK (`targets.elixir.extensions`)."
    return lines([*exfmt.heredoc("@doc", doc), head])
