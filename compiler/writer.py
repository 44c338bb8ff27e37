"""The writer: the only code in tinkc that writes files.

Rules (DESIGN §1):

* every path stays inside the output directory: absolute paths, `..`, `.`, empty segments, drive
  letters, backslashes, NUL, names too long for the file system and names beginning `.tinkc-`
  (the writer's own files) are refused, and no symlink inside the output directory is followed
  (nor an output directory that is itself a symlink);
* only files whose content changed are written, so a rebuild with nothing changed touches nothing
  (not even the record; only the lock file says which build held the lock last);
* tinkc records what it generated (``.tinkc-generated.json``: path → SHA-256) and removes files it
  generated before and no longer generates;
* a file tinkc did not generate, or a generated file someone edited since, is never changed or
  removed: that is a diagnostic, and the rest of the build still lands;
* tinkc's other bookkeeping in the output directory (the build cache's ``.tinkc-build.json``, see
  :mod:`tinkc.buildcache`) is written here too, by :func:`replace_own_file`;
* one build at a time writes into an output directory (the lock, below).

Whole-tree atomicity: a build changes the output directory all at once or not at all, through a
journal (``.tinkc-journal.json``), in four phases:

1. **plan** (read only): decide which files to write, keep, refuse and remove;
2. **stage**: write the journal in state ``staging`` (the files it is about to write, the
   directories it is about to make, the stale files it is about to remove) and make it durable,
   then every changed file — and the new record — as a temporary file ``.tinkc-<name>.tmp`` beside
   its target, except that a new directory whose parent exists is staged whole: made as its
   temporary sibling ``.tinkc-<name>.tmp`` with the new files and directories below it at their
   own names inside (a fresh tree's files need no rename each); then the journal in state
   ``committed`` as the journal's temporary file; then make all of that durable: fsync every
   temporary file and every directory whose entries changed (the parent of each temporary file
   and of each new directory, and the top, where the journal is). Nothing a reader of the tree
   sees has changed yet;
3. **commit**: rename the committed journal over the staging one and fsync the directory (the
   commit point, durable once it returns);
4. **apply**: rename each temporary file over its target and each staged directory to its name
   (into a directory of that name made by someone since the plan, its files one by one instead),
   remove stale files, rename the record last, fsync the directories whose entries changed (the
   parents of the targets, of the staged directories and of the removed files, the top), delete
   the journal.

Every journal write is itself a temporary file renamed into place, so a journal is whole or absent.
The next build (and ``tinkc build`` before it compiles anything: :func:`recover`) finishes what an
interrupted one left:

* journal in state ``staging``: the staging may be incomplete, and no target was touched — **roll
  back**: delete the temporary files and the (empty) directories it lists, where they were staged.
  The tree is the complete old output again;
* journal in state ``committed``: every temporary file was complete before the commit — **roll
  forward**: perform the renames whose temporary file (or staged directory) is still there (the
  others happened), the removals whose file still has the recorded content, the record, and delete
  the journal. The tree is the complete new output.

The temporary names are fixed (not random) so that the journal can name them before they exist and
recovery never has to search the tree.

Durability. The above holds for an interrupted *process* (a crash, SIGKILL, Ctrl-C, a full disk)
without any fsync: the kernel keeps what a dead process wrote. A power loss (or a kernel crash)
loses what the kernel had not flushed, in any order — a renamed file's new name without its content,
one rename without another — so each phase makes its work durable before the next depends on it:

* the staging journal is durable before anything is staged, so a temporary file or a new
  directory that survives a power loss is always listed by a journal that survives too;
* every temporary file (its content) and its directory entry are durable before the commit, so a
  committed journal never names a temporary file that is missing or short: the roll-forward would
  take a missing one for a rename already done and keep the old file beside new ones;
* the committed journal is durable before the first rename (its content with the staged files,
  then its name);
* the renames and removals are durable before the journal is deleted, so a journal never
  disappears while part of the tree is still old. The deletion itself is not synced: a journal
  that comes back after a power loss is finished again, which changes nothing.

The fsyncs are made together, not one after each write: all files are written first, then fsynced
— with the directories — from a few threads at once (:data:`SYNC_THREADS`). On ext4 each fsync
commits the file system's journal and flushes the disk's cache: one after another they cost about
5 ms each, while concurrent ones are committed together (a group commit). Writing the bundled
manifest built for every target (259 files in five directories, fresh) took 0.3 s without fsync,
2.1 s with the fsyncs one after another — batched after the writes or not: each still flushes —
and 0.5 to 0.7 s with them concurrent (medians of 15 rounds, ext4, on this project's busy 2-core
machine). What is left is a build waiting for the disk five times per target, whatever its size:
the staging journal (its content, then its name), the staged files, the commit, the applied tree.
A whole ``tinkc build --target all`` of it took about 1 s longer there than without any fsync
(median 2.5 s against 1.6 s; the machine's other work slows each wait); a rollback syncs too before
it deletes the journal. The build cache's file is not synced: losing it costs a build.

The lock. A second build into the same directory must not plan against a tree another build is
changing, nor "recover" a journal another build is still writing. Every change goes through an
exclusive ``flock`` on ``.tinkc-lock`` in the output directory (created by the first build and kept:
the writer's own file, never generated, reported or removed). A build that finds it held waits for
up to ``TINKC_LOCK_TIMEOUT`` seconds (default :data:`DEFAULT_LOCK_TIMEOUT`; ``0``: do not wait),
then fails with ``writer.locked``, naming the directory and the pid of the build that holds it (each
holder writes its pid into the lock file, and empties it again when it is done, so a finished tree is
the same whoever built it). The kernel releases a ``flock`` when its process dies,
however it dies, so a killed build never leaves a stale lock; the next build recovers its journal.
The lock is held for the writing only (the plan, staging, commit and apply of one target), not
while the manifest compiles. :func:`recover` does not wait: a journal whose lock is held belongs to
a build that is still running and finishes it itself.

The no-op rebuild of :mod:`tinkc.buildcache` takes no lock: it writes nothing, and it cannot
mistake another build's half-applied tree for a finished one — it gives up while a journal exists
(the whole of a build's staging and applying), and a rename or removal of a file it checks, or of
the record, changes that file's size and mtime. So a check that passes saw each file it checks as
it was before any concurrent build changed it — it answers for the tree as a check made just
before that build would — and one that sees a change builds for real, which takes the lock. What the cache
*records* is another matter: ``tinkc build`` records a target's cache after the writer released the
lock, and a build in between would leave it describing the other build's files as this manifest's
output. :func:`replace_own_file` therefore writes (under the lock) only while the writer's record
is still the one this process's last :func:`write_tree` into that directory left.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import posixpath
import re
import stat
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

import attrs

from tinkc.backends.base import OutputFile
from tinkc.diagnostics import Sink

RECORD = ".tinkc-generated.json"
RECORD_VERSION = 1
JOURNAL = ".tinkc-journal.json"
JOURNAL_VERSION = 2  # 2: new folders staged whole (`staged_dirs`); a journal of version 1 is still finished
LOCK = ".tinkc-lock"
LOCK_TIMEOUT_ENV = "TINKC_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 10.0  # seconds: a target's writing takes well under one; see the docstring
SYNC_THREADS = 8  # fsyncs in flight at once (see "Durability" above)
_OPEN_STAGED = 256  # staged files kept open until synced (well under the usual limit of 1024 descriptors)
RESERVED_PREFIX = ".tinkc-"  # the writer's own files: the record, the journal, the lock, temporary files
TEMP_SUFFIX = ".tmp"
# A file's temporary sibling adds the prefix and suffix to its name, and the sibling must still fit
# in NAME_MAX (255 bytes on every common file system).
MAX_NAME_BYTES = 255 - len(RESERVED_PREFIX) - len(TEMP_SUFFIX)
_DRIVE = re.compile(r"^[A-Za-z]:")


@attrs.define
class WriteReport:
    written: list[str] = attrs.field(factory=list)
    unchanged: list[str] = attrs.field(factory=list)
    removed: list[str] = attrs.field(factory=list)
    refused: list[str] = attrs.field(factory=list)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _step(op: str, path: str | Path) -> None:
    """Called just before each change the writer makes on disk — ``op`` is one of journal, mkdir,
    stage, sync, commit, rename, remove, rmdir, drop-journal — always from the thread that writes.
    It does nothing: tests replace it to stop or kill a build at an exact point."""


def safe_relative(path: str) -> PurePosixPath | None:
    """The path as a clean relative path, or None if it could leave the output directory or name
    one of the writer's own files."""
    return PurePosixPath(path) if _is_clean(path) else None


