"""Every model, imported in dependency order so that the metadata is complete (Alembic, tests)."""
from .accounts.models import User, UserMunicipality, UserSession  # noqa: F401
from .answers.models import Answer, AnsweredComment, Judgement, SmsNotice  # noqa: F401, E402
from .audit.models import AuditEntry  # noqa: F401
from .cache import CacheVersion  # noqa: F401
from .catalog.models import (  # noqa: F401
    Agency,
    Criterion,
    CriterionLevel,
    Period,  # noqa: F401
    StateIndicator,
    Subject,
    TransparencyItem,
)
from .channels.models import InboundMessage, OutboundMessage, PaperForm, ShortCode  # noqa: F401
from .evaluation.models import Evidence, IndicatorScore, LsgResponse, StateEvaluation  # noqa: F401
from .ratings.models import CriterionScore, PhoneVerification, Rating, Respondent, SubmissionKey  # noqa: F401
from .scorecards.models import CriterionAggregate, Methodology, RatingAggregate  # noqa: F401
from .territory.models import District, Municipality, Region, Village  # noqa: F401
from .transparency.models import (  # noqa: F401
    BudgetPriority,
    TransparencyAnswer,
    TransparencyAssessment,
    TransparencyEvidence,
    TransparencyReply,
)
