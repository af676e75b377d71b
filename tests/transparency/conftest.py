import pytest

from feedback.catalog.models import Period

M_X, M_OTHER = "41702205805000", "41702410000010"  # Ak-Bulun; Karakol (both in Issyk-Kul region)
M_FAR = "41703211802000"  # Jalal-Abad region
REGION = "41702000000000"
YEAR = 2025  # a past year: the public scorecard and API accept years up to the current one


@pytest.fixture
def people(session, create_user):
    session.add(Period(year=YEAR, status="open"))
    session.flush()
    return {
        "monitor": create_user("monitor", region_code=REGION),
        "reviewer": create_user("monitor", region_code=REGION),
        "monitor_far": create_user("monitor", region_code="41703000000000"),
        "staff": create_user("lsg_staff", municipality_code=M_X),
        "staff_other": create_user("lsg_staff", municipality_code=M_OTHER),
    }


def all_answers(session, answer="yes", **overrides):
    from sqlalchemy import select

    from feedback.catalog.models import TransparencyItem

    codes = session.scalars(select(TransparencyItem.code)).all()
    return {c: overrides.get(c, answer) for c in codes}
