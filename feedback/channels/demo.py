"""Demonstration data: a share of the generated ratings comes by the other channels, so that the
channel split shows on a first look. ``scorecards.demo.seed`` asks ``channel`` for each rating."""


def channel(rating_id: int, verified: bool) -> str:
    """About 6 % of ratings by SMS (only ratings with a verified phone: the sender's number), 8 % sent
    later from the offline queue, 5 % from paper questionnaires, the rest on the web. Deterministic
    (by id)."""
    if verified and rating_id % 4 == 0:
        return "sms"
    if rating_id % 13 == 1:
        return "offline_web"
    if not verified and rating_id % 19 == 2:
        return "assisted"
    return "web"
