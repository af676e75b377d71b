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