def _is_clean(path: str) -> bool:
    """Whether :func:`safe_relative` takes ``path``; such a path is its own ``as_posix()``, so the
    writer's loops key files by the text (a PurePosixPath per file was a tenth of writing a tree)."""
    if not path or "\x00" in path or "\\" in path or _DRIVE.match(path) or path.startswith("/"):
        return False
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts):  # PurePosixPath would drop "." silently
        return False
    if any(len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES for part in parts):
        return False
    return not parts[-1].startswith(RESERVED_PREFIX)


def _path_order(key: str) -> list[str]:
    """Sorts clean relative paths as PurePosixPath sorts them (by parts: `a/b` before `a-b`)."""
    return key.split("/")


def temp_name(rel: PurePosixPath) -> PurePosixPath:
    """Where the new content of ``rel`` is staged: ``dir/.tinkc-<name>.tmp``, beside it (the same
    file system, so the final rename is atomic)."""
    return rel.with_name(f"{RESERVED_PREFIX}{rel.name}{TEMP_SUFFIX}")


def _temp_key(key: str) -> str:
    """:func:`temp_name` of a clean relative path given as text (the writer's loops over every
    file build no path objects)."""
    folder, _, name = key.rpartition("/")
    return f"{folder}/{RESERVED_PREFIX}{name}{TEMP_SUFFIX}" if folder else f"{RESERVED_PREFIX}{name}{TEMP_SUFFIX}"


# What pathlib's exists(), is_dir() and is_symlink() take for "not there" when a stat fails
# (False); any other error is raised, as they raise it. The checks below walk every parent of every
# file, so they stat plain strings rather than build a Path object per parent.
_ABSENT_ERRNOS = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)
_ABSENT_WINERRORS = (21, 123, 1921)


def _stat(path: str, follow: bool) -> os.stat_result | None:
    """``os.stat`` (``follow``) or ``os.lstat`` of ``path``; None where pathlib would answer False."""
    try:
        return os.stat(path) if follow else os.lstat(path)
    except OSError as exc:
        if getattr(exc, "errno", None) in _ABSENT_ERRNOS or getattr(exc, "winerror", None) in _ABSENT_WINERRORS:
            return None
        raise
    except ValueError:  # not encodable
        return None


def _has_symlink(root: Path, rel: PurePosixPath) -> bool:
    """Whether any part of ``rel`` below ``root`` (the file or folder itself included) is a symlink."""
    key = "/".join(rel.parts)
    return bool(key) and _Parents(root).has_symlink(key)[0]


_DIR, _ABSENT, _SYMLINK, _FILE = "dir", "absent", "symlink", "file"


