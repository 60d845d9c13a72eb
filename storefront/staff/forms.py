"""Forms for staff filling in a garment's or an artisan's text in another shop language."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class GarmentTextForm(FlaskForm):
    title = StringField(_l("Name of the garment"), validators=[
        DataRequired(message=_l("Write the name.")), Length(max=200, message=_l("Use at most 200 letters."))])
    story = TextAreaField(_l("Its story"), validators=[Length(max=20_000)])
    materials = StringField(_l("Materials"), validators=[
        Length(max=500, message=_l("Use at most 500 letters."))])


class ArtisanStoryForm(FlaskForm):
    story = TextAreaField(_l("Her story"), validators=[
        DataRequired(message=_l("Write her story.")), Length(max=20_000)])
