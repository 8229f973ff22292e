"""Output folders that never destroy what routesim did not make.

A run, comparison or sweep is written into a staging folder beside its target (`.routesim-tmp-PID-...`) and moved
into place only when complete. An existing target is replaced only when it is routesim's output of the same kind
(its manifest.json carries a `routesim_output` marker listing the files routesim wrote, and it holds nothing else)
and the caller asked (`overwrite`). On Linux the swap is one `renameat2(RENAME_EXCHANGE)`, so at every moment the
target is the old or the new folder, whole. Staging folders left by killed processes are removed by the next write
into the same parent once their process is gone; nothing else is ever deleted.
"""

import ctypes
import errno
import hashlib
import json
import logging
import os
import re
import shutil
import stat
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

KINDS = ("run", "comparison", "sweep", "analysis", "validation")
MARKER = "routesim_output"
MARKER_FORMAT = 1
MANIFEST = "manifest.json"
TMP_PREFIX = ".routesim-tmp-"  # staging folders; removed by a later write once their process is gone
KEPT_PREFIX = ".routesim-kept-"  # never removed automatically
STAGING_FILE = ".routesim-staging"  # inside a staging folder until it is published, and while one is removed
MAX_MANIFEST_BYTES = 256 * 2**20
MIN_FREE_BYTES = 64 * 2**20  # a full-year run folder with charts takes about 2 MB (measured)
NAME_LIMIT = 60  # characters of a scenario name kept in a default folder name
PREFIXES = {"run": "", "comparison": "compare-", "sweep": "sweep-", "analysis": "analysis-", "validation": "validate-"}
log = logging.getLogger(__name__)


class OutputError(Exception):
    """A problem with an output location, in one line naming the path and what to do."""


def _load_renameat2() -> Any:
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError, TypeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


_RENAMEAT2 = _load_renameat2()
AT_FDCWD, RENAME_NOREPLACE, RENAME_EXCHANGE = -100, 1, 2


def _rename2(src: Path, dst: Path, flags: int) -> bool:
    """renameat2(src, dst, flags); False when the system or file system does not offer it."""
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(AT_FDCWD, os.fsencode(src), AT_FDCWD, os.fsencode(dst), flags) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(dst))


def safe_name(text: str, limit: int = NAME_LIMIT) -> str:
    """`text` (e.g. a scenario name) made into one harmless folder name: ASCII letters, digits, '.', '_', '-'.

    A name is never taken as a path: '../../x' becomes 'x', '/abs' becomes 'abs'."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._-")[:limit].strip("._-")
    return cleaned or "unnamed"


def default_output(kind: str, names: Sequence[str], settings: Mapping[str, object],
                   root: Path = Path("runs")) -> Path:
    """The default folder of an output: its scenario names and the settings that make it differ, short and safe.

    `default_output("run", ["baseline"], {"seed": 1, "days": 365, "scale": 1})` is runs/baseline-seed1-days365-scale1;
    a comparison of many alternatives is named by their count and a hash of their names."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    parts = [safe_name(n) for n in names] or ["unnamed"]
    label = parts[0] if len(parts) == 1 else f"{parts[0]}-vs-{'-'.join(parts[1:])}"
    if len(label) > 2 * NAME_LIMIT:
        digest = hashlib.sha256("\0".join(names).encode()).hexdigest()[:8]
        label = f"{parts[0]}-vs-{len(parts) - 1}-alternatives-{digest}"
    shown = (f"{v:g}" if isinstance(v, float) else str(v) for v in settings.values())
    suffix = "".join(f"-{safe_name(k, 20)}{safe_name(v, 24)}" for k, v in zip(settings, shown, strict=True))
    return root / f"{PREFIXES[kind]}{label}{suffix}"


def _marker(folder: Path) -> dict | None:
    """The routesim marker of `folder`'s manifest, or None when it is not a folder with a readable marker."""
    path = folder / MANIFEST
    try:
        if not stat.S_ISDIR(folder.lstat().st_mode):
            return None
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_MANIFEST_BYTES:
            return None
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    marker = data.get(MARKER) if isinstance(data, dict) else None
    if (not isinstance(marker, dict) or marker.get("kind") not in KINDS or not isinstance(marker.get("files"), list)
            or not all(isinstance(f, str) for f in marker["files"])):
        return None
    return marker


