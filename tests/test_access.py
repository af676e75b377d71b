"""Every protected route × every role: reachable by exactly the roles and scopes that should reach
it, 403 for other roles, 404 outside a scope (nothing leaks), a redirect to sign-in when anonymous.

The table must name every route that is not public: a new route without a row fails
``test_every_protected_route_is_in_the_table``.
"""
import datetime as dt
import hashlib

import pytest
from sqlalchemy import select

from feedback.catalog.models import Period
from feedback.evaluation.models import Evidence, StateEvaluation
from feedback.ratings.abuse import Signals
from feedback.ratings.models import Respondent
from feedback.ratings.services import RatingInput, submit_rating

PUBLIC_BLUEPRINTS = {"site", "pages", "territory", "ratings", "phone", "posters", "api", "offline", "sms", "channel_export",
                     "answers_public"}
PUBLIC_ENDPOINTS = {"static", "accounts.login", "accounts.login_code", "scorecards.methodology_page",
                    "scorecards.print_view", "scorecards.scorecard", "transparency.priorities",
                    "transparency.priorities_thanks", "transparency.priorities_export", "transparency.priorities_export_all"}
PUBLIC_ENDPOINTS |= {"compare.index", "compare.urban_rural", "compare.scorecards_export", "compare.map_page",
                     "compare.unfunded_page", "compare.open_data", "compare.open_data_file"}
M_X, M_OTHER = "41702205805000", "41702410000010"  # Ak-Bulun; Karakol (same region)
M_FAR = "41703211802000"  # an aiyl aimak of Jalal-Abad region
ROLES = ("anonymous", "admin", "moderator", "moderator_far", "lsg_staff", "lsg_staff_other",
         "evaluator", "evaluator_other_agency", "evaluator_far", "monitor", "analyst")

ALL_SIGNED_IN = set(ROLES) - {"anonymous"}
# endpoint → (URL-argument builder, the roles that reach it; the roles listed in `not_found` get 404)
TABLE = {
    "accounts.account": ({}, ALL_SIGNED_IN, set()),
    "accounts.totp": ({}, ALL_SIGNED_IN, set()),
    "accounts.change_password": ({}, ALL_SIGNED_IN, set()),
    "accounts.totp_disable": ({}, ALL_SIGNED_IN, set()),
    "accounts.logout": ({}, ALL_SIGNED_IN | {"anonymous"}, set()),
    "admin.home": ({}, {"admin"}, set()),
    "assisted.entry": ({"code": M_X}, {"admin", "monitor"}, set()),
    "assisted.print_forms": ({"code": M_X}, {"admin", "monitor"}, set()),
    "admin.users": ({}, {"admin"}, set()),
    "admin.user_new": ({}, {"admin"}, set()),
    "admin.user_edit": ({"user_id": "target"}, {"admin"}, set()),
    "admin.user_disable": ({"user_id": "target"}, {"admin"}, set()),
    "admin.user_enable": ({"user_id": "target"}, {"admin"}, set()),
    "admin.user_end_sessions": ({"user_id": "target"}, {"admin"}, set()),
    "admin.user_reset_totp": ({"user_id": "target"}, {"admin"}, set()),
    "admin.periods_list": ({}, {"admin"}, set()),
    "admin.period_open": ({}, {"admin"}, set()),
    "admin.period_close": ({"year": "closing_year"}, {"admin"}, set()),
    "admin.catalog": ({}, {"admin"}, set()),
    "admin.catalog_edit": ({"kind": "subject", "code": "LI-WATER"}, {"admin"}, set()),
    "admin.subject_retire": ({"code": "LI-WATER"}, {"admin"}, set()),
    "admin.registry": ({}, {"admin"}, set()),
    "admin.registry_edit": ({"code": M_X}, {"admin"}, set()),
    "scorecards.methodology_admin": ({}, {"admin"}, set()),
    "scorecards.methodology_publish": ({}, {"admin"}, set()),
    "moderation.queue": ({}, {"admin", "moderator", "moderator_far"}, set()),
    "moderation.comment_decision": ({"rating_id": "rating", "action": "approve"}, {"admin", "moderator"}, {"moderator_far"}),
    "moderation.bulk_decision": ({}, {"admin", "moderator", "moderator_far"}, set()),
    "moderation.quarantine_decision": ({"rating_id": "quarantined", "action": "confirm"}, {"admin", "moderator"},
                                       {"moderator_far"}),
    "compare.analyst_home": ({}, {"admin", "analyst"}, set()),
    "evaluation.evaluator_home": ({}, {"evaluator", "evaluator_other_agency", "evaluator_far"}, set()),
    "evaluation.evaluate": ({"code": M_X, "power": "DP-MILITARY"}, {"evaluator"},
                            {"evaluator_other_agency", "evaluator_far"}),
    "evaluation.staff_home": ({}, {"lsg_staff", "lsg_staff_other"}, set()),
    "evaluation.staff_evaluation": ({"evaluation_id": "evaluation"}, {"lsg_staff"}, {"lsg_staff_other"}),
    "answers.staff_answers": ({}, {"lsg_staff", "lsg_staff_other"}, set()),
    "answers.action_plan": ({}, {"lsg_staff", "lsg_staff_other"}, set()),
    "answers.mark_done": ({"answer_id": "answer"}, {"lsg_staff"}, {"lsg_staff_other"}),
    "answers.edit_answer": ({"answer_id": "answer"}, {"lsg_staff"}, {"lsg_staff_other"}),
    "answers.withdraw_answer": ({"answer_id": "answer"}, {"lsg_staff"}, {"lsg_staff_other"}),
    "evaluation.evidence": ({"evidence_id": "evidence"}, {"admin", "analyst", "evaluator", "lsg_staff"},
                            {"evaluator_other_agency", "evaluator_far", "lsg_staff_other"}),
    "transparency.monitor_home": ({}, {"monitor"}, set()),
    "transparency.assess": ({"code": M_X}, {"monitor"}, set()),
    "transparency.review": ({"assessment_id": "transparency"}, {"monitor"}, set()),
    "transparency.staff_reply": ({"assessment_id": "transparency"}, {"lsg_staff"}, {"lsg_staff_other"}),
    "transparency_files.evidence": ({"evidence_id": "transparency_evidence"}, {"admin", "analyst", "monitor", "lsg_staff"},
                                    {"lsg_staff_other", "moderator", "moderator_far", "evaluator",
                                     "evaluator_other_agency", "evaluator_far"}),
}


