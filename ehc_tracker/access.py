"""Who may do what: every role rule of the pages, the navigation and the JSON API in one place.

Each rule is named after what it allows. Routes ask `role_required(*access.CASEWORK)` (or the
API's `api_view`), the navigation shows a link to the people the page lets in, and the case
pages ask `can_edit_case` before they offer a change, so the three cannot disagree.

- Coordinators and managers do casework: children and cases of their own teams. Another team's
  child or case is treated as if it did not exist (404).
- A coordinator changes the cases they hold; a manager any case in their teams, and only a
  manager reassigns cases, decides exceptions, sets targets and makes the SEN2 return.
- Viewers see the overdue list without children's names, and the compliance figures.
- Administrators run the service (accounts, teams, the directory, calendars, the audit log, the
  alert runs, the SEN2 settings, the letter templates) and see no case data.
- Families follow the cases of the children linked to their account, and fetch the documents a
  coordinator shared with them (services/documents.py: family_document).
- Professionals (of a provider in the directory) see the advice requests addressed to them: the
  child's name and date of birth, the question, the due date and the documents attached for
  them, nothing else of the case; a provider manager sees the service's open requests
  (services/professionals.py: who may see which request).
- Documents follow their case (or, for a document of the child's record, the child): whoever
  sees the case reads them, whoever changes it adds, shares and deletes them; a manager of the
  team confirms deletions past the retention period.
- Families follow the cases of the children linked to their account, and answer the feedback
  surveys offered to them (also by an emailed link that works once, without signing in).
- Complaints are recorded by whoever works with the child; managers list them. Family feedback
  answers are read by managers, and by the coordinator they name only when a manager shares one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models.user import Role

if TYPE_CHECKING:
    from .models import User

# --- Who may reach each part of the service ------------------------------------------------------

STAFF: tuple[Role, ...] = Role.staff()
"""Everyone who works for the council: the home page, notifications, API tokens, the API's document."""
CASEWORK: tuple[Role, ...] = (Role.COORDINATOR, Role.MANAGER)
"""Children, cases, family access, the caseload: the people who hold cases."""
MANAGERS: tuple[Role, ...] = (Role.MANAGER,)
"""Reassigning cases, deciding exceptions, targets, the SEN2 return, documents past retention."""
OVERDUE_READERS: tuple[Role, ...] = (Role.COORDINATOR, Role.MANAGER, Role.VIEWER)
"""The overdue list and the other report lists (viewers without children's names)."""
REPORT_READERS: tuple[Role, ...] = (Role.MANAGER, Role.VIEWER)
"""The compliance dashboard and the monthly figures."""
ADMINS: tuple[Role, ...] = (Role.ADMIN,)
"""Accounts, teams, the directory, non-working days, the audit log, alert runs, SEN2 settings, letter templates."""
AUDIT_FRAMEWORK_EDITORS: tuple[Role, ...] = (Role.ADMIN,)
"""Publishing a version of the audit framework (its sections, questions and grade scale)."""
FAMILIES: tuple[Role, ...] = (Role.FAMILY,)
"""Parents, carers and young people following their own cases."""
PROFESSIONALS: tuple[Role, ...] = (Role.PROFESSIONAL,)
"""Professionals of a provider returning the advice asked of them: their own requests only."""


def _role(user: Any) -> Role | None:
    return getattr(user, "role", None)


def is_staff(user: Any) -> bool:
    return _role(user) in STAFF


def is_staff_editor(user: Any) -> bool:
    """A coordinator or a manager: someone who works with children and cases."""
    return _role(user) in CASEWORK


def can_manage(user: Any) -> bool:
    """A manager: reassigns cases, decides exceptions, sets targets, makes the SEN2 return."""
    return _role(user) in MANAGERS


def is_admin(user: Any) -> bool:
    return _role(user) in ADMINS


def is_family(user: Any) -> bool:
    return _role(user) in FAMILIES


def is_professional(user: Any) -> bool:
    return _role(user) in PROFESSIONALS


def can_view_overdue(user: Any) -> bool:
    return _role(user) in OVERDUE_READERS


def can_view_reports(user: Any) -> bool:
    """The compliance dashboard and monthly figures."""
    return _role(user) in REPORT_READERS


def can_see_child_names(user: Any) -> bool:
    """Viewers see the lists without child-identifying data; staff who hold cases see names."""
    return is_staff_editor(user)


def works_own_caseload(user: Any) -> bool:
    """A coordinator's lists start at their own cases; a manager's at their teams'."""
    return _role(user) is Role.COORDINATOR


