"""The write side: workflow, validation, scope, closed periods, evidence and the audit trail."""
import json

import pytest
from sqlalchemy import select, text

from feedback.audit.models import AuditEntry
from feedback.audit.services import verify_chain
from feedback.evaluation import services
from feedback.evaluation.models import Evidence, StateEvaluation
from feedback.evaluation.services import EvaluationError, EvaluationInvalid, OutOfScope, PeriodClosed, ScoresInput

from .conftest import CLOSED, OPEN, PDF_BYTES, PNG_BYTES, docx_bytes, full_scores


def _audit(session, evaluation_id):
    return list(session.scalars(select(AuditEntry).where(AuditEntry.entity == "state_evaluation",
                                                         AuditEntry.entity_id == str(evaluation_id))
                                .order_by(AuditEntry.id)))


def test_full_workflow_is_audited(world, session):
    ev = services.open_draft(world.mod, world.x, world.military, OPEN)
    assert ev.status == "draft" and ev.agency_code == "MOD"
    assert services.open_draft(world.mod, world.x, world.military, OPEN) is ev  # the same draft again

    services.save_scores(world.mod, ev, ScoresInput(values={world.indicators[0].code: "3"},
                                                    comments={world.indicators[0].code: "late reports"},
                                                    comment="first visit"))
    with pytest.raises(EvaluationInvalid) as missing:
        services.submit(world.mod, ev)
    assert f"ind-{world.indicators[1].code}" in missing.value.errors

    services.save_scores(world.mod, ev, ScoresInput(values=full_scores(world.indicators), comment="first visit"))
    services.submit(world.mod, ev)
    assert ev.status == "submitted" and ev.submitted_at is not None

    response = services.respond(world.staff_x, ev, "contest", "The registry was handed over in March.")
    assert response.kind == "contest"

    assert ev.status == "contested"  # the contest shows on the worklist and blocks a plain finalise

    services.save_scores(world.mod, ev, ScoresInput(values=full_scores(world.indicators, 5), comment="revised"))
    assert ev.status == "contested" and {s.score for s in ev.scores if s.score} == {5}
    with pytest.raises(EvaluationError) as undecided:
        services.finalise(world.mod, ev)
    assert undecided.value.field == "contest_outcome" and ev.status == "contested"
    services.finalise(world.mod, ev, "accepted")
    assert ev.status == "final" and ev.contest_outcome == "accepted"

    with pytest.raises(EvaluationError) as final:
        services.save_scores(world.mod, ev, ScoresInput(values=full_scores(world.indicators, 1)))
    assert final.value.code == "final"
    with pytest.raises(EvaluationError):
        services.add_link(world.mod, ev, "https://example.kg/act.pdf")
    # The LSG may still answer a final evaluation while the period is open.
    services.respond(world.staff_x, ev, "answer", "Thank you.")

    actions = [entry.action for entry in _audit(session, ev.id)]
    assert actions == ["evaluation.open", "evaluation.save", "evaluation.save", "evaluation.submit",
                       "evaluation.respond", "evaluation.contested", "evaluation.revise", "evaluation.finalise",
                       "evaluation.respond"]
    assert json.loads(_audit(session, ev.id)[7].after)["contest_outcome"] == "accepted"
    revise = _audit(session, ev.id)[6]
    assert json.loads(revise.before)["comment"] == "first visit"
    assert json.loads(revise.after)["comment"] == "revised"
    assert all(entry.actor_id for entry in _audit(session, ev.id))


def test_saving_nothing_new_writes_no_audit_entry(world, session):
    ev = services.open_draft(world.mod, world.x, world.military, OPEN)
    data = ScoresInput(values={world.indicators[0].code: "2"})
    services.save_scores(world.mod, ev, data)
    services.save_scores(world.mod, ev, data)
    assert [e.action for e in _audit(session, ev.id)] == ["evaluation.open", "evaluation.save"]


