"""Comparing people's names the way a caseworker would: ignoring case, accents, apostrophes and
hyphens, knowing that Toby is Tobias and Bill is William, and forgiving one slip of the keyboard.

Pure functions (no database): the children service narrows the candidates with SQL and then
uses these to decide and to rank.

Decisions, so that the tests can hold us to them:

- Names are compared as tokens: lower case, accents removed ("Zoë" -> "zoe"), apostrophes
  dropped ("O'Neill" -> "oneill"), hyphens and other punctuation splitting words
  ("Smith-Jones" -> "smith", "jones").
- Given names match when equal, when they share a group in GIVEN_NAME_VARIANTS (Toby/Tobias,
  Alex/Alexander/Alexandra, Bill/Will/Liam/William...), or when they differ by one typo.
- A typo is a Damerau-Levenshtein (optimal string alignment) distance of at most 1: one letter
  added, dropped, changed, or two neighbours swapped. It is forgiven only when both names have
  at least 4 letters (TYPO_MIN_LETTERS). Short names are too often another child's name: twins
  share a surname and a date of birth, so "Ann" and "Anna", "Max" and "Mia", "Eve" and "Evie"
  must not be taken for the same child. (Ann and Anne are one name spelled two ways, so they
  are listed as variants; Anna is a different name.)
- Surnames match when equal ignoring spaces and hyphens, when one is part of a double surname
  the other has ("Smith" / "Smith-Jones"), or by one typo.
- Two names are "the same person's" when the given names and the surnames both match, with at
  most one of the two forgiven a typo; or when the first and last names are swapped.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

TYPO_MIN_LETTERS = 4

# Each group is one given name and its common English short forms and spellings. A name may be
# in several groups (Alex is short for Alexander and for Alexandra; Sam for Samuel and Samantha),
# and two names match when they share a group.
GIVEN_NAME_VARIANTS: tuple[tuple[str, ...], ...] = (
    ("tobias", "toby"),
    ("alexander", "alex", "alec", "xander"),
    ("alexandra", "alex", "alexa", "lexi", "lexie"),
    ("samuel", "sam", "sammy"),
    ("samantha", "sam", "sammy"),
    ("william", "will", "willie", "liam", "bill", "billy"),
    ("catherine", "katherine", "kathryn", "catharine", "kate", "katie", "kathy", "cathy", "kat"),
    ("john", "jack", "johnny", "jon"),
    ("jonathan", "jon", "jonny"),
    ("james", "jim", "jimmy", "jamie"),
    ("robert", "rob", "robbie", "bob", "bobby"),
    ("richard", "rich", "richie", "rick", "ricky"),
    ("thomas", "tom", "tommy"),
    ("benjamin", "ben", "benji", "benny"),
    ("daniel", "dan", "danny"),
    ("matthew", "matt", "matty"),
    ("michael", "mike", "mikey", "mick", "mickey"),
    ("christopher", "chris", "kit"),
    ("christina", "christine", "chris", "tina"),
    ("nicholas", "nick", "nicky"),
    ("nicola", "nicole", "nicky", "nikki"),
    ("joseph", "joe", "joey"),
    ("josephine", "jo", "josie"),
    ("edward", "ed", "eddie", "ted", "teddy", "ned"),
    ("theodore", "theo", "ted", "teddy"),
    ("henry", "harry", "hal"),
    ("elizabeth", "liz", "lizzie", "beth", "betty", "eliza", "libby", "bess"),
    ("margaret", "maggie", "meg", "peggy"),
    ("rebecca", "becky", "becca"),
    ("jessica", "jess", "jessie"),
    ("charlotte", "charlie", "lottie"),
    ("charles", "charlie", "chas"),
    ("frederick", "fred", "freddie", "freddy"),
    ("oliver", "olly", "ollie"),
    ("olivia", "liv", "livvy"),
    ("anthony", "tony", "ant"),
    ("patrick", "pat", "paddy"),
    ("patricia", "pat", "patsy", "trish"),
    ("stephen", "steven", "steve", "stevie"),
    ("andrew", "andy", "drew"),
    ("david", "dave", "davy"),
    ("peter", "pete"),
    ("timothy", "tim", "timmy"),
    ("abigail", "abi", "abby", "abbie"),
    ("isabella", "isabelle", "isabel", "izzy", "issy", "bella"),
    ("eleanor", "elinor", "ellie", "nell"),
    ("victoria", "vicky", "tori"),
    ("jennifer", "jenny", "jen"),
    ("susan", "sue", "susie"),
    ("deborah", "debbie", "deb"),
    ("zachary", "zach", "zack", "zak"),
    ("nathaniel", "nathan", "nate", "nat"),
    ("joshua", "josh"),
    ("jacob", "jakob", "jake"),
    ("francis", "frank", "frankie"),
    ("frances", "fran", "frankie"),
    ("maximilian", "maxwell", "max"),
    ("gabriel", "gabe"),
    ("gabriella", "gabrielle", "gabby", "gabi"),
    ("ann", "anne"),
    ("ian", "iain"),
    ("sean", "shaun", "shawn"),
    ("mohammed", "muhammad", "mohammad", "mohamed", "muhammed"),
)


def _variant_index(groups: Iterable[tuple[str, ...]]) -> dict[str, frozenset[int]]:
    index: dict[str, set[int]] = {}
    for number, group in enumerate(groups):
        for name in group:
            index.setdefault(name, set()).add(number)
    return {name: frozenset(numbers) for name, numbers in index.items()}


_VARIANT_GROUPS = _variant_index(GIVEN_NAME_VARIANTS)
_APOSTROPHES = re.compile("['\u2018\u2019\u02bc`\u00b4]")
_NOT_ALPHANUMERIC = re.compile(r"[^0-9a-z]+")


def _fold(text: str) -> str:
    """Lower case without accents or apostrophes."""
    text = text or ""
    if text.isascii():  # most names: no accents to remove
        return text.lower().replace("'", "").replace("`", "")
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _APOSTROPHES.sub("", plain)


def tokens(name: str) -> list[str]:
    """The words of a name, normalised: "Zoë O'Neill-Smith" -> ["zoe", "oneill", "smith"]."""
    return [t for t in _NOT_ALPHANUMERIC.split(_fold(name)) if t]


def compact(name: str) -> str:
    """A name as one run of letters: "Smith-Jones", "Smith Jones" and "SMITHJONES" agree."""
    return "".join(tokens(name))


def variants(token: str) -> frozenset[str]:
    """The other forms of a given name in the table ("toby" -> {"tobias"}); empty if none."""
    found: set[str] = set()
    for number in _VARIANT_GROUPS.get(token, ()):
        found.update(GIVEN_NAME_VARIANTS[number])
    found.discard(token)
    return frozenset(found)


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance, optimal string alignment form: the fewest insertions,
    deletions, substitutions and swaps of neighbouring letters that turn `a` into `b`."""
    if a == b:
        return 0
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