def _entries(folder: Path) -> list[str]:
    """Every file and folder under `folder` (relative, '/'-separated), symbolic links not followed."""
    found = []
    for root, dirs, files in os.walk(folder):
        rel = Path(root).relative_to(folder)
        found += [(rel / name).as_posix() for name in dirs + files]
    return found


def _foreign(folder: Path, files: Sequence[str]) -> list[str]:
    """Entries of `folder` that routesim did not write there (by the marker's list of files); a routesim output
    nested inside (e.g. a sweep's analysis/) counts as routesim's."""
    allowed = {MANIFEST, *files}
    allowed |= {p.as_posix() for f in files for p in Path(f).parents if p != Path(".")}
    found = []
    for root, dirs, names in os.walk(folder):
        rel = Path(root).relative_to(folder)
        dirs[:] = [d for d in dirs if (rel / d).as_posix() in allowed or os.path.islink(os.path.join(root, d))
                   or not is_routesim_output(Path(root) / d)]
        found += [e for name in dirs + names
                  if (e := (rel / name).as_posix()) not in allowed or os.path.islink(os.path.join(root, name))]
    return sorted(found)


def is_routesim_output(folder: Path, kind: str | None = None) -> bool:
    """Whether `folder` is an output routesim wrote (of `kind`, if given) holding nothing routesim did not write."""
    marker = _marker(Path(folder))
    return marker is not None and kind in (None, marker["kind"]) and not _foreign(Path(folder), marker["files"])


def _shown(names: Sequence[str], at_most: int = 3) -> str:
    more = f" and {len(names) - at_most} more" if len(names) > at_most else ""
    return ", ".join(names[:at_most]) + more


def _refusal(folder: Path, target: Path, kind: str, overwrite: bool) -> str | None:
    """Why the existing `target` may not be written, or None when it may (empty, or routesim's and overwrite)."""
    mode = target.lstat().st_mode
    if stat.S_ISLNK(mode):
        return f"{folder} is a symbolic link; routesim does not write through links: choose another --out"
    if not stat.S_ISDIR(mode):
        return f"{folder} is a file, not a folder; routesim never replaces it: choose another --out"
    entries = sorted(os.listdir(target))
    if not entries:
        return None
    marker = _marker(target)
    if marker is None:
        return (f"{folder} exists and is not a routesim output folder (it holds {_shown(entries)}); routesim never "
                "replaces it: choose another --out")
    if marker["kind"] != kind:
        return f"{folder} holds a routesim {marker['kind']}, not a {kind}: choose another --out"
    foreign = _foreign(target, marker["files"])
    if foreign:
        return (f"{folder} is a routesim {kind} but also holds files routesim did not write ({_shown(foreign)}): "
                "move them out or choose another --out")
    if not overwrite:
        return f"{folder} holds a previous routesim {kind}: pass --overwrite to replace it, or choose another --out"
    return None


