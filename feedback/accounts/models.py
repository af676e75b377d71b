"""People who act for an institution. Residents never need an account.

Each user has one role and, for most roles, a scope: lsg_staff one municipality; state_evaluator one
agency (everywhere, or one region); moderator nationwide or one region; monitor given municipalities
or one region; analyst and admin nationwide. Sessions live on the server so that signing out,
disabling a user or "end all sessions" really ends them.
"""
import datetime as dt

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import CatalogCode, Name, SoateCode, db, utcnow

ROLES = ("admin", "moderator", "lsg_staff", "state_evaluator", "monitor", "analyst")
# Roles that must use a second factor (TOTP); it is offered to everyone.
SECOND_FACTOR_REQUIRED = ("admin", "state_evaluator", "analyst")


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'moderator', 'lsg_staff', 'state_evaluator', 'monitor', 'analyst')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[Name] = mapped_column(default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    municipality_code: Mapped[SoateCode | None] = mapped_column(ForeignKey("municipality.code"))
    agency_code: Mapped[CatalogCode | None] = mapped_column(ForeignKey("agency.code"))
    region_code: Mapped[SoateCode | None] = mapped_column(ForeignKey("region.code"))
    active: Mapped[bool] = mapped_column(default=True)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled: Mapped[bool] = mapped_column(default=False)
    # The 30-second step of the last code accepted: a code is good once (no replay within its window).
    totp_last_step: Mapped[int | None]
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    municipalities: Mapped[list["UserMunicipality"]] = relationship(cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login: disabled users cannot sign in
        return self.active

    @property
    def needs_second_factor(self) -> bool:
        return self.role in SECOND_FACTOR_REQUIRED


class UserMunicipality(db.Model):
    """The municipalities a civil-society monitor may assess (when not scoped to a whole region)."""

    __tablename__ = "user_municipality"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    municipality_code: Mapped[SoateCode] = mapped_column(ForeignKey("municipality.code"), primary_key=True)


class UserSession(db.Model):
    """A signed-in session. The cookie holds only the random token; its hash is stored here."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # False until the second factor is given, for users who have one.
    second_factor_done: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship()


class SignInThrottle(db.Model):
    """Failed sign-ins counted per account, per address and per the pair (keyed hashes only): each
    failure beyond a free few makes the next attempt wait longer, instead of locking the account
    (a lock anyone could trigger against anyone)."""

    __tablename__ = "sign_in_throttle"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    not_before: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
