"""Deprecated methods of the Python SDK (`deprecated: true` on an endpoint or a flow): PEP 702's
`@deprecated` on the method, so type checkers flag callers and a call warns (`DeprecationWarning`)
at the caller's line; methods not deprecated stay silent. The fixture `futures_flows` deprecates
the endpoint `jobs.archive` (JobClient.archive) and the flow `describe`."""

from __future__ import annotations

import asyncio
import importlib
import sys
import warnings
from pathlib import Path
from types import ModuleType

import httpx
import pytest

TREE = Path(__file__).resolve().parent.parent / "snapshots" / "python" / "futures_flows"
NOTICE = "The API deprecates it; it may be removed in a later version."


@pytest.fixture
def jobs(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(TREE / "src"))
    for name in [m for m in sys.modules if m == "jobs_sdk" or m.startswith("jobs_sdk.")]:
        monkeypatch.delitem(sys.modules, name)
    return importlib.import_module("jobs_sdk")


def answer(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/settings":  # the family's server configuration: none
        return httpx.Response(404)
    if request.url.path == "/status":
        return httpx.Response(200, json="ok")
    return httpx.Response(200, json={"artifacts": []})


def test_a_deprecated_flow_warns_when_called_sync_and_async(jobs: ModuleType) -> None:
    http = httpx.Client(transport=httpx.MockTransport(answer))
    with jobs.ServiceClient(api_key="k", base_url="http://jobs.test", http_client=http) as service:
        job = jobs.JobClient._derive(service, job_id="j1", label="x")
        with pytest.warns(DeprecationWarning, match=f"^describe: {NOTICE}$") as caught:
            assert job.describe().artifacts == []
        assert [Path(w.filename).name for w in caught] == [Path(__file__).name]  # the caller's line

    async def main() -> None:
        ahttp = httpx.AsyncClient(transport=httpx.MockTransport(answer))
        async with jobs.AsyncServiceClient(api_key="k", base_url="http://jobs.test", http_client=ahttp) as aservice:
            ajob = jobs.AsyncJobClient._derive(aservice, job_id="j1", label="x")
            with pytest.warns(DeprecationWarning, match="^describe: "):
                assert (await ajob.describe()).artifacts == []

    asyncio.run(main())


def test_only_deprecated_methods_warn(jobs: ModuleType) -> None:
    http = httpx.Client(transport=httpx.MockTransport(answer))
    with jobs.ServiceClient(api_key="k", base_url="http://jobs.test", http_client=http) as service:
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)  # a warning here fails the test
            assert service.status() == "ok"
            job = jobs.JobClient._derive(service, job_id="j1", label="x")
            assert job.list_(job_id="j1").artifacts == []
    # PEP 702's run-time marker, which tools read: on the deprecated methods of both flavours only
    for cls in (jobs.JobClient, jobs.AsyncJobClient):
        assert cls.archive.__deprecated__ == f"archive: {NOTICE}"
        assert cls.describe.__deprecated__ == f"describe: {NOTICE}"
        assert not hasattr(cls.list_, "__deprecated__")


def test_the_decorator_is_a_declared_dependency() -> None:
    pyproject = (TREE / "pyproject.toml").read_text(encoding="utf-8")
    assert '"typing_extensions>=4.6"' in pyproject
    clients = (TREE / "src" / "jobs_sdk" / "clients.py").read_text(encoding="utf-8")
    assert "from typing_extensions import deprecated" in clients
