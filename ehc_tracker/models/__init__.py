"""Every model, imported here so the metadata is complete for migrations."""
from .audit import AuditEvent
from .settings import LocalNonWorkingDay
from .user import Role, Team, User, normalise_email, team_memberships

__all__ = ["AuditEvent", "LocalNonWorkingDay", "Role", "Team", "User", "normalise_email", "team_memberships"]
