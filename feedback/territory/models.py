"""The territorial registry: regions → districts → municipalities (LSGs) → villages, keyed by SOATE.

Units change over time (the 2024–25 reform merged aiyl aimaks): a unit is never deleted; it gets an
end date (``valid_to``) and a successor, and everything recorded about it stays attached to it.
"""
import datetime as dt
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Name, SoateCode, db

MUNICIPALITY_KINDS = ("aiyl_aimak", "city")
REGION_KINDS = ("oblast", "city_republican")
DISTRICT_KINDS = ("raion", "city")
# How sure we are of a Kyrgyz name (kg_names_ky.csv): high — from a Kyrgyz source or corrected by a
# person; medium — converted by a rule or copied unchanged; low — a rule that needs a reviewer first.
NAME_CONFIDENCES = ("high", "medium", "low")


class NamedUnit:
    """Columns every unit has: bilingual names, a search key, a validity interval."""

    code: Mapped[SoateCode] = mapped_column(primary_key=True)
    name_ky: Mapped[Name]
    name_ru: Mapped[Name]
    # Folded spellings (Cyrillic and Latin) that search matches against; see territory/search.py.
    search_key: Mapped[str] = mapped_column(String(600), default="")
    valid_from: Mapped[dt.date | None]
    valid_to: Mapped[dt.date | None]

    def name(self, lang: str) -> str:
        return self.name_ky if lang == "ky" else self.name_ru

    @property
    def is_current(self) -> bool:
        return self.valid_to is None


class Region(NamedUnit, db.Model):
    __tablename__ = "region"
    __table_args__ = (CheckConstraint("kind IN ('oblast', 'city_republican')", name="kind"),)

    kind: Mapped[str] = mapped_column(String(20))
    iso_code: Mapped[str | None] = mapped_column(String(8))
    population: Mapped[int | None]

    districts: Mapped[list["District"]] = relationship(back_populates="region", order_by="District.name_ru")


class District(NamedUnit, db.Model):
    """A raion, or a city that stands at raion level (cities of oblast significance, Kok-Jangak)."""

    __tablename__ = "district"
    __table_args__ = (CheckConstraint("kind IN ('raion', 'city')", name="kind"),)

    kind: Mapped[str] = mapped_column(String(20))
    region_code: Mapped[SoateCode] = mapped_column(ForeignKey("region.code"), index=True)
    population: Mapped[int | None]

    region: Mapped[Region] = relationship(back_populates="districts")
    municipalities: Mapped[list["Municipality"]] = relationship(
        back_populates="district", order_by="Municipality.name_ru"
    )


class Municipality(NamedUnit, db.Model):
    """A local self-government unit: an aiyl aimak (run by an aiyl okmotu) or a city."""

    __tablename__ = "municipality"
    __table_args__ = (CheckConstraint("kind IN ('aiyl_aimak', 'city')", name="kind"),
                      CheckConstraint("name_ky_confidence IN ('high', 'medium', 'low')", name="name_ky_confidence"))

    kind: Mapped[str] = mapped_column(String(20))
    short_name_ky: Mapped[Name]
    short_name_ru: Mapped[Name]
    region_code: Mapped[SoateCode] = mapped_column(ForeignKey("region.code"), index=True)
    district_code: Mapped[SoateCode | None] = mapped_column(ForeignKey("district.code"), index=True)
    population: Mapped[int | None]
    # The Kyrgyz name was derived by rule (not found in a Kyrgyz source or corrected by a person).
    name_ky_derived: Mapped[bool] = mapped_column(default=False)
    name_ky_method: Mapped[str] = mapped_column(String(200), default="")
    name_ky_confidence: Mapped[str] = mapped_column(String(6), default="high", server_default="high")
    successor_code: Mapped[SoateCode | None] = mapped_column(ForeignKey("municipality.code"))

    region: Mapped[Region] = relationship()
    district: Mapped[District | None] = relationship(back_populates="municipalities")
    villages: Mapped[list["Village"]] = relationship(back_populates="municipality", order_by="Village.name_ru")
    successor: Mapped[Optional["Municipality"]] = relationship(remote_side="Municipality.code")

    def short_name(self, lang: str) -> str:
        return self.short_name_ky if lang == "ky" else self.short_name_ru


class Village(NamedUnit, db.Model):
    __tablename__ = "village"
    __table_args__ = (
        CheckConstraint("name_ky_confidence IN ('high', 'medium', 'low')", name="name_ky_confidence"),)

    municipality_code: Mapped[SoateCode] = mapped_column(ForeignKey("municipality.code"), index=True)
    population: Mapped[int | None]
    name_ky_derived: Mapped[bool] = mapped_column(default=False)
    name_ky_method: Mapped[str] = mapped_column(String(200), default="")
    name_ky_confidence: Mapped[str] = mapped_column(String(6), default="high", server_default="high")

    municipality: Mapped[Municipality] = relationship(back_populates="villages")
