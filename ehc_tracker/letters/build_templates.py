"""Build the default Word templates (templates/<kind>.docx) from the wording below.

The wording lives here, as text, so that a change to a letter is reviewed as a change to words;
the .docx files are committed beside it because an administrator downloads them to make the
council's own versions, and the app reads them without writing anything at install time. A test
runs `build()` and checks the committed files are what it makes (`--check` does the same here).

    python -m ehc_tracker.letters.build_templates          # rewrite the templates
    python -m ehc_tracker.letters.build_templates --check  # exit 1 if they are out of date

Placeholders are docxtpl's (Jinja): `{{ name }}`, and `{%p if ... %}` / `{%p for ... %}` alone in
a paragraph, which docxtpl removes when it renders. Every name is listed for its kind in kinds.py.
"""

from __future__ import annotations

import sys
import zipfile
from datetime import datetime
from io import BytesIO
from pathlib import Path

from docx import Document
from docx.shared import Pt

from .kinds import KINDS

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

# A block is (style, text): "h" a heading, "p" a paragraph, "b" a bullet, "t" a docxtpl tag paragraph.
Block = tuple[str, str]

_FIXED_TIME = datetime(2026, 1, 1)


def _head(subject: str) -> list[Block]:
    return [
        ("title", "{{ council_name }}"),
        ("p", "{{ addressee_name }}"),
        ("t", "{%p for line in address_lines %}"),
        ("p", "{{ line }}"),
        ("t", "{%p endfor %}"),
        ("p", ""),
        ("p", "Date: {{ letter_on }}"),
        ("p", "Our reference: {{ case_reference }}"),
        ("p", ""),
        ("p", "{{ salutation }}"),
        ("h", subject + ": {{ child_name }}, born {{ child_date_of_birth }}"),
    ]


_CLOSE: list[Block] = [
    ("h", "Contact us"),
    (
        "p",
        "If you have any questions about this letter, contact {{ coordinator_name }}, your EHC coordinator, "
        "at {{ coordinator_email }}. Please quote our reference.",
    ),
    (
        "p",
        "You can get free, impartial information, advice and support from the local special educational needs "
        "and disability information, advice and support service (SENDIASS).",
    ),
    ("p", ""),
    ("p", "Yours sincerely"),
    ("p", ""),
    ("p", "{{ coordinator_name }}"),
    ("p", "EHC coordinator, {{ council_name }}"),
]


def _appeal(*, school_only: bool) -> list[Block]:
    """The right of appeal, its time limit from the engine, and mediation (CFA 2014 s51, s55;
    SEND Regulations 2014 reg 32; HESC Rules r.20, r.12)."""
    blocks: list[Block] = [
        ("h", "If you disagree: mediation and appeal"),
        (
            "p",
            "You have the right to appeal to the First-tier Tribunal (Special Educational Needs and Disability).",
        ),
        (
            "p",
            "The last day to appeal is {{ appeal_deadline_on }}. If you get a mediation certificate, you can "
            "appeal up to 1 month after the date on the certificate, if that is later.",
        ),
        (
            "p",
            "Before you appeal, you must contact a mediation adviser to talk about mediation. You do not have to "
            "go to mediation, but you will need the certificate the adviser gives you to make your appeal. The "
            "adviser will give you the certificate within 3 working days of you telling them you do not want "
            "mediation, or of the mediation ending.",
        ),
    ]
    if school_only:
        blocks.append(
            (
                "p",
                "You do not need a mediation certificate if you only want to appeal about the school or other "
                "institution named in the plan, or that none is named.",
            )
        )
    blocks += [
        (
            "p",
            "Mediation is free, confidential and run by someone independent of the council. If you choose "
            "mediation, the adviser will tell us and we must arrange for it to take place within 30 days. "
            "{{ coordinator_name }} can give you the mediation adviser’s contact details.",
        ),
        (
            "p",
            "You can also ask for our independent disagreement resolution service, which can help settle a "
            "disagreement without an appeal. Using it does not change the last day to appeal.",
        ),
    ]
    return blocks


