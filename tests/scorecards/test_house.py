"""Where the scorecard lives: its page is a route of the scorecards package (the URL printed on the
posters unchanged), and the registry below it knows nothing of scorecards."""
import ast
from pathlib import Path

import feedback.territory
from tests.scorecards.helpers import AK_BULUN

TERRITORY = Path(feedback.territory.__file__).parent


def test_the_scorecard_page_is_a_route_of_the_scorecards_package(app, client):
    adapter = app.url_map.bind("localhost")
    endpoint, args = adapter.match(f"/ru/m/{AK_BULUN}/")
    assert endpoint == "scorecards.scorecard" and args == {"lang": "ru", "code": AK_BULUN}
    assert app.view_functions[endpoint].__module__ == "feedback.scorecards.views"
    assert not [r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("territory.") and "/m/" in r.rule]
    with app.test_request_context():
        from flask import url_for

        assert url_for("scorecards.scorecard", lang="ky", code=AK_BULUN) == f"/ky/m/{AK_BULUN}/"
    response = client.get(f"/ru/m/{AK_BULUN}/")
    assert response.status_code == 200 and 'id="sc-title"' in response.get_data(as_text=True)
    assert client.get("/ru/m/99999999999999/").status_code == 404


def test_the_registry_does_not_reach_up_into_scorecards():
    for path in TERRITORY.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
        modules += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
        assert not [m for m in modules if "scorecards" in m], f"{path.name} imports the scorecards package"
