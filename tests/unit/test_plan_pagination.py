"""The plan decides pagination once (`EndpointPlan.page`): which parameters are the page controls,
where the items and the next cursor or URL are, in wire names; every SDK renders that."""

from __future__ import annotations

from pathlib import Path

from tinkc.ir import nodes as ir
from tinkc.pipeline import bundled_manifest, compile_manifest
from tinkc.sdk.params import PageControl
from tinkc.sdk.plan import SdkPlan, plan_api

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "pagination" / "manifest.yaml"


def plan_of(path: Path) -> SdkPlan:
    result = compile_manifest(path)
    assert result.api is not None and not result.sink.has_errors
    return plan_api(result.api)


def test_tinker_list_endpoints_declare_their_style() -> None:
    plan = plan_of(bundled_manifest())
    paged = {eid: ep.page for eid, ep in plan.endpoints.items() if ep.page is not None}
    assert set(paged) == {"training_runs.list", "checkpoints.list_user", "sessions.list", "sessions.search"}
    runs = paged["training_runs.list"]
    assert runs.style == "limit_offset"
    assert runs.offset == PageControl(name="offset", location="query", wire="offset")
    assert runs.limit == PageControl(name="limit", location="query", wire="limit")
    assert runs.total_path == ("cursor", "total_count")
    assert runs.item_type == ir.Ref(name="TrainingRun")
    search = paged["sessions.search"]
    assert (search.style, search.cursor, search.next_path) == (
        "cursor",
        PageControl(name="cursor", location="body", wire="cursor"),
        ("next_cursor",),
    )
    assert search.items_wire == "sessions" and search.item_type == ir.Ref(name="SessionSummary")
    # `checkpoints.list` is unpaginated (its cursor is always null): no iterator
    assert plan.endpoint("checkpoints.list").page is None


def test_fixture_styles() -> None:
    plan = plan_of(FIXTURE)
    scan = plan.endpoint("pets.scan").page
    assert scan is not None and (scan.style, scan.cursor, scan.next_header, scan.next_path) == (
        "cursor",
        PageControl(name="after", location="query", wire="after"),
        "X-Next-Cursor",
        (),
    )
    browse = plan.endpoint("pets.browse").page
    assert browse is not None and (browse.style, browse.next_path, browse.cursor) == ("next_url", ("links", "next"), None)
    listed = plan.endpoint("pets.list").page
    assert listed is not None and listed.total_path == ("meta", "total")
