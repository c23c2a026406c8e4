"""`flask deadlines`: JSON of every process, the human table, and one-line errors (exit 2)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner, Result

from ehc_tracker.cli.deadlines import deadlines

S = "SEND Regulations 2014"
CFA_S44 = "Children and Families Act 2014 s44(1)"
UNDER_FIVE = f"{CFA_S44}; SEND Code of Practice 9.178 (under 5)"
RESPONSE_SOURCE = "First-tier Tribunal (HESC) Rules 2008 r.21 with r.12(3)(b)"
APPEAL_SOURCE = "First-tier Tribunal (HESC) Rules 2008 r.20(1) with r.12(2)-(3); Children and Families Act 2014 s55"


def run(*args: str) -> Result:
    return CliRunner().invoke(deadlines, list(args))


def run_json(*args: str) -> dict[str, Any]:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def m(key: str, label: str, due: str, source: str) -> dict[str, str]:
    return {"key": key, "label": label, "due": due, "source": source}


JSON_CASES: list[tuple[list[str], list[dict[str, str]]]] = [
    (
        ["assessment", "--from", "2025-01-06"],
        [
            m("decision_to_assess", "Decide whether to assess", "2025-02-17", f"{S} reg 4(1), 5(1)"),
            m("decision_not_to_issue", "Notify decision not to issue a plan", "2025-04-28", f"{S} reg 10(1)"),
            m("final_plan", "Issue final EHC plan", "2025-05-26", f"{S} reg 13(2)"),
        ],
    ),
    (
        ["advice", "--from", "2025-03-10"],
        [m("advice_due", "Receive requested advice", "2025-04-21", f"{S} reg 8(1)")],
    ),
    (
        ["draft-plan", "--from", "2025-03-03"],
        [m("representations_close", "Representations on draft plan close", "2025-03-17", f"{S} reg 13(1)")],
    ),
    (
        ["consultation", "--from", "2025-03-03"],
        [
            m(
                "school_consultation_response",
                "School or college responds to consultation",
                "2025-03-18",  # CoP 9.83: within 15 days
                "Children and Families Act 2014 s39(4); SEND Code of Practice 9.83 (guidance: within 15 days)",
            )
        ],
    ),
    (
        # --from is the day the request was received: the decision within 15 days (reg 25(1)).
        ["reassessment", "--from", "2025-01-06"],
        [m("reassessment_decision", "Decide whether to reassess", "2025-01-21", f"{S} reg 25(1)")],
    ),
    (
        # The final plan within 14 weeks of the family being told (reg 27(2)): 2025-01-20 + 98 days.
        ["reassessment", "--from", "2025-01-06", "--notified", "2025-01-20"],
        [
            m("reassessment_decision", "Decide whether to reassess", "2025-01-21", f"{S} reg 25(1)"),
            m(
                "final_plan_after_reassessment",
                "Issue final EHC plan after reassessment",
                "2025-04-28",
                f"{S} reg 27(2)",
            ),
        ],
    ),
    (
        ["review", "--from", "2024-03-15"],
        [m("review_due", "Review the EHC plan", "2025-03-14", CFA_S44)],  # age not given: CFA only
    ),
    (
        ["review", "--from", "2025-05-31", "--date-of-birth", "2020-06-01"],
        [m("review_due", "Review the EHC plan", "2025-11-30", UNDER_FIVE)],  # aged 4
    ),
    (
        ["review", "--from", "2025-06-01", "--date-of-birth", "2020-06-01"],
        [m("review_due", "Review the EHC plan", "2026-05-31", CFA_S44)],  # five that day
    ),
    (
        ["review", "--from", "2025-05-31", "--date-of-birth", "2020-06-01", "--under-five-months", "3"],
        [m("review_due", "Review the EHC plan", "2025-08-30", UNDER_FIVE)],
    ),
    (
        ["review-meeting", "--from", "2025-06-18"],
        [
            m("invitations_by", "Send review meeting invitations", "2025-06-04", f"{S} reg 20(3), 21(3)"),
            m("advice_circulated_by", "Circulate advice for review meeting", "2025-06-04", f"{S} reg 20(4), 21(4)"),
            m("review_report_due", "Send review meeting report", "2025-07-02", f"{S} reg 20(7), 21(7)"),
            m("review_decision_due", "Notify annual review decision", "2025-07-16", f"{S} reg 20(10), 21(8)"),
            m(
                "amended_plan_due",
                "Issue amended EHC plan after review",
                "2025-09-10",
                f"{S} reg 22(3) with R (L, M & P) v Devon CC [2022] EWHC 493 (Admin)",
            ),
        ],
    ),
    (
        ["amendment", "--from", "2025-03-03"],
        [
            m(
                "amendment_representations_close",
                "Representations on proposed amendments close",
                "2025-03-17",
                f"{S} reg 22(2)",
            ),
            m(
                "amended_plan_from_proposals_due",
                "Issue amended EHC plan after proposals",
                "2025-04-28",
                f"{S} reg 22(3)",
            ),
        ],
    ),
    (
        ["communication", "--from", "2025-12-19"],
        [
            m(
                "response_due",
                "Respond to communication",
                "2025-12-30",
                "Local standard: 5-working-day response to all communications (action 2.1.q)",
            )
        ],
    ),
    (
        ["communication", "--from", "2025-12-19", "--non-working-day", "2025-12-29", "--non-working-day", "2025-12-30"],
        [
            m(
                "response_due",
                "Respond to communication",
                "2026-01-02",
                "Local standard: 5-working-day response to all communications (action 2.1.q)",
            )
        ],
    ),
    (
        ["appeal", "--from", "2025-08-31"],
        [m("appeal_deadline", "Last day to appeal to the Tribunal", "2025-10-31", APPEAL_SOURCE)],  # Friday
    ),
    (
        # Certificate + 1 month = Saturday 2025-11-15 → Monday 2025-11-17 (HESC r.12(2)).
        ["appeal", "--from", "2025-08-31", "--mediation-certificate", "2025-10-15"],
        [m("appeal_deadline", "Last day to appeal to the Tribunal", "2025-11-17", APPEAL_SOURCE)],
    ),
    (
        # 2025-08-15 is in August → the first working day after 31 August (HESC r.12(3)(a)).
        ["appeal", "--from", "2025-06-15"],
        [m("appeal_deadline", "Last day to appeal to the Tribunal", "2025-09-01", APPEAL_SOURCE)],
    ),
    (
        # 2025-12-28 is within 25 December-1 January → Friday 2026-01-02 (HESC r.12(3)(a)).
        ["appeal", "--from", "2025-10-28"],
        [m("appeal_deadline", "Last day to appeal to the Tribunal", "2026-01-02", APPEAL_SOURCE)],
    ),
    (
        ["mediation", "--from", "2025-12-19"],
        [
            m(
                "mediation_certificate_due",
                "Issue mediation certificate",
                "2025-12-24",
                f"{S} reg 34 (no mediation), 39 (after mediation)",
            ),
            m("mediation_held_by", "Hold mediation", "2026-01-18", f"{S} reg 37"),
        ],
    ),
    (
        # A local non-working day never moves a statutory limit (reg 2(1)): still 2025-12-24.
        ["mediation", "--from", "2025-12-19", "--non-working-day", "2025-12-22"],
        [
            m(
                "mediation_certificate_due",
                "Issue mediation certificate",
                "2025-12-24",
                f"{S} reg 34 (no mediation), 39 (after mediation)",
            ),
            m("mediation_held_by", "Hold mediation", "2026-01-18", f"{S} reg 37"),
        ],
    ),
    (
        ["mediation", "--from", "2025-12-19", "--mediation-ended", "2026-01-16"],
        [
            m("mediation_held_by", "Hold mediation", "2026-01-18", f"{S} reg 37"),
            m(
                "mediation_certificate_due",
                "Issue mediation certificate",
                "2026-01-21",
                f"{S} reg 34 (no mediation), 39 (after mediation)",
            ),
        ],
    ),
    (
        ["transfer-in", "--from", "2025-04-10", "--last-reviewed", "2024-06-20"],
        [
            m("transfer_in_notice_due", "Notify family after plan transferred in", "2025-05-22", f"{S} reg 15"),
            m("transfer_in_review_due", "Review transferred-in plan", "2025-07-10", f"{S} reg 15"),
        ],
    ),
    (
        ["transfer-in", "--from", "2025-04-10", "--last-reviewed", "2025-01-15"],
        [
            m("transfer_in_notice_due", "Notify family after plan transferred in", "2025-05-22", f"{S} reg 15"),
            m("transfer_in_review_due", "Review transferred-in plan", "2026-01-14", f"{S} reg 15"),
        ],
    ),
    (
        ["transfer-in", "--from", "2025-02-01", "--last-reviewed", "2025-01-15", "--date-of-birth", "2022-01-01"],
        [
            m("transfer_in_notice_due", "Notify family after plan transferred in", "2025-03-15", f"{S} reg 15"),
            m("transfer_in_review_due", "Review transferred-in plan", "2025-07-14", f"{S} reg 15"),
        ],
    ),
    # Disputes after an appeal: hand-worked in tests/unit/statutory/test_statutory_disputes.py.
    (
        ["tribunal-response", "--from", "2025-12-01"],
        [m("tribunal_response_due", "Send the council's response to the Tribunal", "2026-01-20", RESPONSE_SOURCE)],
    ),
    (
        ["tribunal-response", "--from", "2025-07-01", "--response-date", "2025-08-16"],
        [
            m(
                "tribunal_response_due",
                "Send the council's response to the Tribunal",
                "2025-08-18",
                "First-tier Tribunal (HESC) Rules 2008 r.21 (date set by the Tribunal) with r.12(2)",
            )
        ],
    ),
    (
        ["order", "--from", "2025-08-29", "--kind", "plan"],
        [
            m("order_draft_plan", "Issue draft EHC plan (order to make a plan)", "2025-10-03", f"{S} reg 44(2)(c)(i)"),
            m("order_final_plan", "Issue final EHC plan (order to make a plan)", "2025-11-14", f"{S} reg 44(2)(c)(ii)"),
        ],
    ),
    (
        ["unopposed", "--from", "2025-04-04", "--kind", "amend", "--kind", "school"],
        [
            m(
                "unopposed_school_amended_plan",
                "Issue amended EHC plan (I not opposed)",
                "2025-04-18",
                f"{S} reg 45 (paragraph to verify)",
            ),
            m(
                "unopposed_amended_plan",
                "Issue amended EHC plan (B/F not opposed)",
                "2025-05-09",
                f"{S} reg 45(4) (as substituted by SI 2015/359)",
            ),
        ],
    ),
    (
        ["mediation-agreement", "--from", "2025-12-22", "--kind", "other"],
        [
            m(
                "mediation_agreement_notice_to_council",
                "Commissioning body tells the council of the agreement",
                "2025-12-29",
                f"{S} reg 42(4)",
            ),
            m(
                "mediation_agreement_other_action",
                "Do what the mediation agreement requires (not appealable)",
                "2026-01-05",
                f"{S} reg 42(3)",
            ),
        ],
    ),
]


@pytest.mark.parametrize(
    ("args", "milestones"),
    JSON_CASES,
    ids=lambda v: " ".join(v) if isinstance(v, list) and v and isinstance(v[0], str) else "",
)
def test_json_of_every_process(args: list[str], milestones: list[dict[str, str]]) -> None:
    assert run_json(*args) == {"process": args[0], "from": args[2], "milestones": milestones}


def test_every_process_has_a_json_case() -> None:
    from ehc_tracker.cli.deadlines import PROCESSES

    covered = {args[0] for args, _ in JSON_CASES} | {"phase-transfer"}
    assert covered == set(PROCESSES)


def test_json_key_order() -> None:
    document = run_json("assessment", "--from", "2025-01-06")
    assert list(document) == ["process", "from", "milestones"]
    assert list(document["milestones"][0]) == ["key", "label", "due", "source"]


def test_phase_transfer_json() -> None:
    assert run_json("phase-transfer", "--from", "2025-10-01", "--date-of-birth", "2015-03-14") == {
        "process": "phase-transfer",
        "from": "2025-10-01",
        "transfer": {
            "description": "Year 6 to Year 7 (primary to secondary)",
            "from_year_group": 6,
            "to_year_group": 7,
            "moves_on": "2026-09-01",
        },
        "milestones": [
            m(
                "phase_transfer_due",
                "Review and amend plan for phase transfer",
                "2026-02-14",  # reg 18(1)(b): before 15 February
                f"{S} reg 18(1)(b) (before 15 February)",
            )
        ],
    }


def test_phase_transfer_json_options() -> None:
    post16 = run_json("phase-transfer", "--from", "2025-10-01", "--date-of-birth", "2010-03-01")
    assert post16["transfer"]["to_year_group"] == 12
    assert post16["milestones"] == [
        m(
            "phase_transfer_due",
            "Review and amend plan for move to post-16",
            "2026-03-30",  # reg 18(1)(a): before 31 March
            f"{S} reg 18(1)(a) (before 31 March)",
        )
    ]
    override = run_json("phase-transfer", "--from", "2025-10-01", "--date-of-birth", "2015-03-14", "--year-group", "5")
    assert override["transfer"]["moves_on"] == "2027-09-01"
    assert override["milestones"][0]["due"] == "2027-02-14"
    infant = run_json("phase-transfer", "--from", "2025-10-01", "--date-of-birth", "2019-05-05", "--infant-school")
    assert infant["transfer"]["description"] == "Year 2 to Year 3 (infant to junior)"
    middle = run_json(
        "phase-transfer",
        "--from",
        "2025-10-01",
        "--date-of-birth",
        "2017-05-05",
        "--middle-school-transfer",
        "5",
        "--middle-school-transfer",
        "9",
    )
    assert middle["transfer"]["description"] == "Year 4 to Year 5 (primary to middle)"


def test_phase_transfer_json_when_none_is_left() -> None:
    assert run_json("phase-transfer", "--from", "2025-10-01", "--date-of-birth", "2008-03-01") == {
        "process": "phase-transfer",
        "from": "2025-10-01",
        "transfer": None,
        "milestones": [],
    }


def test_settings_options() -> None:
    document = run_json(
        "review-meeting", "--from", "2025-06-18", "--review-decision-weeks", "6", "--amended-plan-weeks", "14"
    )
    dues = {row["key"]: row["due"] for row in document["milestones"]}
    assert dues["review_decision_due"] == "2025-07-30"
    assert dues["amended_plan_due"] == "2025-09-24"


def test_human_table() -> None:
    result = run("assessment", "--from", "2025-01-06")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "EHC needs assessment from request received on 2025-01-06 (Monday)"
    assert lines[1] == ""
    assert lines[2].split() == ["Milestone", "Key", "Due", "Weekday", "Source"]
    assert set(lines[3].replace(" ", "")) == {"-"}
    assert lines[4].split("  ")[0] == "Decide whether to assess"
    rows = [line.split() for line in lines[4:]]
    assert [r[r.index("Mon") - 2 : r.index("Mon") + 1] for r in rows] == [
        ["decision_to_assess", "2025-02-17", "Mon"],
        ["decision_not_to_issue", "2025-04-28", "Mon"],
        ["final_plan", "2025-05-26", "Mon"],
    ]
    assert lines[-1].endswith("SEND Regulations 2014 reg 13(2)")
    # Columns line up: every "Due" value starts under the heading.
    column = lines[2].index("Due")
    assert all(line[column : column + 10] in {"2025-02-17", "2025-04-28", "2025-05-26"} for line in lines[4:])


def test_human_table_weekday_and_working_days() -> None:
    result = run("communication", "--from", "2025-12-19")
    assert result.stdout.splitlines()[0] == "Communication from communication received on 2025-12-19 (Friday)"
    row = result.stdout.splitlines()[-1]
    assert "response_due" in row and "2025-12-30  Tue" in row


def test_human_phase_transfer() -> None:
    result = run("phase-transfer", "--from", "2025-10-01", "--date-of-birth", "2015-03-14")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Next phase transfer as at 2025-10-01 (Wednesday)"
    assert lines[1] == ("Next transfer: Year 6 to Year 7 (primary to secondary), moving on 2026-09-01 (Tuesday)")
    assert "phase_transfer_due" in lines[-1] and "2026-02-14  Sat" in lines[-1]


def test_human_phase_transfer_none_left() -> None:
    result = run("phase-transfer", "--from", "2025-10-01", "--date-of-birth", "2008-03-01")
    assert result.exit_code == 0
    assert "No phase transfer left" in result.stdout


def test_help_describes_every_process() -> None:
    from ehc_tracker.cli.deadlines import PROCESSES

    result = run("--help")
    assert result.exit_code == 0
    described = {line.split()[0] for line in result.stdout.splitlines() if line.startswith("    ") and line.split()}
    assert set(PROCESSES) <= described
    assert "request for an EHC needs assessment received" in result.stdout


def test_help_explains_reassessment_appeal_and_working_days() -> None:
    result = run("--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())  # click rewraps the prose paragraphs
    assert "reassessment request for a reassessment received (--notified DATE: the day the family was told" in text
    assert "the council will reassess" in text
    assert "--notified DATE" in text
    assert "an end on a non-working day, 25 Dec-1 Jan or in August runs on (Tribunal Rules r.12)" in text
    assert "Statutory working days skip weekends and England & Wales bank holidays" in text
    assert "count only for the local 5-working-day response (communication), never for a statutory limit" in text
    assert "family notified of a reassessment" not in text


BAD_INPUT = [
    (["bogus", "--from", "2025-01-06"], "'bogus' is not one of"),
    (["assessment", "--from", "2025-02-30"], "'2025-02-30' is not a real date"),
    (["assessment", "--from", "06/01/2025"], "not a date in the form YYYY-MM-DD"),
    (["assessment", "--from", "20250106"], "not a date in the form YYYY-MM-DD"),
    (["assessment"], "Missing option '--from'"),
    ([], "Missing argument 'PROCESS'"),
    (["assessment", "--from"], "'--from' requires an argument"),
    (["assessment", "--from", "2025-01-06", "--colour"], "No such option"),
    (["phase-transfer", "--from", "2025-10-01"], "phase-transfer needs --date-of-birth"),
    (["transfer-in", "--from", "2025-04-10"], "transfer-in needs --last-reviewed"),
    (
        ["assessment", "--from", "2025-01-06", "--last-reviewed", "2024-01-01"],
        "--last-reviewed does not apply to assessment",
    ),
    (["review", "--from", "2025-01-06", "--review-decision-weeks", "0"], "review_decision_weeks must be"),
    (["review", "--from", "2025-01-06", "--under-five-months", "x"], "'x' is not a valid integer"),
    (["review", "--from", "2019-01-01", "--date-of-birth", "2020-01-01"], "before the date of birth"),
    (["transfer-in", "--from", "2025-04-10", "--last-reviewed", "2025-05-01"], "before the last review"),
    (["appeal", "--from", "2025-08-31", "--mediation-certificate", "2025-08-01"], "before the decision letter"),
    (["reassessment", "--from", "2025-01-06", "--notified", "2025-01-05"], "before the request"),
    (["assessment", "--from", "2025-01-06", "--notified", "2025-01-20"], "--notified does not apply to assessment"),
    (["reassessment", "--from", "2025-01-06", "--notified", "2025-02-30"], "'2025-02-30' is not a real date"),
    (["phase-transfer", "--from", "2025-10-01", "--date-of-birth", "2026-01-01"], "before the date of birth"),
    (["communication", "--from", "2025-12-19", "--non-working-day", "2025-13-01"], "'2025-13-01' is not a real date"),
    (["appeal", "--from", "2025-01-06", "--kind", "plan"], "--kind does not apply to appeal"),
    (["order", "--from", "2025-01-06", "--kind", "other"], "'other' is not one of: cease, assessment"),
    (["unopposed", "--from", "2025-01-06", "--kind", "cease"], "'cease' is not one of: assessment"),
    (["order", "--from", "2025-01-06", "--kind", "bogus"], "'bogus' is not one of"),
    (["order", "--from", "2025-01-06", "--response-date", "2025-02-01"], "--response-date does not apply to order"),
    (["tribunal-response", "--from", "2025-07-01", "--response-date", "2025-06-30"], "before the appeal sent"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUT, ids=[" ".join(a) or "(nothing)" for a, _ in BAD_INPUT])
def test_bad_input_is_one_line_on_stderr_with_status_2(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert message in lines[0]


def test_module_does_not_import_flask_at_top_level() -> None:
    import ast
    from pathlib import Path

    import ehc_tracker.cli.deadlines as module

    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    top_level = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    names = [a.name for n in top_level if isinstance(n, ast.Import) for a in n.names]
    names += [n.module or "" for n in top_level if isinstance(n, ast.ImportFrom)]
    assert not any(name == "flask" or name.startswith("flask.") for name in names)


def test_without_an_app_context_the_england_calendar_is_used() -> None:
    from ehc_tracker.cli.deadlines import _calendar
    from ehc_tracker.statutory import ENGLAND_CALENDAR

    assert _calendar() is ENGLAND_CALENDAR


def test_inside_the_app_the_councils_calendar_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types
    from datetime import date

    from flask import Flask

    from ehc_tracker.statutory import WorkingDayCalendar

    fake = types.ModuleType("ehc_tracker.services.calendar")
    fake.working_day_calendar = lambda: WorkingDayCalendar([date(2025, 12, 29)])  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ehc_tracker.services.calendar", fake)
    with Flask("deadlines-test").app_context():
        local = run_json("communication", "--from", "2025-12-19")
        both = run_json("communication", "--from", "2025-12-19", "--non-working-day", "2025-12-31")
    assert local["milestones"][0]["due"] == "2025-12-31"
    assert both["milestones"][0]["due"] == "2026-01-02"


def test_inside_an_app_whose_database_is_not_migrated(monkeypatch: pytest.MonkeyPatch) -> None:
    """No database: the council's calendar raises as an unmigrated one would, and the session is faked."""
    import sys
    import types

    import sqlalchemy.exc
    from flask import Flask

    import ehc_tracker.extensions as extensions

    def no_table() -> None:
        raise sqlalchemy.exc.OperationalError("SELECT", {}, Exception("no such table: non_working_day"))

    rolled_back: list[bool] = []
    fake_db = types.SimpleNamespace(session=types.SimpleNamespace(rollback=lambda: rolled_back.append(True)))
    fake = types.ModuleType("ehc_tracker.services.calendar")
    fake.working_day_calendar = no_table  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ehc_tracker.services.calendar", fake)
    monkeypatch.setattr(extensions, "db", fake_db)
    with Flask("deadlines-test").app_context():
        result = run("communication", "--from", "2025-12-19", "--json")
    assert result.exit_code == 0, result.output
    # Bank holidays only: 22, 23, 24, 29 and 30 December.
    assert json.loads(result.stdout)["milestones"][0]["due"] == "2025-12-30"
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Note: the database is not set up (run 'flask db upgrade')")
    assert rolled_back == [True]


