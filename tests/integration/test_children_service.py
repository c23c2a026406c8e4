"""The children service: validation, duplicates, search, year groups, access, contacts, audit."""

from datetime import date

import pytest
from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent
from ehc_tracker.models.child import Child, ContactMethod, Ethnicity, SenNeed, Sex
from ehc_tracker.services import Forbidden, ServiceError
from ehc_tracker.services import children as service
from ehc_tracker.services.children import ChildData, ContactData, PossibleDuplicates
from tests.factories_children import create_child, create_contact
from tests.helpers import create_team, create_user

TODAY = date(2026, 1, 10)  # in the school year that began in September 2025


def _data(**kw):
    values = {"first_name": "Sam", "last_name": "Jones", "date_of_birth": date(2015, 3, 14)}
    values.update(kw)
    return ChildData(**values)


def _audit(action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


@pytest.fixture
def team(app):
    return create_team(name="North")


@pytest.fixture
def coordinator(team):
    return create_user(role="coordinator", teams=[team])


# --- UPN, ULN, postcode ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("B801200005001", "B801200005001"),  # the example in the Government Data Standards Catalogue
        (" b801 2000 05001 ", "B801200005001"),  # spaces removed, upper case
        ("M80120000500A", "M80120000500A"),  # temporary UPN: final letter A counts as 0
        ("D93812345678Z", "D93812345678Z"),  # temporary UPN: final letter Z counts as 22
        ("A000000000000", "A000000000000"),
    ],
)
def test_valid_upns(typed, stored):
    assert service.validate_upn(typed) == stored


@pytest.mark.parametrize(
    "typed, message",
    [
        ("B80120000500", "13 characters"),  # 12 characters
        ("B8012000050012", "13 characters"),
        ("A801200005001", "check letter"),  # right shape, wrong check letter
        ("C801200005001", "check letter"),
        ("N80120000500A", "check letter"),  # temporary UPN with the wrong check letter
        ("X80120000A001", "correct format"),  # a letter among the digits
        ("I801200005001", "correct format"),  # I, O and S are never check letters
        ("O801200005001", "correct format"),
        ("S801200005001", "correct format"),
        ("M80120000500S", "correct format"),  # ... nor the final letter of a temporary UPN
        ("1801200005001", "correct format"),
        ("B80120000500-", "correct format"),
    ],
)
def test_invalid_upns(typed, message):
    with pytest.raises(ServiceError, match=message) as error:
        service.validate_upn(typed)
    assert error.value.field == "upn"


def test_upn_check_letter_is_the_weighted_sum_modulo_23():
    # 8x2 + 0x3 + 1x4 + 2x5 + 0 + 0 + 0 + 0 + 5x10 + 0x11 + 0x12 + 1x13 = 93; 93 mod 23 = 1 -> B
    assert service.upn_check_letter("801200005001") == "B"
    # ... + A(0)x13 = 80; 80 mod 23 = 11 -> M (the 12th letter of A-Z without I, O, S)
    assert service.upn_check_letter("80120000500A") == "M"


@pytest.mark.parametrize(
    "typed, stored", [("1234567899", "1234567899"), ("12345 67899", "1234567899"), ("1000000000", "1000000000")]
)
def test_valid_ulns(typed, stored):
    # 1234567899: 1x10+2x9+3x8+4x7+5x6+6x5+7x4+8x3+9x2 = 210; 210 mod 11 = 1; 10 - 1 = 9
    # 1000000000: 1x10 = 10; 10 mod 11 = 10; 10 - 10 = 0
    assert service.validate_uln(typed) == stored


@pytest.mark.parametrize(
    "typed, message",
    [
        ("1234567890", "check digit"),  # should end in 9
        ("9876543210", "check digit"),  # sum 330 is divisible by 11: no valid check digit exists
        ("9999999999", "check digit"),  # the ILR placeholder is not a ULN
        ("0123456789", "10 numbers"),  # never starts with 0
        ("123456789", "10 numbers"),
        ("12345678AB", "10 numbers"),
    ],
)
def test_invalid_ulns(typed, message):
    with pytest.raises(ServiceError, match=message) as error:
        service.validate_uln(typed)
    assert error.value.field == "uln"


