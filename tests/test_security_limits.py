"""Rate limits guard writes: every limit declared applies to POST alone, which is what lets a read
skip the limiter (security._a_read)."""
from flask_limiter.util import get_qualified_name

from feedback.security import limiter


def test_every_declared_limit_applies_to_posts_alone(app):
    declared = limiter.limit_manager._decorated_limits
    limited = 0
    for rule in app.url_map.iter_rules():
        name = get_qualified_name(app.view_functions[rule.endpoint])
        for limit in (limit for group in declared.get(name, ()) for limit in group):
            limited += 1
            methods = {method.upper() for method in (limit.methods or rule.methods)} - {"OPTIONS"}
            assert methods == {"POST"}, (rule.rule, methods)
    assert limited >= 8  # the ratings, the phone code, the logins, the answers' judgements


def test_a_read_never_asks_the_limiter_and_a_post_does(app, monkeypatch):
    """security.Limiter: a GET of a limited route (the rating form) costs no rate-limit evaluation;
    its POST is still limited."""
    import flask_limiter
    from flask import request

    from tests.ratings.test_views import AK_BULUN, Resident

    asked = []
    monkeypatch.setattr(flask_limiter.Limiter, "_check_request_limit",
                        lambda self, *args, **kwargs: asked.append(request.method))
    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", True)
    monkeypatch.setitem(app.config, "ABUSE_MIN_FILL_SECONDS", 0)
    resident = Resident(app)
    fields = resident.form(AK_BULUN, "LI-WATER")
    assert asked == []
    assert resident.post(f"/ru/m/{AK_BULUN}/rate/LI-WATER", data={**fields, "overall": "4"}).status_code == 303
    assert set(asked) == {"POST"}
