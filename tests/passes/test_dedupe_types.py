from pathlib import Path

from passcase import run_case

from tinkc.ir import nodes as ir


def test_same_structure_becomes_an_alias_of_the_smallest_id(tmp_path: Path) -> None:
    r = run_case(
        tmp_path,
        "dedupe-types",
        "records",
        """\
        clients:
          c: {resource: [a]}
        endpoints:
          a.up: {method: POST, path: /up, request: Upload, response: UploadReceipt}
          a.down: {method: GET, path: /down, response: DownloadReceipt}
          a.other: {method: GET, path: /other, response: Other}
        types:
          Upload: {fields: {receipt: DownloadReceipt}}
          UploadReceipt:
            doc: What an upload left.
            fields: {path: string, size: {type: int, json_name: size_bytes}}
          DownloadReceipt:
            doc: What a download found.
            fields: {path: string, size: {type: int, json_name: size_bytes}}
          Other: {fields: {path: string, size: int}}
        """,
        ("types",),
    )
    assert r.api is not None
    types = r.api.types
    assert isinstance(types["DownloadReceipt"], ir.Record)
    # the duplicate keeps its name and doc as an alias of the record with the smallest id
    assert types["UploadReceipt"] == ir.Alias(
        id="UploadReceipt", target=ir.Ref(name="DownloadReceipt"), doc="What an upload left.", span=types["UploadReceipt"].span
    )
    assert isinstance(types["Other"], ir.Record)  # another wire name is another structure


def test_merging_repeats_through_the_aliases_it_made(tmp_path: Path) -> None:
    r = run_case(
        tmp_path,
        "dedupe-types",
        "nested",
        """\
        clients:
          c: {resource: [a]}
        endpoints:
          a.one: {method: GET, path: /1, response: OuterA}
          a.two: {method: GET, path: /2, response: OuterB}
        types:
          OuterA: {fields: {inner: InnerA, items: [InnerA]}}
          OuterB: {fields: {inner: InnerB, items: [InnerB]}}
          InnerA: {fields: {x: int}}
          InnerB: {fields: {x: int}}
        """,
        ("types",),
    )
    assert r.api is not None
    kinds = {k: type(v).__name__ for k, v in r.api.types.items()}
    assert kinds == {"InnerA": "Record", "InnerB": "Alias", "OuterA": "Record", "OuterB": "Alias"}


def test_union_variants_keep_their_own_records(tmp_path: Path) -> None:
    r = run_case(
        tmp_path,
        "dedupe-types",
        "variants",
        """\
        clients:
          c: {resource: [a]}
        endpoints:
          a.one: {method: GET, path: /1, response: Shape}
          a.two: {method: GET, path: /2, response: Plain}
        types:
          Shape: {union: [Circle, Disc], discriminator: kind}
          Circle: {fields: {kind: {type: '"circle"', default: circle}, r: float}}
          Disc: {fields: {kind: {type: '"disc"', default: disc}, r: float}}
          Plain: {fields: {r: float}}
          Round: {fields: {r: float}, export: true}
        """,
        ("types",),
    )
    assert r.api is not None
    assert isinstance(r.api.types["Circle"], ir.Record) and isinstance(r.api.types["Disc"], ir.Record)
    assert r.api.types["Round"] == ir.Alias(id="Round", target=ir.Ref(name="Plain"), export=True, span=r.api.types["Round"].span)