class _Parents:
    """Whether a path goes through a symlink or a user's file, for many files of one tree:
    each directory above them is looked at once (one lstat), not once per file below it — an
    SDK's files share a few folders (the Elixir SDK: 238 files in about 20), and the stats were a
    fifth of writing it. Paths are clean relative paths as text (:func:`_is_clean`). Only for one
    pass over the files, under the lock."""

    def __init__(self, root: Path) -> None:
        self.base = os.fspath(root)
        # folder → (what it is, the user's file in the way): see `folder`; the root is a directory
        self.folders: dict[str, tuple[str, str]] = {"": (_DIR, "")}

    def folder(self, folder: str) -> tuple[str, str]:
        """What the folder ``folder`` is, judged from the top down, where the first folder that is
        not a directory decides for everything below it: ``(_DIR, "")`` when it and every folder
        above it are directories, ``(_ABSENT, "")`` when one of them is not there (then nothing
        below it is either), ``(_SYMLINK, "")`` when one is a symlink, ``(_FILE, name)`` when one,
        ``name``, exists but is not a directory (a user's file where the tree needs a folder)."""
        known = self.folders.get(folder)
        if known is None:
            above = self.folder(folder.rpartition("/")[0])
            if above[0] != _DIR:
                known = above
            else:
                st = _stat(os.path.join(self.base, folder), follow=False)
                if st is None:
                    known = (_ABSENT, "")
                elif stat.S_ISLNK(st.st_mode):
                    known = (_SYMLINK, "")
                elif not stat.S_ISDIR(st.st_mode):
                    known = (_FILE, folder)
                else:
                    known = (_DIR, "")
            self.folders[folder] = known
        return known

    def dirs_have_symlink(self, folder: str) -> bool:
        """Whether ``folder`` or one of the folders above it is a symlink."""
        return self.folder(folder)[0] == _SYMLINK

    def has_symlink(self, key: str) -> tuple[bool, os.stat_result | None]:
        """Whether any part of ``key`` is a symlink, and its own lstat (stat'ed afresh, unless a
        folder above it is not a directory: then it is not there): where no part of the path is a
        symlink, it is what ``stat`` (``Path.exists``, ``is_dir``) would answer."""
        kind = self.folder(key.rpartition("/")[0])[0]
        if kind != _DIR:
            return kind == _SYMLINK, None
        st = _stat(os.path.join(self.base, key), follow=False)
        return (st is not None and stat.S_ISLNK(st.st_mode)), st

    def blocking_file(self, key: str) -> str | None:
        """The first folder above ``key`` that exists but is not a directory."""
        kind, name = self.folder(key.rpartition("/")[0])
        return name if kind == _FILE else None


def _read_record(root: Path) -> dict[str, str]:
    try:
        data = json.loads((root / RECORD).read_text(encoding="utf-8"))
        files = data.get("files", {})
        return {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, str) and safe_relative(k)}
    except (OSError, ValueError, AttributeError):
        return {}


def _record_text(record: dict[str, str]) -> str:
    return json.dumps({"version": RECORD_VERSION, "generator": "tinkc", "files": dict(sorted(record.items()))}, indent=2) + "\n"


# ---------------------------------------------------------------------------------------------
# Durability


def _fsync(path: str | Path | int, is_dir: bool) -> None:
    """fsync a file or directory by its path, or an open file by its descriptor (left open)."""
    if isinstance(path, int):
        os.fsync(path)
        return
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | (getattr(os, "O_DIRECTORY", 0) if is_dir else getattr(os, "O_NOFOLLOW", 0))
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    except OSError as exc:
        if not (is_dir and exc.errno in (errno.EINVAL, errno.ENOTSUP)):  # a file system that cannot sync a directory
            raise
    finally:
        os.close(fd)


