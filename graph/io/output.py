"""Writing outputs: to standard output (``-`` or none), or to a file replaced atomically (a temporary
file in the same folder, renamed into place only once it is complete), so that a failed or
interrupted write never leaves a half-written report, or a temporary file, behind.

Every command's ``-o`` goes through :func:`check_output` (here, and nowhere else), which refuses,
as an :class:`InputError` naming the path, before anything is written:

- a target that is one of the command's inputs (the same file, also through another path, a hard
  link or a symbolic link): writing it would destroy the input;
- a target that is not a regular file (a folder, a device such as /dev/null, a pipe, a socket):
  renaming over it would replace the device itself;
- a target whose folder is missing or is not a folder.

A symbolic link is followed: the file it points to is replaced, as the shell's ``>`` would write
it. An existing file keeps its permission bits (and, where allowed, its owner); a new file gets the
umask's default, or 0600 when an input is private (readable by its owner only), so that a private
chain does not leak through its report. Any OSError while writing (a full disk, a folder that
cannot be written) is an :class:`InputError` naming the path.
"""
from __future__ import annotations

import io
import os
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable, Iterable

from entrustment_chain.graph.errors import InputError, Problem
from entrustment_chain.graph.io.loader import STDIN, file_kind

STDOUT = "-"
STDOUT_NAME = "<stdout>"


@dataclass(frozen=True)
class Target:
    """Where an output goes: ``path`` (symbolic links followed) is replaced; ``name`` is the path
    as given, for messages; ``mode`` the permission bits the file will have."""

    name: str
    path: str
    mode: int
    owner: tuple[int, int] | None  # an existing file's (uid, gid)


def is_stdout(output: str | os.PathLike[str] | None) -> bool:
    return output is None or str(output) == STDOUT


def check_output(output: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str] | None] = ()) -> Target:
    """The target of ``-o output`` for a command that reads ``inputs`` (paths; ``-`` is standard
    input; names that are not files, such as inline YAML, are ignored). :class:`InputError` naming
    ``output`` when it must not be written (see the module's description)."""
    name = str(output)
    if not name:
        raise _refuse("''", "the output path is empty")
    if name.endswith(("/", os.sep)):
        raise _refuse(name, "names a folder, not a file")
    try:
        path = os.path.realpath(name)
    except (OSError, ValueError) as exc:
        raise _refuse(name, f"cannot write the file: {getattr(exc, 'strerror', None) or exc}") from None
    identities = {ident: str(source) for source in inputs if source is not None
                  for ident in [_identity(source)] if ident is not None}
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):  # its folder is looked at below
        st = None
    except (OSError, ValueError) as exc:
        raise _refuse(name, f"cannot write the file: {getattr(exc, 'strerror', None) or exc}") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise _refuse(name, "is a folder; give a file name")
        if not stat.S_ISREG(st.st_mode):
            raise _refuse(name, f"is {file_kind(st.st_mode)}, not a regular file; write to a file, or "
                                "to '-' for standard output")
        source = identities.get((st.st_dev, st.st_ino))
        if source is not None:
            same = ("" if source == name else " read from standard input" if source == STDIN
                    else f" ({source})")
            raise _refuse(name, f"is the input file{same}; writing it would destroy the input: give "
                                "another output file")
        return Target(name, path, stat.S_IMODE(st.st_mode) & 0o777, (st.st_uid, st.st_gid))
    folder = os.path.dirname(path) or "."
    try:
        parent = os.stat(folder)
    except FileNotFoundError:
        raise _refuse(name, f"cannot write the file: the folder {os.path.dirname(name) or folder} does not "
                            "exist") from None
    except OSError as exc:
        raise _refuse(name, f"cannot write the file: {exc.strerror or exc}") from None
    if not stat.S_ISDIR(parent.st_mode):
        raise _refuse(name, f"cannot write the file: {os.path.dirname(name) or folder} is not a folder")
    mode = 0o666 & ~_umask()
    if any(_private(source) for source in inputs if source is not None):
        mode &= 0o600
    return Target(name, path, mode, None)


def write_output(write: Callable[[IO[str]], object], output: str | os.PathLike[str] | None,
                 inputs: Iterable[str | os.PathLike[str] | None] = ()) -> None:
    """``write(handle)`` writes to standard output (``output`` None or ``-``), or to a temporary
    file renamed onto ``output`` once it is complete (after :func:`check_output`)."""
    if is_stdout(output):
        to_stdout(write)
        return

    def to_path(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as handle:
            write(handle)

    replace_path(output, to_path, inputs)


def to_stdout(write: Callable[[IO[str]], object]) -> None:
    """``write(sys.stdout)``; an error of the stream (other than a reader that left, which the
    CLI treats as the end) is an :class:`InputError` naming standard output."""
    try:
        write(sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise InputError([Problem(STDOUT_NAME, None, "", f"cannot write: {exc.strerror or exc}")]) from None


def replace_path(output: str | os.PathLike[str], write_path: Callable[[str], object],
                 inputs: Iterable[str | os.PathLike[str] | None] = ()) -> None:
    """``write_path(tmp)`` writes a temporary file beside ``output`` (with the same suffix, for
    writers that go by it), which is then renamed onto ``output`` (after :func:`check_output`,
    made again just before the rename); on any failure it is removed. Writers that open the
    temporary file by its name (a spreadsheet library) use this; others use :func:`write_output`."""
    inputs = list(inputs)
    target = check_output(output, inputs)
    folder = os.path.dirname(target.path) or "."
    try:
        # a short name of its own (the target's name plus a prefix could pass NAME_MAX), with the
        # target's suffix for writers that go by it
        fd, tmp = tempfile.mkstemp(prefix=".chain-", suffix=Path(target.path).suffix[:16],
                                   dir=folder)
        os.close(fd)
    except OSError as exc:
        raise _refuse(target.name, f"cannot write the file: {exc.strerror or exc}") from None
    try:
        write_path(tmp)
        _sync(tmp)
        os.chmod(tmp, target.mode)
        if target.owner is not None:
            _chown(tmp, target.owner)
        check_output(output, inputs)  # nothing was swapped in meanwhile
        os.replace(tmp, target.path)
    except OSError as exc:
        _remove(tmp)
        raise _refuse(target.name, f"cannot write the file: {exc.strerror or exc}") from None
    except BaseException:
        _remove(tmp)
        raise


def _identity(source: str | os.PathLike[str]) -> tuple[int, int] | None:
    """(device, inode) of an input, or None when it is not a file (inline text, nothing there)."""
    try:
        if str(source) == STDIN:
            st = os.fstat(sys.stdin.fileno())
        else:
            st = os.stat(source)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return None
    return (st.st_dev, st.st_ino)


def _private(source: str | os.PathLike[str]) -> bool:
    """Whether an input is a regular file that only its owner may read (0600, 0400 …)."""
    try:
        st = os.fstat(sys.stdin.fileno()) if str(source) == STDIN else os.stat(source)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return False
    return stat.S_ISREG(st.st_mode) and not st.st_mode & 0o077


def _umask() -> int:
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def _sync(tmp: str) -> None:
    """Flush the written file to the disk, so that a full disk or a failing device is an error here,
    before the rename, not a truncated file later."""
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _chown(tmp: str, owner: tuple[int, int]) -> None:
    st = os.stat(tmp)
    if (st.st_uid, st.st_gid) != owner:
        try:
            os.chown(tmp, *owner)
        except OSError:
            pass  # not allowed (not root): the file is the writer's, as any new file is


def _remove(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass


def _refuse(name: str, message: str) -> InputError:
    return InputError([Problem(name, None, "", message)])