@pytest.fixture
def world(app, session, create_user):
    year = 2031
    session.add(Period(year=year, status="open"))
    session.add(Period(year=2029, status="open"))
    session.flush()
    users = {
        "admin": create_user("admin"),
        "moderator": create_user("moderator", region_code="41702000000000"),
        "moderator_far": create_user("moderator", region_code="41703000000000"),
        "lsg_staff": create_user("lsg_staff", municipality_code=M_X),
        "lsg_staff_other": create_user("lsg_staff", municipality_code=M_OTHER),
        "evaluator": create_user("state_evaluator", agency_code="MOD"),
        "evaluator_other_agency": create_user("state_evaluator", agency_code="MOJ"),
        "evaluator_far": create_user("state_evaluator", agency_code="MOD", region_code="41703000000000"),
        "monitor": create_user("monitor", region_code="41702000000000"),
        "analyst": create_user("analyst"),
    }
    respondent = Respondent(token="access-test-respondent")
    session.add(respondent)
    session.flush()

    def rate(subject, honeypot=""):
        signals = Signals(municipality_code=M_X, respondent_id=respondent.id, address_hash="a", honeypot=honeypot)
        return submit_rating(RatingInput(M_X, subject, 3, comment="Жолдор начар"), respondent, signals).rating

    evaluation = StateEvaluation(municipality_code=M_X, subject_code="DP-MILITARY", period=year, agency_code="MOD",
                                 evaluator_id=users["evaluator"].id, status="submitted")
    session.add(evaluation)
    session.flush()
    evidence = Evidence(evaluation_id=evaluation.id, filename="act.pdf", content_type="application/pdf", size=5,
                        sha256=hashlib.sha256(b"%PDF-").hexdigest(), data=b"%PDF-")
    session.add(evidence)
    session.flush()
    from feedback.answers.models import Answer

    answer = Answer(municipality_code=M_X, subject_code="LI-WATER", period=year, kind="commitment", language="ky",
                    body="Түтүк алмаштырабыз", author_id=users["lsg_staff"].id, promise="Түтүк",
                    promise_due=dt.date(year, 6, 1), promise_status="promised")
    session.add(answer)
    session.flush()
    ids = {**_transparency_world(session, create_user, year), "answer": answer.id,
           "target": create_user("analyst").id, "rating": rate("LI-WATER").id, "quarantined": rate("LI-ROADS", "bot").id,
           "evaluation": evaluation.id, "evidence": evidence.id, "closing_year": 2029}
    return users, ids


def _transparency_world(session, create_user, year):
    """A submitted budget transparency assessment of M_X by another monitor, with a photo."""
    import datetime as dt

    from feedback.transparency.models import TransparencyAssessment, TransparencyEvidence

    author = create_user("monitor", region_code="41702000000000")
    assessment = TransparencyAssessment(municipality_code=M_X, period=year, monitor_id=author.id, status="submitted",
                                        reply_due=dt.datetime.now(dt.UTC) + dt.timedelta(days=14))
    session.add(assessment)
    session.flush()
    photo = TransparencyEvidence(assessment_id=assessment.id, item_code="BT-2-02", party="monitor", author_id=author.id,
                                 filename="board.png", content_type="image/png", size=8, data=b"\x89PNG\r\n\x1a\n")
    session.add(photo)
    session.flush()
    return {"transparency": assessment.id, "transparency_evidence": photo.id}


def url_for_row(app, endpoint, args, ids, lang="ru"):
    values = {key: ids.get(value, value) if isinstance(value, str) else value for key, value in args.items()}
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, lang=lang, **values)


