"""Open data: ratings by channel for every municipality, as CSV (UTF-8 with BOM, for spreadsheets)."""
import csv
import io

from flask import Blueprint, Response, request
from sqlalchemy import case, func, select

from ..db import db
from ..ratings.models import CHANNELS, Rating
from ..ratings.services import current_period
from ..territory.models import Municipality

bp = Blueprint("channel_export", __name__)


@bp.get("/data/ratings-by-channel.csv")
def ratings_by_channel():
    period = request.args.get("period", current_period(), type=int)
    accepted = Rating.status == "accepted"
    columns = [func.sum(case((accepted & (Rating.channel == channel), 1), else_=0)) for channel in CHANNELS]
    rows = db.session.execute(
        select(Municipality.code, Municipality.name_ky, Municipality.name_ru, Municipality.region_code, *columns,
               func.sum(case((accepted, 0), else_=1)))
        .join(Rating, Rating.municipality_code == Municipality.code)
        .where(Rating.period == period)
        .group_by(Municipality.code, Municipality.name_ky, Municipality.name_ru, Municipality.region_code)
        .order_by(Municipality.code))
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(["soate", "name_ky", "name_ru", "region", "period", *CHANNELS, "quarantined"])
    for code, name_ky, name_ru, region, *counts in rows:
        writer.writerow([code, name_ky, name_ru, region, period, *(int(n or 0) for n in counts)])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="ratings-by-channel-{period}.csv"'})
