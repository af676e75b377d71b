"""Words of the comparison pages, built at import time (lazy) so that each request translates them."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..catalog.models import Criterion, Subject
from ..db import db

LEVEL_NAMES = {
    "region": _l("By region"),
    "district": _l("By district"),
    "peer_group": _l("By peer group"),
    "urban_rural": _l("Urban and rural"),
    "municipality": _l("Municipalities"),
}
TRACK_LABELS = {
    "composite": _l("Composite index"),
    "citizen": _l("Residents' assessment"),
    "state": _l("State assessment of delegated powers"),
    "budget_transparency": _l("Budget transparency"),
    "responsiveness": _l("Responsiveness"),
}
POSITIONS = {
    "above": _l("above the country"),
    "indistinguishable": _l("indistinguishable from the country"),
    "below": _l("below the country"),
}
# Version 2: a municipality's residents' assessment against its peers, worded as on its scorecard.
PEER_POSITIONS = {
    "above": _l("Above the mean of similar local governments"),
    "indistinguishable": _l("Not distinguishable from the mean of similar local governments"),
    "below": _l("Below the mean of similar local governments"),
}


PEER_NOTE = _l("A municipality's residents' assessment is positioned as on its scorecard: against the mean of its "
               "peer group (similar local governments of its region, or of its kind across the country), with its "
               "rank intervals in its region and in the country. Its subjects and criteria are its scorecard's numbers.")


def position_label(row) -> str:
    """The row's position in words: against the country, or (version 2, a municipality) its peers."""
    if not row.position:
        return ""
    return str((PEER_POSITIONS if row.basis == "peers" else POSITIONS)[row.position])


REASONS = {
    "not_enough_ratings": _l("Not enough ratings"),
    "not_assessed": _l("Not assessed"),
}
KINDS = {"city": _l("Cities (urban)"), "aiyl_aimak": _l("Aiyl aimaks (rural)")}


def band_label(band: str) -> str:
    if band == "unknown":
        return _("population unknown")
    if band.endswith("+"):
        return _("population %(low)s and more", low=band[:-1])
    low, high = band.split("-")
    return _("population %(low)s to %(high)s", low=low, high=high)


def group_names(keys) -> dict[str, tuple[str, str]]:
    """Names of peer groups — version 1's kind × population band ("city:unknown"), version 2's
    region × kind ("41702000000000:city"), kind alone, or none — and of the urban/rural groups, in
    both languages."""
    from flask_babel import force_locale

    from ..territory.models import Region

    regions = {r.code: r for r in db.session.scalars(select(Region))}
    out = {}
    for key in keys:
        names = []
        for lang in ("ky", "ru"):
            with force_locale(lang):
                first, _sep, second = key.partition(":")
                if key == "none":
                    names.append(_("Not enough similar local governments to compare with"))
                elif first in regions:
                    region = regions[first]
                    names.append(f"{region.name_ky if lang == 'ky' else region.name_ru}: {KINDS.get(second, second)}")
                else:
                    label = str(KINDS.get(first, first))
                    names.append(f"{label}, {band_label(second)}" if second else label)
        out[key] = tuple(names)
    return out


def index_choices(lang: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The index chooser: (group label, [(key, label)]) — tracks, subjects, delegated powers, criteria."""
    subjects = list(db.session.scalars(select(Subject).where(Subject.retired.is_(False)).order_by(Subject.code)))
    criteria = list(db.session.scalars(select(Criterion).order_by(Criterion.position)))
    name = (lambda o: o.name_ky) if lang == "ky" else (lambda o: o.name_ru)
    return [
        ("tracks", _("Tracks"), [(k, str(v)) for k, v in TRACK_LABELS.items()]),
        ("subjects", _("Local issues and services"),
         [(f"subject:{s.code}", name(s)) for s in subjects if s.kind != "delegated_power"]),
        ("powers", _("Delegated state powers"),
         [(f"power:{s.code}", name(s)) for s in subjects if s.kind == "delegated_power"]),
        ("criteria", _("Criteria"), [(f"criterion:{c.code}", name(c)) for c in criteria]),
    ]


def index_label(index_key: str, lang: str) -> str:
    if index_key in TRACK_LABELS:
        return str(TRACK_LABELS[index_key])
    kind, _sep, code = index_key.partition(":")
    obj = db.session.get(Criterion if kind == "criterion" else Subject, code)
    if obj is None:
        return index_key
    return obj.name_ky if lang == "ky" else obj.name_ru
