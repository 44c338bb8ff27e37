"""Surface parity with Tinkex, the hand-written Elixir SDK of the Tinker API (issue 4).

`TINKEX` lists the public functions of Tinkex's ServiceClient, TrainingClient, SamplingClient,
RestClient, Config, Error and Types modules, as its reference (`../shared/reference/tinkex/
README.md`, §2.2-2.8 and §3.1; `f/2,3` means arities 2 and 3) gives them. The test compiles the SDK
generated from the bundled manifest and reads what its modules export (`__info__(:functions)`); it
prints the share of the reference the SDK has, and fails on any function missing without an entry
in `EXPLAINED` (why it is not generated) or explained but present after all (a stale entry).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

SNAPSHOT = Path(__file__).resolve().parent.parent / "snapshots" / "elixir" / "tinker"

TINKEX: dict[str, str] = {
    "ServiceClient": "start_link/0,1 create_lora_training_client/2,3 create_lora_training_client_async/2,3 "
    "create_training_client_from_state/2,3 create_training_client_from_state_with_optimizer/2,3 "
    "create_training_client_from_state_async/2,3 create_training_client_from_state_with_optimizer_async/2,3 "
    "create_sampling_client/1,2 create_sampling_client_async/1,2 get_server_capabilities/1 "
    "get_server_capabilities_async/1 create_rest_client/1 telemetry_reporter/1 get_telemetry/0,1",
    "TrainingClient": "start_link/0,1 child_spec/1 get_info/1 get_tokenizer/1,2 encode/2,3 decode/2,3 unload_model/1 "
    "forward_backward/3,4 forward/3,4 optim_step/2,3 save_weights_for_sampler/2,3 save_weights_and_get_sampling_client/1,2 "
    "save_weights_and_get_sampling_client_sync/1,2 save_state/2,3 load_state/2,3 load_state_with_optimizer/2,3 "
    "create_sampling_client_async/2,3 forward_backward_custom/3,4 on_queue_state_change/1,2 get_telemetry/0,1",
    "SamplingClient": "start_link/0,1 child_spec/1 create_async/1,2 get_tokenizer/1,2 sample/3,4 sample_stream/3,4 "
    "compute_logprobs/2,3 on_queue_state_change/1,2 clear_queue_state_debounce/1 get_telemetry/0,1",
    "RestClient": "new/2 get_session/2,3 list_sessions/1,2 get_sampler/2 get_weights_info_by_tinker_path/2 list_checkpoints/2 "
    "list_user_checkpoints/1,2 get_checkpoint_archive_url/2,3,4 get_checkpoint_archive_url_by_tinker_path/2 "
    "delete_checkpoint/2,3 delete_checkpoint_by_tinker_path/2 get_training_run/2,3 get_training_run_by_tinker_path/2,3 "
    "list_training_runs/1,2 set_checkpoint_ttl_from_tinker_path/3 publish_checkpoint/2 publish_checkpoint_from_tinker_path/2 "
    "unpublish_checkpoint/2 unpublish_checkpoint_from_tinker_path/2 get_session_async/2,3 list_sessions_async/1,2 "
    "get_sampler_async/2 get_weights_info_by_tinker_path_async/2 list_checkpoints_async/2 list_user_checkpoints_async/1,2 "
    "get_checkpoint_archive_url_async/2,3 delete_checkpoint_async/2,3 get_training_run_async/2,3 "
    "get_training_run_by_tinker_path_async/2,3 list_training_runs_async/1,2 publish_checkpoint_async/2 "
    "unpublish_checkpoint_async/2 delete_checkpoint_by_tinker_path_async/2 publish_checkpoint_from_tinker_path_async/2 "
    "unpublish_checkpoint_from_tinker_path_async/2 get_checkpoint_archive_url_by_tinker_path_async/2 "
    "set_checkpoint_ttl_from_tinker_path_async/3",
    "Config": "new/0,1 validate!/1 default_timeout/0 default_max_retries/0 python_timeout/0 python_max_retries/0",
    # the stateless layer (§2.9): `(request, opts)` with `config:`, and the raw requests
    "API": "post/3 get/2 put/3 delete/2 stream_get/2 client_module/1",
    "API.Session": "create/2 create_typed/2 heartbeat/2",
    "API.Service": "get_server_capabilities/1 health_check/1 create_model/2 create_sampling_session/2",
    "API.Models": "get_info/2 unload_model/2",
    "API.Training": "forward_backward_future/2 forward_backward/2 forward_future/2 forward/2 optim_step_future/2 optim_step/2",
    "API.Weights": "save_weights/2 save_weights_typed/2 load_weights/2 load_weights_typed/2 save_weights_for_sampler/2 "
    "save_weights_for_sampler_typed/2",
    "API.Sampling": "sample_async/2 sample_stream/2",
    "API.Futures": "retrieve/2",
    "API.Telemetry": "send/2 send_sync/2",
    "API.Rest": "get_session/2,3 list_sessions/1,2,3,4 list_checkpoints/2 list_user_checkpoints/1,2,3 "
    "get_checkpoint_archive_url/2,3,4 delete_checkpoint/2,3 get_sampler/2 get_weights_info_by_tinker_path/2 "
    "get_training_run/2,3 get_training_run_by_tinker_path/2,3 list_training_runs/1,2,3,4 "
    "set_checkpoint_ttl_from_tinker_path/3 publish_checkpoint/2 unpublish_checkpoint/2",
    "Error": "new/2,3 from_response/2 user_error?/1 retryable?/1 format/1",
}

# Tinkex.Types.*: `module` alone means a struct (or type-only) module without public functions.
TINKEX_TYPES: dict[str, str] = {
    "AdamParams": "new/0,1",
    "Checkpoint": "from_map/1",
    "CheckpointArchiveUrlResponse": "from_map/1",
    "CheckpointsListResponse": "from_map/1",
    "CreateModelRequest": "module",
    "CreateModelResponse": "from_json/1",
    "CreateSamplingSessionRequest": "module",
    "CreateSamplingSessionResponse": "from_json/1",
    "CreateSessionRequest": "module",
    "CreateSessionResponse": "from_json/1",
    "Cursor": "from_map/1",
    "CustomLossOutput": "build/3,4 loss/1",
    "Datum": "new/1",
    "EncodedTextChunk": "length/1",
    "ForwardBackwardInput": "module",
    "ForwardBackwardOutput": "from_json/1 loss/1",
    "ForwardBackwardRequest": "module",
    "ForwardRequest": "module",
    "FuturePendingResponse": "module",
    "FutureCompletedResponse": "module",
    "FutureCompletedMetadataResponse": "module",
    "FutureFailedResponse": "module",
    "FutureRetrieveResponse": "from_json/1",
    "FutureRetrieveRequest": "new/1,2 to_json/1 from_json/1",
    "GetInfoRequest": "new/1",
    "GetInfoResponse": "from_json/1",
    "GetSamplerResponse": "from_json/1",
    "GetServerCapabilitiesResponse": "from_json/1 model_names/1",
    "GetSessionResponse": "from_map/1",
    "HealthResponse": "from_json/1",
    "ImageAssetPointerChunk": "length/1",
    "ImageChunk": "new/2,3 length/1",
    "ListSessionsResponse": "from_map/1",
    "LoadWeightsRequest": "new/2,3",
    "LoadWeightsResponse": "from_json/1",
    "LoraConfig": "module",
    "LossFnType": "values/0 parse/1 to_string/1",
    "ModelData": "from_json/1",
    "ModelInput": "empty/0 append/2 append_int/2 from_ints/1 from_text/1,2 from_text!/1,2 to_ints/1 length/1",
    "OptimStepRequest": "module",
    "OptimStepResponse": "from_json/1 success?/1",
    "ParsedCheckpointTinkerPath": "from_tinker_path/1 checkpoint_segment/1",
    "QueueState": "parse/1",
    "RegularizerOutput": "from_computation/4,5",
    "RegularizerSpec": "new/1 validate!/1",
    "RequestErrorCategory": "parse/1 to_string/1 retryable?/1",
    "RequestFailedResponse": "new/2 from_json/1",
    "SampleRequest": "module",
    "SampleResponse": "from_json/1",
    "SampleStreamChunk": "from_map/1 done/0,1,2 error/1 done?/1",
    "SampledSequence": "from_json/1",
    "SamplingParams": "module",
    "SaveWeightsForSamplerRequest": "module",
    "SaveWeightsForSamplerResponse": "from_json/1",
    "SaveWeightsRequest": "module",
    "SaveWeightsResponse": "from_json/1",
    "SessionHeartbeatRequest": "new/1 to_json/1 from_json/1",
    "SessionHeartbeatResponse": "new/0 from_json/1",
    "StopReason": "parse/1 to_string/1",
    "SupportedModel": "from_json/1",
    "Telemetry.EventType": "parse/1 to_string/1 values/0",
    "Telemetry.GenericEvent": "new/1 to_map/1 from_map/1",
    "Telemetry.SessionEndEvent": "new/1 to_map/1 from_map/1",
    "Telemetry.SessionStartEvent": "new/1 to_map/1 from_map/1",
    "Telemetry.Severity": "parse/1 to_string/1 values/0",
    "Telemetry.TelemetryBatch": "new/1,2 to_list/1 from_list/1,2 size/1",
    "Telemetry.TelemetryEvent": "to_map/1 from_map/1 event_type/1",
    "Telemetry.TelemetrySendRequest": "new/1 to_map/1 from_map/1",
    "Telemetry.UnhandledExceptionEvent": "new/1 to_map/1 from_map/1",
    "TelemetryResponse": "new/0 from_json/1",
    "TensorData": "from_nx/1 to_nx/1 tolist/1",
    "TensorDtype": "parse/1 to_string/1 from_nx_type/1 from_nx_type_quiet/1 check_precision_loss/1 to_nx_type/1",
    "TrainingRun": "from_map/1",
    "TrainingRunsResponse": "from_map/1",
    "TryAgainResponse": "from_map/1",
    "TypeAliases": "module",
    "UnloadModelRequest": "new/1",
    "UnloadModelResponse": "from_json/1",
    "WeightsInfoResponse": "from_json/1",
}

# Why a reference function is not generated. Keys: `Module` (the whole module), `Module.fun` (every
# arity) or `Module.fun/arity`. docs/elixir.md explains them for users.
TOKENIZER = "domain helper kept hand-written in Tinkex (HuggingFace tokenizers / tiktoken: Rust NIFs, hex packages)"
NX = "domain helper kept hand-written in Tinkex (Nx tensors and autodiff, a hex package)"
TINKER_PATH = (
    "takes a `tinker://run/kind/id` path and splits it client-side; the manifest has no way to derive path "
    "parameters from one argument, so the SDK has the (run id, checkpoint id) form of the same endpoint"
)
TYPED = "the stateless functions answer the decoded, typed response: there is no raw-map twin"
API_REST = (
    "Tinkex's REST module takes the configuration first, `(config, id, opts)`; the SDK's stateless functions are one "
    "per endpoint in the endpoint groups' modules (API.Sessions, API.Checkpoints, API.TrainingRuns, API.Samplers, "
    "API.Weights), `(request, opts)` with `config:`, and RestClient has every one of these calls"
)
EXPLAINED: dict[str, str] = {
    "TrainingClient.get_tokenizer": TOKENIZER,
    "TrainingClient.encode": TOKENIZER,
    "TrainingClient.decode": TOKENIZER,
    "TrainingClient.forward_backward_custom": NX,
    "TrainingClient.save_weights_and_get_sampling_client_sync": (
        "the manifest's flow is synchronous: save_weights_and_get_sampling_client/1,2 answers {:ok, pid} as this "
        "function does, and its _async twin the Task"
    ),
    "SamplingClient.get_tokenizer": TOKENIZER,
    "RestClient.get_checkpoint_archive_url_by_tinker_path": TINKER_PATH,
    "RestClient.delete_checkpoint_by_tinker_path": TINKER_PATH,
    "RestClient.get_training_run_by_tinker_path": TINKER_PATH,
    "RestClient.set_checkpoint_ttl_from_tinker_path": TINKER_PATH,
    "RestClient.publish_checkpoint_from_tinker_path": TINKER_PATH,
    "RestClient.unpublish_checkpoint_from_tinker_path": TINKER_PATH,
    "RestClient.get_training_run_by_tinker_path_async": TINKER_PATH,
    "RestClient.delete_checkpoint_by_tinker_path_async": TINKER_PATH,
    "RestClient.publish_checkpoint_from_tinker_path_async": TINKER_PATH,
    "RestClient.unpublish_checkpoint_from_tinker_path_async": TINKER_PATH,
    "RestClient.get_checkpoint_archive_url_by_tinker_path_async": TINKER_PATH,
    "RestClient.set_checkpoint_ttl_from_tinker_path_async": TINKER_PATH,
    "API.client_module": "the HTTP seam is the configuration's `:http_adapter` (a module implementing Runtime.HTTP)",
    "API.Session.create_typed": TYPED,
    "API.Weights.save_weights_typed": TYPED,
    "API.Weights.load_weights_typed": TYPED,
    "API.Weights.save_weights_for_sampler_typed": TYPED,
    "API.Telemetry.send_sync": "API.Telemetry.send/1,2 is synchronous: it answers the server's response",
    "API.Rest": API_REST,
    "Types.CustomLossOutput": NX,
    "Types.ModelInput.from_text": TOKENIZER,
    "Types.ModelInput.from_text!": TOKENIZER,
    "Types.RegularizerOutput": NX,
    "Types.RegularizerSpec": NX,
    "Types.SaveWeightsForSamplerResponse": "named SaveWeightsForSamplerResponseInternal in the Tinker API 0.38 the manifest describes",
    "Types.TensorData.from_nx": NX,
    "Types.TensorData.to_nx": NX,
    "Types.TensorData.tolist": NX,
    "Types.TensorDtype.from_nx_type": NX,
    "Types.TensorDtype.from_nx_type_quiet": NX,
    "Types.TensorDtype.check_precision_loss": NX,
    "Types.TensorDtype.to_nx_type": NX,
}


def expected() -> list[tuple[str, str, int | None]]:
    """(module under Tinkex., function, arity) of the reference; function "" for a module itself."""
    out: list[tuple[str, str, int | None]] = []
    specs = {**TINKEX, **{f"Types.{m}": f for m, f in TINKEX_TYPES.items()}}
    for module, functions in specs.items():
        if functions == "module":
            out.append((module, "", None))
            continue
        for item in functions.split():
            name, _, arities = item.rpartition("/")
            out.extend((module, name, int(a)) for a in arities.split(","))
    return out


def explanation(module: str, function: str, arity: int | None) -> str | None:
    keys = [module] + ([f"{module}.{function}", f"{module}.{function}/{arity}"] if function else [])
    return next((EXPLAINED[k] for k in keys if k in EXPLAINED), None)


ENV = {**os.environ, "MIX_ENV": "dev", "HEX_OFFLINE": "1"}


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The snapshot SDK, compiled once for the tests of this module."""
    mix = shutil.which("mix")
    assert mix, "`mix` is not installed: the surface test needs Debian's `elixir erlang-jiffy`"
    tree = tmp_path_factory.mktemp("surface") / "sdk"
    shutil.copytree(SNAPSHOT, tree)
    subprocess.run([mix, "compile"], cwd=tree, env=ENV, capture_output=True, text=True, check=True)
    return tree


