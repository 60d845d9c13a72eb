"""Number fields with plain-language messages (WTForms' own say "Not a valid decimal value")."""
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, IntegerField


class PlainDecimalField(DecimalField):
    """Accepts "450", "450.50", "450,50" and "$1,450"; refuses anything else in plain words."""

    invalid_message = _l("Write a number, like 450 or 450.50.")

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        raw = valuelist[0].strip().replace("$", "").replace(" ", "")
        if "," in raw and "." not in raw and len(raw.rsplit(",", 1)[1]) <= 2:
            raw = raw.replace(",", ".")  # 450,50 written the Spanish way
        raw = raw.replace(",", "")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            self.data = None
            raise ValueError(self.invalid_message) from None
        if not value.is_finite():
            self.data = None
            raise ValueError(self.invalid_message)
        self.data = value


class PlainIntegerField(IntegerField):
    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(_l("Write a whole number, like 12.")) from None


try:  # WTForms 3.3 deprecates (value, label) tuples for SelectField choices
    from wtforms import SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    SelectChoice = None


def choices(pairs):
    """SelectField choices from (value, label) pairs, in the form this WTForms version expects."""
    return [SelectChoice(value, label) if SelectChoice else (value, label) for value, label in pairs]
