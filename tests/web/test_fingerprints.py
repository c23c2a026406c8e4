"""Static files are linked by content version and kept for a year only at that version."""

import re

from ehc_tracker.web import fingerprint


def _links(html):
    return re.findall(r'(?:href|src)="(/(?:static|assets)/[^"]+\?v=[0-9a-f]{16})"', html)


def test_pages_link_versioned_files_that_browsers_may_keep_for_a_year(client, auth):
    auth.login(role="coordinator")
    links = _links(client.get("/").get_data(as_text=True))
    assert {link.split("?")[0] for link in links} >= {
        "/static/app.css",
        "/static/init.js",
        "/assets/govuk-frontend.min.css",
        "/assets/govuk-frontend.min.js",
    }
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, link
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable", link


def test_an_old_or_missing_version_keeps_the_short_lifetime(client):
    stale = client.get("/static/app.css?v=0000000000000000")
    assert stale.status_code == 200 and "immutable" not in stale.headers.get("Cache-Control", "")
    plain = client.get("/assets/govuk-frontend.min.css")
    assert plain.headers["Cache-Control"] == "public, max-age=86400"


def test_the_version_follows_the_content_and_refuses_paths_outside_the_folder(app, tmp_path, monkeypatch):
    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "a.css").write_text("body { color: black }")
    monkeypatch.setattr(app, "static_folder", str(folder))
    with app.test_request_context("/"):
        first = fingerprint.asset_version("static", "a.css")
        (folder / "a.css").write_text("body { color: navy }")
        second = fingerprint.asset_version("static", "a.css")
        assert first and second and first != second
        assert fingerprint.asset_version("static", "../a.css") is None
        assert fingerprint.asset_version("static", "missing.css") is None
        assert fingerprint.asset_url("static", "missing.css") == "/static/missing.css"
        assert fingerprint.asset_url("static", "a.css") == f"/static/a.css?v={second}"
