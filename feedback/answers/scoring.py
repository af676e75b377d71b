"""The responsiveness index: how well a local government answers its residents. Pure arithmetic,
no Flask and no database, so that the formulas can be checked by hand.

Three components, each a share (successes of n):

- ``answered_on_time``: of the approved comments that were due an answer (published at least
  ``answer_deadline_days`` ago, or already answered), the share answered within that many days;
- ``promises_kept``: of the promised actions whose date has passed (or that are reported done), the
  share done on time — as the residents judged where they judged (the majority of their
  judgements), else as the local government reported;
- ``judged_helpful``: of the residents' judgements of answers, the share "helpful".

The index is 100 × the weighted mean of the components that have at least one item, the weights
(``weights``) renormalised over them. Below ``min_sample`` comments due an answer, no index is
published. The interval: each share p of n gets the Agresti–Coull variance p̃(1 − p̃)/(n + z²) with
p̃ = (x + z²/2)/(n + z²) — never zero, even for 10 of 10 — and the index's standard error is the
root of the weighted sum of those variances (components treated as independent); the interval is
index ± z·se on the 0–100 scale, clipped.

``RESPONSIVENESS`` holds the constants as methodology version 1 published them (never change them:
version 1 must stay reproducible). Version 2 carries them in its parameters (``responsiveness``),
checked by ``validate_settings``; a later version may change any of them.
"""
import math
from statistics import NormalDist

RESPONSIVENESS = {
    # A published comment unanswered after this many days is overdue (and not answered on time).
    "answer_deadline_days": 14,
    # Comments due an answer needed before an index is published.
    "min_sample": 5,
    "weights": {"answered_on_time": 0.5, "promises_kept": 0.25, "judged_helpful": 0.25},
}
COMPONENTS = ("answered_on_time", "promises_kept", "judged_helpful")
NOT_ENOUGH_COMMENTS = "not_enough_comments"


class SettingsError(ValueError):
    """A ``responsiveness`` entry of a methodology version that cannot be used; the message says why."""


LIMITS = {"answer_deadline_days": (1, 365), "min_sample": (1, 1000)}


def validate_settings(value) -> dict:
    """The full responsiveness constants from a methodology version's ``responsiveness`` entry (any
    subset of the keys of ``RESPONSIVENESS``; ``weights`` any subset of the components), or
    ``SettingsError`` naming the parameter at fault."""
    if not isinstance(value, dict):
        raise SettingsError("responsiveness must be an object of constants")
    unknown = set(value) - set(RESPONSIVENESS)
    if unknown:
        raise SettingsError(f"unknown parameter: responsiveness.{sorted(unknown)[0]}")
    merged = {**RESPONSIVENESS, "weights": dict(RESPONSIVENESS["weights"])}
    for key, (low, high) in LIMITS.items():
        if key in value:
            number = value[key]
            if not isinstance(number, int) or isinstance(number, bool) or not low <= number <= high:
                raise SettingsError(f"responsiveness.{key} must be a whole number from {low} to {high}")
            merged[key] = number
    if "weights" in value:
        weights = value["weights"]
        if not isinstance(weights, dict):
            raise SettingsError("responsiveness.weights must be an object: component → weight")
        unknown = set(weights) - set(COMPONENTS)
        if unknown:
            raise SettingsError(f"unknown parameter: responsiveness.weights.{sorted(unknown)[0]}")
        for name, weight in weights.items():
            if not isinstance(weight, int | float) or isinstance(weight, bool) or not 0 <= weight <= 1:
                raise SettingsError(f"responsiveness.weights.{name} must be a number from 0 to 1")
        merged["weights"].update(weights)
    if not merged["weights"]["answered_on_time"] > 0:
        # The index is published from the comments due an answer: that share must count.
        raise SettingsError("responsiveness.weights.answered_on_time must be above 0")
    return merged


def settings(parameters: dict | None = None) -> dict:
    """The responsiveness constants, with a methodology version's overrides applied."""
    merged = {**RESPONSIVENESS, "weights": dict(RESPONSIVENESS["weights"])}
    override = (parameters or {}).get("responsiveness") or {}
    for key, value in override.items():
        if key == "weights":
            merged["weights"].update(value)
        elif key in merged:
            merged[key] = value
    return merged


def share_variance(successes: int, n: int, z: float) -> float:
    z2 = z * z
    p = (successes + z2 / 2) / (n + z2)
    return p * (1 - p) / (n + z2)


def responsiveness_index(counts: dict[str, tuple[int, int]], constants: dict, confidence: float = 0.90) -> dict:
    """``counts``: component → (successes, n). Returns index (0–100 or None), interval, n (comments
    due an answer), reason (when None) and the components with their shares."""
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    weights = constants["weights"]
    components = []
    for name in COMPONENTS:
        successes, n = counts.get(name, (0, 0))
        components.append({"name": name, "successes": successes, "n": n,
                           "share": successes / n if n else None, "weight": float(weights.get(name, 0)),
                           "used_weight": 0.0})
    n_due = counts.get("answered_on_time", (0, 0))[1]
    result = {"index": None, "interval": None, "n": n_due, "reason": None, "components": components}
    if n_due < int(constants["min_sample"]):
        result["reason"] = NOT_ENOUGH_COMMENTS
        return result
    used = [c for c in components if c["n"] and c["weight"] > 0]
    total = sum(c["weight"] for c in used)
    if not used or total <= 0:
        result["reason"] = NOT_ENOUGH_COMMENTS
        return result
    index = 100 * sum(c["weight"] * c["share"] for c in used) / total
    se = 100 * math.sqrt(sum((c["weight"] / total) ** 2 * share_variance(c["successes"], c["n"], z) for c in used))
    result["index"] = index
    result["interval"] = (max(0.0, index - z * se), min(100.0, index + z * se))
    for c in components:
        c["used_weight"] = c["weight"] / total if c in used else 0.0
    return result
