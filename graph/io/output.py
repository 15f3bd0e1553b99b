"""Writing outputs: to standard output, or to a file replaced atomically (a temporary file in the
same folder, renamed into place only once it is complete), so that a failed or interrupted write
never leaves a half-written report behind."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import IO, Callable


def replace_atomically(tmp: str, target: str) -> None:
    """Give the temporary file the mode a new file would have, then rename it into place."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, target)


def replace_path(output: str | os.PathLike[str], write_path: Callable[[str], object]) -> None:
    """``write_path(tmp)`` writes a temporary file beside ``output`` (with the same suffix, for
    writers that go by it), which is then renamed onto ``output``; on any failure it is removed."""
    target = Path(output)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent or ".")
    os.close(fd)
    try:
        write_path(tmp)
        replace_atomically(tmp, str(target))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_output(write: Callable[[IO[str]], object], output: str | None) -> None:
    """``write(handle)`` writes to standard output (``output`` None or ``-``), or to a temporary
    file renamed onto ``output`` once it is complete."""
    if output is None or output == "-":
        write(sys.stdout)
        return

    def to_path(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as handle:
            write(handle)

    replace_path(output, to_path)