def is_typo(a: str, b: str) -> bool:
    """`a` and `b` differ by exactly one typo, and both are long enough for that to mean much."""
    if a == b or min(len(a), len(b)) < TYPO_MIN_LETTERS or abs(len(a) - len(b)) > 1:
        return False
    return edit_distance(a, b) == 1


class Closeness(enum.IntEnum):
    """How closely a typed word matches a word of a name; lower is closer (used to rank)."""

    EXACT = 0
    VARIANT = 1  # another form of the same given name
    PREFIX = 2  # the start of the word ("tob" for "tobias")
    CONTAINS = 3  # inside the word ("mit" for "smith"); 3 letters or more
    TYPO = 4  # one letter out


def closeness(typed: str, word: str, *, given_name: bool = True) -> Closeness | None:
    """How `typed` (a search word) matches `word` (a word of a name), or None."""
    if typed == word:
        return Closeness.EXACT
    if given_name and word in variants(typed):
        return Closeness.VARIANT
    if word.startswith(typed):
        return Closeness.PREFIX
    if len(typed) >= 3 and typed in word:
        return Closeness.CONTAINS
    if is_typo(typed, word):
        return Closeness.TYPO
    return None


def match_words(
    typed: Sequence[str], words: Sequence[str], *, given_names: Sequence[str] = ()
) -> tuple[int, int] | None:
    """How well every typed word matches some word of a name: (worst, total) Closeness, lower
    being better, or None when a typed word matches nothing. Variants count only against the
    words in `given_names`."""
    if not typed:
        return None
    worst, total = 0, 0
    for word_typed in typed:
        best: Closeness | None = None
        for word in words:
            found = closeness(word_typed, word, given_name=word in given_names)
            if found is not None and (best is None or found < best):
                best = found
        if best is None:
            return None
        worst, total = max(worst, int(best)), total + int(best)
    return worst, total


