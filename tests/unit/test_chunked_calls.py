"""Chunked calls (a step's `chunk:`): the plan's ChunkPlan for the bundled manifest, and the rule
the runtimes apply (here the Python runtime's `Chunking`; the scenarios `chunked_forward_backward`
and `chunked_item_too_large` hold the three SDKs to the same behaviour on the wire)."""

from __future__ import annotations

import importlib
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tinkc.ir import nodes as ir
from tinkc.pipeline import bundled_manifest, compile_manifest
from tinkc.sdk import plan_of

RUNTIME = Path(__file__).resolve().parents[2] / "backends" / "python" / "runtime"


@pytest.fixture(scope="module")
def chunks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    root = tmp_path_factory.mktemp("rt")
    shutil.copytree(RUNTIME, root / "chunk_rt")
    (root / "chunk_rt" / "__init__.py").write_text("")
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module("chunk_rt._chunks")
    finally:
        sys.path.remove(str(root))


def test_json_size_counts_bytes_of_text_and_eight_per_number(chunks: ModuleType) -> None:
    assert chunks.json_size({"ab": [1, 2.5], "é": "xyz", "n": None, "t": True}) == 2 + 16 + 2 + 3 + 1 + 1 + 1 + 1
    assert chunks.json_size([]) == 0


def test_split_by_count_then_by_bytes(chunks: ModuleType) -> None:
    by_count = chunks.Chunking("data", 2, 1000, ())
    assert by_count.split(["a", "b", "c", "d", "e"]) == [["a", "b"], ["c", "d"], ["e"]]
    by_bytes = chunks.Chunking("data", 100, 5, ())  # "aaa" is 3 bytes: two do not fit in 5
    assert by_bytes.split(["aaa", "aaa", "a", "a"]) == [["aaa"], ["aaa", "a", "a"]]
    assert by_bytes.split([]) == [[]]  # an empty list is one (empty) request


def test_an_item_over_the_byte_limit_is_an_invalid_argument(chunks: ModuleType) -> None:
    errors = sys.modules["chunk_rt._errors"]
    with pytest.raises(errors.InvalidArgumentError, match=r"item 1 of `data` is about 6 bytes"):
        chunks.Chunking("data", 100, 5, ()).split(["a", "aaaaaa"])


def test_metrics_reduce_by_suffix_weighted_by_item_counts(chunks: ModuleType) -> None:
    reduced = chunks.reduce_metrics(
        [
            {"loss:sum": 1.0, "acc:mean": 1.0, "lr:max": 1.0, "lr:min": 1.0, "gap:slack": 1.0, "n:count": 1.0, "plain": 1.0},
            {"loss:sum": 2.0, "acc:mean": 0.0, "lr:max": 2.0, "lr:min": 2.0, "gap:slack": 3.0, "n:count": 2.0, "plain": 2.0},
        ],
        [3, 1],
    )
    assert reduced == {"loss:sum": 3.0, "acc:mean": 0.75, "lr:max": 2.0, "lr:min": 1.0, "gap:slack": 3.0 - 1.5}
    # a key some chunk lacks is dropped
    assert chunks.reduce_metrics([{"a:sum": 1.0}, {}], [1, 1]) == {}


def test_forward_backward_is_planned_as_a_chunked_call() -> None:
    plan = plan_of(compile_manifest(bundled_manifest()).api)
    for fid in ("forward_backward", "forward"):
        step = plan.flow(fid).steps[0]
        assert step.chunk is not None and step.mode == "call"
        assert (step.chunk.input, step.chunk.max_items, step.chunk.max_bytes) == ("data", 1024, 5_000_000)
        assert step.chunk.item == ir.Ref(name="Datum")
        assert step.chunk.combine == (("loss_fn_outputs", "concat"), ("metrics", "metrics"))
        assert plan.flow(fid).returns == "future"  # answered as the unchunked call was (Elixir: a task)
