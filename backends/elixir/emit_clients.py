"""One module per manifest client, named by the manifest (`clients.<c>.module`).

A client that holds counters or the session is a process (a GenServer started with `start_link/1`,
as Tinkex's ServiceClient, TrainingClient and SamplingClient are); any other client is a struct
(`new/1`, as Tinkex's RestClient). Every function returns `{:ok, value} | {:error, %Error{}}`; one
whose result is a server-side future returns `{:ok, task}`; each synchronous function has an
`_async` twin returning a bare `Task`. `__methods__/0` describes the functions for the conformance
driver.
"""

from __future__ import annotations

from tinkc.backends.elixir import exfmt, symbols, templating
from tinkc.backends.elixir.emit_flows import EndpointFunction, FlowFunction, FunctionWriter, PagesFunction, function_doc
from tinkc.backends.elixir.emit_types import TypeRenderer, int_literal
from tinkc.backends.elixir.exfmt import List as ListNode
from tinkc.backends.elixir.exfmt import Pair, Text, Tuple
from tinkc.backends.elixir.modules import Aliases
from tinkc.backends.elixir.signatures import Signature, method_signature
from tinkc.backends.elixir.symbols import Layout
from tinkc.ir import nodes as ir
from tinkc.sdk import ClientPlan, MethodPlan, SdkPlan
from tinkc.sdk.plan import DEPRECATION_NOTICE, ITER_SUFFIX, AliasPlan, ChunkerPlan