def _sync(root: Path, files: Iterable[str | Path | int] = (), dirs: Iterable[Path] = ()) -> None:
    """fsync each file (by path, or open: its descriptor) and each directory (once, those that
    still exist), several at a time: the file system commits concurrent fsyncs together. Raises the
    first OSError after all have run."""
    todo = [(p, False) for p in dict.fromkeys(files)] + [(d, True) for d in dict.fromkeys(dirs) if d.is_dir() and not d.is_symlink()]
    if not todo:
        return
    _step("sync", root)
    if len(todo) == 1:
        _fsync(*todo[0])
        return
    pending = iter(todo)
    guard = threading.Lock()
    errors: list[OSError] = []

    def worker() -> None:
        while True:
            with guard:
                item = next(pending, None)
            if item is None or errors:
                return
            try:
                _fsync(*item)
            except OSError as exc:
                errors.append(exc)

    threads = [threading.Thread(target=worker, name="tinkc-fsync", daemon=True) for _ in range(min(SYNC_THREADS, len(todo)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def _nearest_dir(root: Path, path: Path) -> Path:
    """The closest ancestor of ``path`` that still exists: the directory whose entries changed when
    ``path`` (and maybe some emptied parents of it) went away."""
    parent = path.parent
    while parent != root and not parent.is_dir():
        parent = parent.parent
    return parent


# ---------------------------------------------------------------------------------------------
# The lock


class LockBusy(Exception):
    """Another build holds the output directory's lock (after waiting ``waited`` seconds)."""

    def __init__(self, pid: int | None, waited: float) -> None:
        super().__init__(pid, waited)
        self.pid = pid
        self.waited = waited


_sleep = time.sleep  # the wait between two attempts (a name tests can replace)
_local = threading.local()  # the locks this thread holds: {(st_dev, st_ino) of the directory: depth}
# Per output directory, the record this process's last write_tree left (see replace_own_file).
_left: dict[tuple[int, int], tuple[int, ...] | None] = {}


def _dir_key(root: Path) -> tuple[int, int]:
    st = os.stat(root)
    return st.st_dev, st.st_ino


def lock_timeout() -> float:
    """``TINKC_LOCK_TIMEOUT`` in seconds, or :data:`DEFAULT_LOCK_TIMEOUT`. ValueError when it is set
    to something else than a number of seconds (negative included)."""
    raw = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_LOCK_TIMEOUT
    value = float(raw)
    if not value >= 0 or value == float("inf"):
        raise ValueError(raw)
    return value


def _lock_holder(fd: int) -> int | None:
    """The pid the holder wrote into the lock file (its first line), if any."""
    try:
        first = os.pread(fd, 64, 0).split(b"\n", 1)[0]
        return int(first) if first.strip().isdigit() else None
    except OSError:
        return None


@contextlib.contextmanager
def locked(out_dir: str | Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the lock of an output directory: an exclusive ``flock`` on its ``.tinkc-lock`` (created
    if missing, never through a symlink), waited for up to ``timeout`` seconds (default
    :func:`lock_timeout`), else :class:`LockBusy`; OSError when the lock file cannot be opened.
    Reentrant within a thread; two threads, like two processes, exclude each other."""
    root = Path(out_dir)
    key = _dir_key(root)
    held: dict[tuple[int, int], int] = _local.__dict__.setdefault("held", {})
    if key in held:
        held[key] += 1
        try:
            yield
        finally:
            held[key] -= 1
        return
    wait = lock_timeout() if timeout is None else timeout
    fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0), 0o666)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(root / LOCK))
        deadline, delay = time.monotonic() + wait, 0.001
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise LockBusy(_lock_holder(fd), wait) from None
                _sleep(min(delay, left))
                delay = min(delay * 2, 0.05)
        # Who holds it, for the message of a build that waits: written in place (the lock is this
        # inode), and a reader takes the first line, so a longer pid left before is harmless.
        pid = f"{os.getpid()}\n".encode()
        os.pwrite(fd, pid, 0)
        os.ftruncate(fd, len(pid))
        held[key] = 1
        try:
            yield
        finally:
            del held[key]
            # emptied again before the lock is released: a finished build leaves the same (empty)
            # lock file whoever built, so an output tree is byte-identical build after build
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # releases the flock


def _lock_error(sink: Sink, shown: str, exc: LockBusy | OSError, doing: str) -> None:
    if isinstance(exc, LockBusy):
        who = f"pid {exc.pid}" if exc.pid is not None else "pid unknown"
        waited = f"waited {exc.waited:g} s for it" if exc.waited > 0 else "did not wait for it"
        sink.error(
            "writer.locked",
            f"`{shown}` is locked by another tinkc build ({who}); {waited}, and {doing}",
            None,
            hint=f"let that build finish and build again; {LOCK_TIMEOUT_ENV}=SECONDS sets how long to wait "
            f"(the lock, `{shown}/{LOCK}`, is released as soon as that process ends, even when it is killed)",
        )
    elif exc.errno == errno.ELOOP:
        sink.error("writer.symlink", f"refusing to lock `{shown}`: `{shown}/{LOCK}` is a symlink; tinkc does not follow symlinks", None)
    else:
        sink.error("writer.io-error", f"cannot lock `{shown}` (`{LOCK}`): {exc.strerror or exc}; {doing}", None)


# ---------------------------------------------------------------------------------------------
# The journal


@attrs.define
class Journal:
    """What an interrupted build left to finish. Paths are relative to the output directory. A
    folder of ``staged_dirs`` is staged whole as its temporary sibling (:func:`temp_name` of it),
    the files and folders below it at their own names inside; any other target is staged as
    :func:`temp_name` of it (:meth:`staged`)."""

    state: str  # "staging" | "committed"
    writes: list[str]  # targets whose new content is staged, the record last
    created_dirs: list[str]  # directories the build creates, parents first
    removals: list[tuple[str, str]]  # (stale file, the SHA-256 it must still have to be removed)
    # new folders whose parent exists, each staged whole and renamed into place as one
    staged_dirs: list[str] = attrs.field(factory=list)

    def staged_dir_of(self, key: str) -> str | None:
        """The staged folder holding the target or created folder ``key`` (or being it), if any."""
        for top in self.staged_dirs:
            if key == top or key.startswith(top + "/"):
                return top
        return None

    def staged(self, key: str, is_dir: bool = False) -> str:
        """Where the target (or created folder) ``key`` is while staged."""
        top = self.staged_dir_of(key)
        if top is not None:
            return _temp_key(top) + key[len(top) :]
        return key if is_dir else _temp_key(key)

    def to_json(self) -> str:
        data = {
            "version": JOURNAL_VERSION,
            "generator": "tinkc",
            "state": self.state,
            "writes": self.writes,
            "created_dirs": self.created_dirs,
            "removals": [list(r) for r in self.removals],
            "staged_dirs": self.staged_dirs,
        }
        return json.dumps(data, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Journal | None:
        """The journal, or None when it is not one this writer wrote. Every path is checked like a
        generated one: a journal must not be able to send the writer outside the output directory."""
        try:
            data = json.loads(text)
        except ValueError:
            return None
        if (
            not isinstance(data, dict)
            or data.get("version") not in (1, JOURNAL_VERSION)
            or data.get("state") not in ("staging", "committed")
        ):
            return None
        writes, dirs, removals = data.get("writes"), data.get("created_dirs"), data.get("removals")
        staged_dirs = data.get("staged_dirs", []) if data["version"] == JOURNAL_VERSION else []
        if not (isinstance(writes, list) and isinstance(dirs, list) and isinstance(removals, list) and isinstance(staged_dirs, list)):
            return None
        if not all(isinstance(d, str) and d in dirs for d in staged_dirs):  # each a created folder
            return None
        if not all(isinstance(w, str) and (w == RECORD or safe_relative(w)) for w in writes):
            return None
        if not all(isinstance(d, str) and safe_relative(d) for d in dirs):
            return None
        pairs = [tuple(r) for r in removals if isinstance(r, list) and len(r) == 2 and all(isinstance(x, str) for x in r)]
        if len(pairs) != len(removals) or not all(safe_relative(path) for path, _ in pairs):
            return None
        return cls(state=data["state"], writes=writes, created_dirs=dirs, removals=pairs, staged_dirs=staged_dirs)


JOURNAL_TEMP = temp_name(PurePosixPath(JOURNAL)).as_posix()


def _write_journal(root: Path, journal: Journal) -> None:
    """The staging journal, atomically and durably: whole or absent, never half-written, and on
    disk (content and name) once this returns."""
    tmp = root / JOURNAL_TEMP
    _step("journal", root / JOURNAL)
    _create_file(tmp, journal.to_json().encode("utf-8"))
    _fsync(tmp, is_dir=False)
    os.replace(tmp, root / JOURNAL)
    _fsync(root, is_dir=True)


def _commit(root: Path) -> None:
    """The commit point: the committed journal, staged and synced with the files, renamed over the
    staging one, and the rename made durable before anything is applied."""
    _step("commit", root / JOURNAL)
    os.replace(root / JOURNAL_TEMP, root / JOURNAL)
    _fsync(root, is_dir=True)


def _read_journal(root: Path) -> tuple[bool, Journal | None]:
    """(a journal is present, the journal if it is readable)."""
    path = root / JOURNAL
    if path.is_symlink():
        return True, None
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return False, None
    except (OSError, UnicodeDecodeError):
        return True, None
    return True, Journal.from_json(text)


def _unlink_if_file(path: Path) -> bool:
    if path.is_file() and not path.is_symlink():
        _step("remove", path)
        path.unlink()
        return True
    return False


def _prune_empty_parents(root: Path, start: Path) -> None:
    """Remove ``start`` and its parents while they are empty. A roll-forward may find some of them
    removed already (the build was killed while pruning): it starts from the nearest that is left."""
    parent = start if start.is_dir() else _nearest_dir(root, start)
    while parent != root and parent.is_dir() and not parent.is_symlink() and not any(parent.iterdir()):
        _step("rmdir", parent)
        parent.rmdir()
        parent = parent.parent


def _roll_back(root: Path, journal: Journal) -> None:
    touched = {root}
    for key in journal.writes:
        tmp = PurePosixPath(journal.staged(key))
        if not _has_symlink(root, tmp.parent) and _unlink_if_file(root / tmp):
            touched.add(root / tmp.parent)
    for d in reversed(journal.created_dirs):  # deepest first (a staged folder after what is in it)
        staged = journal.staged(d, is_dir=True)
        path = root / staged
        if not _has_symlink(root, PurePosixPath(staged)) and path.is_dir() and not any(path.iterdir()):
            _step("rmdir", path)
            path.rmdir()
            touched.add(path.parent)
    _sync(root, dirs=touched)  # a power loss must not bring back what the journal no longer lists
    _drop_journal(root)


def _apply(root: Path, journal: Journal, report: WriteReport | None = None) -> None:
    """Phase 4, and the roll-forward: every step can be repeated after an interruption."""
    parents = _Parents(root)  # each folder looked at once in this pass (only renames happen meanwhile)
    base = os.fspath(root)
    moved: dict[str, bool] = {}  # staged folder → renamed into place by this call
    for key in journal.writes:
        if key == RECORD:
            continue
        top = journal.staged_dir_of(key)
        if top is not None:  # its whole folder is renamed into place, once
            if top not in moved:
                moved[top] = not parents.has_symlink(top)[0] and _rename_staged_dir(root, journal, top, report)
            if moved[top] and report is not None:
                report.written.append(key)
            continue
        if parents.has_symlink(key)[0]:  # planted since the plan: never followed
            if not parents.dirs_have_symlink(key.rpartition("/")[0]):
                _unlink_if_file(Path(base, _temp_key(key)))
            continue
        if _rename(os.path.join(base, _temp_key(key)), os.path.join(base, key)) and report is not None:
            report.written.append(key)
    for path, digest in journal.removals:
        rel = PurePosixPath(path)
        target = root / rel
        if _has_symlink(root, rel):
            continue
        if target.is_file():
            if _digest(target.read_bytes()) != digest:
                continue
            _step("remove", target)
            target.unlink()
            if report is not None:
                report.removed.append(path)
        elif os.path.lexists(target):
            continue
        # also when the file was removed before an interruption: its emptied folders may not be
        _prune_empty_parents(root, target.parent)
    if RECORD in journal.writes:
        _rename(root / temp_name(PurePosixPath(RECORD)), root / RECORD)
    # Every directory this journal changes, whether this call or an interrupted one renamed there:
    # the renames must be durable before the journal that would redo them is gone.
    # (each directory once: most files share theirs)
    changed = dict.fromkeys(
        [root / posixpath.dirname(key) for key in journal.writes if journal.staged_dir_of(key) is None]
        + [root / posixpath.dirname(d) for d in journal.staged_dirs]
        + [_nearest_dir(root, root / path) for path, _ in journal.removals]
    )
    after = _Parents(root)  # as the tree is now, the removals' pruning done
    _sync(root, dirs=[root, *(d for d in changed if not after.dirs_have_symlink("/".join(d.relative_to(root).parts)))])
    _drop_journal(root)


def _drop_journal(root: Path) -> None:
    """The last step of a build or a recovery: from here on there is nothing left to finish."""
    _unlink_if_file(root / JOURNAL_TEMP)  # a commit interrupted before its rename
    _step("drop-journal", root / JOURNAL)
    (root / JOURNAL).unlink()


def _rename_staged_dir(root: Path, journal: Journal, top: str, report: WriteReport | None) -> bool:
    """Rename a staged folder into place (True). Already gone: renamed before an interruption
    (False). Where a folder of that name appeared since the plan (someone made it while the build
    ran), its files are moved into it one by one instead (reported here; False)."""
    base = os.fspath(root)
    tmp, target = os.path.join(base, _temp_key(top)), os.path.join(base, top)
    target_st = _stat(target, follow=False)
    if target_st is None or not stat.S_ISDIR(target_st.st_mode):
        return _rename(tmp, target, is_dir=True)  # (onto a file it fails: an I/O error, the journal kept)
    for d in journal.created_dirs:  # parents first
        if (
            journal.staged_dir_of(d) == top
            and d != top
            and not _has_symlink(root, PurePosixPath(d))
            and not os.path.isdir(os.path.join(base, d))
        ):
            _step("mkdir", Path(base, d))
            os.mkdir(os.path.join(base, d))
    changed: set[Path] = set()
    for key in journal.writes:
        if journal.staged_dir_of(key) == top and not _has_symlink(root, PurePosixPath(key)):
            changed.add(root / posixpath.dirname(key))
            if _rename(os.path.join(base, journal.staged(key)), os.path.join(base, key)) and report is not None:
                report.written.append(key)
    for d in reversed(journal.created_dirs):  # the staged folder, emptied, deepest first
        staged = os.path.join(base, journal.staged(d, is_dir=True))
        if journal.staged_dir_of(d) == top and os.path.isdir(staged) and not os.path.islink(staged) and not os.listdir(staged):
            _step("rmdir", Path(staged))
            os.rmdir(staged)
    _sync(root, dirs=[d for d in changed if not _has_symlink(root, PurePosixPath(d.relative_to(root).as_posix()))])
    return False


def _rename(tmp: str | Path, target: str | Path, is_dir: bool = False) -> bool:
    """Rename one staged file (or staged folder) into place. One already gone was renamed before
    an interruption (each target is in the journal once): False."""
    st = _stat(os.fspath(tmp), follow=False)  # a symlink is never followed, nor renamed
    if st is None or not (stat.S_ISDIR(st.st_mode) if is_dir else stat.S_ISREG(st.st_mode)):
        return False
    _step("rename", target)
    os.replace(tmp, target)
    return True


def recover(out_dir: str | Path, sink: Sink, display: str | None = None) -> str | None:
    """Finish what an interrupted build left in ``out_dir``: ``"rolled-back"``, ``"rolled-forward"``,
    or None when there was nothing to do (or the journal is unusable: a diagnostic). A journal
    whose lock another build holds is that build's, still running: left alone (None)."""
    root = Path(out_dir)
    shown = display or str(root)
    if root.is_symlink() or not root.is_dir():
        return None
    if not os.path.lexists(root / JOURNAL) and not os.path.lexists(root / JOURNAL_TEMP):
        return None  # the common case, without taking the lock
    try:
        with locked(root, timeout=0):
            return _recover(root, sink, shown)
    except LockBusy:
        return None
    except OSError as exc:
        _lock_error(sink, shown, exc, "the interrupted build in it was not finished")
        return None


def _recover(root: Path, sink: Sink, shown: str) -> str | None:
    """:func:`recover`, with the lock held."""
    present, journal = _read_journal(root)
    if not present:
        try:  # a build killed while writing its first journal: it had staged nothing yet
            return "rolled-back" if _unlink_if_file(root / JOURNAL_TEMP) else None
        except OSError as exc:
            sink.error("writer.io-error", f"cannot finish the interrupted build in `{shown}`: {exc.strerror or exc}", None)
            return None
    if journal is None:
        sink.error(
            "writer.journal",
            f"`{shown}/{JOURNAL}` is not a journal this version of tinkc can finish; the output directory may be half-written",
            None,
            hint="inspect the directory, delete the journal and any `.tinkc-*.tmp` files, and build again",
        )
        return None
    try:
        if journal.state == "staging":
            _roll_back(root, journal)
            return "rolled-back"
        _apply(root, journal)
        return "rolled-forward"
    except OSError as exc:
        sink.error("writer.io-error", f"cannot finish the interrupted build in `{shown}`: {exc.strerror or exc}", None)
        return None


# ---------------------------------------------------------------------------------------------
# A build


@attrs.define
class _Plan:
    writes: dict[str, bytes] = attrs.field(factory=dict)  # target → new content
    removals: list[tuple[str, str]] = attrs.field(factory=list)
    record: dict[str, str] = attrs.field(factory=dict)


def _wanted(files: Iterable[OutputFile], shown: str, sink: Sink, report: WriteReport) -> dict[str, bytes] | None:
    """The generated files by path (clean, as text), or None when the backend emitted an unsafe or
    duplicate path: then nothing is written (a backend bug or an unchecked name: half an SDK would
    only mislead)."""
    wanted: dict[str, bytes] = {}
    broken = False
    for f in files:
        rel = f.path
        if not _is_clean(rel):
            sink.error(
                "writer.unsafe-path",
                f"refusing to write `{f.path[:200]!r}`: it is not a plain relative path inside `{shown}`",
                None,
                hint="a backend must emit short relative paths without `..`; nothing of this target was written",
            )
            report.refused.append(f.path)
            broken = True
            continue
        if rel in wanted:
            sink.error(
                "writer.duplicate-path",
                f"two generated files share the path `{rel}`",
                None,
                hint="two declarations map to one file name; nothing of this target was written",
            )
            broken = True
            continue
        wanted[rel] = f.content.encode("utf-8")
    return None if broken else wanted


def _plan(root: Path, shown: str, wanted: dict[str, bytes], sink: Sink, report: WriteReport) -> _Plan:
    previous = _read_record(root)
    plan = _Plan()
    parents = _Parents(root)
    base = os.fspath(root)
    for key in sorted(wanted, key=_path_order):
        data = wanted[key]
        symlink, st = parents.has_symlink(key)
        if symlink:
            sink.error("writer.symlink", f"refusing to write `{shown}/{key}`: the path goes through a symlink", None)
            report.refused.append(key)
            continue
        blocking = parents.blocking_file(key)
        if blocking is not None:
            sink.error("writer.user-file", f"cannot write `{shown}/{key}`: `{shown}/{blocking}` is a file, not a directory", None)
            report.refused.append(key)
            continue
        if st is not None:  # it exists
            if stat.S_ISDIR(st.st_mode):
                sink.error("writer.user-file", f"`{shown}/{key}` is a directory; tinkc did not create it and will not replace it", None)
                report.refused.append(key)
                continue
            with open(os.path.join(base, key), "rb") as current_file:
                current = current_file.read()
            if current == data:
                plan.record[key] = _digest(data)
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
                plan.record[key] = previous[key]  # still ours: keep tracking it
                report.refused.append(key)
                continue
        plan.writes[key] = data
        plan.record[key] = _digest(data)

    for key in sorted(set(previous) - set(wanted)):
        rel = PurePosixPath(key)
        target = root / rel
        if _has_symlink(root, rel) or not target.is_file():
            continue
        if _digest(target.read_bytes()) != previous[key]:
            sink.warning("writer.edited-file", f"`{shown}/{key}` is no longer generated, but it was edited; it is left in place", None)
            continue
        plan.removals.append((key, previous[key]))
    return plan


def _missing_dirs(root: Path, targets: Iterable[str]) -> list[str]:
    """The directories staging must create, parents before children."""
    missing: set[str] = set()
    seen: set[str] = set()  # files share folders: each is looked at once (and its parents with it)
    base = os.fspath(root)
    for key in targets:
        name = posixpath.dirname(key)
        while name and name not in seen:
            seen.add(name)
            if _stat(os.path.join(base, name), follow=True) is None:
                missing.add(name)
            name = posixpath.dirname(name)
    return sorted(missing, key=lambda d: (d.count("/"), d))


def _create_file(path: str | Path, data: bytes) -> None:
    """A temporary file, created (never opened through an existing file or symlink) and filled."""
    os.close(_new_file(path, data))


def _new_file(path: str | Path, data: bytes, in_new_dir: bool = False) -> int:
    """:func:`_create_file`, the file left open: its descriptor. ``in_new_dir``: its folder was
    made by this build, so no temporary file of an earlier one can be there to remove first."""
    if not in_new_dir:
        st = _stat(os.fspath(path), follow=False)
        if st is not None and (
            stat.S_ISLNK(st.st_mode) or stat.S_ISREG(st.st_mode)
        ):  # left by a build whose journal was lost: ours (the `.tinkc-` prefix)
            os.unlink(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
    try:  # written straight to the descriptor: no file object (and its tty and seek probes) per file
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except BaseException:
        os.close(fd)
        raise
    return fd


def _stage_file(path: str | Path, data: bytes, in_new_dir: bool = False) -> int:
    """A temporary file, created and filled (:func:`_new_file`): its open descriptor, which the
    caller closes."""
    _step("stage", path)
    return _new_file(path, data, in_new_dir)


def _record_stat(root: Path) -> tuple[int, ...] | None:
    try:
        st = os.lstat(root / RECORD)
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def replace_own_file(out_dir: str | Path, name: str, text: str) -> bool:
    """Atomically replace one of tinkc's own bookkeeping files (a ``.tinkc-`` name other than the
    record, the journal and the lock, e.g. the build cache's ``.tinkc-build.json``) at the top of
    ``out_dir``, under the lock. False when it cannot be written (the directory or the file is a
    symlink, an I/O error, the lock is held), or when another build changed the tree since this
    process's last :func:`write_tree` into it (what this process would record describes its own
    build): such a file is only ever a cache, whose absence costs a build. Not synced, for that
    reason."""
    root = Path(out_dir)
    if not name.startswith(RESERVED_PREFIX) or "/" in name or name in (RECORD, JOURNAL, LOCK) or root.is_symlink() or not root.is_dir():
        return False
    target = root / name
    tmp = root / temp_name(PurePosixPath(name))
    try:
        with locked(root, timeout=0):
            key = _dir_key(root)
            if key in _left and _left[key] != _record_stat(root):
                return False
            if target.is_symlink():
                return False
            try:
                os.close(_stage_file(tmp, text.encode("utf-8")))
                _step("rename", target)
                os.replace(tmp, target)
            except OSError:
                _unlink_if_file(tmp)
                raise
    except (LockBusy, OSError):
        return False
    return True


def write_tree(out_dir: str | Path, files: Iterable[OutputFile], sink: Sink, display: str | None = None) -> WriteReport:
    root = Path(out_dir)
    shown = display or str(root)
    report = WriteReport()
    if root.is_symlink():
        sink.error("writer.symlink", f"output directory `{shown}` is a symlink; tinkc does not follow symlinks", None)
        return report
    if root.exists() and not root.is_dir():
        sink.error("writer.user-file", f"output directory `{shown}` is a file", None, hint="choose another `--out` directory")
        return report
    wanted = _wanted(files, shown, sink, report)
    if wanted is None:
        return report
    try:
        timeout = lock_timeout()
    except ValueError:
        timeout = DEFAULT_LOCK_TIMEOUT
        sink.warning(
            "writer.lock-timeout",
            f"{LOCK_TIMEOUT_ENV}={os.environ.get(LOCK_TIMEOUT_ENV)!r} is not a number of seconds; waiting up to {timeout:g} s",
            None,
        )
    with contextlib.ExitStack() as held:
        try:
            root.mkdir(parents=True, exist_ok=True)
            held.enter_context(locked(root, timeout))
        except (LockBusy, OSError) as exc:
            _lock_error(sink, shown, exc, "nothing was changed")
            return report
        _write_tree(root, shown, wanted, sink, report)
        _left[_dir_key(root)] = _record_stat(root)
    return report


def _write_tree(root: Path, shown: str, wanted: dict[str, bytes], sink: Sink, report: WriteReport) -> None:
    """Recover, plan, stage, commit, apply — with the lock held."""
    if os.path.lexists(root / JOURNAL) or os.path.lexists(root / JOURNAL_TEMP):
        recover(root, sink, shown)
        if _read_journal(root)[0]:  # could not finish it: building on top would lose the old state
            return
    plan = _plan(root, shown, wanted, sink, report)
    record_text = _record_text(plan.record)
    record_path = root / RECORD
    record_changed = record_path.is_symlink() or not record_path.is_file() or record_path.read_text(encoding="utf-8") != record_text
    if not plan.writes and not plan.removals and not record_changed:
        return  # a no-op rebuild writes nothing at all

    staged = dict(plan.writes)
    staged[RECORD] = record_text.encode("utf-8")
    created_dirs = _missing_dirs(root, plan.writes)
    new_dirs = set(created_dirs)
    journal = Journal(
        state="staging",
        writes=[*sorted(plan.writes), RECORD],
        created_dirs=created_dirs,
        removals=plan.removals,
        # A new folder whose parent exists is staged whole (see the docstring): its files need no
        # rename each, nor the checks before it (the Elixir tree: 234 of its 238 files in two).
        # Not where its temporary name is taken: by what a build whose journal was lost left, or
        # by a generated folder of that name (only file names are kept from the writer's prefix).
        staged_dirs=[
            d
            for d in created_dirs
            if posixpath.dirname(d) not in new_dirs
            and _temp_key(d) not in new_dirs
            and not os.path.lexists(os.path.join(root, _temp_key(d)))
        ],
    )
    base = os.fspath(root)
    temps = [os.path.join(base, journal.staged(key)) for key in journal.writes]
    # The staged files are synced through the descriptors that wrote them (no second open and
    # path lookup per file: ~2 ms of the Elixir tree's 238), as many as _OPEN_STAGED; any
    # further ones by path.
    staged_fds: list[int] = []
    try:
        _write_journal(root, journal)
        for d in journal.created_dirs:
            _step("mkdir", root / d)
            (root / journal.staged(d, is_dir=True)).mkdir()
        for key, tmp in zip(journal.writes, temps, strict=True):
            fd = _stage_file(tmp, staged[key], in_new_dir=posixpath.dirname(key) in new_dirs)
            if len(staged_fds) < _OPEN_STAGED:
                staged_fds.append(fd)
            else:
                os.close(fd)
        # The committed journal is staged like the files (beside the journal it will replace), so
        # that its content is synced with theirs and the commit is one rename and one sync.
        os.close(_stage_file(root / JOURNAL_TEMP, attrs.evolve(journal, state="committed").to_json().encode("utf-8")))
        # all staged content, and every directory entry staging made, durable before the commit
        _sync(
            root,
            files=[*staged_fds, *temps[len(staged_fds) :], root / JOURNAL_TEMP],
            dirs=[
                root,
                *(Path(d) for d in dict.fromkeys(os.path.dirname(t) for t in temps)),
                *((root / journal.staged(d, is_dir=True)).parent for d in journal.created_dirs),
            ],
        )
    except OSError as exc:
        _abandon(root, journal, sink, shown, exc)
        return
    except BaseException:
        _abandon(root, journal, Sink(), shown, None)  # interrupted (Ctrl-C): put the old tree back, then stop
        raise
    finally:
        for fd in staged_fds:
            os.close(fd)
    try:
        _commit(root)
    except OSError as exc:
        _abandon(root, journal, sink, shown, exc)
        return
    try:
        _apply(root, journal, report)
    except OSError as exc:
        sink.error(
            "writer.io-error",
            f"the build of `{shown}` was interrupted: {exc.strerror or exc}",
            None,
            hint="fix the cause and build again: the next build finishes this one first",
        )


def _abandon(root: Path, journal: Journal, sink: Sink, shown: str, exc: OSError | None) -> None:
    """Staging failed: remove what it made, so the tree is the old one again."""
    if exc is not None:
        reason = "a name is too long for the file system" if exc.errno == errno.ENAMETOOLONG else (exc.strerror or str(exc))
        where = f" (`{exc.filename}`)" if exc.filename else ""
        sink.error("writer.io-error", f"cannot write into `{shown}`: {reason}{where}; nothing was changed", None)
    try:
        if (root / JOURNAL).exists():
            _roll_back(root, journal)
        else:  # the journal itself could not be written: nothing was staged
            _unlink_if_file(root / JOURNAL_TEMP)
    except OSError as cleanup:
        sink.error("writer.io-error", f"cannot clean up `{shown}` after a failed build: {cleanup.strerror or cleanup}", None)
