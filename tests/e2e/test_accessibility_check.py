"""The accessibility check can fail: a page with a broken label and a missing error message
is reported."""

from __future__ import annotations

from typing import Any

from tests.e2e.axe import violations

BROKEN = """<!DOCTYPE html><html lang="en"><head><title>Broken</title></head><body><main>
<h1>Broken form</h1>
<form>
  <label for="nowhere">Date of birth</label>
  <input id="dob" name="dob" type="text">
  <input type="image" src="x.png">
  <button type="submit"></button>
</form></main></body></html>"""


def test_axe_reports_a_broken_label_and_unnamed_controls(page: Any) -> None:
    page.set_content(BROKEN)
    found = {v["id"] for v in violations(page)}
    assert "label" in found  # the input has no label: its label points at nothing
    assert {"button-name", "input-image-alt"} & found


def test_axe_passes_the_sign_in_page(page: Any, live_server: Any) -> None:
    page.goto("/sign-in")
    assert violations(page) == []
