"""The impact report (/coop/impact, /coop/impact.pdf) and the empowerment questionnaire."""
from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from storefront.accounts.permissions import STAFF, allow
from storefront.earnings import bp, impact, impact_charts, reports, survey
from storefront.earnings.forms import SurveyForm
from storefront.earnings.impact_pdf import render_pdf
from storefront.extensions import db
from storefront.i18n import current_locale
from storefront.models import Artisan

DEFAULT_PERIOD = "12m"


def report_context(period_code: str, language: str) -> dict:
    """Everything the page and the PDF print, computed once (same figures, same strings)."""
    today = reports.today_local()
    report = impact.build(period_code or DEFAULT_PERIOD, today)
    programme = report if report.period.code == "all" else impact.build("all", today)
    fmt = impact.Formats(language)
    return {"report": report, "programme": programme, "fmt": fmt, "today": today,
            "period_name": impact.period_name(report.period),
            "period_span": impact.period_span(report.period),
            "figures": impact.figures(report, fmt), "headline": impact.headline(programme, fmt),
            "definitions": impact.definition_texts(report), "band_names": impact.band_names(),
            "line_notes": [impact.line_note(item.period_line) for item in report.lines],
            "charts": impact_charts.charts(report, fmt), "periods": reports.period_choices(today)}


def indicator_context(period_code: str, language: str) -> dict:
    """The indicator table and the income-band chart, for the earnings page beside its own table."""
    report = impact.build(period_code, reports.today_local())
    fmt = impact.Formats(language)
    return {"figures": impact.figures(report, fmt), "period_name": impact.period_name(report.period),
            "distribution_chart": impact_charts.charts(report, fmt)["bands"]}


@bp.route("/coop/impact")
@allow(*STAFF)
def coop_impact():
    context = report_context(request.args.get("period", DEFAULT_PERIOD), current_locale())
    return render_template("earnings/impact.html", **context)


@bp.route("/coop/impact.pdf")
@allow(*STAFF)
def coop_impact_pdf():
    language = current_locale()
    context = report_context(request.args.get("period", DEFAULT_PERIOD), language)
    name = f"telar-impact-{context['report'].period.code}-{language}.pdf"
    return Response(render_pdf(context), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/coop/artisans/<int:artisan_id>/survey", methods=["GET", "POST"])
@allow(*STAFF)
def survey_record(artisan_id):
    artisan = db.get_or_404(Artisan, artisan_id)
    form = SurveyForm()
    today = reports.today_local()
    if request.method == "GET":
        wave = request.args.get("wave")
        form.wave.data = wave if wave in survey.WAVES else "end"
        form.surveyed_on.data = today
    if form.validate_on_submit():
        answers = {column: int(getattr(form, column).data) for column, _d, _t in survey.QUESTIONS}
        try:
            survey.record_survey(artisan.id, form.wave.data, form.surveyed_on.data, answers, today,
                                 recorded_by=current_user)
        except survey.SurveyRefused as refused:
            db.session.rollback()
            message = (_("The date cannot be in the future.") if refused.code == "future_date"
                       else _("Answer every statement."))
            form.surveyed_on.errors = list(form.surveyed_on.errors) + [message]
        else:
            flash(_("Questionnaire saved."), "success")
            return redirect(url_for("earnings.baselines"))
    recorded = db.session.scalars(select(survey.EmpowermentSurvey)
                                  .where(survey.EmpowermentSurvey.artisan_id == artisan.id)
                                  .order_by(survey.EmpowermentSurvey.surveyed_on)).all()
    return render_template("earnings/survey.html", artisan=artisan, form=form, recorded=recorded,
                           questions=survey.QUESTIONS, scale=dict(survey.SCALE))
