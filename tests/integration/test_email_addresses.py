"""Issue 23: one crafted email address must not get in anywhere.

Every place an address comes in (family invitations, staff accounts, children's contacts, the
API's schema kind, ESCALATION_EMAILS) uses `services.email_addresses`, and refuses with the
same clear words: exactly one plain address, no line breaks or hidden characters, no lists and
no display names. The web forms keep what was typed.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from config import ConfigurationError
from ehc_tracker.alerts.digests import AlertSettings
from ehc_tracker.api.schemas import ApiError, Field, read_body
from ehc_tracker.extensions import db
from ehc_tracker.models import OutboxMessage, User
from ehc_tracker.models.family import FamilyInvitation, FamilyRelationship
from ehc_tracker.services import ServiceError
from ehc_tracker.services import children as child_service
from ehc_tracker.services import family as family_service
from ehc_tracker.services.clock import now, today
from ehc_tracker.services.email_addresses import (
    InvalidEmailAddress,
    configured_email_addresses,
    email_address_problem,
    valid_email_address,
)
from ehc_tracker.services.users import create_user as service_create_user
from tests.factories_cases import create_assessment
from tests.helpers import PASSWORD

# (address, words the refusal must contain)
HOSTILE = [
    ("parent@example.org\r\nBcc: everyone@example.org", "line breaks"),
    ("parent@example.org\n", "line breaks"),
    ("parent@example.org\rX-Header: 1", "line breaks"),
    ("parent@exa\x00mple.org", "line breaks"),
    ("par\u200bent@example.org", "hidden characters"),  # a zero-width space
    ("parent@example.org\u202e", "hidden characters"),  # a right-to-left override
    ("parent@example.org\u2028", "hidden characters"),  # a Unicode line separator
    ("a@example.org, c@example.org", "one email address only"),
    ("a@example.org;c@example.org", "one email address only"),
    ("a@example.org c@example.org", "one email address only"),
    ("<x@evil.example> y@ok.example", "one email address only"),
    ("Pat Parent <pat@example.org>", "without a name"),
    ("<pat@example.org>", "without a name"),
    ('"pat parent"@example.org', "without a name"),
    ("pat@[192.0.2.1]", "without a name"),
    ("pat@example.org (Pat)", "without a name"),
    ("not an email", "correct format"),
    ("pat@localhost", "correct format"),
    ("josé@example.org", "correct format"),  # would need SMTPUTF8 from every server on the way
    ("p" * 250 + "@example.org", "254 characters or fewer"),
    ("", "Enter an email address"),
]


@pytest.mark.parametrize(("address", "words"), HOSTILE)
def test_the_one_check_refuses_anything_but_one_plain_address(address, words):
    problem = email_address_problem(address)
    assert problem is not None and words in problem, problem
    with pytest.raises(InvalidEmailAddress) as refused:
        valid_email_address(address)
    assert refused.value.field == "email" and isinstance(refused.value, ServiceError)


def test_the_one_check_normalises_a_good_address():
    assert valid_email_address("  Pat.O'Brien@Example.ORG ") == "pat.o'brien@example.org"
    assert valid_email_address("pat+school@example.org") == "pat+school@example.org"
    assert valid_email_address("pat@bücher.example") == "pat@xn--bcher-kva.example"  # kept in its ASCII form
    assert email_address_problem("x", example="name@council.gov.uk") == (
        "Enter an email address in the correct format, like name@council.gov.uk"
    )


# --- Family invitations ----------------------------------------------------------------------


@pytest.mark.parametrize(("address", "words"), HOSTILE[:12])
def test_an_invitation_to_a_crafted_address_is_refused_and_nothing_is_queued(app, address, words):
    case = create_assessment()
    with pytest.raises(ServiceError) as refused:
        family_service.invite(
            case,
            name="Pat Parent",
            email=address,
            relationship=FamilyRelationship.PARENT,
            actor=case.coordinator,
            now=now(),
            today=today(),
        )
    assert refused.value.field == "email" and words in refused.value.message
    db.session.rollback()
    assert db.session.scalar(select(func.count(FamilyInvitation.id))) == 0


def _invitation(email: str) -> dict[str, str]:
    return {"name": "Pat Parent", "email": email, "relationship": "parent"}


def test_the_invitation_form_refuses_a_list_or_a_display_name_and_keeps_the_typing(client, auth):
    case = create_assessment()
    db.session.commit()
    auth.login(case.coordinator)
    for typed, words in (
        ("<x@evil.example> y@ok.example", "Enter one email address only"),
        ("a@example.org, c@example.org", "Enter one email address only"),
        ("Pat <pat@example.org>", "without a name"),
        ("pat@example.org\r\nBcc: x@evil.example", "line breaks"),
    ):
        response = client.post(f"/cases/{case.id}/family", data=_invitation(typed))
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and words in html, typed
        assert 'value="Pat Parent"' in html
    response = client.post(f"/cases/{case.id}/family", data=_invitation("<x@evil.example> y@ok.example"))
    html = response.get_data(as_text=True)
    assert 'value="&lt;x@evil.example&gt; y@ok.example"' in html  # what was typed is kept, escaped
    assert html.count("Enter one email address only") >= 1
    assert db.session.scalar(select(func.count(FamilyInvitation.id))) == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0

    ok = client.post(f"/cases/{case.id}/family", data=_invitation(" Pat@Example.ORG "))
    assert ok.status_code == 302
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.to_address == "pat@example.org"


# --- Staff accounts --------------------------------------------------------------------------


def test_a_staff_account_needs_one_plain_address(app):
    for address, words in (
        ("a@council.example, b@council.example", "one email address only"),
        ("<x@evil.example> y@council.example", "one email address only"),
        ("pat@council.example\r\nBcc: x@evil.example", "line breaks"),
    ):
        with pytest.raises(ServiceError) as refused:
            service_create_user(email=address, name="Pat", role="coordinator", password=PASSWORD, actor=None)
        assert refused.value.field == "email" and words in refused.value.message
    db.session.rollback()
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_the_new_account_form_refuses_a_list_and_keeps_the_typing(client, auth):
    auth.login(role="admin")
    typed = "a@council.example, b@council.example"
    data = {"name": "Pat Coordinator", "email": typed, "role": "coordinator", "password": "temporary password 1"}
    response = client.post("/admin/users/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter one email address only" in html and f'value="{typed}"' in html and 'value="Pat Coordinator"' in html
    data = {"name": "Pat", "email": "pat@x\r\n.example", "role": "coordinator", "password": "x"}
    html = client.post("/admin/users/new", data=data).get_data(as_text=True)
    assert "must not contain line breaks" in html
    assert db.session.scalar(select(func.count(User.id)).where(User.name.like("Pat%"))) == 0


def test_create_admin_refuses_a_crafted_address(runner):
    result = runner.invoke(
        args=["create-admin", "--email", "<x@evil.example> head@council.example", "--name", "Head", "--password-stdin"],
        input="a long enough admin password\n",
    )
    assert result.exit_code != 0 and "Enter one email address only" in result.output


# --- Children's contacts ---------------------------------------------------------------------


def test_a_contact_address_is_checked_the_same_way(app):
    case = create_assessment()
    child = case.child

    def add(email: str) -> object:
        data = child_service.ContactData(name="Pat Parent", relationship_to_child="Mother", email=email)
        return child_service.add_contact(child, data=data, actor=case.coordinator)

    with pytest.raises(ServiceError) as refused:
        add("pat@example.org\nBcc: x@evil.example")
    assert refused.value.field == "email" and "line breaks" in refused.value.message
    with pytest.raises(ServiceError, match="one email address only"):
        add("a@x.org,b@y.org")
    assert add(" P@Example.org ").email == "p@example.org"
    assert add("  ").email is None


def test_the_contact_form_refuses_a_display_name_and_keeps_the_typing(client, auth):
    case = create_assessment()
    db.session.commit()
    auth.login(case.coordinator)
    typed = "Pat <pat@example.org>"
    response = client.post(
        f"/children/{case.child_id}/contacts/new",
        data={"name": "Pat Parent", "relationship_to_child": "Mother", "email": typed},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "without a name" in html
    assert 'value="Pat &lt;pat@example.org&gt;"' in html and 'value="Pat Parent"' in html


# --- The API's schemas -----------------------------------------------------------------------


def test_the_api_schema_kind_email_uses_the_same_check():
    fields = [Field("email", "email", "The person's email address.", required=True)]
    assert read_body(fields, {"email": " Pat@Example.org "}) == {"email": "pat@example.org"}
    for hostile, words in (
        ("pat@example.org\r\nBcc: x@evil.example", "line breaks"),
        ("<x@evil.example> y@ok.example", "one email address only"),
        ("Pat <pat@example.org>", "without a name"),
        (42, "as text"),
    ):
        with pytest.raises(ApiError) as refused:
            read_body(fields, {"email": hostile})
        assert refused.value.status == 422 and words in refused.value.fields["email"]
    schema = fields[0].json_schema()
    assert schema["format"] == "email" and schema["maxLength"] == 254


# --- ESCALATION_EMAILS -----------------------------------------------------------------------


def test_the_app_refuses_to_start_with_a_crafted_escalation_address():
    from ehc_tracker import create_app

    for value in (
        "head@council.example\r\nBcc: x@evil.example",
        "Head <head@council.example>",
        "a@council.example b@council.example",
    ):
        with pytest.raises(ConfigurationError, match="ESCALATION_EMAILS has an address that cannot be used"):
            create_app({"ESCALATION_EMAILS": value})
    assert create_app({"ESCALATION_EMAILS": "Head@Council.example,\n  deputy@council.example"}) is not None
    assert configured_email_addresses("ESCALATION_EMAILS", "Head@Council.example,\n deputy@council.example, ,") == (
        "head@council.example",
        "deputy@council.example",
    )


def test_a_bad_escalation_address_set_later_is_left_out_not_sent_to(caplog):
    with caplog.at_level(logging.ERROR):
        value = ["head@council.example", "x@council.example\nBcc: y@evil.example"]
        settings = AlertSettings.from_config({"ESCALATION_EMAILS": value})
    assert settings.escalation_emails == ("head@council.example",)
    assert "left out" in caplog.text