@pytest.mark.parametrize(
    "typed, stored", [("sw1a1aa", "SW1A 1AA"), (" m1   1ae ", "M1 1AE"), ("B338TH", "B33 8TH"), ("CR2 6XH", "CR2 6XH")]
)
def test_postcodes_are_normalised(typed, stored):
    assert service.normalise_postcode(typed) == stored


@pytest.mark.parametrize("typed", ["12345", "SW1A 1A", "SW1A1AAA", "not a postcode"])
def test_invalid_postcodes(typed):
    with pytest.raises(ServiceError) as error:
        service.normalise_postcode(typed)
    assert error.value.field == "postcode"


# --- Creating and changing a record -------------------------------------------------------------


def test_create_child_stores_clean_values_and_audits_them(team, coordinator):
    child = service.create_child(
        data=_data(
            first_name="  Sam ",
            upn="b801200005001",
            uln="1234567899",
            sex=Sex.FEMALE,
            ethnicity=Ethnicity.WBRI,
            postcode="sw1a1aa",
            primary_need=SenNeed.ASD,
            secondary_need=SenNeed.SLCN,
            setting_name="Hill Primary",
            setting_urn="100000",
            looked_after=True,
        ),
        team=team,
        actor=coordinator,
        today=TODAY,
    )
    db.session.commit()
    child = db.session.get(Child, child.id)
    assert (child.first_name, child.upn, child.postcode, child.team_id) == ("Sam", "B801200005001", "SW1A 1AA", team.id)
    assert child.sex is Sex.FEMALE and child.primary_need is SenNeed.ASD and child.looked_after is True
    assert child.created_at.tzinfo is not None and child.updated_at is not None
    [entry] = _audit("child_created")
    assert entry.object_type == "child" and entry.object_id == str(child.id) and entry.actor_id == coordinator.id
    assert entry.details["upn"] == {"old": None, "new": "B801200005001"}
    assert entry.details["date_of_birth"] == {"old": None, "new": "2015-03-14"}
    assert entry.details["primary_need"] == {"old": None, "new": "ASD"}
    assert "Sam" not in entry.summary  # the summary names the record, not the child


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"first_name": "  "}, "first_name", "Enter the child's first name"),
        ({"last_name": ""}, "last_name", "Enter the child's last name"),
        ({"date_of_birth": date(2026, 1, 11)}, "date_of_birth", "today or in the past"),
        ({"date_of_birth": date(2000, 1, 10)}, "date_of_birth", "ages 0 to 25"),  # 26 today
        ({"upn": "A801200005001"}, "upn", "check letter"),
        ({"uln": "1234567890"}, "uln", "check digit"),
        ({"postcode": "nowhere"}, "postcode", "real postcode"),
        (
            {"primary_need": SenNeed.ASD, "secondary_need": SenNeed.ASD},
            "secondary_need",
            "different from the primary need",
        ),
        ({"secondary_need": SenNeed.ASD}, "primary_need", "primary need before a secondary need"),
        ({"setting_urn": "12345"}, "setting_urn", "6 numbers"),
        ({"setting_ukprn": "1234567"}, "setting_ukprn", "8 numbers"),
        ({"year_group_override": 14}, "year_group_override", "Reception to Year 13"),
    ],
)
def test_create_child_refuses_bad_values(team, coordinator, changes, field, message):
    with pytest.raises(ServiceError, match=message) as error:
        service.create_child(data=_data(**changes), team=team, actor=coordinator, today=TODAY)
    assert error.value.field == field
    assert db.session.scalars(select(Child)).all() == []


def test_date_of_birth_limits(team, coordinator):
    assert service.create_child(data=_data(date_of_birth=TODAY), team=team, actor=coordinator, today=TODAY)
    oldest = service.create_child(
        data=_data(last_name="Older", date_of_birth=date(2000, 1, 11)), team=team, actor=coordinator, today=TODAY
    )
    assert service.age_on(oldest.date_of_birth, TODAY) == 25


def test_only_coordinators_and_managers_add_children_to_their_own_teams(team):
    other = create_team(name="South")
    coordinator = create_user(role="coordinator", teams=[team])
    with pytest.raises(Forbidden):
        service.create_child(data=_data(), team=other, actor=coordinator, today=TODAY)
    for role in ("admin", "viewer"):
        with pytest.raises(Forbidden):
            service.create_child(data=_data(), team=team, actor=create_user(role=role, teams=[team]), today=TODAY)
    manager = create_user(role="manager", teams=[team])
    assert service.create_child(data=_data(), team=team, actor=manager, today=TODAY).team_id == team.id


