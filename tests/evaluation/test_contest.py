"""The evaluation thread: the LSG contests with evidence, the status becomes "contested" (filtered on
the worklist), the evaluator replies with evidence, the thread is shown above the finalise button,
finalising records the decision on the contest; the worklist is searchable by name."""
import io

import pytest

from feedback.evaluation import queries, services
from feedback.evaluation.services import ScoresInput
from tests.conftest import csrf_token

from .conftest import OPEN, PDF_BYTES, full_scores


@pytest.fixture
def submitted(world):
    ev = services.open_draft(world.mod, world.x, world.military, OPEN)
    services.save_scores(world.mod, ev, ScoresInput(values=full_scores(world.indicators)))
    services.submit(world.mod, ev)
    return ev


def test_thread_with_evidence_on_both_sides(world, submitted):
    contest = services.respond(world.staff_x, submitted, "contest", "Акт 3-марттагы", "act.pdf", PDF_BYTES)
    assert submitted.status == "contested" and contest.evidence[0].filename == "act.pdf"
    reply = services.reply(world.mod, submitted, "Акт алынды, бирок кол коюлган эмес", "reply.pdf", PDF_BYTES)
    assert reply.kind == "reply" and reply.evidence[0].response_id == reply.id
    with pytest.raises(services.OutOfScope):
        services.reply(world.moj, submitted, "not my agency")
    with pytest.raises(services.EvaluationError) as bad:
        services.respond(world.staff_x, submitted, "answer", "файл", "act.pdf", b"not a pdf")
    assert bad.value.field == "evidence_file"
    services.finalise(world.mod, submitted, "rejected")
    assert submitted.contest_outcome == "rejected"


def test_worklist_filters_contested_and_searches_by_name(world, submitted):
    services.respond(world.staff_x, submitted, "contest", "Макул эмеспиз")
    contested = queries.worklist(world.mod, OPEN, status="contested")
    assert [i.evaluation_id for i in contested.items] == [submitted.id] and contested.counts["contested"] == 1
    named = queries.worklist(world.mod, OPEN, name=world.x.name_ru[:6])
    assert world.x.code in {i.municipality_code for i in named.items}  # by its name (or a village's)
    assert named.total < queries.worklist(world.mod, OPEN).total
    assert queries.worklist(world.mod, OPEN, name=world.x.name_ky[:6]).total >= 1


def test_the_contest_is_shown_above_the_finalise_button(world, client, sign_in, submitted):
    staff = sign_in(client.application.test_client(), world.staff_x)
    url = f"/ru/staff/evaluations/{submitted.id}/"
    token = csrf_token(staff.get(url).get_data(as_text=True))
    response = staff.post(url, content_type="multipart/form-data", data={
        "csrf_token": token, "kind": "contest", "body": "Книга сдана 3 марта",
        "evidence_file": (io.BytesIO(PDF_BYTES), "akt.pdf")})
    assert response.status_code == 303
    evaluator = sign_in(client, world.mod)
    page = evaluator.get(f"/ru/evaluate/{world.x.code}/DP-MILITARY/").get_data(as_text=True)
    assert page.index("Книга сдана 3 марта") < page.index('value="finalise"')
    assert "akt.pdf" in page and 'name="contest_outcome"' in page
    worklist = evaluator.get(f"/ru/evaluate/?status=contested&q={world.x.name_ru[:5]}").get_data(as_text=True)
    assert f"/ru/evaluate/{world.x.code}/DP-MILITARY/" in worklist
