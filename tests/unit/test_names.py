"""The name matcher: what counts as the same given name, surname and person (pure, no database)."""

import pytest

from ehc_tracker.services import names
from ehc_tracker.services.names import Closeness, NameMatchKind


def test_tokens_ignore_case_accents_apostrophes_and_hyphens():
    assert names.tokens("  Zoë  O’Neill-Smith ") == ["zoe", "oneill", "smith"]
    assert names.tokens("D'ARCY") == ["darcy"]
    assert names.compact("Smith-Jones") == names.compact("smith jones") == names.compact("SMITHJONES") == "smithjones"
    assert names.tokens("%") == []


@pytest.mark.parametrize(
    "a, b, distance",
    [
        ("tobias", "tobias", 0),
        ("tobias", "tobais", 1),  # neighbours swapped
        ("smith", "smyth", 1),  # changed
        ("jones", "joness", 1),  # added
        ("thomson", "thompson", 1),
        ("catherine", "katherine", 1),
        ("jack", "jake", 2),
        ("ca", "abc", 3),  # optimal string alignment: no edit after a swap
        ("", "abc", 3),
    ],
)
def test_edit_distance_is_damerau_levenshtein(a, b, distance):
    assert names.edit_distance(a, b) == distance == names.edit_distance(b, a)


def test_a_typo_needs_four_letters_or_more():
    assert names.is_typo("smith", "smyth")
    assert names.is_typo("toby", "tobi")
    assert not names.is_typo("ann", "anna")  # twins Ann and Anna are two children
    assert not names.is_typo("max", "mix")
    assert not names.is_typo("smith", "smith")  # the same, not a typo
    assert not names.is_typo("jack", "jake")  # two letters out


@pytest.mark.parametrize(
    "short, full",
    [
        ("toby", "tobias"),
        ("alex", "alexander"),
        ("alex", "alexandra"),
        ("sam", "samuel"),
        ("sam", "samantha"),
        ("will", "william"),
        ("liam", "william"),
        ("bill", "william"),
        ("kate", "catherine"),
        ("katie", "kathryn"),
        ("jack", "john"),
        ("ann", "anne"),
        ("mohammed", "muhammad"),
    ],
)
def test_given_name_variants(short, full):
    assert full in names.variants(short) and short in names.variants(full)


def test_names_that_are_not_variants():
    assert "anna" not in names.variants("ann")  # Ann and Anne are one name; Anna is another
    assert "alexandra" not in names.variants("alexander")  # each is short "Alex", but not each other
    assert "samantha" not in names.variants("samuel")
    assert names.variants("zebedee") == frozenset()


@pytest.mark.parametrize(
    "typed, word, expected",
    [
        ("smith", "smith", Closeness.EXACT),
        ("bill", "william", Closeness.VARIANT),
        ("smi", "smith", Closeness.PREFIX),
        ("mit", "smith", Closeness.CONTAINS),
        ("smiht", "smith", Closeness.TYPO),
        ("mi", "smith", None),  # two letters inside a word: too loose
        ("jones", "smith", None),
    ],
)
def test_closeness_of_a_search_word(typed, word, expected):
    assert names.closeness(typed, word) == expected


def test_match_words_needs_every_typed_word_and_ranks_the_worst():
    assert names.match_words(["sam", "jones"], ["sam", "jones"], given_names=["sam"]) == (0, 0)
    assert names.match_words(["jones", "sam"], ["sam", "jones"]) == (0, 0)  # any order
    assert names.match_words(["sam", "jnoes"], ["sam", "jones"]) == (int(Closeness.TYPO), int(Closeness.TYPO))
    assert names.match_words(["bill"], ["william", "jones"], given_names=["william"]) == (1, 1)
    assert names.match_words(["bill"], ["william", "jones"], given_names=[]) is None  # variants only for given names
    assert names.match_words(["sam", "brown"], ["sam", "jones"]) is None
    assert names.match_words([], ["sam"]) is None


@pytest.mark.parametrize(
    "a, b, kind",
    [
        (("Sam", "Jones"), ("SAM", " jones "), NameMatchKind.SAME),
        (("Zoe", "ONeill"), ("Zoë", "O'Neill"), NameMatchKind.SAME),
        (("Toby", "Smith"), ("Tobias", "Smith"), NameMatchKind.VARIANT),
        (("Bill", "Smith"), ("William", "Smith"), NameMatchKind.VARIANT),
        (("Katie", "Brown"), ("Catherine", "Brown"), NameMatchKind.VARIANT),
        (("Tobias", "Smith"), ("Tobais", "Smith"), NameMatchKind.TYPO),
        (("Tobias", "Smyth"), ("Tobias", "Smith"), NameMatchKind.TYPO),
        (("Toby", "Smyth"), ("Tobias", "Smith"), NameMatchKind.TYPO),  # a variant and a typo
        (("Amy", "Smith-Jones"), ("Amy", "Smith Jones"), NameMatchKind.SAME),
        (("Amy", "Smith"), ("Amy", "Smith-Jones"), NameMatchKind.DOUBLE_SURNAME),
        (("Amy", "Jones"), ("Amy", "Smith-Jones"), NameMatchKind.DOUBLE_SURNAME),
        (("Smith", "Amy"), ("Amy", "Smith"), NameMatchKind.SWAPPED),
        (("Jones", "Tobias"), ("Tobais", "Jones"), NameMatchKind.SWAPPED),
        (("Mary Jane", "Watson"), ("Mary", "Watson"), NameMatchKind.SAME),  # a middle name
    ],
)
def test_same_person_names(a, b, kind):
    match = names.same_person_names(*a, *b)
    assert match is not None and match.kind == kind
    assert names.same_person_names(*b, *a).kind == kind  # symmetric


@pytest.mark.parametrize(
    "a, b",
    [
        (("Ann", "Smith"), ("Anna", "Smith")),  # short names: a different child (twins share the rest)
        (("Max", "Smith"), ("Mia", "Smith")),
        (("Jack", "Smith"), ("Jake", "Smith")),
        (("Samuel", "Smith"), ("Samantha", "Smith")),
        (("Tobais", "Smyth"), ("Tobias", "Smith")),  # two typos
        (("Amy", "Smith"), ("Amy", "Jones")),
        (("Amy", ""), ("Amy", "Jones")),
    ],
)
def test_names_that_are_not_the_same_person(a, b):
    assert names.same_person_names(*a, *b) is None


def test_the_explanation_says_why():
    assert (
        names.same_person_names("Toby", "Smith", "Tobias", "Smith").explanation
        == "Toby and Tobias are forms of the same name"
    )
    assert (
        names.same_person_names("Amy", "Smith", "Amy", "Smith-Jones").explanation
        == "Smith is part of the double surname Smith-Jones"
    )
    assert names.same_person_names("Sam", "Jones", "sam", "jones").explanation == "The same name"
