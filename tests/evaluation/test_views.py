"""The evaluator's and the LSG staff's pages: the workflow through the forms, scope, closed periods."""
import io

import pytest
from sqlalchemy import select

from feedback.evaluation import services
from feedback.evaluation.models import Evidence, StateEvaluation
from feedback.evaluation.services import ScoresInput
from feedback.ratings.models import Rating, Respondent
from tests.conftest import csrf_token

from .conftest import CLOSED, OPEN, PDF_BYTES, full_scores


def _url(lang, m, power, **query):
    extra = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/{lang}/evaluate/{m.code}/{power}/" + (f"?{extra}" if extra else "")


def _post_form(client, url, data, files=None):
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    form = {"csrf_token": csrf_token(page.get_data(as_text=True)), **data}
    if files:
        form.update(files)
    return client.post(url, data=form, content_type="multipart/form-data" if files else None)


def _token_from(client, url):
    return csrf_token(client.get(url).get_data(as_text=True))


def _scores_form(indicators, level=4):
    return {f"ind-{code}": value for code, value in full_scores(indicators, level).items()}


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_workflow_through_the_pages(world, client, sign_in, session, lang):
    evaluator = sign_in(client, world.mod)
    home = evaluator.get(f"/{lang}/evaluate/?region={world.x.region_code}&district={world.x.district_code}")
    assert home.status_code == 200
    assert f"/{lang}/evaluate/{world.x.code}/DP-MILITARY/?period={OPEN}" in home.get_data(as_text=True)
    assert "DP-NOTARY" not in home.get_data(as_text=True)

    url = _url(lang, world.x, "DP-MILITARY")
    page = evaluator.get(url).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    for indicator in world.indicators:
        assert f'name="ind-{indicator.code}"' in page and f'for="comment-{indicator.code}"' in page

    saved = _post_form(evaluator, url, {"action": "save", f"ind-{world.indicators[0].code}": "3", "comment": "visit"},
                       {"evidence_file": (io.BytesIO(PDF_BYTES), "акт.pdf")})
    assert saved.status_code == 303
    ev = session.scalar(select(StateEvaluation).where(StateEvaluation.municipality_code == world.x.code))
    assert ev.status == "draft" and len(ev.evidence) == 1

    incomplete = _post_form(evaluator, url, {"action": "submit"})
    assert incomplete.status_code == 400 and 'class="error"' in incomplete.get_data(as_text=True)

    submitted = _post_form(evaluator, url, {"action": "submit", **_scores_form(world.indicators)})
    assert submitted.status_code == 303
    session.refresh(ev)
    assert ev.status == "submitted"

    staff = sign_in(client.application.test_client(), world.staff_x)
    staff_home = staff.get(f"/{lang}/staff/").get_data(as_text=True)
    assert f"/{lang}/staff/evaluations/{ev.id}/" in staff_home
    staff_url = f"/{lang}/staff/evaluations/{ev.id}/"
    view = staff.get(staff_url).get_data(as_text=True)
    assert "SI-FUNDING" not in view  # codes are not shown, names are
    answered = _post_form(staff, staff_url, {"kind": "contest", "body": "We disagree: see the act of 3 March."})
    assert answered.status_code == 303

    shown = evaluator.get(url).get_data(as_text=True)
    assert "We disagree: see the act of 3 March." in shown
    revised = _post_form(evaluator, url, {"action": "save", **_scores_form(world.indicators, 5)})
    assert revised.status_code == 303
    undecided = _post_form(evaluator, url, {"action": "finalise", **_scores_form(world.indicators, 5)})
    assert undecided.status_code == 400  # contested: the decision on the contest is required
    final = _post_form(evaluator, url, {"action": "finalise", "contest_outcome": "rejected",
                                        **_scores_form(world.indicators, 5)})
    assert final.status_code == 303
    session.refresh(ev)
    assert ev.status == "final" and ev.contest_outcome == "rejected"
    read_only = evaluator.get(url).get_data(as_text=True)
    assert 'name="action"' not in read_only


def test_final_evaluation_refuses_a_forged_post(world, client, sign_in, session):
    ev = services.open_draft(world.mod, world.x, world.military, OPEN)
    services.save_scores(world.mod, ev, ScoresInput(values=full_scores(world.indicators)))
    services.submit(world.mod, ev)
    services.finalise(world.mod, ev)
    evaluator = sign_in(client, world.mod)
    url = _url("ru", world.x, "DP-MILITARY")
    # The final page has no form; take a valid token from another power's form.
    token = _token_from(evaluator, _url("ru", world.y, "DP-MILITARY"))
    response = evaluator.post(url, data={"csrf_token": token, "action": "save", **_scores_form(world.indicators, 1)})
    assert response.status_code == 400
    session.refresh(ev)
    assert {s.score for s in ev.scores if s.score} == {4}