class ClientWriter:
    def __init__(self, plan: SdkPlan, layout: Layout, client: ClientPlan) -> None:
        self.plan = plan
        self.api = api = plan.api
        self.layout = layout
        self.client = client
        self.module = layout.client_module(client)
        self.aliases = Aliases(self.module)
        for runtime in ("Runtime.Client", "Error", "Config"):  # the short names the code always uses
            self.aliases.claim(layout.runtime(runtime))
        self.types = TypeRenderer(api, layout, self.aliases)
        self.process = client.stateful

    def ref(self, runtime: str) -> str:
        return self.aliases.ref(self.layout.runtime(runtime))

    # -- functions ----------------------------------------------------------------------------------

    def return_spec(self, sig: Signature, method: MethodPlan) -> list[str]:
        if sig.kind == "task":
            return ["{:ok, Task.t()}"]
        if method.kind == "endpoint":
            ep = self.plan.endpoint(method.target)
            if ep.response == "stream":
                return ["result(Enumerable.t())"]
            if ep.response == "redirect" and ep.response_type is None:
                return ["result(String.t())"]
            if ep.response_type is None:
                return ["result(nil)"]
            return [f"result({self.types.spec(ep.response_type)})"]
        flow = self.plan.flow(method.target)
        if flow.returns == "stream":
            return ["result(Enumerable.t())"]
        if flow.result is None:
            return ["result(nil)"]
        return [f"result({self.types.spec(flow.result)})"]

    def arg_specs(self, sig: Signature) -> list[str]:
        out = ["t()"]
        for p in sig.positional:
            out.append(self.types.spec(p.type) if p.type is not None else "term()")
        out.append("keyword()")
        return out

    def function(self, method: MethodPlan) -> tuple[Signature, str]:
        sig = method_signature(self.plan, self.client, method)
        writer: FunctionWriter
        if method.kind == "endpoint":
            ep = self.plan.endpoint(method.target)
            writer = EndpointFunction(self.plan, self.layout, self.aliases, self.client, sig, ep)
            doc = method.doc or ep.doc
            # the path as the manifest writes it (the plan's is percent-encoded for the wire)
            extra = [f"`{ep.method} {self.api.endpoints[ep.id].path.template}`"]
        else:
            flow = self.plan.flow(method.target)
            writer = FlowFunction(self.plan, self.layout, self.aliases, self.client, sig, flow)
            doc = method.doc or flow.doc
            extra = []
        if sig.kind == "task" and method.kind == "flow" and self.plan.flow(method.target).returns != "future":
            extra.append("Answers `{:ok, task}`: the task runs the calls and answers their result (`Task.await/2`).")
        elif sig.kind == "task":
            extra.append("Answers `{:ok, task}`: the request is sent now, the task polls its result.")
        if method.deprecated:  # in the doc, and as the attribute (the compiler warns its remote callers)
            extra.append(f"**Deprecated.** {DEPRECATION_NOTICE}")
        body = writer.body()
        twin = self.async_twin(sig) if sig.kind == "sync" else None
        text = templating.render(
            "function.ex.jinja",
            deprecated=deprecated_attribute(method.deprecated),
            doc=lines(function_doc(doc, sig, extra)),
            spec=lines(exfmt.spec(sig.function, self.arg_specs(sig), self.return_spec(sig, method))),
            head=lines(exfmt.def_head(sig.function, writer.head_args())),
            prelude=writer.prelude(body),
            body=lines(body),
            twin=twin,
        )
        return sig, text.removesuffix("\n")

    def alias_function(self, alias: AliasPlan) -> str:
        """`defdelegate`s to another client's function (and its `_async` twin, when it has one):
        Tinkex's `SamplingClient.create_async/1,2` is `ServiceClient.create_sampling_client_async`."""
        target = self.plan.clients[alias.client]
        method = next(m for m in target.methods if m.name == alias.method)
        sig = method_signature(self.plan, target, method)
        module = self.aliases.ref(self.layout.client_module(target))
        head = [sig.receiver, *(p.name for p in sig.positional), "opts \\\\ []"]
        name = symbols.function_name(alias.name)
        out = []
        pairs = [(name, sig.function)] + ([(f"{name}_async", f"{sig.function}_async")] if sig.kind == "sync" else [])
        for fun, to in pairs:
            doc = alias.doc or f"Same as `{module}.{to}`."
            if fun != name:
                doc = f"`{name}` in a `Task` (`{module}.{to}`)."
            line = f"  defdelegate {fun}({', '.join(head)}), to: {module}, as: :{to}"
            if not exfmt.fits(line):  # mix format breaks the keyword list one pair a line
                line = f"  defdelegate {fun}({', '.join(head)}),\n    to: {module},\n    as: :{to}"
            out += [*exfmt.heredoc("@doc", doc), line, ""]
        return lines(out[:-1])

    def overload_functions(self, method: MethodPlan, sig: Signature) -> list[str]:
        """A flow's `overloads: <method>`: `<method>/<1 + required inputs>` (and its `_async` twin)
        calling the flow's function, as Tinkex's `delete_checkpoint(client, tinker_path)` beside
        `delete_checkpoint(client, run_id, checkpoint_id)`. Without the options list: that arity
        may be one the method already has (the `naming` pass checked the bare one is free)."""
        flow = self.plan.flow(method.target)
        if flow.overloads is None or method.name != (flow.method or flow.id):
            return []
        name = symbols.function_name(flow.overloads)
        args = [sig.receiver, *(p.name for p in sig.positional)]
        specs = self.arg_specs(sig)[:-1]  # without `keyword()`
        arity = len(args)
        pairs = [(name, sig.function, self.return_spec(sig, method))]
        if sig.kind == "sync":
            pairs.append((f"{name}_async", f"{sig.function}_async", ["Task.t()"]))
        out = []
        for fun, to, ret in pairs:
            doc = f"Same as `{to}/{arity}` (the other arities of `{fun}` take other arguments)." + (
                "" if method.doc is None and flow.doc is None else f"\n\n{(method.doc or flow.doc or '').strip()}"
            )
            call = exfmt.Call(to, [Text(a) for a in args])
            out.append(
                lines(
                    [
                        *exfmt.heredoc("@doc", doc),
                        *([deprecated_attribute(method.deprecated)] if method.deprecated else []),
                        *exfmt.spec(fun, specs, ret),
                        *exfmt.def_head(fun, args),
                        *exfmt.statement(call, 4),
                        "  end",
                    ]
                )
            )
        return out

    def clear_queue_function(self, key: str) -> str:
        """Tinkex's `SamplingClient.clear_queue_state_debounce/1`: forgets the queue-state log marks
        of one value of the client's debounce key (`debounce_by`), so its next change is logged."""
        arg = symbols.variable_name(key)
        doc = (
            f"Forgets when the queue-state log last logged a change for `{arg}`: the next change of its "
            "futures is logged at once (the log lines are debounced per value of it)."
        )
        observer = self.ref("Runtime.QueueObserver")
        return lines(
            [
                *exfmt.heredoc("@doc", doc),
                "  @spec clear_queue_state_debounce(String.t()) :: :ok",
                *exfmt.def_head("clear_queue_state_debounce", [arg]),
                f"    {observer}.clear_debounce({arg})",
                "  end",
            ]
        )

    def async_twin(self, sig: Signature) -> dict[str, str | int]:
        """`<function>_async`: the function in a `Task`."""
        name = f"{sig.function}_async"
        args = [sig.receiver, *(p.name for p in sig.positional), "opts"]
        head = [sig.receiver, *(p.name for p in sig.positional), "opts \\\\ []"]
        call = exfmt.Call("Task.async", [exfmt.Fn(Text(f"{sig.function}({', '.join(args)})"))])
        return {
            "function": sig.function,
            "arity": sig.arity(),
            "spec": lines(exfmt.spec(name, self.arg_specs(sig), ["Task.t()"])),
            "head": lines(exfmt.def_head(name, head)),
            "body": lines(exfmt.statement(call, 4)),
        }

    def pager_functions(self, method: MethodPlan, sig: Signature) -> list[str]:
        """`<function>_iter_pages`: the pages of a paginated endpoint as a lazy `Stream`, from the
        request the function sends, by the plan's rule; `<function>_iter`: their items."""
        ep = self.plan.endpoint(method.target)
        page = ep.page
        assert page is not None and ep.response_type is not None
        pages_name = f"{sig.function}{ITER_SUFFIX}_pages"
        items_name = f"{sig.function}{ITER_SUFFIX}"
        writer = PagesFunction(self.plan, self.layout, self.aliases, self.client, sig, ep)
        body = writer.body()
        arity = f"{sig.function}/{sig.arity()}"
        pages_doc = (
            f"The pages of `{arity}`, one after the other, as a lazy `Stream`: a request is sent when the "
            f"stream needs the next page. Takes the arguments and options of `{arity}`; a page that fails "
            f"raises the `{self.layout.runtime('Error')}` (a repeating cursor is a `:pagination` error)."
        )
        deprecated = deprecated_attribute(method.deprecated)
        pages_text = templating.render(
            "function.ex.jinja",
            deprecated=deprecated,
            doc=lines(exfmt.heredoc("@doc", pages_doc)),
            spec=lines(exfmt.spec(pages_name, self.arg_specs(sig), ["Enumerable.t()"])),
            head=lines(exfmt.def_head(pages_name, writer.head_args())),
            prelude=writer.prelude(body),
            body=lines(body),
            twin=None,
        )
        args = [sig.receiver, *(p.name for p in sig.positional), "opts"]
        head = [sig.receiver, *(p.name for p in sig.positional), "opts \\\\ []"]
        items = f"& &1.{symbols.field_name(page.items_field)}"
        pipe = [f"    {sig.receiver}", f"    |> {pages_name}({', '.join(args[1:])})", f"    |> Stream.flat_map({items})"]
        if exfmt.fits(f"    {pages_name}({', '.join(args)}) |> Stream.flat_map({items})"):
            pipe = [f"    {pages_name}({', '.join(args)}) |> Stream.flat_map({items})"]
        items_doc = f"The items of every page of `{arity}`, in order, as a lazy `Stream` (see `{pages_name}/{sig.arity()}`)."
        items_text = "\n".join(
            [
                *exfmt.heredoc("@doc", items_doc),
                *([deprecated] if deprecated else []),
                *exfmt.spec(items_name, self.arg_specs(sig), ["Enumerable.t()"]),
                *exfmt.def_head(items_name, head),
                *pipe,
                "  end",
            ]
        )
        return [pages_text.removesuffix("\n"), items_text]

    # -- metadata -----------------------------------------------------------------------------------

    def methods_metadata(self, sigs: list[Signature]) -> str:
        entries = []
        for sig in sigs:
            # each function and argument with its manifest name: a scenario names them so, and the
            # symbol provider may have renamed them (a field `end` is the variable `end_`)
            positional = ListNode(
                [Tuple([Text(symbols.atom(p.name)), Text(symbols.string(p.wire)), self.term(p.type)]) for p in sig.positional]
            )
            options = ListNode([Tuple([Text(symbols.atom(p.name)), Text(symbols.string(p.wire)), self.term(p.type)]) for p in sig.options])
            entries.append(
                Tuple(
                    [
                        Text(symbols.atom(sig.function)),
                        Text(symbols.string(sig.manifest)),
                        positional,
                        options,
                        Text(symbols.atom(sig.kind)),
                    ]
                )
            )
        return lines(["  @doc false", "  def __methods__ do", *exfmt.statement(ListNode(entries), 4), "  end"])

    def term(self, t: ir.TypeRef | None) -> exfmt.Node:
        return self.types.term(t) if t is not None else Text(":any")

    # -- the module ---------------------------------------------------------------------------------

    def source(self) -> tuple[str, str]:
        functions: list[str] = []
        sigs: list[Signature] = []
        for method in self.client.methods:
            sig, text = self.function(method)
            sigs.append(sig)
            functions.append(text)
            if method.kind == "endpoint" and self.plan.endpoint(method.target).page is not None:
                functions.extend(self.pager_functions(method, sig))
            if method.kind == "flow":
                functions.extend(self.overload_functions(method, sig))
        functions.extend(self.alias_function(a) for a in self.client.aliases)
        if self.client.queue_key is not None:
            functions.append(self.clear_queue_function(self.client.queue_key))
        chunks = self.aliases.ref(self.layout.runtime("Runtime.Chunks")) if any(k.module is None for k in self.client.chunkers) else ""
        functions.extend(chunker_function(k, self.types, chunks) for k in self.client.chunkers if k.module is None)
        head = self.process_head() if self.process else self.struct_head()
        blocks = [head, self.with_options_function(), *functions, self.queue_state_functions(), self.telemetry_functions()]
        if sigs:
            blocks.append(self.methods_metadata(sigs))
        parts = [lines(exfmt.heredoc("@moduledoc", self.moduledoc()))]
        if self.process:  # `use` before the aliases, as the Elixir style guide orders them
            parts.append(self.use_line())
        parts.append(lines(self.aliases.lines()))  # every block is written: the aliases are all known
        if self.queue_log() is not None:
            parts.append(f"  @behaviour {self.aliases.ref(self.layout.runtime('QueueStateObserver'))}")
        return self.layout.path(self.module), templating.module(self.module, parts, blocks)

    def use_line(self) -> str:
        # a client some flow builds is a temporary child of its family's supervisor
        temporary = self.client.built_by_flow
        return "  use GenServer, restart: :temporary" if temporary else "  use GenServer"

    def state_doc(self) -> str:
        return ", ".join(f"`{symbols.atom(symbols.field_name(s.name))}`" for s in self.client.state if not s.counter)

    def process_head(self) -> str:
        """A GenServer: `start_link/0,1`, and the callbacks, which the runtime implements."""
        state_doc = self.state_doc()
        start_doc = (
            f"Starts the client. Options: those of `{self.layout.runtime('Config')}` (`:api_key`, `:base_url`, ...) or "
            "`:config`, and `:name`" + (f"; its state: {state_doc}" if state_doc else "") + ". A configuration error (no API "
            "key...) is `{:error, %" + self.layout.runtime("Error") + "{}}`."
        )
        return templating.render(
            "process_client.ex.jinja",
            error=self.ref("Error"),
            server=self.ref("Runtime.ClientServer"),
            client=self.ref("Runtime.Client"),
            start_doc=lines(exfmt.heredoc("@doc", start_doc)),
            metadata=self.client_metadata(),
        ).removesuffix("\n")

    def struct_head(self) -> str:
        """A struct: its state fields, configuration and context; `new/0,1` from options, and
        `new/N` from its state and a configuration (as Tinkex's `RestClient.new/2`)."""
        config = self.ref("Config")
        client = self.ref("Runtime.Client")
        error = self.ref("Error")
        fields = [*(symbols.field_name(s.name) for s in self.client.state), "config", "context"]
        specs = [(symbols.key(symbols.field_name(s.name)), self.state_alternatives(s)) for s in self.client.state]
        specs += [("config:", [f"{config}.t()"]), ("context:", ["term()"])]
        state_doc = self.state_doc()
        new_doc = (
            f"A client from options: those of `{self.layout.runtime('Config')}` (`:api_key`, `:base_url`, ...) or `:config`"
            + (f", and its state: {state_doc}" if state_doc else "")
            + ". Raises `ArgumentError` for an invalid configuration."
        )
        state = [s for s in self.client.state if not s.counter]
        from_state = None
        if state:
            names = [symbols.variable_name(s.name) for s in state]
            names = [n + "_" if n == "config" else n for n in names]
            pairs = [Pair(symbols.key(symbols.field_name(s.name)), Text(n)) for s, n in zip(state, names, strict=True)]
            from_state = {
                "doc": lines(exfmt.doc_attr("@doc", f"A client with this state ({state_doc}) and configuration.")),
                "spec": lines(exfmt.spec("new", [*(self.state_spec(s) for s in state), f"{config}.t()"], ["t()"])),
                "head": lines(exfmt.def_head("new", [*names, f"%{config}{{}} = config"])),
                "body": lines(exfmt.statement(exfmt.Call("new", [*pairs, Pair("config:", Text("config"))]), 4)),
            }
        return templating.render(
            "struct_client.ex.jinja",
            defstruct=lines(exfmt.statement(exfmt.Seq("defstruct [", tuple(Text(symbols.atom(f)) for f in fields), "]"), 2)),
            type=lines(exfmt.struct_type(specs)),
            error=error,
            client=client,
            new_doc=lines(exfmt.heredoc("@doc", new_doc)),
            from_state=from_state,
            metadata=self.client_metadata(),
        ).removesuffix("\n")

    def with_options_function(self) -> str:
        """`with_options/2`: a copy of the client with other default request options (Python's
        `with_options`, TypeScript's `withOptions`)."""
        client = self.ref("Runtime.Client")
        var = symbols.variable_name(self.client.id)
        doc = (
            "A copy of the client whose calls use these request options by default (`:timeout` in milliseconds, "
            "`:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`), over the client's own. The copy shares "
            "the client's connections, session and telemetry; a call's own `:request_options` win over it (headers, "
            "query and body merge). An unknown option raises `ArgumentError`."
        )
        parts = [
            lines(exfmt.heredoc("@doc", doc)),
            lines(exfmt.spec("with_options", ["t()", "keyword()"], ["t()"])),
            lines(exfmt.short_def(f"with_options({var}, request_options)", Text(f"{client}.with_options({var}, request_options)"))),
        ]
        return "\n".join(p.removesuffix("\n") for p in parts)

    def queue_log(self) -> ir.Feature | None:
        """The queue-state log (queue_state_observer feature) of the endpoints this client calls."""
        endpoints = set()
        for m in self.client.methods:
            if m.kind == "endpoint":
                endpoints.add(m.target)
            else:
                endpoints.update(s.endpoint for s in self.plan.flow(m.target).steps if s.endpoint)
        ids = sorted(
            {
                f.id
                for e in endpoints
                if e in self.api.endpoints
                for f in self.api.endpoint_features(self.api.endpoints[e], "queue_state_observer")
            }
        )
        return self.api.features[ids[0]] if ids else None

    def queue_state_functions(self) -> str:
        """`on_queue_state_change/1,2` (the `QueueStateObserver` callback, as Tinkex's clients have it)
        when the client's endpoints log their queue states."""
        log = self.queue_log()
        if log is None:
            return ""
        doc = (
            f"Logs a queue-state change of this client's futures as the manifest's `{log.id}` says (debounced): what the "
            f"client does when no observer is given. The module implements `{self.layout.runtime('QueueStateObserver')}`, so "
            "it can be passed as the `:queue_state_observer` option."
        )
        return templating.render(
            "queue_state.ex.jinja",
            doc=lines(exfmt.heredoc("@doc", doc)),
            behaviour=self.aliases.ref(self.layout.runtime("QueueStateObserver")),
            spec=self.ref("Spec"),
            observer=self.ref("Runtime.QueueObserver"),
            log_id=symbols.string(log.id),
        ).removesuffix("\n")

    def telemetry_functions(self) -> str:
        """`log_event/2,3` (and, for a process, Tinkex's `telemetry_reporter/1`) when the service has
        the telemetry feature."""
        if self.plan.telemetry is None:
            return ""
        client = self.ref("Runtime.Client")
        var = symbols.variable_name(self.client.id)
        log_event = exfmt.short_def(
            f"log_event({var}, name, data \\\\ %{{}})", Text(f"{client}.log_event({client}.handle({var}), name, data)")
        )
        reporter = exfmt.short_def(f"telemetry_reporter({var})", Text(f"{client}.telemetry_reporter({client}.handle({var}))"))
        return templating.render(
            "telemetry.ex.jinja",
            log_event=lines(log_event),
            process=self.process,
            reporter=lines(reporter),
            server=self.ref("Runtime.ClientServer") if self.process else "",
            var=var,
        ).removesuffix("\n")

    def state_alternatives(self, s: ir.StateField) -> list[str]:
        alternatives = self.types.alternatives(s.type)
        if "nil" not in alternatives:
            alternatives.append("nil")
        return alternatives

    def state_spec(self, s: ir.StateField) -> str:
        return " | ".join(self.state_alternatives(s))

    def client_metadata(self) -> str:
        state = [symbols.field_name(s.name) for s in self.client.state]
        counters = [symbols.field_name(s.name) for s in self.client.state if s.counter]
        items = [
            Pair("process:", Text("true" if self.process else "false")),
            Pair("state:", ListNode([Text(symbols.atom(s)) for s in state])),
            Pair("counters:", ListNode([Text(symbols.atom(c)) for c in counters])),
        ]
        return lines(["  @doc false", *exfmt.short_def("__client__", exfmt.Map(items))])

    def moduledoc(self) -> str:
        text = self.client.doc or f"The `{self.client.id}` client of the {self.api.service.name} API."
        if self.process:
            text += (
                "\n\nA process: `start_link/1` starts one from a configuration; clients made by its functions share its "
                "configuration and session, and stop with it."
            )
        else:
            text += "\n\nA struct: `new/1` makes one from a configuration."
        text += (
            "\n\nEvery function answers `{:ok, value}` or `{:error, %"
            + self.layout.runtime("Error")
            + "{}}`; one whose result the server computes later answers `{:ok, task}` (`Task.await/2` gives the result)."
        )
        return text


