"""The SEN2 collection of January 2026: its structure, code lists, reference period and business rules.

Where this comes from
---------------------
* The structure, order, cardinality and code lists of every item that was already collected in
  2024 follow the DfE's SEN2 2024 XML schema as replicated in Social Finance's `liia-tools`
  (liiatools/spec/sen2/), read and written out here in the project's own form.
* The 2026 items are not in a schema we hold. Their positions are inferred, and each element
  says from what (`Element.inferred`; `schema.inferred_positions` lists them):
  - `DSCO` (designated social care officer, Y/N/R): after `DCO`, as the DfE added the DCO item
    after DMO (the header's pattern), and as data-to-insight's reading of the 2026 guide lists it.
  - `RequestSource` (codes 1 to 5): directly after `ReceivedDate`, as the 2026 guide's request
    module lists it (docs/sen2-2026.md).
  - `ReviewDraft`, `PhaseTransferDueDate`, `PhaseTransferFinalDate`: between `ReviewOutcome`
    and `LastReview`, the order MastodonC's witan.sen2 reads the active-plans module in
    (items marked "v1.3 and later" of the guide).
  - `SENtype` code DS (Down syndrome): added to the school census code set for 2024/25; the 2024
    replica does not list it.
* Deliberate differences from the 2024 replica, each following the DfE guide's words:
  - `SENSetting` is optional, with a "one of URN, UKPRN, SENSetting" rule on each placement: the
    guide describes it for settings without a URN or UKPRN (the replica's own sample leaves it
    empty for a school with a URN, which its own type would refuse).
  - A person needs one of `UPN`, `UniqueLearnerNumber`, `UPNunknown` (the guide's rule, which
    the replica leaves to the collection system).
  - Yes/no items are written and accepted as 1/0 only.
* The reference period: requests, assessments and ended plans in the calendar year before the
  census (1 January to 31 December); active plans as at the census date (the third Thursday of
  January); the review meeting is the most recent one held on or before the census date.

The 2027 collection is a new entry beside this one (see `sen2_rules.COLLECTIONS`), not an edit.
"""

from __future__ import annotations

from datetime import date

from .schema import UNBOUNDED, Complex, Element, Simple

YEAR = 2026
CENSUS_DATE = date(2026, 1, 15)

# --- Types ----------------------------------------------------------------------------------------------
DATE = Simple("date", "date")
DATETIME = Simple("dateTime", "datetime")
YEAR_TYPE = Simple("year", "year")
TEXT = Simple("string")
YES_NO = Simple("yes/no", codes=("0", "1"))
RANK = Simple("rank", codes=("1", "2"))
FLAG = Simple("Y/N/R", codes=("Y", "N", "R"))
LA_CODE = Simple("LA code", pattern=r"\d{3}")
SERIAL = Simple("serial number", pattern=r"\d{3}\d*")
URN = Simple("URN", pattern=r"\d{6}")
UKPRN = Simple("UKPRN", pattern=r"\d{8}")
UPN = Simple("UPN", pattern=r"[A-Za-z]\d{12}|[A-Za-z]\d{11}[A-Za-z]")
ULN = Simple("ULN", pattern=r"\d{10}")

# The reasons a UPN is not known. The first five are worded as the DfE's common basic data set
# words them; for UN6 to UN10 the project holds no wording it can vouch for, so they are shown by
# code and the reader is sent to the year's guide.
UPN_UNKNOWN_REASONS = {
    "UN1": "Aged under 6 and not yet attending school",
    "UN2": "Has never attended a state school in England",
    "UN3": "Educated at home",
    "UN4": "Refugee or asylum seeker",
    "UN5": "Sources collating UPNs disagree about the child's details",
    **{f"UN{n}": f"Reason UN{n} in the DfE SEN2 guide for the year" for n in range(6, 11)},
}
REQUEST_SOURCES = {
    "1": "Child's parent or the young person",
    "2": "School or other educational setting",
    "3": "Health care professional",
    "4": "Social care professional",
    "5": "Other",
}
REQUEST_OUTCOMES = {
    "Y": "The authority proceeded with an assessment",
    "N": "The authority decided not to assess",
    "A": "Decision yet to be made",
    "W": "Request withdrawn or ceased before the decision to assess",
    "H": "Historical: the decision to assess was made before the collection period",
}
ASSESSMENT_OUTCOMES = {
    "Y": "It was decided an EHC plan would be issued",
    "N": "It was decided an EHC plan would not be issued",
    "A": "Decision not yet made",
    "W": "Request withdrawn or ceased before the decision whether to issue",
    "H": "Historical: the decision to issue was made before the collection period, or the plan transferred in",
}
SEN_SETTINGS = {
    "OLA": "Other arrangements made by the local authority",
    "OPA": "Other arrangements made by parents",
    "EHE": "Elective home education",
    "EYP": "Early years provider with no URN",
    "OTH": "Other",
    "NEET": "Not in education, employment or training",
    "NIEC": "Not in education: ceased",
    "NIEO": "Not in education: other",
}
SEN_TYPES = ("SPLD", "MLD", "SLD", "PMLD", "SEMH", "SLCN", "HI", "VI", "MSI", "PD", "ASD", "DS", "OTH")
ETHNICITIES = (
    "WBRI",
    "WIRI",
    "WIRT",
    "WOTH",
    "WROM",
    "MWBC",
    "MWBA",
    "MWAS",
    "MOTH",
    "AIND",
    "APKN",
    "ABAN",
    "AOTH",
    "BCRB",
    "BAFR",
    "BOTH",
    "CHNE",
    "OOTH",
    "REFU",
    "NOBT",
)
CEASE_REASONS = {
    "1": "Reached maximum age",
    "2": "Ongoing educational or training needs being met without an EHC plan",
    "3": "Moved on to higher education",
    "4": "Moved on to paid employment, excluding apprenticeships",
    "5": "Transferred to another local authority in England",
    "6": "Young person no longer wishes to engage in education or training",
    "7": "Moved outside England",
    "8": "Deceased",
    "9": "Other",
}
REVIEW_OUTCOMES = {"A": "Amend the plan", "C": "Cease the plan", "M": "Maintain the plan"}

