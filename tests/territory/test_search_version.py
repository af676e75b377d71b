"""The search index is kept per process under the shared reference version (cache_version): a
registry edit committed by one app instance refreshes every other instance's results at its next
search, and an edit that is rolled back leaves no index behind under any version."""
import pytest

from feedback.db import db
from feedback.territory.models import Village
from feedback.territory.search import current_index, rank
from tests.scratch import scratch_app

pytestmark = pytest.mark.scratch_db
AK_BULUN = "41702205805000"
VILLAGE = "41702205805020"
NEW_NAME = "Жаңы-Атбашы-Сай"


def _codes(app, query):
    with app.app_context():
        try:
            return [hit.code for hit in rank(query)]
        finally:
            db.session.remove()


@pytest.fixture
def two_instances(app, database_url, tmp_path):
    """Two app instances (each with its own index, as two processes have) on one committed database."""
    with scratch_app(database_url, tmp_path, "i15_search", reference_data=True, template=database_url) as first:
        from feedback import create_app

        second = create_app({"SQLALCHEMY_DATABASE_URI": first.config["SQLALCHEMY_DATABASE_URI"],
                             "SQLALCHEMY_ENGINE_OPTIONS": first.config["SQLALCHEMY_ENGINE_OPTIONS"],
                             "SECRET_KEY": "scratch-secret-key", "RATELIMIT_ENABLED": False})
        try:
            yield first, second
        finally:
            with second.app_context():
                db.session.remove()
                db.engine.dispose()


def test_a_registry_edit_on_one_instance_refreshes_the_other(two_instances):
    first, second = two_instances
    assert AK_BULUN not in _codes(second, NEW_NAME)  # the second instance has built and kept its index
    with second.app_context():
        kept = current_index()
        assert current_index() is kept  # kept while the version stands
        db.session.remove()
    with first.app_context():
        db.session.get(Village, VILLAGE).name_ky = NEW_NAME
        db.session.commit()
        db.session.remove()
    assert _codes(second, NEW_NAME)[0] == AK_BULUN
    assert _codes(first, NEW_NAME)[0] == AK_BULUN


def test_an_edit_rolled_back_leaves_no_index_behind(two_instances):
    first, _ = two_instances
    assert AK_BULUN not in _codes(first, NEW_NAME)
    with first.app_context():
        db.session.get(Village, VILLAGE).name_ky = NEW_NAME
        db.session.flush()
        assert rank(NEW_NAME)[0].code == AK_BULUN  # the transaction sees its own change...
        db.session.rollback()
        db.session.remove()
    assert AK_BULUN not in _codes(first, NEW_NAME)  # ...and nothing of it outlives the rollback
