from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    login = StringField(_l("User name or phone number"),
                        validators=[DataRequired(_l("Write your user name or phone number.")), Length(max=64)])
    password = PasswordField(_l("Password"),
                             validators=[DataRequired(_l("Write your password.")), Length(max=200)])
    submit = SubmitField(_l("Log in"))
