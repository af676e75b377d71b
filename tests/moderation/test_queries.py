"""The queues (order, filters, pages), the counts, and the approved comments the public sees."""
import dataclasses

from feedback.moderation import queries
from feedback.moderation.queries import Filters

from .conftest import AK_BULUN, ISSYK_KUL, KARAKOL


def _ids(page):
    return [item.rating.id for item in page.items]


def test_pending_comments_flagged_first_then_oldest_first(make_rating):
    plain_old = make_rating(comment="эски", minutes_ago=60)
    plain_new = make_rating(comment="жаңы", minutes_ago=1)
    linked = make_rating(comment="www.example.kg", flags="link", minutes_ago=5)
    flagged = make_rating(comment="кайра карагыла", flags="moderator", minutes_ago=2)
    make_rating(comment="жактырылган", comment_status="approved", minutes_ago=90)
    make_rating(comment="четке кагылган", comment_status="rejected", minutes_ago=90)
    make_rating(minutes_ago=90)  # no comment
    page = queries.pending_comments(Filters(municipality_code=AK_BULUN))
    assert _ids(page) == [flagged.id, linked.id, plain_old.id, plain_new.id]
    assert page.total == 4 and page.pages == 1
    assert page.items[1].flags == ["link"]
    assert page.items[0].municipality.code == AK_BULUN and page.items[0].subject.code == "LI-WATER"


def test_quarantined_ratings_undecided_first(make_rating, create_user):
    from feedback.moderation import services

    confirmed = make_rating(status="quarantined", minutes_ago=60)
    undecided = make_rating(status="quarantined", rule="honeypot", minutes_ago=1)
    released = make_rating(status="quarantined", minutes_ago=30)
    make_rating(minutes_ago=10)  # accepted
    assert _ids(queries.quarantined_ratings(Filters(municipality_code=AK_BULUN))) == [
        confirmed.id, released.id, undecided.id]
    admin = create_user("admin")
    services.confirm_quarantine(admin, confirmed.id)
    services.release_rating(admin, released.id)  # released: counted, out of the queue
    assert _ids(queries.quarantined_ratings(Filters(municipality_code=AK_BULUN))) == [undecided.id, confirmed.id]


def test_filters_by_region_and_municipality(make_rating, elsewhere):
    ak = make_rating(comment="Ак-Булун")
    karakol = make_rating(KARAKOL, comment="Каракол")
    other = make_rating(elsewhere.code, comment="башка")
    assert set(_ids(queries.pending_comments(Filters(region_code=ISSYK_KUL)))) >= {ak.id, karakol.id}
    assert other.id not in _ids(queries.pending_comments(Filters(region_code=ISSYK_KUL)))
    assert _ids(queries.pending_comments(Filters(municipality_code=KARAKOL))) == [karakol.id]
    assert _ids(queries.pending_comments(Filters(region_code=elsewhere.region_code,
                                                 municipality_code=elsewhere.code))) == [other.id]
    # A municipality outside the region filter gives nothing.
    assert _ids(queries.pending_comments(Filters(region_code=ISSYK_KUL, municipality_code=elsewhere.code))) == []


def test_counts(make_rating, elsewhere):
    make_rating(comment="бир")
    make_rating(comment="эки", flags="phone")
    make_rating(comment="үч", flags="moderator")
    make_rating(comment="жактырылган", comment_status="approved", flags="link")
    make_rating(status="quarantined")
    make_rating(status="quarantined").quarantine_decision = "confirmed"
    make_rating(elsewhere.code, comment="башка", status="quarantined")
    assert queries.counts(Filters(municipality_code=AK_BULUN)) == queries.Counts(pending=3, flagged=2, quarantined=1)
    assert queries.counts(Filters(municipality_code=elsewhere.code)) == queries.Counts(pending=1, flagged=0, quarantined=1)
    everywhere = queries.counts()
    assert everywhere.pending >= 4 and everywhere.quarantined >= 2


def test_pages_of_fifty(make_rating):
    made = [make_rating(comment=f"пикир {i}", minutes_ago=200 - i) for i in range(queries.PER_PAGE + 1)]
    first = queries.pending_comments(Filters(municipality_code=AK_BULUN), page=1)
    second = queries.pending_comments(Filters(municipality_code=AK_BULUN), page=2)
    assert len(first.items) == queries.PER_PAGE and first.total == queries.PER_PAGE + 1
    assert first.pages == 2 and first.has_next and not first.has_prev
    assert _ids(second) == [made[-1].id] and second.has_prev and not second.has_next
    past = queries.pending_comments(Filters(municipality_code=AK_BULUN), page=5)
    assert past.items == [] and past.total == queries.PER_PAGE + 1


def test_approved_comments_only_approved_newest_first(make_rating):
    old = make_rating(comment="Эски жакшы пикир", comment_status="approved", minutes_ago=300)
    new = make_rating(KARAKOL, comment="other municipality", comment_status="approved")
    newest = make_rating("41702205805000", "LI-ROADS", comment="Жолдор жакшы", comment_status="approved", minutes_ago=1)
    make_rating(comment="күтүүдө", minutes_ago=2)
    make_rating(comment="четке кагылды", comment_status="rejected", minutes_ago=2)
    make_rating(comment="карантинде", comment_status="approved", status="quarantined", minutes_ago=2)
    comments = queries.approved_comments(AK_BULUN)
    assert [c.text for c in comments] == [newest.comment, old.comment]
    assert comments[0].subject_code == "LI-ROADS" and comments[0].subject_name("ky") and comments[0].subject_name("ru")
    assert comments[0].written_on == queries.local_date(newest.updated_at)
    # Text, subject and date (and the rating's row id, to look up its answer status — never printed):
    # nothing about the respondent.
    assert {f.name for f in dataclasses.fields(comments[0])} == {
        "text", "subject_code", "subject_name_ky", "subject_name_ru", "written_on", "rating_id"}
    assert comments[0].rating_id == newest.id
    assert [c.text for c in queries.approved_comments(KARAKOL)] == [new.comment]
    assert len(queries.approved_comments(AK_BULUN, limit=1)) == 1
