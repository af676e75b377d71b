"""`flask users …`: managing accounts from the command line."""
from flask.cli import AppGroup

users_cli = AppGroup("users", help="Accounts of people who act for an institution.")
