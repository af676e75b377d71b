"""The administrator's form for publishing a new methodology version (weights and constants)."""
from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..security import Form


class LocaleDecimalField(DecimalField):
    """A decimal number typed either way: 0.9 or 0,9 (the comma is the decimal sign in ky and ru)."""

    def process_formdata(self, valuelist):
        super().process_formdata([value.replace(",", ".").replace(" ", "") for value in valuelist])


def _number(label, low, high):
    return LocaleDecimalField(label, places=None, validators=[
        InputRequired(_l("Enter a number.")),
        NumberRange(min=low, max=high, message=_l("Enter a number from %(min)s to %(max)s."))])


class MethodologyForm(Form):
    min_sample = IntegerField(_l("Minimum sample (accepted ratings)"), validators=[
        InputRequired(_l("Enter a number.")), NumberRange(min=2, max=1000, message=_l("Enter a number from %(min)s to %(max)s."))])
    confidence = _number(_l("Confidence level (for example 0.90)"), 0.5, 0.99)
    min_peers = IntegerField(_l("Fewest local governments in a peer group"), validators=[
        InputRequired(_l("Enter a number.")), NumberRange(min=2, max=1000, message=_l("Enter a number from %(min)s to %(max)s."))])
    alpha = _number(_l("α for above / below the peer mean"), 0.001, 0.5)
    weight_citizen = _number(_l("Weight of residents' assessment"), 0, 1)
    weight_state = _number(_l("Weight of the state assessment"), 0, 1)
    weight_budget_transparency = _number(_l("Weight of budget transparency"), 0, 1)
    weight_responsiveness = _number(_l("Weight of responsiveness"), 0, 1)
    notes = TextAreaField(_l("What changed and why"), validators=[Optional(), Length(max=2000)])

    WEIGHTS = ("citizen", "state", "budget_transparency", "responsiveness")

    def fill(self, values: dict) -> None:
        self.min_sample.data = values["min_sample"]
        self.confidence.data = values["confidence"]
        self.min_peers.data = values["shrinkage"]["min_peers"]
        self.alpha.data = values["position"]["alpha"]
        for track in self.WEIGHTS:
            getattr(self, f"weight_{track}").data = values["composite_weights"][track]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and not sum(float(getattr(self, f"weight_{t}").data) for t in self.WEIGHTS) > 0:
            self.weight_citizen.errors = [*self.weight_citizen.errors, _l("At least one weight must be above zero.")]
            ok = False
        return ok

    def changes(self, base: dict) -> dict:
        """The new version's parameters: the newest version's, with this form's values."""
        return {**base, "min_sample": int(self.min_sample.data), "confidence": float(self.confidence.data),
                "shrinkage": {**base["shrinkage"], "min_peers": int(self.min_peers.data)},
                "position": {**base["position"], "alpha": float(self.alpha.data)},
                "composite_weights": {t: float(getattr(self, f"weight_{t}").data) for t in self.WEIGHTS}}
