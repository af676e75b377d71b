"""The bare stack's write served by the app: bench/bare_write.py's one INSERT and one rollup upsert,
committed, in place of the API's rating view, behind everything the app does for every request (its
WSGI front, session and locale set-up, security headers, the SQL count, the commit as the view
answers, SQLite's wait for the write lock, PostgreSQL's pool with its pre-ping). No respondent, no
anti-abuse rule, no check against the registry, no scorecard aggregates. ``make bench`` serves it with
the app's settings on the same database and the bare write's tables, drives it like ``POST
/api/v1/ratings`` and reports it as "bare write through the app (reference)": what the app's own
request handling leaves of a write before any of the product's rules (docs/performance.md, session 28).

    gunicorn 'bench.app_write:create()'

Never part of the product: only the bench names this module.
"""
from flask import Flask, request

from feedback import create_app
from feedback.db import db

from .bare_write import INSERT, PLACEHOLDER, ROLLUP, parsed


def rate():
    values = parsed(request.get_json(silent=True))
    if values is None:
        return {"error": "invalid"}, 400
    connection = db.session.connection()  # the request's transaction: committed as the view answers
    p = PLACEHOLDER[connection.dialect.name]
    rating_id = connection.exec_driver_sql(INSERT.format(p=p), values).scalar_one()
    connection.exec_driver_sql(ROLLUP.format(p=p), values[1:])  # municipality, subject, overall
    return {"id": rating_id, "status": "accepted"}, 201


def create(config: dict | None = None) -> Flask:
    """The app as wsgi.py makes it, its rating view replaced by the bare write."""
    app = create_app(config)
    app.view_functions["api.create_rating"] = rate
    return app
