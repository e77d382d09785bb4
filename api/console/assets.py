"""The console's files (静态资源): our own scripts and styles, and pinned third-party packages from npm.

Our own ES modules and CSS live in ``static/`` and are served at ``/assets/console/``. Third-party
files come from the npm registry at the versions in ``assets/package-lock.json`` (``scripts/assets``
fetches them into ``assets/node_modules``, never into the repository) and are served at
``/assets/vendor/<name>@<version>/``: the version in the path lets browsers keep them for good.
Nothing is loaded from a CDN, so the console works on an isolated network.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from pathlib import Path

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router

HERE = Path(__file__).parent
STATIC = HERE / "static"
NODE_MODULES = HERE / "assets" / "node_modules"
# URL name → npm package; add a package to assets/package.json, run scripts/assets, then name it here.
VENDOR = {
    "noto-sans-sc": "@fontsource/noto-sans-sc",  # the CJK web font: Chinese looks the same on every screen
    "swagger-ui": "swagger-ui-dist",  # the OpenAPI page at /schema
    "flatpickr": "flatpickr",  # the date picker: dates as Chinese users write them in any browser language
}
OWN_PREFIX = "/assets/console"
VENDOR_PREFIX = "/assets/vendor"
PUBLIC = {"public": True}  # the sign-in page needs them before anyone has signed in
log = logging.getLogger(__name__)


@functools.cache
def vendor_version(name: str) -> str:
    manifest = NODE_MODULES / VENDOR[name] / "package.json"
    if not manifest.exists():
        return "missing"
    return json.loads(manifest.read_text())["version"]


def vendor_url(name: str, file: str) -> str:
    return f"{VENDOR_PREFIX}/{name}@{vendor_version(name)}/{file}"


@functools.cache
def own_url(file: str) -> str:
    """Our file's URL with a digest of its content, so a changed file is fetched again."""
    digest = hashlib.sha256((STATIC / file).read_bytes()).hexdigest()[:12]
    return f"{OWN_PREFIX}/{file}?v={digest}"


def routers() -> list[Router]:
    """Static routes for our files and each vendor package present; a missing package is logged."""
    found = [_router(OWN_PREFIX, STATIC, "console-assets", CacheControlHeader(no_cache=True))]
    for name, package in VENDOR.items():
        folder = NODE_MODULES / package
        if not folder.is_dir():
            log.warning("front-end package %s is missing: run `bash scripts/assets`", package)
            continue
        forever = CacheControlHeader(max_age=365 * 86400, public=True)
        found.append(_router(f"{VENDOR_PREFIX}/{name}@{vendor_version(name)}", folder, f"vendor-{name}", forever))
    return found


def _router(path: str, folder: Path, name: str, cache: CacheControlHeader) -> Router:
    return create_static_files_router(path=path, directories=[folder], name=name, opt=PUBLIC, cache_control=cache)
