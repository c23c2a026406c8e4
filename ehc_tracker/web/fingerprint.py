"""Static files named by their content, so browsers may keep them for a year.

Pages link to the application's and the GOV.UK Frontend's files through `asset_url`, which adds
`?v=` and the first 16 hex digits of the file's SHA-256. A request carrying the file's current
version is answered with `Cache-Control: public, max-age=31536000, immutable`: a changed file gets
a new address, so a browser never keeps an old one. A request without it (or with an old one)
keeps the short lifetime the route gives. The GOV.UK fonts and images that the stylesheet names
itself cannot carry a version; they keep the assets route's one day.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache

from flask import Flask, Response, current_app, request, url_for

YEAR = 31_536_000
_ENDPOINTS = ("static", "assets.govuk")


@lru_cache(maxsize=256)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(65_536), b""):
            sha.update(chunk)
    return sha.hexdigest()[:16]


def _folder(endpoint: str) -> str | None:
    if endpoint == "static":
        return current_app.static_folder
    if endpoint == "assets.govuk":
        return str(current_app.config["GOVUK_ASSETS_DIR"])
    return None


def asset_version(endpoint: str, filename: str) -> str | None:
    """The file's content version, or None if there is no such file (the link is then plain)."""
    folder = _folder(endpoint)
    if folder is None:
        return None
    path = os.path.realpath(os.path.join(folder, filename))
    if not path.startswith(os.path.realpath(folder) + os.sep):
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return _digest(path, stat.st_mtime_ns, stat.st_size)


def asset_url(endpoint: str, filename: str) -> str:
    """The address of a static file with its content version."""
    version = asset_version(endpoint, filename)
    return url_for(endpoint, filename=filename, v=version) if version else url_for(endpoint, filename=filename)


def _long_lived(response: Response) -> Response:
    endpoint = request.endpoint or ""
    wanted = request.args.get("v")
    if endpoint in _ENDPOINTS and wanted and response.status_code == 200:
        filename = (request.view_args or {}).get("filename", "")
        if wanted == asset_version(endpoint, filename):
            response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response


def init_fingerprints(app: Flask) -> None:
    app.jinja_env.globals["asset_url"] = asset_url
    app.after_request(_long_lived)
