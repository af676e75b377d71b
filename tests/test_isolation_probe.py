from feedback.territory.models import Municipality
from sqlalchemy import select, func


def test_a(session):
    m = session.get(Municipality, "41702205805000")
    m.name_ru = "changed"
    session.commit()
    assert session.get(Municipality, "41702205805000").name_ru == "changed"


def test_b(session, client):
    assert session.get(Municipality, "41702205805000").name_ru == "Ак-Булунский айылный аймак"
    assert session.scalar(select(func.count()).select_from(Municipality)) == 484