_LETTERS: dict[str, list[Block]] = {
    "decision_to_assess": [
        *_head("Decision to carry out an EHC needs assessment"),
        ("t", "{%p if is_reassessment %}"),
        (
            "p",
            "We received the request to assess {{ childs_or_your }} education, health and care needs again "
            "on {{ request_received_on }}. We have decided to carry out a new EHC needs assessment.",
        ),
        ("t", "{%p else %}"),
        (
            "p",
            "We received the request for an education, health and care (EHC) needs assessment for "
            "{{ child_or_you }} on {{ request_received_on }}. We have decided to carry out the assessment.",
        ),
        ("t", "{%p endif %}"),
        ("h", "What happens next"),
        (
            "p",
            "We will ask for advice and information from the people who know {{ child_or_you }}, including "
            "education, health and social care. We will ask for your views, wishes and feelings, and you can "
            "send us any information you would like us to consider.",
        ),
        ("t", "{%p if decision_not_to_issue_due_on %}"),
        (
            "b",
            "If we decide after the assessment that an EHC plan is not needed, we must tell you by "
            "{{ decision_not_to_issue_due_on }}.",
        ),
        ("t", "{%p endif %}"),
        ("t", "{%p if final_plan_due_on %}"),
        (
            "b",
            "If we decide to issue a plan, we will first send you a draft. The final plan is due by {{ final_plan_due_on }}.",
        ),
        ("t", "{%p endif %}"),
        *_CLOSE,
    ],
    "decision_not_to_assess": [
        *_head("Decision not to carry out an EHC needs assessment"),
        ("t", "{%p if is_reassessment %}"),
        (
            "p",
            "We received the request to assess {{ childs_or_your }} education, health and care needs again on "
            "{{ request_received_on }}. We have decided not to carry out a new assessment.",
        ),
        ("t", "{%p else %}"),
        (
            "p",
            "We received the request for an education, health and care (EHC) needs assessment for "
            "{{ child_or_you }} on {{ request_received_on }}. We have decided that an EHC needs assessment is "
            "not necessary.",
        ),
        ("t", "{%p endif %}"),
        ("h", "Why we made this decision"),
        ("p", "{{ reason }}"),
        *_appeal(school_only=False),
        *_CLOSE,
    ],
    "draft_plan": [
        *_head("Draft education, health and care plan"),
        ("p", "We have enclosed the draft EHC plan for {{ child_or_you }}. Please read it carefully."),
        ("h", "What you can do now"),
        ("p", "You have until {{ representations_close_on }} to:"),
        ("b", "tell us what you think of the draft plan, and what you would like changed"),
        ("b", "ask us to name a particular school, college or other institution in the plan"),
        ("b", "ask to meet one of our officers to talk about the draft plan"),
        (
            "p",
            "You can ask for a maintained school or nursery, an academy, a further education college, a sixth "
            "form college or an independent school or college approved for this purpose. Information about the "
            "schools and colleges available is in our local offer.",
        ),
        ("t", "{%p if schools_consulted %}"),
        (
            "p",
            "We have asked these schools or colleges if they can meet the needs in the plan: {{ schools_consulted }}.",
        ),
        ("t", "{%p endif %}"),
        ("p", "You can also ask for a personal budget for some of the provision in the plan."),
        ("h", "What happens next"),
        ("t", "{%p if final_plan_due_on %}"),
        (
            "p",
            "We will consider what you tell us before we finish the plan. The final plan is due by "
            "{{ final_plan_due_on }}.",
        ),
        ("t", "{%p endif %}"),
        *_CLOSE,
    ],
    "final_plan": [
        *_head("Final education, health and care plan"),
        ("p", "We have enclosed the final EHC plan for {{ child_or_you }}."),
        ("t", "{%p if named_settings %}"),
        ("p", "The plan names: {{ named_settings }}."),
        ("t", "{%p endif %}"),
        (
            "p",
            "We must make sure the special educational provision in the plan is made. We have sent a copy of "
            "the plan to the school or other institution named in it and to the health service.",
        ),
        *_appeal(school_only=True),
        (
            "p",
            "You can appeal about the special educational needs and provision in the plan, and the school or "
            "other institution named in it (or that none is named). The tribunal can also make recommendations "
            "about the health and social care parts of the plan.",
        ),
        *_CLOSE,
    ],
    "decision_not_to_issue": [
        *_head("Decision not to issue an education, health and care plan"),
        (
            "p",
            "We have finished the EHC needs assessment of {{ child_or_you }} that was requested on "
            "{{ request_received_on }}. We have decided that it is not necessary to issue an EHC plan.",
        ),
        ("h", "Why we made this decision"),
        ("p", "{{ reason }}"),
        (
            "p",
            "We will send you the information and advice we gathered during the assessment, to help plan the "
            "support that can be given without a plan.",
        ),
        *_appeal(school_only=False),
        *_CLOSE,
    ],
    "review_decision": [
        *_head("Annual review decision"),
        ("t", "{%p if review_meeting_on %}"),
        ("p", "Thank you for taking part in the annual review of the EHC plan on {{ review_meeting_on }}."),
        ("t", "{%p endif %}"),
        ("t", "{%p if decision == 'amend' %}"),
        (
            "p",
            "We have decided to amend the plan. The changes we propose are set out in the notice sent with this letter.",
        ),
        ("t", "{%p if amended_plan_due_on %}"),
        (
            "p",
            "After you have told us what you think of the proposed changes, we will send you the amended plan. "
            "It is due by {{ amended_plan_due_on }}.",
        ),
        ("t", "{%p endif %}"),
        ("t", "{%p else %}"),
        ("p", "We have decided to keep the EHC plan as it is, without changes."),
        *_appeal(school_only=False),
        ("t", "{%p endif %}"),
        *_CLOSE,
    ],
    "amendments_proposed": [
        *_head("Proposed changes to the education, health and care plan"),
        ("t", "{%p if review_meeting_on %}"),
        ("p", "After the annual review meeting on {{ review_meeting_on }}, we propose to change the EHC plan."),
        ("t", "{%p endif %}"),
        (
            "p",
            "We have enclosed a copy of the current plan, a notice of the changes we propose and the evidence "
            "for them.",
        ),
        ("h", "What you can do now"),
        ("p", "You have until {{ representations_close_on }} to:"),
        ("b", "tell us what you think of the proposed changes"),
        ("b", "ask us to name a particular school, college or other institution in the plan"),
        ("b", "ask to meet one of our officers to talk about the changes"),
        ("p", "Information about the schools and colleges available is in our local offer."),
        ("h", "What happens next"),
        ("t", "{%p if amended_plan_due_on %}"),
        (
            "p",
            "We will consider what you tell us. We will send you the amended plan, or tell you if we decide "
            "not to amend it and why, by {{ amended_plan_due_on }}.",
        ),
        ("t", "{%p endif %}"),
        ("p", "When we send you the amended plan we will tell you about your right to appeal."),
        *_CLOSE,
    ],
    "cease_notice": [
        *_head("Notice of our decision to stop maintaining the EHC plan"),
        ("t", "{%p if review_meeting_on %}"),
        (
            "p",
            "After the annual review meeting on {{ review_meeting_on }}, we consulted you about ending the EHC plan.",
        ),
        ("t", "{%p endif %}"),
        (
            "p",
            "On {{ decision_on }} we decided to stop maintaining (cease) the EHC plan for {{ child_or_you }}. "
            "The reasons for our decision are set out with this letter. We have also told the school or other "
            "institution named in the plan and the health service.",
        ),
        (
            "p",
            "We will keep the plan in place until the time to appeal has passed. If you appeal, we will keep it "
            "in place until the appeal is decided.",
        ),
        *_appeal(school_only=False),
        *_CLOSE,
    ],
    "transfer_in_notice": [
        *_head("Education, health and care plan transferred to us"),
        (
            "p",
            "{{ childs_or_your }} EHC plan was transferred to us from {{ previous_authority }} on "
            "{{ transferred_on }}. We will now maintain the plan and make sure the provision in it is made.",
        ),
        ("t", "{%p if named_settings %}"),
        ("p", "The plan names: {{ named_settings }}."),
        ("t", "{%p endif %}"),
        ("t", "{%p if proposes_assessment %}"),
        (
            "p",
            "We propose to carry out a new EHC needs assessment. We will write to you about it and ask for your views.",
        ),
        ("t", "{%p else %}"),
        ("p", "We do not propose to carry out a new EHC needs assessment."),
        ("t", "{%p endif %}"),
        ("h", "When we will review the plan"),
        ("p", "We will review the plan by {{ review_by_on }}. We will invite you to the review meeting."),
        *_CLOSE,
    ],
}


