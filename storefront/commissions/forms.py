"""The buyer's request, her quote, a progress post, and the decisions when a commission goes wrong."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FileField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from storefront.accounts.fields import PlainDecimalField, PlainIntegerField, choices


class RequestForm(FlaskForm):
    size = StringField(_l("Your size (or measurements)"), validators=[
        DataRequired(_l("Tell her your size.")), Length(max=80, message=_l("Use at most 80 letters."))])
    colours = StringField(_l("Colours you would like"), validators=[
        DataRequired(_l("Tell her the colours you would like.")),
        Length(max=200, message=_l("Use at most 200 letters."))])
    notes = TextAreaField(_l("Anything else she should know"), validators=[
        Length(max=2000, message=_l("Use at most 2,000 letters."))])
    photo = FileField(_l("A reference photo (optional)"))
    email = StringField(_l("Your email"), validators=[
        DataRequired(_l("Write your email, so she can send you her quote.")),
        Length(max=254)])
    country = SelectField(_l("Country to ship to"), validators=[InputRequired(_l("Choose a country."))])


class QuoteForm(FlaskForm):
    materials_cost = PlainDecimalField(_l("What the materials will cost you (MXN)"), validators=[
        InputRequired(_l("Write what the materials cost, 0 if nothing.")),
        NumberRange(0, 100_000, message=_l("Write an amount between 0 and 100,000 pesos."))])
    hours = PlainIntegerField(_l("Hours of work"), validators=[
        InputRequired(_l("Write how many hours it will take.")),
        NumberRange(1, 2_000, message=_l("Write a number of hours between 1 and 2,000."))])
    hourly_rate = PlainDecimalField(_l("Your hourly rate (MXN)"), validators=[
        Optional(), NumberRange(0, 10_000, message=_l("Write an amount between 0 and 10,000 pesos."))])
    weeks = PlainIntegerField(_l("Weeks of work"), validators=[
        InputRequired(_l("Write how many weeks it will take.")),
        NumberRange(1, 52, message=_l("Write a number of weeks between 1 and 52."))])
    price = PlainDecimalField(_l("Price (MXN), if you want more than the fair price"), validators=[
        Optional(), NumberRange(1, 500_000, message=_l("Write a price between 1 and 500,000 pesos."))])
    deposit_percent = PlainIntegerField(_l("Deposit (percent of the price)"), validators=[
        InputRequired(_l("Write the deposit share.")),
        NumberRange(50, 100, message=_l("Write a deposit between 50 and 100 percent."))])
    message = TextAreaField(_l("A message for the buyer"), validators=[
        Length(max=2000, message=_l("Use at most 2,000 letters."))])


class ProgressForm(FlaskForm):
    note = TextAreaField(_l("What you did"), validators=[
        Length(max=2000, message=_l("Use at most 2,000 letters."))])
    photo = FileField(_l("Photo"))
    voice = FileField(_l("A voice note"))


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[
        DataRequired(_l("Write the reason.")), Length(max=2000, message=_l("Use at most 2,000 letters."))])


class DecisionForm(ReasonForm):
    decision = RadioField(_l("Decision"), choices=choices([
        ("sell", _l("Sell the garment in the shop and keep the deposit")),
        ("refund", _l("Refund the deposit and sell the garment in the shop"))]),
        validators=[InputRequired(_l("Choose a decision."))])


class ArtisanSettingsForm(FlaskForm):
    accepts = BooleanField(_l("I take commissions"))
    cap = PlainIntegerField(_l("How many at once, at most"), validators=[
        InputRequired(_l("Write a number between 1 and 10.")),
        NumberRange(1, 10, message=_l("Write a number between 1 and 10."))])
