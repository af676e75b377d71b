from feedback.ratings.models import Rating

"""The own_staff rule end to end: a signed-in LSG staff member rating their own municipality."""


def test_staff_rating_own_municipality_is_quarantined(client, session, create_user, sign_in):
    user = create_user("lsg_staff", municipality_code="41702205805000")
    sign_in(client, user)
    response = client.post("/api/v1/ratings", json={"municipality": "41702205805000", "subject": "LI-WATER", "overall": 5})
    assert response.status_code == 201, response.json
    assert response.json["status"] == "quarantined"
    assert session.get(Rating, response.json["id"]).quarantine_rule == "own_staff"


def test_staff_rating_another_municipality_is_accepted(client, create_user, sign_in):
    sign_in(client, create_user("lsg_staff", municipality_code="41702410000010"))
    response = client.post("/api/v1/ratings", json={"municipality": "41702205805000", "subject": "LI-WATER", "overall": 5})
    assert response.json["status"] == "accepted"