def _name_max(where: Path) -> int:
    try:
        return os.pathconf(where, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def _check_location(folder: Path, target: Path) -> Path:
    """Check the path can be a folder routesim writes into; return its nearest existing ancestor."""
    if "\0" in str(folder):
        raise OutputError(f"{str(folder)!r}: a path cannot contain a NUL character: choose another --out")
    if target.name in ("", ".", ".."):
        raise OutputError(f"{folder} does not name a new folder: choose another --out")
    base = next(p for p in target.parents if os.path.lexists(p))
    if not base.is_dir():
        raise OutputError(f"{folder}: {base} is not a folder: choose another --out")
    for part in target.relative_to(base).parts:
        if len(os.fsencode(part)) > _name_max(base):
            raise OutputError(f"{folder}: the name {part[:40]}... is {len(os.fsencode(part))} bytes long, more "
                              f"than the file system allows ({_name_max(base)}): choose a shorter --out")
    if len(os.fsencode(target)) > 4000:
        raise OutputError(f"{str(folder)[:60]}...: the path is too long: choose a shorter --out")
    return base


def _make_tmp(parent: Path) -> Path:
    """A new empty staging folder `.routesim-tmp-PID-RANDOM` in `parent` (mode from the umask, unlike mkdtemp)."""
    while True:
        path = parent / f"{TMP_PREFIX}{os.getpid()}-{os.urandom(6).hex()}"
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue


def _check_writable(folder: Path, base: Path) -> None:
    """Create and remove a probe folder in `base` (works for root too), and check the free space."""
    try:
        _make_tmp(base).rmdir()
        free = shutil.disk_usage(base).free
    except OSError as err:
        raise OutputError(f"{folder}: cannot write in {base} ({err.strerror or err}): choose another --out") from None
    if free < MIN_FREE_BYTES:
        raise OutputError(f"{folder}: only {free / 2**20:.1f} MiB free in {base} (at least {MIN_FREE_BYTES // 2**20} "
                          "MiB needed): free some space or choose another --out")


def claim_output(folder: Path, kind: str, overwrite: bool, unique: bool = False) -> Path:
    """Check, before any work, that `folder` can receive an output of `kind`; raise OutputError if not.

    It may be new, an empty folder, or (with `overwrite`) a previous routesim output of the same kind holding
    nothing else. With `unique` (default folder names) an unusable `folder` gives way to `folder-2`, `folder-3`,
    ...: the path returned is the one to write."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    folder = Path(folder)
    candidates = [folder, *(folder.with_name(f"{folder.name}-{k}") for k in range(2, 1000))] if unique else [folder]
    for candidate in candidates:
        target = Path(os.path.abspath(candidate))
        base = _check_location(candidate, target)
        try:
            reason = _refusal(candidate, target, kind, overwrite) if os.path.lexists(target) else None
        except OSError as err:
            raise OutputError(f"{candidate}: cannot look inside ({err.strerror or err}): choose another --out"
                              ) from None
        if reason is None:
            _check_writable(candidate, base)
            return candidate
    raise OutputError(reason)


def _discard(path: Path) -> None:
    """Remove a staging folder or a replaced output, keeping its staging file to the end so that a crash
    midway leaves a folder the next write still recognises as routesim's and removes."""
    (path / STAGING_FILE).touch()
    for entry in os.scandir(path):
        if entry.name == STAGING_FILE:
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.unlink(entry.path)
    os.unlink(path / STAGING_FILE)
    path.rmdir()


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def clean_leftovers(parent: Path) -> list[Path]:
    """Remove staging folders in `parent` left by processes that are gone; return what was removed.

    Only folders named `.routesim-tmp-PID-...` that are empty, hold a staging file or are a complete routesim
    output are touched, and only when process PID no longer exists."""
    removed = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    for entry in entries:
        pid = entry.name[len(TMP_PREFIX):].split("-", 1)[0]
        if not entry.name.startswith(TMP_PREFIX) or not pid.isdigit() or not entry.is_dir(follow_symlinks=False):
            continue
        path = Path(entry.path)
        ours = not os.listdir(path) or (path / STAGING_FILE).is_file() or is_routesim_output(path)
        if ours and int(pid) != os.getpid() and _process_gone(int(pid)):
            try:
                _discard(path)
                removed.append(path)
            except OSError as err:
                log.warning("could not remove the leftover %s: %s", path, err)
    return removed


def _fsync(path: Path | str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync(folder: Path) -> None:
    """Flush the staged files and folders to disk, so a power cut after the swap cannot publish empty files."""
    for root, _dirs, files in os.walk(folder):
        for name in [*files, "."]:
            _fsync(os.path.join(root, name))


def _keep(tmp: Path, target: Path) -> Path:
    kept = target.parent / f"{KEPT_PREFIX}{safe_name(target.name, 40)}-{os.urandom(4).hex()}"
    os.rename(tmp, kept)
    return kept


def _publish(folder: Path, tmp: Path, target: Path, kind: str, overwrite: bool) -> None:
    """Move the complete `tmp` to `target`: atomically exchanged with a replaceable old output, never over
    anything else. If the target changed meanwhile, the new output is kept under a clearly named folder."""
    if os.path.lexists(target):
        reason = _refusal(folder, target, kind, overwrite)
        if reason is not None:
            raise OutputError(f"{reason} (it changed while routesim worked; the new output is in {_keep(tmp, target)})")
        if _rename2(tmp, target, RENAME_EXCHANGE):
            _remove_replaced(tmp, target, kind)
            return
        previous = target.parent / f"{KEPT_PREFIX}previous-{safe_name(target.name, 40)}-{os.urandom(4).hex()}"
        os.rename(target, previous)  # no atomic exchange here: the old stays complete under a kept name
        try:
            os.rename(tmp, target)
        except OSError:
            os.rename(previous, target)
            raise
        _remove_replaced(previous, target, kind)
        return
    try:
        done = _rename2(tmp, target, RENAME_NOREPLACE)
    except FileExistsError:
        done = False
    if not done:
        if os.path.lexists(target):
            raise OutputError(f"{folder} appeared while routesim worked; routesim never replaces it: the new output "
                              f"is in {_keep(tmp, target)}")
        os.rename(tmp, target)


def _remove_replaced(path: Path, target: Path, kind: str) -> None:
    """Remove the output just swapped out of `target` if it is still empty or routesim's, else keep it, named so.

    The new output is in place by now: a failure here is only logged (a later write removes the leftover)."""
    try:
        if not os.listdir(path) or is_routesim_output(path, kind):
            _discard(path)
        else:
            kept = _keep(path, target) if path.name.startswith(TMP_PREFIX) else path
            log.warning("kept the folder replaced by %s as %s: it changed during the swap", target, kept)
    except OSError as err:
        log.warning("could not remove %s, the folder replaced by %s: %s", path, target, err)


@contextmanager
def staged_output(folder: Path, kind: str, overwrite: bool = False) -> Iterator[Path]:
    """A fresh staging folder beside `folder` to write an output of `kind` into; published on success.

    The caller writes its files and a manifest made by `mark_manifest` into the staging folder. On an error
    nothing is left behind and the old output (if any) is untouched; a full disk or another OS error becomes an
    OutputError naming `folder`."""
    folder = Path(folder)
    claim_output(folder, kind, overwrite)  # again: things may have changed while the work was done
    target = Path(os.path.abspath(folder))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(target.parent)
        tmp = _make_tmp(target.parent)
        (tmp / STAGING_FILE).touch()
    except OSError as err:
        raise OutputError(f"{folder}: cannot write ({err.strerror or err}): choose another --out") from None
    try:
        yield tmp
        _sync(tmp)
        os.unlink(tmp / STAGING_FILE)
        _publish(folder, tmp, target, kind, overwrite)
    except OutputError:
        if tmp.exists():
            _discard(tmp)
        raise
    except OSError as err:
        _discard(tmp)
        raise OutputError(f"{folder}: writing failed ({err.strerror or err}); nothing was written and any previous "
                          "output is untouched: free some space or choose another --out") from None
    except BaseException:
        _discard(tmp)
        raise
    with suppress(OSError):  # published; flushing the rename only makes it survive a power cut sooner
        _fsync(target.parent)


def output_marker(folder: Path, kind: str) -> dict[str, Any]:
    """The routesim marker for a manifest in `folder`: the kind and every file written there so far."""
    files = sorted(e for e in _entries(folder) if (folder / e).is_file() and e not in (STAGING_FILE, MANIFEST))
    return {"kind": kind, "format": MARKER_FORMAT, "files": files}


def mark_manifest(tmp: Path, kind: str, manifest: Mapping[str, Any]) -> None:
    """Write `manifest` as tmp/manifest.json with the routesim marker: the kind and every file written so far."""
    marked = {**manifest, MARKER: output_marker(tmp, kind)}
    (tmp / MANIFEST).write_text(json.dumps(marked, indent=2, sort_keys=True) + "\n")