def test_values_must_fit_the_indicator_scale(world):
    ev = services.open_draft(world.mod, world.x, world.military, OPEN)
    one_to_five = next(i for i in world.indicators if i.scale == "1-5")
    yes_no = next(i for i in world.indicators if i.scale != "1-5")
    with pytest.raises(EvaluationInvalid) as error:
        services.save_scores(world.mod, ev, ScoresInput(values={one_to_five.code: "6", yes_no.code: "3"},
                                                        comment="x" * 2001))
    assert set(error.value.errors) == {f"ind-{one_to_five.code}", f"ind-{yes_no.code}", "comment"}


def test_revision_of_a_submitted_evaluation_must_stay_complete(world):
    ev = services.open_draft(world.mod, world.x, world.military, OPEN)
    services.save_scores(world.mod, ev, ScoresInput(values=full_scores(world.indicators)))
    services.submit(world.mod, ev)
    values = full_scores(world.indicators)
    values[world.indicators[0].code] = ""
    with pytest.raises(EvaluationInvalid):
        services.save_scores(world.mod, ev, ScoresInput(values=values))


def test_finalise_needs_a_submitted_evaluation(world):
    ev = services.open_draft(world.mod, world.x, world.military, OPEN)
    with pytest.raises(EvaluationError) as error:
        services.finalise(world.mod, ev)
    assert error.value.code == "not_submitted"


def test_evaluator_of_another_agency_cannot_touch_the_power(world):
    with pytest.raises(OutOfScope):
        services.open_draft(world.moj, world.x, world.military, OPEN)
    ev = services.open_draft(world.mod, world.x, world.military, OPEN)
    for call in (lambda: services.save_scores(world.moj, ev, ScoresInput()),
                 lambda: services.submit(world.moj, ev),
                 lambda: services.add_link(world.moj, ev, "https://example.kg"),
                 lambda: services.respond(world.moj, ev, "answer", "x")):
        with pytest.raises(OutOfScope):
            call()


def test_evaluator_outside_their_region(world):
    assert services.open_draft(world.mod_region_x, world.x, world.military, OPEN)
    with pytest.raises(OutOfScope):
        services.open_draft(world.mod_region_y, world.x, world.military, OPEN)


def test_other_roles_cannot_evaluate(world):
    for user in (world.staff_x, world.admin):
        with pytest.raises(OutOfScope):
            services.open_draft(user, world.x, world.military, OPEN)


def test_staff_answer_only_their_own_submitted_evaluations(world):
    ev = services.open_draft(world.mod, world.x, world.military, OPEN)
    with pytest.raises(OutOfScope):  # a draft is not shown to the LSG yet
        services.respond(world.staff_x, ev, "answer", "x")
    services.save_scores(world.mod, ev, ScoresInput(values=full_scores(world.indicators)))
    services.submit(world.mod, ev)
    with pytest.raises(OutOfScope):
        services.respond(world.staff_y, ev, "answer", "x")
    with pytest.raises(EvaluationInvalid) as error:
        services.respond(world.staff_x, ev, "praise", "  ")
    assert set(error.value.errors) == {"kind", "body"}


def test_closed_period_changes_nothing(world, session):
    with pytest.raises(PeriodClosed):
        services.open_draft(world.mod, world.x, world.military, CLOSED)
    with pytest.raises(PeriodClosed):
        services.open_draft(world.mod, world.x, world.military, 2099)  # no such period
    ev = StateEvaluation(municipality_code=world.x.code, subject_code="DP-MILITARY", period=CLOSED,
                         agency_code="MOD", evaluator_id=world.mod.id, status="submitted")
    session.add(ev)
    session.flush()
    for call in (lambda: services.save_scores(world.mod, ev, ScoresInput(values=full_scores(world.indicators))),
                 lambda: services.finalise(world.mod, ev),
                 lambda: services.add_link(world.mod, ev, "https://example.kg"),
                 lambda: services.add_file(world.mod, ev, "a.pdf", PDF_BYTES),
                 lambda: services.respond(world.staff_x, ev, "answer", "x")):
        with pytest.raises(PeriodClosed):
            call()
    assert ev.status == "submitted" and not ev.scores and not ev.responses and not ev.evidence