def test_update_child_audits_old_and_new_values_of_what_changed(team, coordinator):
    child = create_child(team=team, first_name="Sam", last_name="Jones", date_of_birth=date(2015, 3, 14))
    changed = service.update_child(
        child,
        data=_data(last_name="Smith", upn="B801200005001", primary_need=SenNeed.MLD),
        actor=coordinator,
        today=TODAY,
    )
    db.session.commit()
    assert set(changed) == {"last_name", "upn", "primary_need"}
    [entry] = _audit("child_updated")
    assert entry.object_id == str(child.id)
    assert entry.details == {
        "last_name": {"old": "Jones", "new": "Smith"},
        "upn": {"old": None, "new": "B801200005001"},
        "primary_need": {"old": None, "new": "MLD"},
    }
    # Saving the same values changes nothing and writes nothing.
    assert (
        service.update_child(
            child,
            data=_data(last_name="Smith", upn="B801200005001", primary_need=SenNeed.MLD),
            actor=coordinator,
            today=TODAY,
        )
        == {}
    )
    assert len(_audit("child_updated")) == 1


def test_update_child_of_another_team_is_refused(team):
    child = create_child(team=create_team(name="South"))
    with pytest.raises(Forbidden):
        service.update_child(child, data=_data(), actor=create_user(role="manager", teams=[team]), today=TODAY)


# --- Duplicates --------------------------------------------------------------------------------


def _children(found):
    return [duplicate.child for duplicate in found]


def test_same_name_and_date_of_birth_is_a_possible_duplicate(team, coordinator):
    existing = create_child(team=team, first_name="Sam", last_name="Jones", date_of_birth=date(2015, 3, 14))
    [found] = service.find_possible_duplicates(" sam ", "JONES", date(2015, 3, 14), None)
    assert found.child == existing and found.reason == "The same name and date of birth"
    assert service.find_possible_duplicates("Sam", "Jones", date(2015, 3, 15), None) == []
    assert service.find_possible_duplicates("Sara", "Jones", date(2015, 3, 14), None) == []
    with pytest.raises(PossibleDuplicates) as refused:
        service.create_child(data=_data(first_name="SAM"), team=team, actor=coordinator, today=TODAY)
    assert refused.value.matches == [existing]
    assert db.session.scalars(select(Child.id)).all() == [existing.id]


def test_same_upn_is_a_possible_duplicate_whatever_the_name(team, coordinator):
    existing = create_child(team=team, upn="B801200005001")
    [found] = service.find_possible_duplicates("Other", "Person", date(2010, 1, 1), "b801 2000 05001")
    assert found.child == existing and found.reason == "The same UPN"
    with pytest.raises(PossibleDuplicates):
        service.create_child(data=_data(upn="B801200005001"), team=team, actor=coordinator, today=TODAY)


def test_duplicates_are_found_in_every_team(team, coordinator):
    elsewhere = create_child(
        team=create_team(name="South"), first_name="Sam", last_name="Jones", date_of_birth=date(2015, 3, 14)
    )
    with pytest.raises(PossibleDuplicates) as refused:
        service.create_child(data=_data(), team=team, actor=coordinator, today=TODAY)
    assert refused.value.matches == [elsewhere]


def test_confirming_a_different_child_creates_it_and_notes_the_matches(team, coordinator):
    existing = create_child(team=team, first_name="Sam", last_name="Jones", date_of_birth=date(2015, 3, 14))
    child = service.create_child(data=_data(), team=team, actor=coordinator, today=TODAY, allow_duplicate=True)
    db.session.commit()
    assert child.id != existing.id
    [entry] = _audit("child_created")
    assert entry.details["possible_duplicates_confirmed_different"] == [existing.id]


# --- Search ------------------------------------------------------------------------------------


@pytest.fixture
def pupils(team):
    return {
        "amy": create_child(
            team=team, first_name="Amy", last_name="Brown", date_of_birth=date(2014, 5, 1), upn="B801200005001"
        ),
        "ben": create_child(team=team, first_name="Ben", last_name="Amyson", date_of_birth=date(2016, 2, 2)),
        "cara": create_child(team=team, first_name="Cara", last_name="Smith", date_of_birth=date(2014, 5, 1)),
        "other": create_child(
            team=create_team(name="South"), first_name="Amy", last_name="Brown", date_of_birth=date(2014, 5, 1)
        ),
    }


