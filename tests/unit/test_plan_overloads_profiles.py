"""Three constructs the plan decides once for every SDK: a flow's `overloads:` (the Elixir arity it
adds), a config option's `profiles:` (which retry policy they replace, the base numbers) and a
queue log's `debounce_by` (which client gets `clear_queue_state_debounce`, by which state field).
The bundled manifest uses all three; the Elixir renderings are checked on its emitted text."""

from __future__ import annotations

import pytest

from tinkc.backends.elixir import ElixirBackend
from tinkc.ir.nodes import thaw
from tinkc.pipeline import bundled_manifest, compile_manifest
from tinkc.sdk.plan import SdkPlan, plan_api

DEMO = """
schema_version: 1
service:
  name: demo
  timeout_ms: 120000
  config:
    mode:
      type: string
      default: fast
      retry_policy: retry_a
      profiles:
        fast: {timeout_ms: 5000, max_retries: 7}
        slow: {}
features:
  retry_a:
    type: retry_policy
    max_retries: 2
    retry_on: {status: [503]}
  retry_b:
    type: retry_policy
    max_retries: 4
    retry_on: {status: [500]}
  futures: {type: promise_result, retrieve_endpoint: futures.retrieve}
  qlog: {type: queue_state_observer, debounce_by: [job_id]}
types:
  Handle: {fields: {request_id: string}}
  Retrieve: {fields: {request_id: string}}
endpoints:
  things.delete: {method: DELETE, path: "/runs/{run}/things/{thing}", features: [retry_a]}
  things.list: {method: GET, path: /things, features: [retry_b]}
  jobs.run: {method: POST, path: "/jobs/{job_id}/run", response: Handle, features: [futures, qlog]}
  futures.retrieve: {method: POST, path: /retrieve, request: Retrieve}
clients:
  service:
    resource: [things]
    flows:
      - name: delete_by_path
        overloads: delete
        inputs: {path: string}
        steps:
          - call: things.delete
            args: {run: "${input.path}", thing: "${input.path}"}
  job:
    state: {job_id: string}
    methods: {run: jobs.run}
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> SdkPlan:
    path = tmp_path_factory.mktemp("overloads") / "manifest.yaml"
    path.write_text(DEMO, encoding="utf-8")
    result = compile_manifest(path)
    assert result.api is not None and not result.sink.has_errors, result.sink
    return plan_api(result.api)


def test_a_flow_overloading_a_method_is_decided_in_the_plan(demo: SdkPlan) -> None:
    assert demo.flows["delete_by_path"].overloads == "delete"
    assert all(f.overloads is None for k, f in demo.flows.items() if k != "delete_by_path")


def test_profiles_name_their_option_the_policy_and_the_base_numbers(demo: SdkPlan) -> None:
    profiles = demo.profiles
    assert profiles is not None
    assert (profiles.option, profiles.retry_policy, profiles.base_timeout_ms, profiles.base_max_retries) == ("mode", "retry_a", 120000, 2)
    assert [(p.name, p.timeout_ms, p.max_retries) for p in profiles.profiles] == [("fast", 5000, 7), ("slow", None, None)]
    # only the named policy's endpoints take a profile's retry count
    assert demo.endpoints["things.delete"].runtime.retry is not None and demo.endpoints["things.delete"].runtime.retry.profiled
    assert demo.endpoints["things.list"].runtime.retry is not None and not demo.endpoints["things.list"].runtime.retry.profiled
    assert demo.retries["retry_a"].profiled and not demo.retries["retry_b"].profiled


def test_the_client_holding_a_debounce_field_gets_the_clear_function(demo: SdkPlan) -> None:
    assert demo.clients["job"].queue_key == "job_id"
    assert demo.clients["service"].queue_key is None


@pytest.fixture(scope="module")
def tinker_elixir() -> dict[str, str]:
    result = compile_manifest(bundled_manifest())
    assert result.api is not None and not result.sink.has_errors
    return {f.path: f.content for f in ElixirBackend().emit(result.api, thaw(result.api.targets.get("elixir")) or {})}


def test_elixir_renders_the_tinker_path_arity_beside_the_method(tinker_elixir: dict[str, str]) -> None:
    rest = tinker_elixir["lib/tinkex/rest_client.ex"]
    for name, flow in (
        ("delete_checkpoint", "delete_checkpoint_by_tinker_path"),
        ("publish_checkpoint", "publish_checkpoint_from_tinker_path"),
        ("unpublish_checkpoint", "unpublish_checkpoint_from_tinker_path"),
        ("get_checkpoint_archive_url", "get_checkpoint_archive_url_by_tinker_path"),
    ):
        assert f"  def {name}(rest, tinker_path) do\n    {flow}(rest, tinker_path)\n  end" in rest
        assert f"  def {name}_async(rest, tinker_path) do\n    {flow}_async(rest, tinker_path)\n  end" in rest
        assert f"  def {name}(rest, training_run_id, checkpoint_id, opts \\\\ []) do" in rest


def test_elixir_config_and_sampling_client_get_tinkex_functions(tinker_elixir: dict[str, str]) -> None:
    spec = tinker_elixir["lib/tinkex/spec.ex"]
    assert '[{"python", 60_000, 10}, {"beam", nil, nil}, {"elixir", nil, nil}],' in spec and "profiled: true" in spec
    sampling = tinker_elixir["lib/tinkex/sampling_client.ex"]
    assert "  def clear_queue_state_debounce(sampling_session_id) do" in sampling