_DSCO = "2026 item: after DCO, following the header's DMO/DCO pattern and data-to-insight's reading of the 2026 guide"
_REQUEST_SOURCE = "2026 item: after ReceivedDate, as the 2026 guide's request module lists it (docs/sen2-2026.md)"
_REVIEW_2026 = (
    "2026 item: between ReviewOutcome and LastReview, the order witan.sen2 reads the guide's active-plans module in"
)

# --- Structure -------------------------------------------------------------------------------------------
COLLECTION_DETAILS = Complex(
    "CollectionDetails",
    (
        Element("Collection", Simple("collection", codes=("SEN2",)), 0),
        Element("Year", YEAR_TYPE, 0),
        Element("ReferenceDate", DATE, 0),
    ),
)
SOURCE = Complex(
    "Source",
    (
        Element("SourceLevel", Simple("source level", codes=("L",)), 0),
        Element("LEA", LA_CODE),
        Element("SoftwareCode", TEXT, 0),
        Element("Release", TEXT, 0),
        Element("SerialNo", SERIAL, 0),
        Element("DateTime", DATETIME, 0),
        Element("DMO", FLAG),
        Element("DCO", FLAG),
        Element("DSCO", FLAG, inferred=_DSCO),
    ),
)
HEADER = Complex("Header", (Element("CollectionDetails", COLLECTION_DETAILS), Element("Source", SOURCE)))

