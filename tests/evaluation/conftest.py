"""Fixtures for the state evaluation tests: an open and a closed period, two municipalities in two
regions, evaluators of two agencies and staff of two municipalities."""
import io
import zipfile
from types import SimpleNamespace

import pytest

from feedback.catalog.models import Period, StateIndicator, Subject
from feedback.territory.models import Municipality

OPEN, CLOSED = 2031, 2030
# Ak-Bulun (Issyk-Kul region) and an aiyl aimak of another region.
M_X = "41702205805000"
M_Y_REGION = "41703000000000"


@pytest.fixture
def world(session, create_user):
    from sqlalchemy import select

    session.add_all([Period(year=OPEN, status="open"), Period(year=CLOSED, status="closed")])
    session.flush()
    x = session.get(Municipality, M_X)
    y = session.scalar(select(Municipality).where(Municipality.region_code == M_Y_REGION,
                                                  Municipality.kind == "aiyl_aimak").order_by(Municipality.code))
    military, notary = session.get(Subject, "DP-MILITARY"), session.get(Subject, "DP-NOTARY")
    return SimpleNamespace(
        x=x, y=y, military=military, notary=notary,
        indicators=list(session.scalars(select(StateIndicator).order_by(StateIndicator.position))),
        mod=create_user("state_evaluator", agency_code="MOD"),
        mod_region_x=create_user("state_evaluator", agency_code="MOD", region_code=x.region_code),
        mod_region_y=create_user("state_evaluator", agency_code="MOD", region_code=y.region_code),
        moj=create_user("state_evaluator", agency_code="MOJ"),
        staff_x=create_user("lsg_staff", municipality_code=x.code),
        staff_y=create_user("lsg_staff", municipality_code=y.code),
        admin=create_user("admin"),
    )


def full_scores(indicators, level: int = 4) -> dict:
    return {i.code: (str(level) if i.scale == "1-5" else "partial") for i in indicators}


def docx_bytes(part: str = "word/document.xml") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(part, "<x/>")
    return buffer.getvalue()


PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF_BYTES = b"%PDF-1.4\n%test\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