def _document(blocks: list[Block]) -> bytes:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(12)
    props = doc.core_properties
    props.author = props.last_modified_by = "EHC Tracker"
    props.title = ""
    props.created = props.modified = _FIXED_TIME
    props.revision = 1
    for style, text in blocks:
        if style == "b":
            doc.add_paragraph(text, style="List Bullet")
            continue
        paragraph = doc.add_paragraph()
        run = paragraph.add_run(text)
        if style in ("h", "title"):
            run.bold = True
            run.font.size = Pt(16 if style == "title" else 13)
    out = BytesIO()
    doc.save(out)
    return _steady_zip(out.getvalue())


def _steady_zip(data: bytes) -> bytes:
    """The same archive with fixed member times, so that building twice gives the same bytes."""
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, source.read(info.filename))
    return out.getvalue()


def build() -> dict[str, bytes]:
    """Every kind's default template, by file name."""
    if set(_LETTERS) != set(KINDS):  # pragma: no cover - a test keeps them in step
        raise AssertionError(f"Wording and kinds differ: {sorted(set(_LETTERS) ^ set(KINDS))}")
    return {KINDS[key].template_name: _document(blocks) for key, blocks in _LETTERS.items()}


def members(docx: bytes) -> dict[str, bytes]:
    """The contents of a .docx by member name (what "the same template" means, whatever the zip times)."""
    with zipfile.ZipFile(BytesIO(docx)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def out_of_date(directory: Path = TEMPLATES_DIR) -> list[str]:
    """The template files in `directory` that differ from what `build()` makes (or are missing)."""
    stale = []
    for name, data in build().items():
        path = directory / name
        if not path.exists() or members(path.read_bytes()) != members(data):
            stale.append(name)
    return stale


def main(argv: list[str]) -> int:
    if "--check" in argv:
        stale = out_of_date()
        for name in stale:
            print(f"out of date: {name}", file=sys.stderr)
        return 1 if stale else 0
    TEMPLATES_DIR.mkdir(exist_ok=True)
    for name, data in build().items():
        (TEMPLATES_DIR / name).write_bytes(data)
        print(f"wrote {TEMPLATES_DIR / name}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
