"""The empowerment questionnaire: four statements on a 1–4 scale, recorded at baseline and at the end.

A coordinator reads each statement aloud in the artisan's language and records her answer. The
economic score is the sum of the first two answers, the digital score the sum of the last two; a
woman "reports greater empowerment" when her end-of-period score is higher than her baseline score.
"""
from datetime import date
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from storefront.accounts.services import audit
from storefront.extensions import db
from storefront.models import Artisan, EmpowermentSurvey

WAVES = ("baseline", "end")
# (column, dimension, statement)
QUESTIONS = (
    ("sets_own_prices", "economic", _l("I set the price of my work, counting materials and my hours.")),
    ("earns_on_her_own", "economic", _l("I earn money from my craft and decide how to use it.")),
    ("sells_by_phone", "digital", _l("I can show and sell my garments with a phone.")),
    ("checks_payments_online", "digital", _l("I can check my sales and payments on a phone or computer.")),
)
SCALE = ((1, _l("Not at all")), (2, _l("A little")), (3, _l("Mostly")), (4, _l("Completely")))


class SurveyRefused(ValueError):
    """An answer sheet the questionnaire refuses; `code` says why."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def record_survey(artisan_id: int, wave: str, surveyed_on: date, answers: dict, today: date,
                  recorded_by=None) -> EmpowermentSurvey:
    """Record (or correct, same artisan, wave and date) one answer sheet; audited and committed once."""
    if wave not in WAVES:
        raise SurveyRefused("unknown_wave")
    if surveyed_on > today:
        raise SurveyRefused("future_date")
    values = {}
    for column, _dimension, _text in QUESTIONS:
        value = answers.get(column)
        if not isinstance(value, int) or not 1 <= value <= len(SCALE):
            raise SurveyRefused("answer_missing")
        values[column] = value
    if db.session.get(Artisan, artisan_id) is None:
        raise SurveyRefused("unknown_artisan")
    survey = db.session.scalar(select(EmpowermentSurvey).where(
        EmpowermentSurvey.artisan_id == artisan_id, EmpowermentSurvey.wave == wave,
        EmpowermentSurvey.surveyed_on == surveyed_on))
    before = {}
    if survey is None:
        survey = EmpowermentSurvey(artisan_id=artisan_id, wave=wave, surveyed_on=surveyed_on)
        db.session.add(survey)
    else:
        before = {column: getattr(survey, column) for column in values}
    for column, value in values.items():
        setattr(survey, column, value)
    survey.recorded_by_id = recorded_by.id if recorded_by is not None else None
    db.session.flush()
    audit("survey.recorded", "empowerment_survey", survey.id, artisan_id=artisan_id, actor=recorded_by,
          changes={column: [before.get(column), value] for column, value in values.items()},
          note=f"{wave} {surveyed_on.isoformat()}")
    db.session.commit()
    return survey


def surveys_by_artisan(last_day: date) -> dict:
    """{artisan_id: (her baseline sheet, her latest end sheet on or before `last_day`)} (one query)."""
    pairs = {}
    rows = db.session.scalars(select(EmpowermentSurvey).where(EmpowermentSurvey.surveyed_on <= last_day)
                              .order_by(EmpowermentSurvey.surveyed_on, EmpowermentSurvey.id))
    for survey in rows:
        baseline, end = pairs.get(survey.artisan_id, (None, None))
        if survey.wave == "baseline" and baseline is None:
            baseline = survey
        elif survey.wave == "end":
            end = survey
        pairs[survey.artisan_id] = (baseline, end)
    return pairs


def greater(pairs: dict, dimension: str) -> tuple[int, int]:
    """(women whose end score beats her baseline score, women with both sheets) for one dimension."""
    attribute = f"{dimension}_score"
    both = [(b, e) for b, e in pairs.values() if b is not None and e is not None]
    return sum(getattr(e, attribute) > getattr(b, attribute) for b, e in both), len(both)


def latest(artisan_id: int, wave: str) -> Optional[EmpowermentSurvey]:
    return db.session.scalar(select(EmpowermentSurvey).where(
        EmpowermentSurvey.artisan_id == artisan_id, EmpowermentSurvey.wave == wave)
        .order_by(EmpowermentSurvey.surveyed_on.desc()).limit(1))
