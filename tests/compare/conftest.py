"""Known ratings and final state evaluations in a year long past (2012), so no other test's data mixes in.

Issyk-Kul region: Ak-Bulun (aiyl aimak, Ak-Suu district), Karakol (city), one more aiyl aimak with too
few ratings; Jalal-Abad region: one aiyl aimak. The methodology used by the tests of the numbers has
min_sample 3 and no shrinkage, so the expected values can be computed from the raw ratings here."""
import pytest
from sqlalchemy import select

from feedback.catalog.models import Period
from feedback.db import db
from feedback.evaluation.models import IndicatorScore, StateEvaluation
from feedback.scorecards import methodology as mth
from feedback.territory.models import Municipality
from tests.scorecards.helpers import AK_BULUN, KARAKOL, rate, respondent

YEAR = 2012
FAR = "41703204804000"  # Ak-Korgon, an aiyl aimak of Jalal-Abad region


def other_issyk_kul_aimak() -> str:
    return db.session.scalar(select(Municipality.code).where(
        Municipality.region_code == "41702000000000", Municipality.kind == "aiyl_aimak",
        Municipality.code != AK_BULUN, Municipality.valid_to.is_(None)).order_by(Municipality.code).limit(1))


RATINGS = {  # municipality → subject → overall scores
    AK_BULUN: {"LI-WATER": [2, 3, 4, 4], "LI-ROADS": [1, 2]},
    KARAKOL: {"LI-WATER": [5, 4, 4, 3, 5], "LI-ROADS": [3, 3, 4]},
    "other": {"LI-WATER": [1, 2]},
    FAR: {"LI-WATER": [4, 4, 5]},
}
# municipality → power → (1–5 scores of the four LSG indicators, funding answer, method answer)
EVALUATIONS = {
    AK_BULUN: {"DP-MILITARY": ([4, 3, 5, 2], "no", "partial")},
    KARAKOL: {"DP-MILITARY": ([5, 5, 4, 4], "yes", "yes")},
    FAR: {"DP-MILITARY": ([2, 2, 3, 1], "no", "no")},
}
LSG_INDICATORS = ("SI-EXECUTION", "SI-TIMELINESS", "SI-RECORDS", "SI-COMPLAINTS")


@pytest.fixture
def params():
    return mth.Params(99, mth.validate({"min_sample": 3, "shrinkage": {"enabled": False}}))


@pytest.fixture
def known(create_user):
    other = other_issyk_kul_aimak()
    for code, subjects in RATINGS.items():
        for subject, scores in subjects.items():
            for score in scores:
                rate(respondent(), other if code == "other" else code, subject, score, YEAR)
    db.session.add(Period(year=YEAR, status="open"))
    evaluator = create_user("state_evaluator", agency_code="MOD")
    for code, powers in EVALUATIONS.items():
        for power, (scores, funding, method) in powers.items():
            e = StateEvaluation(municipality_code=code, subject_code=power, period=YEAR, agency_code="MOD",
                                evaluator_id=evaluator.id, status="final")
            e.scores = [IndicatorScore(indicator_code=i, score=s) for i, s in zip(LSG_INDICATORS, scores, strict=True)]
            e.scores += [IndicatorScore(indicator_code="SI-FUNDING", answer=funding),
                         IndicatorScore(indicator_code="SI-METHOD", answer=method)]
            db.session.add(e)
    db.session.flush()
    return {"other": other}