def test_closing_the_period_freezes_a_draft(world, session):
    from feedback.catalog.models import Period

    ev = services.open_draft(world.mod, world.x, world.military, OPEN)
    session.get(Period, OPEN).status = "closed"
    session.flush()
    with pytest.raises(PeriodClosed):
        services.save_scores(world.mod, ev, ScoresInput(values={world.indicators[0].code: "2"}))


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.kg/a", "example.kg", "https://",
                                 "https://exa mple.kg", "https://example.kg/" + "a" * 500])
def test_evidence_links_must_be_web_addresses(world, url):
    ev = services.open_draft(world.mod, world.x, world.military, OPEN)
    with pytest.raises(EvaluationError) as error:
        services.add_link(world.mod, ev, url)
    assert error.value.field == "evidence_url"


def test_evidence_files_are_checked_and_hashed(world, session):
    ev = services.open_draft(world.mod, world.x, world.military, OPEN)
    pdf = services.add_file(world.mod, ev, "C:\\docs\\акт проверки.pdf", PDF_BYTES)
    assert pdf.filename == "акт проверки.pdf" and pdf.content_type == "application/pdf"
    assert len(pdf.sha256) == 64 and pdf.size == len(PDF_BYTES) and pdf.data == PDF_BYTES
    assert services.add_file(world.mod, ev, "photo.PNG", PNG_BYTES).content_type == "image/png"
    assert services.add_file(world.mod, ev, "report.docx", docx_bytes()).filename == "report.docx"
    assert services.add_file(world.mod, ev, "table.xlsx", docx_bytes("xl/workbook.xml")).filename == "table.xlsx"
    link = services.add_link(world.mod, ev, "https://minjust.gov.kg/act/1")
    services.remove_evidence(world.mod, ev, link.id)
    assert session.get(Evidence, link.id) is None
    actions = [e.action for e in _audit(session, ev.id)]
    assert actions.count("evidence.add") == 5 and actions[-1] == "evidence.remove"


@pytest.mark.parametrize("name, data", [
    ("fake.pdf", b"MZ\x90\x00 this is an executable"),   # a PDF by extension only
    ("photo.jpg", PNG_BYTES),                            # the extension and the content disagree
    ("script.html", b"<html><script>alert(1)</script>"),
    ("archive.docx", docx_bytes("other/file.xml")),      # a ZIP that is not a Word document
    ("noextension", PDF_BYTES),
    ("empty.pdf", b""),
])
def test_evidence_files_of_the_wrong_type_are_refused(world, name, data):
    ev = services.open_draft(world.mod, world.x, world.military, OPEN)
    with pytest.raises(EvaluationError) as error:
        services.add_file(world.mod, ev, name, data)
    assert error.value.field == "evidence_file"


def test_evidence_files_over_the_limit_are_refused(world, app, monkeypatch):
    monkeypatch.setitem(app.config, "EVIDENCE_MAX_BYTES", 1024)
    ev = services.open_draft(world.mod, world.x, world.military, OPEN)
    with pytest.raises(EvaluationError) as error:
        services.add_file(world.mod, ev, "big.pdf", PDF_BYTES + b"0" * 1024)
    assert error.value.code == "too_large"
    assert services.add_file(world.mod, ev, "small.pdf", PDF_BYTES)


def test_audit_chain_verifies_and_detects_tampering(world, session):
    ev = services.open_draft(world.mod, world.x, world.military, OPEN)
    services.save_scores(world.mod, ev, ScoresInput(values=full_scores(world.indicators)))
    services.submit(world.mod, ev)
    services.respond(world.staff_x, ev, "answer", "We agree.")
    services.finalise(world.mod, ev)
    checked, broken = verify_chain()
    assert broken is None and checked >= 5

    target = _audit(session, ev.id)[1]
    session.execute(text("UPDATE audit_entry SET after = :after WHERE id = :id"),
                    {"after": '{"scores":{}}', "id": target.id})
    session.expire_all()
    checked, broken = verify_chain()
    assert broken is not None and broken.id == target.id
