"""Per-request cost, made visible: with ``SQL_COUNT_HEADER`` set (``FEEDBACK_SQL_COUNT_HEADER=true``;
`make bench` and the query-count tests set it) every response carries ``X-SQL-Statements``, the
number of SQL statements the request executed. Off by default: production pays nothing."""
from flask import Flask, g, has_app_context
from sqlalchemy import event

from .db import db

HEADER = "X-SQL-Statements"


def _count(conn, cursor, statement, parameters, context, executemany):
    if has_app_context():
        g._sql_statements = g.get("_sql_statements", 0) + 1


def _header(response):
    response.headers[HEADER] = str(g.get("_sql_statements", 0))
    return response


def init_app(app: Flask) -> None:
    if not app.config.get("SQL_COUNT_HEADER"):
        return
    with app.app_context():
        for engine in db.engines.values():
            if not event.contains(engine, "before_cursor_execute", _count):
                event.listen(engine, "before_cursor_execute", _count)
    app.after_request(_header)
