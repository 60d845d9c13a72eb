"""The garment form and the fair-price calculator form; every message in plain words."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from storefront.accounts.fields import PlainDecimalField, PlainIntegerField, choices
from storefront.studio.choices import category_choices, technique_choices

MAX_PHOTOS = 8
MAX_PRICE_MXN = 500_000
MAX_HOURS = 2_000


class GarmentForm(FlaskForm):
    artisan_id = SelectField(_l("Artisan"), coerce=int, validate_choice=True)
    title = StringField(_l("Name of the garment"), validators=[
        DataRequired(_l("Write a name for the garment.")),
        Length(max=200, message=_l("The name is too long. Use at most 200 letters."))])
    story = TextAreaField(_l("Its story, in your words"), validators=[
        Length(max=5000, message=_l("The story is too long. Use at most 5,000 letters."))])
    title_en = StringField(_l("Name in English (staff)"), validators=[
        Optional(), Length(max=200, message=_l("The name is too long. Use at most 200 letters."))])
    story_en = TextAreaField(_l("Story in English (staff)"), validators=[
        Length(max=5000, message=_l("The story is too long. Use at most 5,000 letters."))])
    technique = SelectField(_l("Technique"), choices=choices(technique_choices()),
                            validators=[InputRequired(_l("Choose the technique."))])
    category = SelectField(_l("Kind of garment"), choices=choices(category_choices()),
                           validators=[InputRequired(_l("Choose the kind of garment."))])
    materials = StringField(_l("Materials"), validators=[
        Length(max=500, message=_l("Use at most 500 letters."))])
    materials_cost = PlainDecimalField(_l("What the materials cost you (MXN)"), validators=[
        Optional(), NumberRange(0, 100_000, message=_l("Write an amount between 0 and 100,000 pesos."))])
    hours_of_work = PlainIntegerField(_l("Hours of work"), default=0, validators=[
        InputRequired(_l("Write how many hours you worked on it.")),
        NumberRange(0, MAX_HOURS, message=_l("Write a number of hours between 0 and 2,000."))])
    sizes = StringField(_l("Sizes"), validators=[Length(max=120, message=_l("Use at most 120 letters."))])
    weight_grams = PlainIntegerField(_l("Weight (grams)"), validators=[
        Optional(), NumberRange(1, 20_000, message=_l("Write a weight between 1 and 20,000 grams."))])
    price = PlainDecimalField(_l("Price (MXN)"), validators=[
        InputRequired(_l("Write the price in pesos.")),
        NumberRange(1, MAX_PRICE_MXN, message=_l("Write a price between 1 and 500,000 pesos."))])
    stock = PlainIntegerField(_l("How many do you have"), default=1, validators=[
        InputRequired(_l("Write how many you have.")),
        NumberRange(0, 100, message=_l("Write a number between 0 and 100."))])
    photos = MultipleFileField(_l("Photos (1 to 8)"))


class CalculatorForm(FlaskForm):
    """GET form: works as a plain link, no CSRF needed for a calculation."""
    class Meta:
        csrf = False

    materials_cost = PlainDecimalField(_l("What the materials cost you (MXN)"), validators=[
        Optional(), NumberRange(0, 100_000, message=_l("Write an amount between 0 and 100,000 pesos."))])
    hours = PlainIntegerField(_l("Hours of work"), validators=[
        Optional(), NumberRange(0, MAX_HOURS, message=_l("Write a number of hours between 0 and 2,000."))])
    price = PlainDecimalField(_l("A price you are thinking of (MXN)"), validators=[
        Optional(), NumberRange(1, MAX_PRICE_MXN, message=_l("Write a price between 1 and 500,000 pesos."))])
