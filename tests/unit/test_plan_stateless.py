"""The plan decides the stateless endpoint layer once (`SdkPlan.api_groups`, `SdkPlan.raw`): which
group and name each endpoint's function has (`api:`, else the endpoint's id), what its request is,
and the runtime of the raw requests; every SDK renders that."""

from __future__ import annotations

from pathlib import Path

import pytest

from tinkc.pipeline import bundled_manifest, compile_manifest
from tinkc.sdk.plan import ApiFunctionPlan, SdkPlan, plan_api

MINIMAL = """
schema_version: 1
service:
  name: demo
  features: [keys]
clients:
  pets: {resource: pets}
types:
  Pet: {fields: {pet_id: string, name: string}}
  Rename: {fields: {pet_id: string, name: string}}
  Tag: {fields: {label: string}}
features:
  retry_a:
    type: retry_policy
    max_retries: 2
    retry_on: {status: [503]}
    backoff: {type: exponential, base_ms: 10, max_ms: 20, jitter: 0.0}
  retry_b:
    type: retry_policy
    max_retries: 5
    retry_on: {status: [503]}
    backoff: {type: exponential, base_ms: 10, max_ms: 20, jitter: 0.0}
  keys: {type: idempotency_key, header: X-Key, methods: [POST, DELETE]}
endpoints:
  pets.health: {method: GET, path: /health, features: [retry_b]}
  pets.get: {method: GET, path: "/pets/{pet_id}", response: Pet, features: [retry_a]}
  pets.rename: {method: POST, path: "/pets/{pet_id}/rename", request: Rename, api: admin.rename_pet, features: [retry_a]}
  pets.tag: {method: POST, path: "/pets/{pet_id}/tags", request: Tag}
"""


def plan_of(path: Path) -> SdkPlan:
    result = compile_manifest(path)
    assert result.api is not None and not result.sink.has_errors, result.sink
    return plan_api(result.api)


@pytest.fixture(scope="module")
def minimal(tmp_path_factory: pytest.TempPathFactory) -> SdkPlan:
    path = tmp_path_factory.mktemp("stateless") / "manifest.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    return plan_of(path)


def functions(plan: SdkPlan) -> dict[str, ApiFunctionPlan]:
    return {f"{g.name}.{f.name}": f for g in plan.api_groups for f in g.functions}


def test_groups_names_and_requests(minimal: SdkPlan) -> None:
    found = functions(minimal)
    assert [g.name for g in minimal.api_groups] == ["admin", "pets"]
    assert {k: (f.endpoint, f.request) for k, f in found.items()} == {
        "pets.health": ("pets.health", "none"),  # no parameter: the function takes only options
        "pets.get": ("pets.get", "params"),  # a path parameter: the parameters by name
        # every parameter a field of the body (the path one shared): the record is the request
        "admin.rename_pet": ("pets.rename", "record"),
        # a path parameter beside the body record's fields: the parameters by name
        "pets.tag": ("pets.tag", "params"),
    }


def test_raw_requests_use_the_usual_retry_policy_and_the_service_key(minimal: SdkPlan) -> None:
    raw = minimal.raw
    assert raw is not None
    # no retry_policy on the service: the one most endpoints declare (two use retry_a)
    assert raw.retry is not None and raw.retry.feature == "retry_a"
    assert (raw.idempotency_header, raw.idempotency_methods) == ("X-Key", ("POST", "DELETE"))


def test_tinker_names_follow_tinkex() -> None:
    found = functions(plan_of(bundled_manifest()))
    for name, endpoint in {
        "session.create": "service.create_session",
        "service.health_check": "service.healthz",
        "models.get_info": "models.get_info",
        "futures.retrieve": "futures.retrieve",
        "weights.save_weights": "weights.save",
        "sampling.sample_async": "sampling.asample",
    }.items():
        assert found[name].endpoint == endpoint
    assert found["models.get_info"].request == "record"
    assert found["service.get_server_capabilities"].request == "none"
