"""The cooperative admin's exchange-rate form."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, ValidationError

from storefront.money import BASE_CURRENCY, BUYER_CURRENCIES
from storefront.pricing import parse_rate


class RateForm(FlaskForm):
    currency = SelectField(_l("Currency"), choices=[c for c in BUYER_CURRENCIES if c != BASE_CURRENCY],
                           validators=[DataRequired()])
    rate = StringField(_l("How much of that currency one peso buys"),
                       validators=[DataRequired(message=_l("Write the rate, for example 0.0550.")),
                                   Length(max=20)])
    submit = SubmitField(_l("Save the rate"))

    def validate_rate(self, field):
        try:
            parse_rate(field.data.replace(",", "."))
        except ValueError:
            raise ValidationError(_l("Write a positive number, for example 0.0550.")) from None