def lines(out: list[str]) -> str:
    return "\n".join(out)


def deprecated_attribute(deprecated: bool) -> str:
    """`@deprecated "..."` of a deprecated function (its `_async` twin and page streams too): the
    compiler warns its callers in other modules. (No flow calls a deprecated flow: flow-calls.)"""
    return f"  @deprecated {symbols.string(DEPRECATION_NOTICE)}" if deprecated else ""


def chunker_function(chunker: ChunkerPlan, types: TypeRenderer, chunks: str) -> str:
    """`chunk_data/1` (a `chunkers:` entry): the list split as the flow's chunked step splits it;
    an item too large for one request raises the `:invalid_argument` error."""
    c = chunker.chunk
    name = symbols.function_name(chunker.name)
    spec = exfmt.Map(
        [
            Pair("input:", Text(symbols.string(c.input))),
            Pair("item:", types.term(c.item)),
            Pair("max_items:", Text(int_literal(c.max_items))),
            Pair("max_bytes:", Text(int_literal(c.max_bytes))),
            Pair("combine:", ListNode([])),
        ]
    )
    item = " | ".join(types.alternatives(c.item))
    doc = (chunker.doc or f"The chunks of `{c.input}`.") + (
        f" At most {c.max_items} items and about {c.max_bytes} bytes (estimated from the JSON form) a chunk; an item "
        "larger than that alone raises the `:invalid_argument` error."
    )
    call = exfmt.Call(f"{chunks}.split", [Text("items"), Text("spec")])
    return "\n".join(
        [
            *exfmt.heredoc("@doc", doc),
            *exfmt.spec(name, [f"[{item}]"], [f"[[{item}]]"]),
            f"  def {name}(items) when is_list(items) do",
            *exfmt.layout(spec, "    spec = ", 4),
            "",
            *exfmt.layout(call, "    case ", 4, " do"),
            "      {:ok, chunks} -> chunks",
            "      {:error, error} -> raise error",
            "    end",
            "  end",
        ]
    )


def chunker_modules(plan: SdkPlan, layout: Layout) -> list[tuple[str, str]]:
    """The module of each `chunkers:` entry with a `module` (Tinkex's `TrainingClient.DataProcessor`)."""
    out = []
    for client in plan.clients.values():
        for chunker in client.chunkers:
            if chunker.module is None:
                continue
            module = f"{layout.client_module(client)}.{chunker.module}"
            aliases = Aliases(module)
            types = TypeRenderer(plan.api, layout, aliases)
            text = chunker_function(chunker, types, aliases.ref(layout.runtime("Runtime.Chunks")))
            doc = exfmt.heredoc("@moduledoc", f"Splits data as `{layout.client_module(client)}` does before sending it.")
            out.append((layout.path(module), templating.module(module, ["\n".join(doc), lines(aliases.lines())], [text])))
    return out


def client_modules(plan: SdkPlan, layout: Layout) -> list[tuple[str, str]]:
    return [ClientWriter(plan, layout, client).source() for client in plan.clients.values()] + chunker_modules(plan, layout)