def _ids(page):
    return [c.id for c in page.items]


def test_search_by_partial_name_in_either_name_ignoring_case(coordinator, pupils):
    # The whole word first (Amy Brown), then the start of a word (Ben Amyson).
    assert _ids(service.search_children(user=coordinator, q="AMY")) == [pupils["amy"].id, pupils["ben"].id]
    assert _ids(service.search_children(user=coordinator, q="mit")) == [pupils["cara"].id]
    assert _ids(service.search_children(user=coordinator, q="amy brown")) == [pupils["amy"].id]
    assert _ids(service.search_children(user=coordinator, q="%")) == []  # wildcards are literal


def test_search_by_upn_is_exact(coordinator, pupils):
    assert _ids(service.search_children(user=coordinator, q="b801200005001")) == [pupils["amy"].id]
    assert _ids(service.search_children(user=coordinator, q="B80120000500")) == []


def test_search_by_date_of_birth_alone_and_with_a_name(coordinator, pupils):
    assert _ids(service.search_children(user=coordinator, date_of_birth=date(2014, 5, 1))) == [
        pupils["amy"].id,
        pupils["cara"].id,
    ]
    assert _ids(service.search_children(user=coordinator, q="cara", date_of_birth=date(2014, 5, 1))) == [
        pupils["cara"].id
    ]
    assert _ids(service.search_children(user=coordinator, q="cara", date_of_birth=date(2014, 5, 2))) == []


def test_search_sorts_and_pages(coordinator, pupils):
    by_dob = service.search_children(user=coordinator, sort="-dob")
    assert _ids(by_dob)[0] == pupils["ben"].id
    first = service.search_children(user=coordinator, per_page=2, page=1)
    second = service.search_children(user=coordinator, per_page=2, page=2)
    assert first.total == 3 and len(first.items) == 2 and len(second.items) == 1


def test_search_only_shows_the_users_teams(team, pupils):
    assert pupils["other"].id not in _ids(
        service.search_children(user=create_user(role="manager", teams=[team]), q="amy")
    )
    south_manager = create_user(role="manager", teams=[pupils["other"].team])
    assert _ids(service.search_children(user=south_manager)) == [pupils["other"].id]
    assert _ids(service.search_children(user=create_user(role="coordinator"))) == []  # in no team
    for role in ("admin", "viewer"):
        assert _ids(service.search_children(user=create_user(role=role, teams=[team]))) == []


@pytest.fixture
def families(team):
    tobias = create_child(
        team=team, first_name="Tobias", last_name="Smith", date_of_birth=date(2015, 3, 14), upn="B801200005001"
    )
    create_contact(child=tobias, name="Priya Patel", relationship_to_child="Mother")
    return {
        "tobias": tobias,
        "william": create_child(
            team=team, first_name="William", last_name="O'Neill-Jones", date_of_birth=date(2013, 7, 1)
        ),
        "smithson": create_child(team=team, first_name="Ava", last_name="Smithson", date_of_birth=date(2014, 1, 2)),
        "zoe": create_child(team=team, first_name="Zoë", last_name="Patel", date_of_birth=date(2016, 9, 9)),
    }


def test_search_by_surname_comma_first_name(coordinator, families):
    assert _ids(service.search_children(user=coordinator, q="Smith, Tobias")) == [families["tobias"].id]
    assert _ids(service.search_children(user=coordinator, q="smith,toby")) == [families["tobias"].id]  # a short form
    # The comma says which is the surname: Tobias is no one's surname.
    assert _ids(service.search_children(user=coordinator, q="Tobias, Smith")) == []


def test_search_by_first_name_then_surname_and_either_order(coordinator, families):
    assert _ids(service.search_children(user=coordinator, q="Tobias Smith")) == [families["tobias"].id]
    assert _ids(service.search_children(user=coordinator, q="smith tobias")) == [families["tobias"].id]
    assert _ids(service.search_children(user=coordinator, q="Bill O'Neill")) == [families["william"].id]
    assert _ids(service.search_children(user=coordinator, q="oneill jones")) == [families["william"].id]


