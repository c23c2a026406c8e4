"""The letters' templates, without a database: the committed defaults are what build_templates.py
makes, each uses only its kind's placeholders, and an uploaded template is checked before use."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest

from ehc_tracker.letters import build_templates
from ehc_tracker.letters.context import date_in_words, sample_context
from ehc_tracker.letters.kinds import KINDS, UnknownLetterKind, kind
from ehc_tracker.letters.render import render_docx
from ehc_tracker.letters.templates_store import (
    TemplateProblem,
    default_template,
    placeholders_in,
    template_for,
    validate_template,
)


def _docx(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_the_committed_templates_are_what_the_build_script_makes():
    assert build_templates.out_of_date() == [], "run: python -m ehc_tracker.letters.build_templates"


def test_the_build_check_notices_a_stale_template(tmp_path):
    for name, data in build_templates.build().items():
        (tmp_path / name).write_bytes(data)
    assert build_templates.out_of_date(tmp_path) == []
    (tmp_path / "final_plan.docx").write_bytes(_docx("Old wording {{ child_name }}"))
    (tmp_path / "draft_plan.docx").unlink()
    assert sorted(build_templates.out_of_date(tmp_path)) == ["draft_plan.docx", "final_plan.docx"]


def test_building_twice_gives_the_same_bytes():
    assert build_templates.build() == build_templates.build()


@pytest.mark.parametrize("key", list(KINDS))
def test_each_default_is_valid_and_uses_its_kinds_key_dates(key):
    letter = kind(key)
    validate_template(letter, default_template(letter))
    assert template_for(key) == default_template(key)
    used = placeholders_in(default_template(letter))
    # Every date the kind offers, and the addressee and coordinator, are in its default wording.
    dates = {name for name in letter.own_placeholders if name.endswith("_on")}
    assert dates <= used
    assert {"coordinator_name", "coordinator_email", "council_name", "child_name", "letter_on"} <= used


@pytest.mark.parametrize("key", list(KINDS))
def test_every_kind_states_its_law_with_sources(key):
    letter = kind(key)
    assert letter.legal_points and all(point.source for point in letter.legal_points)


def test_letters_that_carry_a_right_of_appeal_cite_the_tribunal_rules():
    for key in ("decision_not_to_assess", "final_plan", "decision_not_to_issue", "cease_notice"):
        sources = " ".join(p.source for p in kind(key).legal_points)
        assert "r.20(1)" in sources and "s51" in sources and "reg 32" in sources
        assert "appeal_deadline_on" in kind(key).placeholders


def test_an_unknown_placeholder_is_refused():
    template = _docx("Dear {{ salutation }}", "Your favourite colour is {{ favourite_colour }}.")
    with pytest.raises(TemplateProblem, match=r"\{\{ favourite_colour \}\}"):
        validate_template("final_plan", template)


def test_a_placeholder_of_another_kind_is_refused():
    # The draft plan's representation deadline means nothing in a final plan letter.
    with pytest.raises(TemplateProblem, match="representations_close_on"):
        validate_template("final_plan", _docx("Tell us by {{ representations_close_on }}."))
    validate_template("draft_plan", _docx("Tell us by {{ representations_close_on }}."))


def test_a_broken_placeholder_or_a_file_that_is_not_word_is_refused():
    with pytest.raises(TemplateProblem, match="not written correctly"):
        validate_template("final_plan", _docx("Dear {{ salutation "))
    with pytest.raises(TemplateProblem, match="not a Word"):
        validate_template("final_plan", b"%PDF-1.4 not a docx")


def test_a_template_that_cannot_be_filled_is_refused():
    # Known names only, but it asks for something the value does not have.
    with pytest.raises(TemplateProblem, match="could not be filled"):
        validate_template("final_plan", _docx("{{ child_name.surname.initial }}"))


def test_an_uploaded_template_renders_in_place_of_the_default():
    letter = kind("final_plan")
    own = _docx("Our own letter to {{ addressee_name }} about {{ child_name }}, by {{ appeal_deadline_on }}.")
    validate_template(letter, own)
    text = "\n".join(
        p.text for p in docx.Document(io.BytesIO(render_docx(letter, sample_context(letter), own))).paragraphs
    )
    assert text == "Our own letter to Sam Example about Alex Example, by 15 March 2027."


def test_unknown_kind():
    with pytest.raises(UnknownLetterKind):
        kind("birthday_card")


def test_dates_in_words():
    assert date_in_words(date(2027, 3, 15)) == "15 March 2027"
    assert date_in_words(date(2025, 9, 1)) == "1 September 2025"
