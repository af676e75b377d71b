"""The bare stack: a Flask app that returns a small JSON, served by the same gunicorn settings as the
application. Its requests per second are the ceiling of this stack on this machine; every route of
the application is reported as a ratio to it, measured in the same series."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def bare():
    return {"status": "ok"}
