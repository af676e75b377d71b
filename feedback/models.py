"""Every model, imported in dependency order so that the metadata is complete (Alembic, tests)."""
from .catalog.models import Agency, Criterion, CriterionLevel, StateIndicator, Subject, TransparencyItem  # noqa: F401
from .ratings.models import CriterionScore, PhoneVerification, Rating, Respondent, SubmissionKey  # noqa: F401
from .territory.models import District, Municipality, Region, Village  # noqa: F401