def test_order_without_kind_lists_every_limb_in_due_order() -> None:
    document = run_json("order", "--from", "2025-08-29")
    assert [(m["key"], m["due"]) for m in document["milestones"]] == [
        ("order_cease_plan", "2025-08-29"),
        ("order_continue_plan", "2025-08-29"),
        ("order_assessment_notice", "2025-09-12"),
        ("order_school_amended_plan", "2025-09-12"),
        ("order_draft_plan", "2025-10-03"),
        ("order_amended_plan", "2025-10-03"),
        ("order_assessment_no_plan", "2025-11-07"),
        ("order_final_plan", "2025-11-14"),
        ("order_assessment_final_plan", "2025-12-05"),
    ]


def test_dispute_table_and_help() -> None:
    result = run("order", "--from", "2025-12-11", "--kind", "school")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "Tribunal order from order made on 2025-12-11 (Thursday)"
    assert "order_school_amended_plan  2025-12-25  Thu" in result.stdout  # calendar weeks: Christmas Day stays
    text = " ".join(run("--help").stdout.split())
    assert "tribunal-response tribunal sent the appeal to the council: the response is due 30 working days" in text
    assert "25 Dec-1 Jan and August not counted (--response-date DATE" in text
    assert "order tribunal order made (reg 44); --kind picks what it orders" in text
    assert "calendar weeks, never moved off a weekend or holiday" in text