def test_every_protected_route_is_in_the_table(app):
    protected = {rule.endpoint for rule in app.url_map.iter_rules()
                 if rule.endpoint.split(".")[0] not in PUBLIC_BLUEPRINTS and rule.endpoint not in PUBLIC_ENDPOINTS}
    assert protected == set(TABLE), "add the new route to TABLE with the roles that may reach it"


CASES = [(endpoint, role) for endpoint in TABLE for role in ROLES]


@pytest.mark.parametrize(("endpoint", "role"), CASES, ids=[f"{e}-{r}" for e, r in CASES])
def test_route_is_reached_by_exactly_its_roles(app, client, session, world, sign_in, monkeypatch, endpoint, role):
    users, ids = world
    args, allowed, not_found = TABLE[endpoint]
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    method = "GET" if "GET" in rule.methods else "POST"
    # CSRF is tested elsewhere; here every request carries the right to try.
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    if role != "anonymous":
        sign_in(client, users[role])
    url = url_for_row(app, endpoint, args, ids)
    response = client.open(url, method=method, data={})
    location = response.headers.get("Location", "")
    if role in allowed:
        # Reached means served: a page or a redirect (a POST with an empty form may also be refused
        # as bad input, 400); never an error such as a 500.
        reached = (200, 302, 303, 400) if method == "POST" else (200, 302, 303)
        assert response.status_code in reached, f"{role} should reach {endpoint}: {response.status_code}"
        assert "/login" not in location, f"{role} was sent to sign in at {endpoint}"
    elif role == "anonymous":
        assert response.status_code in (302, 303) and "/login" in location, f"anonymous at {endpoint}"
    elif role in not_found:
        assert response.status_code == 404, f"{role} outside its scope must get 404 at {endpoint}"
    else:
        assert response.status_code == 403, f"{role} must get 403 at {endpoint}"


def test_no_one_changes_a_closed_period(app, client, session, world, sign_in, monkeypatch):
    users, ids = world
    session.get(Period, 2031).status = "closed"
    session.flush()
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    evaluation = session.get(StateEvaluation, ids["evaluation"])
    sign_in(client, users["evaluator"])
    url = url_for_row(app, "evaluation.evaluate", {"code": M_X, "power": "DP-MILITARY"}, ids) + "?period=2031"
    client.post(url, data={"action": "finalise"})
    session.refresh(evaluation)
    assert evaluation.status == "submitted"
    staff = app.test_client()
    sign_in(staff, users["lsg_staff"])
    before = len(evaluation.responses)
    staff.post(url_for_row(app, "evaluation.staff_evaluation", {"evaluation_id": "evaluation"}, ids),
               data={"kind": "answer", "body": "Жооп"})
    session.refresh(evaluation)
    assert len(evaluation.responses) == before
    assert session.scalars(select(StateEvaluation).where(StateEvaluation.period == 2031)).all() == [evaluation]


def test_budget_transparency_who_fills_replies_reviews_finalises(app, client, session, world, sign_in, monkeypatch,
                                                                   create_user):
    """Only monitors in scope fill; only the municipality's staff reply; the author never reviews;
    the reviewer never finalises (their own review)."""
    from feedback.transparency.models import TransparencyAssessment

    users, ids = world
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    assessment = session.get(TransparencyAssessment, ids["transparency"])
    author = session.get(type(users["monitor"]), assessment.monitor_id)
    far = create_user("monitor", region_code="41703000000000")

    def post(user, endpoint, args, data):
        c = app.test_client()
        sign_in(c, user)
        return c.post(url_for_row(app, endpoint, args, ids) + "?period=2031", data=data)

    assert post(far, "transparency.assess", {"code": M_X}, {"action": "save", "item-BT-1-01": "yes"}).status_code == 404
    assert post(users["lsg_staff_other"], "transparency.staff_reply", {"assessment_id": "transparency"},
                {"reply-BT-1-01": "Жооп"}).status_code == 404
    assert post(author, "transparency.review", {"assessment_id": "transparency"}, {}).status_code == 404
    verdicts = {f"review-{code}": "agree" for code in ("BT-1-01", "BT-1-02", "BT-1-03", "BT-1-04", "BT-1-05", "BT-1-06",
                                                        "BT-1-07", "BT-2-01", "BT-2-02", "BT-2-03", "BT-2-04", "BT-2-05",
                                                        "BT-2-06", "BT-3-01", "BT-3-02", "BT-3-03", "BT-3-04", "BT-3-05",
                                                        "BT-3-06")}
    from feedback.transparency.models import TransparencyAnswer

    assessment.answers.extend(TransparencyAnswer(item_code=c[7:], answer="yes", note="", review_note="") for c in verdicts)
    session.flush()
    assert post(users["monitor"], "transparency.review", {"assessment_id": "transparency"}, verdicts).status_code == 303
    session.refresh(assessment)
    assert assessment.status == "reviewed" and assessment.reviewer_id == users["monitor"].id
    assert post(users["monitor"], "transparency.assess", {"code": M_X}, {"action": "finalise"}).status_code == 404
    session.refresh(assessment)
    assert assessment.status == "reviewed"
