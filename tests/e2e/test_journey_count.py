"""The click count of bench/journey.py, walked in the suite so the shortcuts it counts stay real:
the coordinator carries a whole 20-week assessment from the worklist (axe-core checks every page
opened), and the worklist way must need far fewer keystrokes and typed fields, and fewer clicks, than the same
journey by hand on the same build (the figures against the first release are in bench/JOURNEY.md)."""

from __future__ import annotations

from typing import Any

from bench import journey
from tests.e2e.axe import assert_accessible


def test_the_worklist_way_needs_fewer_clicks_and_a_third_of_the_typing(browser: Any) -> None:
    by_hand = journey.run("by-hand", browser=browser)
    worklist = journey.run(
        "worklist", on_page=assert_accessible, browser=browser
    )  # the whole assessment from the worklist, every page checked
    assert worklist.clicks < by_hand.clicks
    assert worklist.keystrokes * 3 <= by_hand.keystrokes
    assert worklist.fields * 3 <= by_hand.fields
    # Every step was walked both ways (the advice requested in one form instead of three).
    assert set(worklist.by_step) == set(by_hand.by_step) - {
        "advice requested (Health)",
        "advice requested (Social care)",
    }