def test_scope_of_evaluators(world, client, sign_in):
    sign_in(client, world.moj)
    assert client.get(_url("ky", world.x, "DP-MILITARY")).status_code == 404
    assert client.get(_url("ky", world.x, "DP-NOTARY")).status_code == 200
    assert client.get(_url("ky", world.x, "DP-NOPE")).status_code == 404
    assert client.get(_url("ky", world.x, "SI-FUNDING")).status_code == 404
    assert client.get("/ky/evaluate/00000000000000/DP-NOTARY/").status_code == 404
    csrf = csrf_token(client.get(_url("ky", world.x, "DP-NOTARY")).get_data(as_text=True))
    assert client.post(_url("ky", world.x, "DP-MILITARY"), data={"csrf_token": csrf, "action": "save"}).status_code == 404

    regional = client.application.test_client()
    sign_in(regional, world.mod_region_y)
    assert regional.get(_url("ru", world.x, "DP-MILITARY")).status_code == 404
    assert regional.get(_url("ru", world.y, "DP-MILITARY")).status_code == 200
    worklist = regional.get("/ru/evaluate/").get_data(as_text=True)
    assert world.y.code in worklist and world.x.code not in worklist


@pytest.mark.parametrize("role", ["lsg_staff", "admin", "analyst", "moderator", "monitor"])
def test_other_roles_cannot_reach_the_evaluator_pages(world, client, sign_in, create_user, role):
    user = create_user(role, municipality_code=world.x.code if role == "lsg_staff" else None)
    sign_in(client, user)
    assert client.get("/ky/evaluate/").status_code == 403
    assert client.get(_url("ky", world.x, "DP-MILITARY")).status_code == 403