# --- The same person? ------------------------------------------------------------------------


class NameMatchKind(enum.IntEnum):
    """Why two names may be the same person's, closest first."""

    SAME = 0
    VARIANT = 1
    DOUBLE_SURNAME = 2
    TYPO = 3
    SWAPPED = 4


@dataclass(frozen=True)
class NameMatch:
    kind: NameMatchKind
    explanation: str  # for the person deciding: "Toby and Tobias are forms of the same name"


def _given_match(a: list[str], b: list[str]) -> tuple[NameMatchKind, str] | None:
    best: tuple[NameMatchKind, str] | None = None
    for x in a:
        for y in b:
            if x == y:
                found = (NameMatchKind.SAME, "")
            elif y in variants(x):
                found = (NameMatchKind.VARIANT, f"{x.title()} and {y.title()} are forms of the same name")
            elif is_typo(x, y):
                found = (NameMatchKind.TYPO, f"{x.title()} and {y.title()} differ by one letter")
            else:
                continue
            if best is None or found[0] < best[0]:
                best = found
    return best


def _surname_match(a: list[str], b: list[str]) -> tuple[NameMatchKind, str] | None:
    if not a or not b:
        return None
    joined_a, joined_b = "".join(a), "".join(b)
    if joined_a == joined_b:
        return (NameMatchKind.SAME, "")
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    if set(shorter) <= set(longer):
        return (
            NameMatchKind.DOUBLE_SURNAME,
            f"{' '.join(shorter).title()} is part of the double surname {'-'.join(longer).title()}",
        )
    if is_typo(joined_a, joined_b):
        return (NameMatchKind.TYPO, f"{joined_a.title()} and {joined_b.title()} differ by one letter")
    return None


def _exact_or_typo(a: list[str], b: list[str]) -> bool:
    return bool(a and b) and ("".join(a) == "".join(b) or is_typo("".join(a), "".join(b)))


def same_person_names(first_a: str, last_a: str, first_b: str, last_b: str) -> NameMatch | None:
    """Whether two people's names may be the same person's, and why (see the module docstring)."""
    fa, la, fb, lb = tokens(first_a), tokens(last_a), tokens(first_b), tokens(last_b)
    given = _given_match(fa, fb)
    surname = _surname_match(la, lb)
    if given is not None and surname is not None:
        if given[0] == NameMatchKind.TYPO and surname[0] == NameMatchKind.TYPO:
            return None  # two typos: too far apart to suggest
        kind = max(given[0], surname[0])
        reasons = [r for _, r in (given, surname) if r]
        return NameMatch(kind, "; ".join(reasons) or "The same name")
    if _exact_or_typo(fa, lb) and _exact_or_typo(la, fb):
        return NameMatch(NameMatchKind.SWAPPED, "First and last names swapped")
    return None