def test_search_tolerates_one_typo(coordinator, families):
    assert _ids(service.search_children(user=coordinator, q="Tobais Smiht")) == [families["tobias"].id]
    assert _ids(service.search_children(user=coordinator, q="Smyth")) == [families["tobias"].id]
    assert _ids(service.search_children(user=coordinator, q="Mith")) == [
        families["tobias"].id,
        families["smithson"].id,
    ]  # inside
    assert _ids(service.search_children(user=coordinator, q="Zoe")) == [families["zoe"].id]  # accents ignored
    assert _ids(service.search_children(user=coordinator, q="Smoth Tobias")) == [families["tobias"].id]
    assert _ids(service.search_children(user=coordinator, q="Xmith")) == [
        families["tobias"].id
    ]  # even the first letter


def _one_typo_away(word):
    """Every word one deletion, swap, change (to "x") or insertion (of "x") from `word`."""
    typos = {word[:i] + word[i + 1 :] for i in range(len(word))}
    typos |= {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    typos |= {word[:i] + "x" + word[i + 1 :] for i in range(len(word))}
    typos |= {word[:i] + "x" + word[i:] for i in range(len(word) + 1)}
    return sorted(typos - {word})


@pytest.mark.parametrize("word", ["smith", "oneill", "jones", "tobias", "toby"])
def test_every_single_typo_passes_the_sql_narrowing(coordinator, families, word):
    """The SQL narrowing keeps every name one typo away (the first letter, or the last two, stay
    in place), including after an apostrophe (O'Neill) or a hyphen (O'Neill-Jones)."""
    expected = {"smith": "tobias", "oneill": "william", "jones": "william", "tobias": "tobias", "toby": "tobias"}[word]
    if word == "toby":  # Toby is Tobias's short form; its typos are typos of a 4-letter word
        create_child(team=families["tobias"].team, first_name="Toby", last_name="Green")
        expected = None
    for typo in _one_typo_away(word):
        if len(typo) < 4:
            continue  # too short to be forgiven
        found = [c.first_name for c in service.search_children(user=coordinator, q=typo).items]
        if expected:
            assert families[expected].first_name in found, typo
        else:
            assert "Toby" in found, typo


def test_search_ranks_exact_matches_first(coordinator, families):
    # Smith exactly, then the start of Smithson; the order by name would be the other way round for "smi".
    assert _ids(service.search_children(user=coordinator, q="smith")) == [
        families["tobias"].id,
        families["smithson"].id,
    ]
    assert _ids(service.search_children(user=coordinator, q="smith", sort="-name")) == [
        families["tobias"].id,
        families["smithson"].id,
    ]
    assert _ids(service.search_children(user=coordinator, q="smi")) == [families["tobias"].id, families["smithson"].id]


def test_search_by_a_parents_name(coordinator, families):
    page = service.search_children(user=coordinator, q="Priya Patel")
    assert _ids(page) == [families["tobias"].id]
    assert page.notes == {families["tobias"].id: "Found by their mother’s name: Priya Patel"}
    # A child's own name ranks before a match through a parent's: Zoë Patel, then Tobias (mother Priya Patel).
    page = service.search_children(user=coordinator, q="Patel")
    assert _ids(page) == [families["zoe"].id, families["tobias"].id] and list(page.notes) == [families["tobias"].id]
    assert _ids(service.search_children(user=coordinator, q="Priay")) == [families["tobias"].id]  # a typo too


def test_search_by_upn_and_by_a_typed_date_of_birth(coordinator, families):
    assert _ids(service.search_children(user=coordinator, q="b801 2000 05001")) == [families["tobias"].id]
    assert _ids(service.search_children(user=coordinator, q="14/03/2015")) == [families["tobias"].id]
    assert _ids(service.search_children(user=coordinator, q="1/7/2013")) == [families["william"].id]
    assert _ids(service.search_children(user=coordinator, q="Smith 14/3/2015")) == [families["tobias"].id]
    assert _ids(service.search_children(user=coordinator, q="Smithson 14/3/2015")) == []
    with pytest.raises(ServiceError, match="real date of birth") as refused:
        service.search_children(user=coordinator, q="31/02/2015")
    assert refused.value.field == "q"


def test_search_pages_ranked_results(coordinator, team):
    for n in range(5):
        create_child(team=team, first_name=f"Kid{n}", last_name="Smithers")
    create_child(team=team, first_name="Exact", last_name="Smith")
    first = service.search_children(user=coordinator, q="smith", per_page=4, page=1)
    second = service.search_children(user=coordinator, q="smith", per_page=4, page=2)
    assert first.total == second.total == 6 and first.pages == 2
    assert first.items[0].last_name == "Smith" and len(second.items) == 2
    assert not set(_ids(first)) & set(_ids(second))


def test_search_narrows_in_sql_before_ranking(coordinator, team):
    """Only candidates come back from the database: names with a word that starts, or ends, as
    the typed word does (or contains it); the rest of the authority is never read."""
    create_child(team=team, first_name="Tobias", last_name="Smith")
    for n, surname in enumerate(["Brown", "Green", "Khan", "Lewis", "Evans", "Walker", "Patel", "Taylor"]):
        create_child(team=team, first_name=f"Child{n}", last_name=surname)
    seen = []
    original = service.names.match_words

    def counting(typed, words, **kw):
        seen.append(tuple(words))
        return original(typed, words, **kw)

    service.names.match_words = counting
    try:
        assert len(_ids(service.search_children(user=coordinator, q="Smiht"))) == 1
    finally:
        service.names.match_words = original
    assert seen == [("tobias", "smith")]  # one candidate ranked in Python, not nine


# --- Access ------------------------------------------------------------------------------------


def test_who_may_view_and_edit(team):
    child = create_child(team=team)
    south = create_team(name="South")
    assert service.can_view(create_user(role="coordinator", teams=[team]), child)
    assert service.can_edit(create_user(role="manager", teams=[south, team]), child)
    assert not service.can_view(create_user(role="coordinator", teams=[south]), child)
    assert not service.can_edit(create_user(role="manager", teams=[south]), child)
    for role in ("admin", "viewer"):
        user = create_user(role=role, teams=[team])
        assert not service.can_view(user, child) and not service.can_edit(user, child)


def test_viewing_a_record_is_audited(team, coordinator):
    child = create_child(team=team)
    service.record_child_viewed(child, coordinator)
    db.session.commit()
    [entry] = _audit("child_viewed")
    assert (entry.object_type, entry.object_id, entry.actor_id) == ("child", str(child.id), coordinator.id)


# --- Year groups -------------------------------------------------------------------------------


def test_year_group_comes_from_the_date_of_birth(team):
    child = create_child(team=team, date_of_birth=date(2015, 3, 14))  # Reception from September 2019
    assert service.national_curriculum_year_for(child, TODAY) == 6
    assert service.national_curriculum_year_for(child, date(2026, 8, 31)) == 6
    assert service.national_curriculum_year_for(child, date(2026, 9, 1)) == 7
    oldest = create_child(team=team, date_of_birth=date(2014, 9, 1))  # the year runs 1 September to 31 August
    youngest = create_child(team=team, date_of_birth=date(2015, 8, 31))
    year_below = create_child(team=team, date_of_birth=date(2015, 9, 1))
    assert [service.national_curriculum_year_for(c, TODAY) for c in (oldest, youngest, year_below)] == [6, 6, 5]
    assert service.year_group_description(child, TODAY) == "Year 6 (from date of birth)"


def test_out_of_year_group_override_rolls_forward_each_september(team, coordinator):
    child = create_child(team=team, first_name="Sam", last_name="Jones", date_of_birth=date(2015, 3, 14))
    service.update_child(child, data=_data(year_group_override=5), actor=coordinator, today=TODAY)
    db.session.commit()
    assert (child.year_group_override, child.year_group_override_school_year) == (5, 2025)
    assert service.national_curriculum_year_for(child, TODAY) == 5
    assert service.year_group_description(child, TODAY) == "Year 5 (educated out of year group)"
    assert service.national_curriculum_year_for(child, date(2026, 8, 31)) == 5
    assert service.national_curriculum_year_for(child, date(2026, 9, 1)) == 6
    assert service.national_curriculum_year_for(child, date(2027, 9, 1)) == 7
    [entry] = _audit("child_updated")
    assert entry.details == {"year_group_override": {"old": None, "new": 5}}

    # A year later the form shows Year 6; saving it unchanged keeps the original anchor.
    next_year = date(2026, 10, 1)
    assert service.update_child(child, data=_data(year_group_override=6), actor=coordinator, today=next_year) == {}
    assert (child.year_group_override, child.year_group_override_school_year) == (5, 2025)

    # Choosing "in the year group for their age" clears it.
    changed = service.update_child(child, data=_data(year_group_override=None), actor=coordinator, today=next_year)
    assert changed == {"year_group_override": {"old": 6, "new": None}}
    assert (child.year_group_override, child.year_group_override_school_year) == (None, None)
    assert service.national_curriculum_year_for(child, next_year) == 7


def test_override_given_at_creation_applies_to_that_school_year(team, coordinator):
    child = service.create_child(data=_data(year_group_override=5), team=team, actor=coordinator, today=TODAY)
    assert (child.year_group_override, child.year_group_override_school_year) == (5, 2025)
    assert child.year_group_in(date(2026, 9, 1)) == 6


def test_year_group_names_come_from_the_engine(team):
    toddler = create_child(team=team, date_of_birth=date(2023, 6, 1))
    reception = create_child(team=team, date_of_birth=date(2021, 1, 1))
    assert service.year_group_description(toddler, TODAY) == "Early years (from date of birth)"
    assert service.year_group_description(reception, TODAY) == "Reception (from date of birth)"


# --- Parents and carers ------------------------------------------------------------------------


def _contact(**kw):
    values = {"name": "Pat Jones", "relationship_to_child": "Mother"}
    values.update(kw)
    return ContactData(**values)


def test_add_change_and_remove_a_contact_with_audit(team, coordinator):
    child = create_child(team=team)
    contact = service.add_contact(
        child,
        data=_contact(
            email="Pat@Example.org",
            preferred_contact_method=ContactMethod.EMAIL,
            has_parental_responsibility=True,
            communication_needs="Needs a Polish interpreter",
        ),
        actor=coordinator,
    )
    db.session.commit()
    assert contact.email == "pat@example.org" and child.contacts == [contact]
    [added] = _audit("child_contact_added")
    assert added.object_type == "child" and added.object_id == str(child.id)
    assert added.details["contact_id"] == contact.id
    assert added.details["communication_needs"] == {"old": None, "new": "Needs a Polish interpreter"}

    changed = service.update_contact(
        contact,
        data=_contact(
            email="pat@example.org",
            phone="01632 960001",
            preferred_contact_method=ContactMethod.PHONE,
            has_parental_responsibility=True,
            communication_needs="Needs a Polish interpreter",
        ),
        actor=coordinator,
    )
    db.session.commit()
    assert set(changed) == {"phone", "preferred_contact_method"}
    [updated] = _audit("child_contact_updated")
    assert updated.details["preferred_contact_method"] == {"old": "email", "new": "phone"}
    assert updated.details["contact_id"] == contact.id

    service.remove_contact(contact, actor=coordinator)
    db.session.commit()
    db.session.refresh(child)
    assert child.contacts == []
    [removed] = _audit("child_contact_removed")
    assert removed.details["name"] == {"old": "Pat Jones", "new": None}


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"name": " "}, "name"),
        ({"relationship_to_child": ""}, "relationship_to_child"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "12345"}, "phone"),
        ({"phone": "call me maybe 0123456789"}, "phone"),
        ({"preferred_contact_method": ContactMethod.EMAIL}, "email"),
        ({"preferred_contact_method": ContactMethod.PHONE}, "phone"),
        ({"preferred_contact_method": ContactMethod.LETTER}, "address"),
    ],
)
def test_contact_validation(team, coordinator, changes, field):
    child = create_child(team=team)
    with pytest.raises(ServiceError) as error:
        service.add_contact(child, data=_contact(**changes), actor=coordinator)
    assert error.value.field == field


def test_contacts_of_another_teams_child_cannot_be_changed(team):
    child = create_child(team=create_team(name="South"))
    contact = create_contact(child=child)
    outsider = create_user(role="coordinator", teams=[team])
    with pytest.raises(Forbidden):
        service.add_contact(child, data=_contact(), actor=outsider)
    with pytest.raises(Forbidden):
        service.update_contact(contact, data=_contact(), actor=outsider)
    with pytest.raises(Forbidden):
        service.remove_contact(contact, actor=outsider)
