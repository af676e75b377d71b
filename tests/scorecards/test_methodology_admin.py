"""An administrator publishes a new methodology version from the admin pages."""
from feedback.scorecards import methodology
from tests.conftest import csrf_token


def test_admin_publishes_a_version(app, client, create_user, sign_in):
    admin = create_user("admin")
    sign_in(client, admin)
    page = client.get("/ru/admin/methodology")
    assert page.status_code == 200 and "Опубликовать версию 3" in page.get_data(as_text=True)
    token = csrf_token(page.get_data(as_text=True))
    form = {"csrf_token": token, "min_sample": "15", "confidence": "0,9", "min_peers": "8", "alpha": "0.05",
            "weight_citizen": "0,6", "weight_state": "0,4", "weight_budget_transparency": "0",
            "weight_responsiveness": "0", "notes": "Больше веса жителям"}
    bad = client.post("/ru/admin/methodology", data={**form, "weight_citizen": "0", "weight_state": "0"})
    assert bad.status_code == 400 and methodology.latest_version() == 2
    assert "Хотя бы один вес" in bad.get_data(as_text=True)
    done = client.post("/ru/admin/methodology", data=form)
    assert done.status_code == 303 and methodology.latest_version() == 3
    params = methodology.get(3)
    assert params.min_sample == 15 and params["composite_weights"]["citizen"] == 0.6 and params.method == 2
    assert params["position"]["alpha"] == 0.05 and params.notes == "Больше веса жителям"
    assert methodology.get(2).min_sample == 10  # the earlier version is kept as it was
