"""The writer: the only code in tinkc that writes files.

Rules (DESIGN §1):

* every path stays inside the output directory: absolute paths, `..`, drive letters, backslashes
  and NUL are refused, and no symlink inside the output directory is followed;
* each file is written atomically (a temporary file in the same directory, then a rename), and only
  when its content changed, so a rebuild with nothing changed touches nothing;
* tinkc records what it generated (``.tinkc-generated.json``: path → SHA-256) and removes files it
  generated before and no longer generates;
* a file tinkc did not generate, or a generated file someone edited since, is never changed or
  removed: that is a diagnostic, and the rest of the build still lands;
* the record is written last, so an interrupted build leaves a record that still describes files on
  disk (each one either the old or the new complete content).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

import attrs

from tinkc.backends.base import OutputFile
from tinkc.diagnostics import Sink

RECORD = ".tinkc-generated.json"
RECORD_VERSION = 1
_DRIVE = re.compile(r"^[A-Za-z]:")


@attrs.define
class WriteReport:
    written: list[str] = attrs.field(factory=list)
    unchanged: list[str] = attrs.field(factory=list)
    removed: list[str] = attrs.field(factory=list)
    refused: list[str] = attrs.field(factory=list)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def safe_relative(path: str) -> PurePosixPath | None:
    """The path as a clean relative path, or None if it could leave the output directory."""
    if not path or "\x00" in path or "\\" in path or _DRIVE.match(path) or path.startswith("/"):
        return None
    if any(part in ("", ".", "..") for part in path.split("/")):  # PurePosixPath would drop "." silently
        return None
    p = PurePosixPath(path)
    return None if p.name == RECORD else p


def _has_symlink(root: Path, rel: PurePosixPath) -> bool:
    current = root
    for part in rel.parts:
        current = current / part
        if current.is_symlink():
            return True
    return False


def _read_record(root: Path) -> dict[str, str]:
    try:
        data = json.loads((root / RECORD).read_text(encoding="utf-8"))
        files = data.get("files", {})
        return {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, str) and safe_relative(k)}
    except (OSError, ValueError, AttributeError):
        return {}


def _atomic_write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tinkc-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_tree(out_dir: str | Path, files: Iterable[OutputFile], sink: Sink, display: str | None = None) -> WriteReport:
    root = Path(out_dir)
    shown = display or str(root)
    report = WriteReport()
    if root.is_symlink():
        sink.error("writer.symlink", f"output directory `{shown}` is a symlink; tinkc does not follow symlinks", None)
        return report
    root.mkdir(parents=True, exist_ok=True)
    previous = _read_record(root)
    record: dict[str, str] = {}
    wanted: dict[PurePosixPath, bytes] = {}
    for f in files:
        rel = safe_relative(f.path)
        if rel is None:
            sink.error(
                "writer.unsafe-path",
                f"refusing to write `{f.path}`: it is not a plain relative path inside `{shown}`",
                None,
                hint="a backend must emit relative paths without `..`; check the module and package names in the manifest",
            )
            report.refused.append(f.path)
            continue
        if rel in wanted:
            sink.error("writer.duplicate-path", f"two generated files share the path `{rel}`", None)
            continue
        wanted[rel] = f.content.encode("utf-8")

    for rel in sorted(wanted):
        key = rel.as_posix()
        data = wanted[rel]
        target = root / rel
        if _has_symlink(root, rel):
            sink.error("writer.symlink", f"refusing to write `{shown}/{key}`: the path goes through a symlink", None)
            report.refused.append(key)
            continue
        if target.exists():
            if target.is_dir():
                sink.error("writer.user-file", f"`{shown}/{key}` is a directory; tinkc did not create it and will not replace it", None)
                report.refused.append(key)
                continue
            current = target.read_bytes()
            if current == data:
                record[key] = _digest(data)
                report.unchanged.append(key)
                continue
            if key not in previous:
                sink.error(
                    "writer.user-file",
                    f"`{shown}/{key}` exists and was not generated by tinkc; it is left untouched",
                    None,
                    hint="move it away, or build into another `--out` directory",
                )
                report.refused.append(key)
                continue
            if _digest(current) != previous[key]:
                sink.error(
                    "writer.edited-file",
                    f"`{shown}/{key}` was edited since tinkc generated it; it is left untouched",
                    None,
                    hint="move your changes elsewhere (generated files are rewritten), then delete the file and rebuild",
                )
                record[key] = previous[key]  # still ours: keep tracking it
                report.refused.append(key)
                continue
        _atomic_write(target, data)
        record[key] = _digest(data)
        report.written.append(key)

    for key in sorted(set(previous) - {r.as_posix() for r in wanted}):
        rel = PurePosixPath(key)
        target = root / rel
        if _has_symlink(root, rel) or not target.is_file():
            continue
        if _digest(target.read_bytes()) != previous[key]:
            sink.warning("writer.edited-file", f"`{shown}/{key}` is no longer generated, but it was edited; it is left in place", None)
            continue
        target.unlink()
        report.removed.append(key)
        parent = target.parent
        while parent != root and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent

    new_record = json.dumps({"version": RECORD_VERSION, "generator": "tinkc", "files": dict(sorted(record.items()))}, indent=2) + "\n"
    record_path = root / RECORD
    if not record_path.exists() or record_path.read_text(encoding="utf-8") != new_record:
        _atomic_write(record_path, new_record.encode("utf-8"))
    return report