@pytest.fixture(scope="module")
def exported(compiled: Path) -> dict[str, set[tuple[str, int]] | None]:
    """What the generated SDK's modules export: module -> {(function, arity)}, None when absent."""
    mix = shutil.which("mix")
    assert mix
    tree = compiled
    modules = sorted({m for m, _, _ in expected()})
    script = (
        'for m <- String.split(System.get_env("SURFACE_MODULES"), ",") do\n'
        "  mod = Module.concat([Tinkex, m])\n"
        "  if Code.ensure_loaded?(mod) do\n"
        '    for {f, a} <- mod.__info__(:functions), do: IO.puts("#{m} #{f} #{a}")\n'
        '    IO.puts("#{m} ")\n'
        "  end\n"
        "end\n"
    )
    env = {**ENV, "SURFACE_MODULES": ",".join(modules)}
    proc = subprocess.run([mix, "run", "--no-start", "-e", script], cwd=tree, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    found: dict[str, set[tuple[str, int]] | None] = {m: None for m in modules}
    for line in proc.stdout.splitlines():
        module, _, rest = line.partition(" ")
        entries = found[module] if found[module] is not None else set()
        if rest:
            name, arity = rest.rsplit(" ", 1)
            entries.add((name, int(arity)))
        found[module] = entries
    return found


@pytest.mark.toolchain  # mix compiles the SDK
def test_the_tinkex_surface_is_generated_or_each_gap_explained(exported: dict[str, set[tuple[str, int]] | None]) -> None:
    items = expected()
    present, unexplained, stale = [], [], []
    for module, function, arity in items:
        functions = exported.get(module)
        has = functions is not None and (not function or (function, arity) in functions)
        why = explanation(module, function, arity)
        if has:
            present.append((module, function, arity))
            if why is not None and f"{module}.{function}/{arity}" in EXPLAINED:
                stale.append(f"{module}.{function}/{arity}")
        elif why is None:
            unexplained.append(f"Tinkex.{module}" + (f".{function}/{arity}" if function else ""))
    share = 100 * len(present) / len(items)
    print(f"\nTinkex surface parity: {len(present)}/{len(items)} functions and modules ({share:.1f}%)")
    for group in ("ServiceClient", "TrainingClient", "SamplingClient", "RestClient", "Config", "Error", "API", "Types."):
        part = [i for i in items if i[0].startswith(group)]
        have = [i for i in part if i in present]
        print(f"  {group.rstrip('.'):<15} {len(have):>3}/{len(part):<3} ({100 * len(have) / len(part):.0f}%)")
    by_module: dict[str, list[str]] = {}
    for module, function, arity in items:
        if (module, function, arity) not in present:
            by_module.setdefault(module, []).append(f"{function}/{arity}" if function else "(module)")
    for module, missing in sorted(by_module.items()):
        print(f"  Tinkex.{module}: {', '.join(missing)}")
    assert not unexplained, f"missing from the generated SDK, and not explained: {unexplained}"
    assert not stale, f"explained as missing, but generated: {stale}"


def test_every_explanation_is_used() -> None:
    items = expected()
    keys = {k for m, f, a in items for k in ([m] + ([f"{m}.{f}", f"{m}.{f}/{a}"] if f else []))}
    assert not set(EXPLAINED) - keys, set(EXPLAINED) - keys


# -- option names and return shapes of the functions Tinkex's examples use most -------------------

# The 20 functions Tinkex's examples call most (reference §5.1, by number of example files; the
# tokenizer/Nx ones left out), with the options Tinkex documents for them (§2.2-2.8) and the shape
# of what they answer: `task` ({:ok, Task}), `sync` ({:ok, value} | {:error, error}) or, for a
# function outside a client's `__methods__`, a pattern its @spec's return must match. Arities are
# the generated functions' full ones (with the trailing `opts`, which every function also exists
# without, so Tinkex's shorter arity is there too: the parity test above checks it).
MOST_USED: dict[str, tuple[tuple[str, ...], str]] = {
    "ServiceClient.start_link/1": (("config", "api_key", "base_url", "name"), r"GenServer\.on_start\(\)"),
    "Config.new/1": (
        (
            "base_url",
            "api_key",
            "project_id",
            "http_pool",
            "http_client",
            "timeout",
            "max_retries",
            "poll_backoff",
            "user_metadata",
            "tags",
            "feature_gates",
            "telemetry_enabled?",
            "log_level",
            "cf_access_client_id",
            "cf_access_client_secret",
            "dump_headers?",
            "proxy",
            "proxy_headers",
            "default_headers",
            "default_query",
            "recovery",
            "otel_propagate",
        ),
        r"^new\(keyword\(\)\) :: t\(\)$",
    ),  # fmt: skip
    "Error.format/1": ((), r":: String\.t\(\)$"),
    "Error.new/3": ((), r":: t\(\)$"),
    "ServiceClient.create_lora_training_client/3": (
        ("lora_config", "user_metadata", "rank", "seed", "train_mlp", "train_attn", "train_unembed", "call_timeout", "model_id"),
        "sync",
    ),
    "ServiceClient.create_sampling_client/2": (("base_model", "model_path", "sampling_session_id", "retry_config"), "sync"),
    "ServiceClient.create_rest_client/2": ((), "sync"),
    "ServiceClient.create_training_client_from_state_with_optimizer/3": (("load_opts", "load_timeout"), "sync"),
    "ServiceClient.get_server_capabilities/2": ((), "sync"),
    "ServiceClient.telemetry_reporter/1": ((), r"\{:ok, pid\(\)\} \| \{:error, :disabled\}"),
    "SamplingClient.sample/4": (("num_samples", "prompt_logprobs", "topk_prompt_logprobs", "timeout"), "task"),
    "SamplingClient.compute_logprobs/3": (("topk_prompt_logprobs",), "task"),
    "TrainingClient.forward_backward/4": (("loss_fn_config",), "task"),
    "TrainingClient.optim_step/3": ((), "task"),
    "TrainingClient.save_state/3": (("ttl_seconds",), "task"),
    "TrainingClient.save_weights_for_sampler/3": (("ttl_seconds", "sampling_session_seq_id"), "task"),
    "TrainingClient.unload_model/2": ((), "sync"),
    "RestClient.list_user_checkpoints/2": (("limit", "offset"), "sync"),
    "RestClient.list_checkpoints/3": ((), "sync"),
    "Types.Datum.new/1": ((), r":: t\(\)$"),
}

# Why an option or shape of MOST_USED differs: `fun/arity:option` or `fun/arity:shape`.
CONFIG_ELSEWHERE = "configured per endpoint or by the runtime in the manifest's SDK, not a Config option"
OPTIONS_EXPLAINED: dict[str, str] = {
    "Config.new/1:http_pool": "the HTTP adapter is `:http_adapter` (a module implementing Tinkex.Runtime.HTTP)",
    "Config.new/1:http_client": "the HTTP adapter is `:http_adapter` (a module implementing Tinkex.Runtime.HTTP)",
    "Config.new/1:max_retries": (
        "the retry count is the parity mode's (`:parity_mode`) or, for every call, `request_options: [max_retries: n]`"
    ),
    "Config.new/1:poll_backoff": "the futures feature's poll_retry gives the polling backoff",
    "Config.new/1:feature_gates": "0.38 reads TINKER_FEATURE_GATES but uses none; not declared in service.config",
    "Config.new/1:log_level": "the SDK logs through Logger: its level is Logger's configuration",
    "Config.new/1:cf_access_client_id": CONFIG_ELSEWHERE + " (Cloudflare Access headers go in `:headers`)",
    "Config.new/1:cf_access_client_secret": CONFIG_ELSEWHERE + " (Cloudflare Access headers go in `:headers`)",
    "Config.new/1:dump_headers?": "a Tinkex debugging switch; telemetry and Logger show requests",
    "Config.new/1:proxy": "proxies are the HTTP adapter's configuration (`:http_adapter`)",
    "Config.new/1:proxy_headers": "proxies are the HTTP adapter's configuration (`:http_adapter`)",
    "Config.new/1:default_headers": "named `:headers` (sent with every request)",
    "Config.new/1:default_query": "the manifest gives each endpoint's query parameters",
    "Config.new/1:recovery": "Tinkex's recovery monitor (Tinkex.Recovery.*) is not part of the API the manifest describes",
    "Config.new/1:otel_propagate": "OpenTelemetry propagation is not generated",
    "ServiceClient.create_lora_training_client/3:call_timeout": "calls run in the caller's process: `:timeout` bounds each request",
    "ServiceClient.create_lora_training_client/3:model_id": "attaching to an existing model is not a flow of the manifest",
    "ServiceClient.create_sampling_client/2:sampling_session_id": "reusing a sampler is not a flow of the manifest",
    "ServiceClient.create_sampling_client/2:retry_config": "the sampling retry handler is the manifest's retry_handler feature",
    "ServiceClient.create_training_client_from_state_with_optimizer/3:load_opts": "the flow loads with the manifest's options",
    "ServiceClient.create_training_client_from_state_with_optimizer/3:load_timeout": "the flow's requests take `:timeout`",
    "SamplingClient.sample/4:topk_prompt_logprobs": "not a field of the 0.38 SampleRequest the manifest describes",
    "SamplingClient.compute_logprobs/3:topk_prompt_logprobs": "not a field of the 0.38 SampleRequest the manifest describes",
    "TrainingClient.save_weights_for_sampler/3:sampling_session_seq_id": "the SDK assigns it from the client's counter",
}


def most_used_facts(tree: Path, env: dict[str, str], mix: str) -> dict[str, tuple[set[str], str]]:
    """For each MOST_USED function: (the option names it accepts, its shape: `task`/`sync` from
    the client's `__methods__`, else its @spec)."""
    script = r"""
for m <- ~w(ServiceClient TrainingClient SamplingClient RestClient) do
  mod = Module.concat([Tinkex, m])
  for {f, _manifest, positional, options, kind} <- mod.__methods__() do
    names = Enum.map_join([:timeout | Enum.map(options, &elem(&1, 0))], ",", &Atom.to_string/1)
    IO.puts("M #{m}.#{f}/#{length(positional) + 2} #{kind} #{names}")
  end
end
IO.puts("O Config.new/1 #{Enum.map_join(Tinkex.Config.options(), ",", &Atom.to_string/1)}")
state = Tinkex.ServiceClient.__client__().state
IO.puts("O ServiceClient.start_link/1 #{Enum.map_join([:name | Tinkex.Config.options() ++ state], ",", &Atom.to_string/1)}")
for m <- ~w(ServiceClient Config Error Types.Datum) do
  mod = Module.concat([Tinkex, m])
  {:ok, specs} = Code.Typespec.fetch_specs(mod)
  for {{f, a}, [spec | _]} <- specs do
    text = f |> Code.Typespec.spec_to_quoted(spec) |> Macro.to_string() |> String.replace(~r/\s+/, " ")
    IO.puts("S #{m}.#{f}/#{a} #{text}")
  end
end
"""
    proc = subprocess.run([mix, "run", "--no-start", "-e", script], cwd=tree, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    options: dict[str, set[str]] = {}
    shapes: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        tag, _, rest = line.partition(" ")
        key, _, value = rest.partition(" ")
        if tag == "M":
            kind, _, names = value.partition(" ")
            options[key], shapes[key] = set(names.split(",")), kind
        elif tag == "O":
            options[key] = set(value.split(","))
        elif tag == "S":
            shapes.setdefault(key, value)  # a client method's shape is its `__methods__` kind
    return {key: (options.get(key, set()), shapes.get(key, "")) for key in MOST_USED}


@pytest.mark.toolchain  # mix compiles the SDK
def test_the_most_used_functions_take_tinkex_options_and_answer_its_shapes(compiled: Path) -> None:
    mix = shutil.which("mix")
    assert mix, "`mix` is not installed"
    facts = most_used_facts(compiled, ENV, mix)
    problems, stale = [], []
    for key, (wanted, shape) in MOST_USED.items():
        have, actual = facts[key]
        if not actual:
            problems.append(f"{key}: not generated")
            continue
        for option in wanted:
            why = OPTIONS_EXPLAINED.get(f"{key}:{option}")
            if option in have and why is not None:
                stale.append(f"{key}:{option}")
            elif option not in have and why is None:
                problems.append(f"{key}: no option `{option}`")
        matches = actual == shape if shape in ("task", "sync") else re.search(shape, actual) is not None
        why = OPTIONS_EXPLAINED.get(f"{key}:shape")
        if matches and why is not None:
            stale.append(f"{key}:shape")
        elif not matches and why is None:
            problems.append(f"{key}: answers `{actual}`, Tinkex `{shape}`")
    assert not problems, "\n".join(problems)
    assert not stale, f"explained as different, but as Tinkex after all: {stale}"


def test_every_option_explanation_is_used() -> None:
    keys = {f"{k}:{o}" for k, (opts, _) in MOST_USED.items() for o in opts} | {f"{k}:shape" for k in MOST_USED}
    assert not set(OPTIONS_EXPLAINED) - keys, set(OPTIONS_EXPLAINED) - keys
