"""`flask scorecards …` and `flask demo …`."""
from flask.cli import AppGroup

scorecards_cli = AppGroup("scorecards", help="Aggregates and methodology.")
demo_cli = AppGroup("demo", help="Demonstration data, clearly marked as such.")