def test_signed_out_users_are_sent_to_sign_in(client):
    for url in ("/ky/evaluate/", "/ru/staff/", "/ky/staff/evaluations/1/", "/ky/evidence/1"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def _submitted(world, municipality=None):
    ev = services.open_draft(world.mod, municipality or world.x, world.military, OPEN)
    services.save_scores(world.mod, ev, ScoresInput(values=full_scores(world.indicators)))
    services.submit(world.mod, ev)
    services.add_file(world.mod, ev, "a.pdf", PDF_BYTES)
    return ev


def test_staff_see_and_answer_only_their_own_municipality(world, client, sign_in, session):
    own, other = _submitted(world), _submitted(world, world.y)
    sign_in(client, world.staff_x)
    assert client.get(f"/ky/staff/evaluations/{own.id}/").status_code == 200
    assert client.get(f"/ky/staff/evaluations/{other.id}/").status_code == 404
    token = csrf_token(client.get(f"/ky/staff/evaluations/{own.id}/").get_data(as_text=True))
    response = client.post(f"/ky/staff/evaluations/{other.id}/", data={"csrf_token": token, "kind": "answer", "body": "x"})
    assert response.status_code == 404
    assert not other.responses
    home = client.get("/ky/staff/").get_data(as_text=True)
    assert f"/ky/staff/evaluations/{own.id}/" in home and f"/ky/staff/evaluations/{other.id}/" not in home
    assert f"/ky/m/{world.x.code}/" in home and f"/ky/m/{world.x.code}/poster" in home


def test_staff_do_not_see_drafts(world, client, sign_in):
    ev = services.open_draft(world.mod, world.x, world.military, OPEN)
    sign_in(client, world.staff_x)
    assert client.get(f"/ru/staff/evaluations/{ev.id}/").status_code == 404
    assert f"/ru/staff/evaluations/{ev.id}/" not in client.get("/ru/staff/").get_data(as_text=True)


def test_staff_home_shows_approved_comments_only(world, client, sign_in, session):
    respondent = Respondent(token="t" * 32)
    session.add(respondent)
    session.flush()
    for subject, status, text in (("MS-INFO", "approved", "Water comes twice a week."),
                                  ("MS-HOUSEBOOK", "pending", "Pending words"), ("MS-FAMILY", "rejected", "Rejected words")):
        session.add(Rating(respondent_id=respondent.id, municipality_code=world.x.code, subject_code=subject,
                           period=OPEN, overall=3, comment=text, comment_status=status))
    session.flush()
    sign_in(client, world.staff_x)
    page = client.get("/ky/staff/").get_data(as_text=True)
    assert "Water comes twice a week." in page
    assert "Pending words" not in page and "Rejected words" not in page


def test_response_form_validation(world, client, sign_in):
    ev = _submitted(world)
    sign_in(client, world.staff_x)
    url = f"/ru/staff/evaluations/{ev.id}/"
    response = _post_form(client, url, {"kind": "answer", "body": ""})
    assert response.status_code == 400 and 'id="body-error"' in response.get_data(as_text=True)


def test_closed_period_pages_are_read_only(world, client, sign_in, session):
    ev = StateEvaluation(municipality_code=world.x.code, subject_code="DP-MILITARY", period=CLOSED,
                         agency_code="MOD", evaluator_id=world.mod.id, status="submitted")
    session.add(ev)
    session.flush()
    sign_in(client, world.staff_x)
    page = client.get(f"/ky/staff/evaluations/{ev.id}/").get_data(as_text=True)
    assert 'name="body"' not in page
    token = csrf_token(client.get(f"/ky/staff/evaluations/{_submitted(world).id}/").get_data(as_text=True))
    response = client.post(f"/ky/staff/evaluations/{ev.id}/", data={"csrf_token": token, "kind": "answer", "body": "x"})
    assert response.status_code == 400 and not ev.responses

    evaluator = sign_in(client.application.test_client(), world.mod)
    url = _url("ky", world.x, "DP-MILITARY", period=CLOSED)
    assert 'name="action"' not in evaluator.get(url).get_data(as_text=True)
    token = csrf_token(evaluator.get(_url("ky", world.x, "DP-MILITARY")).get_data(as_text=True))
    response = evaluator.post(url, data={"csrf_token": token, "action": "save", **_scores_form(world.indicators)})
    assert response.status_code == 400 and not ev.scores


def test_upload_errors_are_shown_beside_the_field(world, client, sign_in, session):
    sign_in(client, world.mod)
    url = _url("ru", world.x, "DP-MILITARY")
    response = _post_form(client, url, {"action": "save"}, {"evidence_file": (io.BytesIO(b"MZ fake"), "fake.pdf")})
    assert response.status_code == 400 and 'id="evidence_file-error"' in response.get_data(as_text=True)
    response = _post_form(client, url, {"action": "save", "evidence_url": "javascript:alert(1)"})
    assert response.status_code == 400 and 'id="evidence_url-error"' in response.get_data(as_text=True)
    assert session.scalar(select(Evidence)) is None


def test_evidence_download_scope(world, client, sign_in, create_user):
    ev = _submitted(world)
    item = ev.evidence[0]
    url = f"/ru/evidence/{item.id}"
    for user, status in ((world.mod, 200), (world.mod_region_x, 200), (world.staff_x, 200), (world.admin, 200),
                         (create_user("analyst"), 200), (world.moj, 404), (world.mod_region_y, 404),
                         (world.staff_y, 404), (create_user("moderator"), 403)):
        response = sign_in(client.application.test_client(), user).get(url)
        assert response.status_code == status, (user.role, user.agency_code, status)
        if status == 200:
            assert response.data == PDF_BYTES
            assert response.headers["Content-Disposition"].startswith("attachment")
            assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert sign_in(client.application.test_client(), world.mod).get("/ru/evidence/999999").status_code == 404


def test_staff_cannot_download_evidence_of_a_draft(world, client, sign_in):
    ev = services.open_draft(world.mod, world.x, world.military, OPEN)
    item = services.add_file(world.mod, ev, "a.pdf", PDF_BYTES)
    assert sign_in(client, world.staff_x).get(f"/ky/evidence/{item.id}").status_code == 404


def test_state_part_is_shown_apart(world, client, sign_in):
    sign_in(client, world.mod)
    page = client.get(_url("ru", world.x, "DP-MILITARY")).get_data(as_text=True)
    state_part = page.index('class="note part"')
    funding = next(i for i in world.indicators if not i.counts_toward_lsg_score)
    execution = next(i for i in world.indicators if i.counts_toward_lsg_score)
    assert page.index(f'name="ind-{funding.code}"') > state_part > page.index(f'name="ind-{execution.code}"')


def test_worklist_filters_and_pages(world, client, sign_in):
    _submitted(world)
    sign_in(client, world.mod)
    page = client.get("/ky/evaluate/?status=submitted").get_data(as_text=True)
    assert world.x.code in page and world.y.code not in page
    page = client.get(f"/ky/evaluate/?region={world.y.region_code}").get_data(as_text=True)
    assert world.y.code in page and world.x.code not in page
    assert 'name="district"' in page
    page = client.get("/ky/evaluate/?page=3").get_data(as_text=True)
    assert 'rel="prev"' in page


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_pages_are_translated(world, client, sign_in, lang):
    import re

    ev = _submitted(world)
    evaluator = sign_in(client, world.mod)
    staff = sign_in(client.application.test_client(), world.staff_x)
    pages = [evaluator.get(f"/{lang}/evaluate/?region={world.x.region_code}").get_data(as_text=True),
             evaluator.get(_url(lang, world.x, "DP-MILITARY")).get_data(as_text=True),
             staff.get(f"/{lang}/staff/").get_data(as_text=True),
             staff.get(f"/{lang}/staff/evaluations/{ev.id}/").get_data(as_text=True)]
    for html in pages:
        visible = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style|head)\b.*?</\1>", " ", html, flags=re.S))
        for phrase in ("Save", "Submit", "Evidence", "state's part", "Status", "Period", "indicators scored",
                       "Respond", "comments", "Draft", "Not scored"):
            assert phrase not in visible, phrase