_PLACE_ID = (
    Element("URN", URN, 0),
    Element("UKPRN", UKPRN, 0),
    Element("SENSetting", Simple("SEN setting", codes=tuple(SEN_SETTINGS)), 0),
    Element("SENSettingOther", TEXT, 0),
    Element("PlacementRank", RANK),
)
PLAN_DETAIL = Complex(
    "PlanDetail",
    _PLACE_ID
    + (
        Element("SENunitIndicator", YES_NO),
        Element("ResourcedProvisionIndicator", YES_NO),
    ),
    one_of=(("URN", "UKPRN", "SENSetting"),),
)
NAMED_PLAN = Complex(
    "NamedPlan",
    (
        Element("StartDate", DATE),
        Element("PlanDetail", PLAN_DETAIL, 1, 2),
        Element("PlanRes", Simple("residential", codes=("A", "B")), 0),
        Element("PlanWBP", Simple("work-based learning", codes=("A", "T", "S")), 0),
        Element("PB", YES_NO, 0),
        Element("OA", YES_NO, 0),
        Element("DP", Simple("direct payments", codes=("E", "S", "H", "I")), 0),
        Element("CeaseDate", DATE, 0),
        Element("CeaseReason", Simple("cease reason", codes=tuple(CEASE_REASONS)), 0),
    ),
)
ASSESSMENT = Complex(
    "Assessment",
    (
        Element("AssessmentOutcome", Simple("assessment outcome", codes=tuple(ASSESSMENT_OUTCOMES))),
        Element("AssessmentOutcomeDate", DATE, 0),
        Element("AssessmentMediation", YES_NO, 0),
        Element("AssessmentTribunal", YES_NO, 0),
        Element("OtherMediation", YES_NO, 0),
        Element("OtherTribunal", YES_NO, 0),
        Element("Week20", YES_NO, 0),
        Element("NamedPlan", NAMED_PLAN, 0),
    ),
)
PLACEMENT_DETAIL = Complex(
    "PlacementDetail",
    _PLACE_ID
    + (
        Element("EntryDate", DATE),
        Element("LeavingDate", DATE, 0),
        Element("SENunitIndicator", YES_NO),
        Element("ResourcedProvisionIndicator", YES_NO),
        Element("Res", Simple("residential", codes=("A", "B")), 0),
        Element("WBP", Simple("work-based learning", codes=("A", "T", "S")), 0),
    ),
    one_of=(("URN", "UKPRN", "SENSetting"),),
)
SEN_NEED = Complex(
    "SENneed",
    (
        Element("SENtype", Simple("SEN type", codes=SEN_TYPES)),
        Element("SENtypeRank", RANK),
    ),
)
ACTIVE_PLANS = Complex(
    "ActivePlans",
    (
        Element("TransferLA", LA_CODE, 0),
        Element("PlacementDetail", PLACEMENT_DETAIL, 1, 2),
        Element("SENneed", SEN_NEED, 1, 2),
        Element("ReviewMeeting", DATE, 0),
        Element("ReviewOutcome", Simple("review outcome", codes=tuple(REVIEW_OUTCOMES)), 0),
        Element("ReviewDraft", DATE, 0, inferred=_REVIEW_2026),
        Element("PhaseTransferDueDate", DATE, 0, inferred=_REVIEW_2026),
        Element("PhaseTransferFinalDate", DATE, 0, inferred=_REVIEW_2026),
        Element("LastReview", DATE, 0),
    ),
)
REQUESTS = Complex(
    "Requests",
    (
        Element("ReceivedDate", DATE, 0),
        Element("RequestSource", Simple("request source", codes=tuple(REQUEST_SOURCES)), 0, inferred=_REQUEST_SOURCE),
        Element("RYA", YES_NO, 0),
        Element("RequestOutcomeDate", DATE, 0),
        Element("RequestOutcome", Simple("request outcome", codes=tuple(REQUEST_OUTCOMES))),
        Element("RequestMediation", YES_NO, 0),
        Element("RequestTribunal", YES_NO, 0),
        Element("Exported", LA_CODE, 0),
        Element("Assessment", ASSESSMENT, 0),
        Element("ActivePlans", ACTIVE_PLANS, 0),
    ),
)
PERSON = Complex(
    "Person",
    (
        Element("Surname", TEXT),
        Element("Forename", TEXT),
        Element("PersonBirthDate", DATE),
        Element("Sex", Simple("sex", codes=("M", "F", "U"))),
        Element("Ethnicity", Simple("ethnicity", codes=ETHNICITIES)),
        Element("PostCode", TEXT),
        Element("UPN", UPN, 0),
        Element("UniqueLearnerNumber", ULN, 0),
        Element("UPNunknown", Simple("UPN unknown reason", codes=tuple(UPN_UNKNOWN_REASONS)), 0),
        Element("Requests", REQUESTS, 1, UNBOUNDED),
    ),
    one_of=(("UPN", "UniqueLearnerNumber", "UPNunknown"),),
)
PERSONS = Complex("Persons", (Element("Person", PERSON, 1, UNBOUNDED),))
MESSAGE = Element("Message", Complex("Message", (Element("Header", HEADER), Element("Persons", PERSONS))))

# --- Business rules (the DfE guide's checks the records can be held to), code -> what it asks ----------
BUSINESS_RULES = {
    "la_code": "The header needs the authority's 3-digit LA code",
    "dmo": "The header needs the DMO item (Y, N or R)",
    "dco": "The header needs the DCO item (Y, N or R)",
    "dsco": "The header needs the DSCO item (Y, N or R)",
    "upn_missing": "A child needs a UPN, a ULN (young people in further education) or a reason the UPN is not known (UN1 to UN10)",
    "upn_invalid": "A UPN must be 13 characters with the right check letter",
    "uln_invalid": "A ULN must be 10 digits",
    "upn_duplicate": "Two children in the return have the same UPN",
    "sex_missing": "Sex is required",
    "ethnicity_missing": "Ethnicity is required",
    "postcode_missing": "Postcode is required",
    "postcode_invalid": "The postcode is not a valid UK postcode",
    "age_over_25": "A child with an active plan must be 25 or younger on the census date",
    "age_under_0": "A child cannot be born after the census date",
    "received_before_birth": "A request cannot be received before the date of birth",
    "outcome_before_received": "The request outcome date cannot be before the request was received",
    "assessment_before_request_outcome": "The assessment outcome date cannot be before the request outcome date",
    "plan_before_received": "A plan cannot start before the request was received",
    "cease_before_start": "A plan cannot end before it started",
    "cease_reason_missing": "An ended plan needs a cease reason (1 to 9)",
    "plan_start_unknown": "A plan needs its start date",
    "placement_missing": "A plan needs a placement: the setting's URN or UKPRN, or an SEN setting code",
    "entry_date_assumed": "The day the child started at the setting is not recorded; the date the plan named it is used",
    "entry_before_birth": "A placement cannot start before the date of birth",
    "need_missing": "An active plan needs at least the primary type of need",
    "need_duplicate": "The primary and secondary types of need must differ",
    "review_decision_before_meeting": "A review decision cannot be before the review meeting",
    "transfer_la_unknown": "A plan transferred in needs the 3-digit DfE code of the authority it came from",
    "request_source_missing": "A request received in the period needs its source (2026 item)",
}
# Rules that describe the record but do not stop the DfE accepting the return (shown as warnings).
WARNINGS = frozenset({"entry_date_assumed"})
