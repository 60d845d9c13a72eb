from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms.fields.choices import SelectChoice
from storefront.accounts.fields import PlainDecimalField
from storefront.earnings.survey import QUESTIONS, SCALE
from wtforms import (BooleanField, DateField, HiddenField, RadioField, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

METHODS = [SelectChoice("cash", _l("Cash at the cooperative")),
           SelectChoice("bank_transfer", _l("Bank transfer")),
           SelectChoice("mobile_money", _l("Mobile money"))]
MAX_MXN = Decimal("10000000")


class PesoField(PlainDecimalField):
    """An amount in pesos: "1,250.50", "1250,50" and "$1250" are read the way she means them."""

    invalid_message = _l("Write an amount in pesos, like 1250.50.")


class PlainDateField(DateField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Write the date like 2026-03-15.")) from None


class PayoutForm(FlaskForm):
    amount = PesoField(_l("Amount in pesos"), places=2, validators=[
        InputRequired(_l("Write how much was paid.")),
        NumberRange(min=Decimal("0.01"), max=MAX_MXN, message=_l("The amount must be more than zero."))])
    method = SelectField(_l("How it was paid"), choices=METHODS, validators=[DataRequired()])
    paid_on = PlainDateField(_l("Date paid"),
                             validators=[InputRequired(_l("Write the date like 2026-03-15."))])
    reference = StringField(_l("Reference (transfer number, receipt number…)"), validators=[Length(max=120)])
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
    overpay_reason = TextAreaField(_l("Why pay more than she is owed (only for an advance)"),
                                   validators=[Length(max=2000)])
    # One per form shown: sending the same form twice records one payout.
    key = HiddenField(validators=[Optional(), Regexp(r"^[0-9a-f]{32}$")])


class AdjustmentForm(FlaskForm):
    amount = PesoField(_l("Amount in pesos (negative to take money off)"), places=2, validators=[
        InputRequired(_l("Write the amount.")),
        NumberRange(min=-MAX_MXN, max=MAX_MXN, message=_l("That amount is too large."))])
    reason = TextAreaField(_l("Reason (required)"), validators=[
        DataRequired(_l("Write why this correction is made.")), Length(max=2000)])


class BaselineUploadForm(FlaskForm):
    file = FileField(_l("Survey file (CSV)"), validators=[FileRequired(_l("Choose a CSV file."))])


class BaselineForm(FlaskForm):
    survey_date = PlainDateField(_l("Survey date"),
                                 validators=[InputRequired(_l("Write the date like 2025-02-15."))])
    monthly_income = PesoField(
        _l("Monthly income from her craft before the programme (pesos)"), places=2,
        validators=[InputRequired(_l("Write the amount (0 if none).")),
                    NumberRange(min=0, max=MAX_MXN, message=_l("The income cannot be negative."))])
    had_sales = BooleanField(_l("She had sales"))
    kept_records = BooleanField(_l("She kept income records"))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])


def _scale_field(statement):
    return RadioField(statement, choices=[SelectChoice(str(value), label) for value, label in SCALE],
                      validators=[InputRequired(_l("Choose one answer."))])


class SurveyForm(FlaskForm):
    """The empowerment questionnaire (statements and scale in storefront.earnings.survey)."""
    wave = SelectField(_l("When"), choices=[SelectChoice("baseline", _l("At baseline")),
                                            SelectChoice("end", _l("At the end of the period"))],
                       validators=[DataRequired()])
    surveyed_on = PlainDateField(_l("Date of the questionnaire"),
                                 validators=[InputRequired(_l("Write the date like 2026-03-15."))])


def _add_questions():
    for column, _dimension, statement in QUESTIONS:
        setattr(SurveyForm, column, _scale_field(statement))


_add_questions()
