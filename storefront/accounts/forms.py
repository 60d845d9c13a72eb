"""Forms of the accounts area: login, new password, people, cooperative settings."""
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from storefront.accounts.fields import PlainDecimalField, choices
from wtforms import (PasswordField, SelectField, SelectMultipleField, StringField, SubmitField,
                     TextAreaField)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional, Regexp


class LoginForm(FlaskForm):
    login = StringField(_l("User name or phone number"),
                        validators=[DataRequired(_l("Write your user name or phone number.")),
                                    Length(max=64)])
    password = PasswordField(_l("Password"),
                             validators=[DataRequired(_l("Write your password.")), Length(max=200)])
    submit = SubmitField(_l("Log in"))


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[
        DataRequired(_l("Write a new password.")),
        Length(min=8, max=200, message=_l("Use at least 8 letters or numbers."))])
    confirm = PasswordField(_l("Write it again"), validators=[
        DataRequired(_l("Write the same password again.")),
        EqualTo("password", message=_l("The two passwords are not the same."))])
    submit = SubmitField(_l("Save my password"))


USERNAME = Regexp(r"^[a-z0-9][a-z0-9._-]*$", flags=re.IGNORECASE,
                  message=_l("Use only letters without accents, numbers, dots and dashes."))


class ArtisanPersonForm(FlaskForm):
    """An artisan's profile, and optionally her own login."""
    display_name = StringField(_l("Name as she wishes to be shown"), validators=[
        DataRequired(_l("Write her name.")), Length(max=120)])
    community = StringField(_l("Community"), validators=[
                            DataRequired(_l("Write her community.")), Length(max=120)])
    municipality = StringField(_l("Municipality"), validators=[
        DataRequired(_l("Write her municipality.")), Length(max=120)])
    languages = SelectMultipleField(_l("Languages she speaks"), choices=choices([
        ("tzo", _l("Tsotsil")), ("tzh", _l("Tseltal")), ("es", _l("Spanish"))]), default=["es"])
    story = TextAreaField(_l("Her story (in Spanish)"), validators=[Length(max=5000)])
    username = StringField(_l("User name for her login (leave empty if she has none)"),
                           validators=[Optional(), Length(min=3, max=64), USERNAME])
    phone = StringField(_l("Phone number (optional)"), validators=[Optional(), Length(max=32)])
    password = PasswordField(_l("Password"), validators=[Optional(), Length(min=8, max=200)])
    submit = SubmitField(_l("Add the artisan"))


class StaffPersonForm(FlaskForm):
    username = StringField(_l("User name"), validators=[
        DataRequired(_l("Write a user name.")), Length(min=3, max=64), USERNAME])
    role = SelectField(_l("Role"), choices=choices([
        ("coordinator", _l("Coordinator")), ("admin", _l("Cooperative admin"))]))
    email = StringField(_l("Email (optional)"), validators=[Optional(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Write a password.")), Length(min=8, max=200)])
    submit = SubmitField(_l("Add the person"))


class CooperativeSettingsForm(FlaskForm):
    commission_percent = PlainDecimalField(
        _l("Cooperative commission, in percent of the price"), places=2, validators=[
            InputRequired(_l("Write a percentage.")),
            NumberRange(0, 60, message=_l("Use a percentage between 0 and 60."))])
    fair_hourly_rate = PlainDecimalField(_l("Fair hourly rate (MXN per hour)"), places=2, validators=[
        InputRequired(_l("Write an amount.")),
        NumberRange(1, 10000, message=_l("Use an amount between 1 and 10,000 pesos."))])
    overhead_percent = PlainDecimalField(
        _l("Overhead, in percent of materials and labour"), places=2, validators=[
            InputRequired(_l("Write a percentage.")),
            NumberRange(0, 100, message=_l("Use a percentage between 0 and 100."))])
    submit = SubmitField(_l("Save the settings"))


class TwoFactorForm(FlaskForm):
    code = StringField(_l("Code from your authenticator app (or a recovery code)"), validators=[
        DataRequired(_l("Write the code.")), Length(max=32)])
    submit = SubmitField(_l("Confirm"))


class TwoFactorOffForm(FlaskForm):
    submit = SubmitField(_l("Turn login codes off"))