def can_hold_cases(user: Any) -> bool:
    """Someone a case may be assigned to: an active coordinator or manager."""
    return bool(getattr(user, "active", False)) and is_staff_editor(user)


def can_hold_cases_in(user: Any, team_id: int) -> bool:
    return can_hold_cases(user) and team_id in user.team_ids


# --- Records ---------------------------------------------------------------------------------------


def can_view_child(user: User, child: Any) -> bool:
    """Coordinators and managers see the children of their own teams; nobody else sees any."""
    return bool(getattr(user, "is_authenticated", False)) and is_staff_editor(user) and child.team_id in user.team_ids


def can_edit_child(user: User, child: Any) -> bool:
    """Whoever sees a child's record may change it (contacts, plans)."""
    return can_view_child(user, child)


def can_view_case(user: User, case: Any) -> bool:
    """Coordinators and managers see the cases of their own teams."""
    return is_staff_editor(user) and case.team_id in user.team_ids


def can_edit_case(user: User, case: Any) -> bool:
    """Coordinators work their own caseload; managers anything in their teams."""
    if not can_view_case(user, case):
        return False
    return can_manage(user) or case.coordinator_id == user.id


def can_manage_case(user: User, case: Any) -> bool:
    """A manager of the case's team: reassigns it, decides its exceptions."""
    return can_manage(user) and case.team_id in user.team_ids


def can_audit(user: Any) -> bool:
    """Grades plans and advice against the audit framework: a manager, or a coordinator a manager
    named as an auditor."""
    if not getattr(user, "active", False):
        return False
    return can_manage(user) or (_role(user) is Role.COORDINATOR and bool(getattr(user, "auditor", False)))


def can_audit_in(user: Any, team_id: int) -> bool:
    return can_audit(user) and team_id in user.team_ids


def can_run_panel(user: Any, team_id: int) -> bool:
    """A manager of the team sets panel dates, the agenda and members, and records decisions."""
    return can_manage(user) and team_id in user.team_ids


def can_view_document(user: User, document: Any) -> bool:
    """A case's documents as the case; a document of the child's record as the child."""
    if document.case is not None:
        return can_view_case(user, document.case)
    return can_view_child(user, document.child)


def can_change_document(user: User, document: Any) -> bool:
    """Add, share, stop sharing, delete: whoever may change the case (or the child's record)."""
    if document.case is not None:
        return can_edit_case(user, document.case)
    return can_edit_child(user, document.child)


def can_manage_letter_templates(user: Any) -> bool:
    """Upload the council's own letter templates and choose the current version: administrators."""
    return is_admin(user)


def can_write_letters(user: User, case: Any) -> bool:
    """Make a letter from the case and send it: whoever may change the case."""
    return can_edit_case(user, case)


def can_confirm_document_deletion(user: User, document: Any) -> bool:
    """A manager of the team that holds it confirms its deletion past the retention period."""
    team_id = document.case.team_id if document.case is not None else document.child.team_id
    return can_manage(user) and team_id in user.team_ids


# --- Navigation ------------------------------------------------------------------------------------

# The pages of the header's navigation and who sees each link (the same people the page lets in).
NAVIGATION: tuple[tuple[str, str, tuple[Role, ...]], ...] = (
    ("Home", "main.index", STAFF),
    ("Cases", "cases.caseload", CASEWORK),
    ("Children", "children.index", CASEWORK),
    ("Overdue", "reports.overdue", CASEWORK),
    ("Dashboard", "reports.dashboard", REPORT_READERS),
    ("SEN2 return", "sen2.index", MANAGERS),
    ("Users", "admin.users", ADMINS),
    ("Teams", "admin.teams", ADMINS),
    ("Directory", "admin.directory", ADMINS),
    ("Non-working days", "admin.non_working_days", ADMINS),
    ("Audit log", "admin.audit_log", ADMINS),
    ("Alert runs", "alert_runs.jobs", ADMINS),
    ("SEN2 settings", "sen2.settings", ADMINS),
    ("Notifications", "notifications.index", STAFF),
    ("Your cases", "family.home", FAMILIES),
    ("Advice requests", "providers.home", PROFESSIONALS),
)


def navigation_for(user: Any) -> list[tuple[str, str]]:
    """The (text, endpoint) of each navigation link the user sees, in order."""
    role = _role(user)
    return [(text, endpoint) for text, endpoint, roles in NAVIGATION if role in roles]
