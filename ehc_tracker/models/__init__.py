"""Every model, imported here so the metadata is complete for migrations."""

from .alerts import (
    Alert,
    AlertKind,
    AlertPreference,
    DigestFrequency,
    GiveUpReason,
    JobLock,
    JobRun,
    JobRunStatus,
    JobTrigger,
    OutboxDestination,
    OutboxMessage,
    OutboxStatus,
)
from .api import ApiToken
from .audit import AuditEvent
from .case import (
    AdviceRequest,
    Case,
    CaseAssignment,
    CaseEvent,
    CaseException,
    CaseNote,
    Communication,
    Consultation,
    ConsultationOutcome,
    Milestone,
    Plan,
)
from .child import Child, ChildContact
from .contribution import (
    AdviceReturn,
    ContributionKind,
    FamilyContribution,
    ProfessionalInvitation,
    ProviderMembership,
    advice_request_documents,
)
from .directory import DirectoryEntry, DirectoryKind
from .document import PLAN_KINDS, Document, DocumentKind
from .family import FamilyInvitation, FamilyLink
from .imports import Import, ImportStatus
from .letters import LetterTemplate
from .panel import Panel, PanelItem, PanelMember, PanelQuestion
from .quality import AuditAnswer, AuditFramework, AuditQuestion, AuditSample, AuditSubject, Grade, QualityAudit
from .report import ComplianceTarget
from .sen2 import Sen2Export, Sen2ExportStatus, Sen2Settings
from .settings import LocalNonWorkingDay
from .user import Role, Team, User, normalise_email, team_memberships
from .voice import (
    Complaint,
    ComplaintCategory,
    ComplaintOutcome,
    ComplaintStage,
    FamilySurvey,
    SurveyPoint,
    SurveyRating,
)

__all__ = [
    "AuditAnswer",
    "AuditFramework",
    "AuditQuestion",
    "AuditSample",
    "AuditSubject",
    "Grade",
    "Panel",
    "PanelItem",
    "PanelMember",
    "PanelQuestion",
    "QualityAudit",
    "AdviceRequest",
    "AdviceReturn",
    "ContributionKind",
    "FamilyContribution",
    "ProfessionalInvitation",
    "ProviderMembership",
    "advice_request_documents",
    "Alert",
    "AlertKind",
    "AlertPreference",
    "DigestFrequency",
    "GiveUpReason",
    "JobLock",
    "JobRun",
    "JobRunStatus",
    "JobTrigger",
    "OutboxDestination",
    "OutboxMessage",
    "OutboxStatus",
    "ApiToken",
    "AuditEvent",
    "LetterTemplate",
    "Case",
    "CaseAssignment",
    "CaseEvent",
    "CaseException",
    "CaseNote",
    "Complaint",
    "ComplaintCategory",
    "ComplaintOutcome",
    "ComplaintStage",
    "FamilySurvey",
    "SurveyPoint",
    "SurveyRating",
    "Child",
    "ChildContact",
    "Communication",
    "FamilyInvitation",
    "FamilyLink",
    "Import",
    "ImportStatus",
    "ComplianceTarget",
    "Consultation",
    "ConsultationOutcome",
    "DirectoryEntry",
    "DirectoryKind",
    "Document",
    "DocumentKind",
    "LocalNonWorkingDay",
    "Milestone",
    "Plan",
    "PLAN_KINDS",
    "Role",
    "Sen2Export",
    "Sen2ExportStatus",
    "Sen2Settings",
    "Team",
    "User",
    "normalise_email",
    "team_memberships",
]
