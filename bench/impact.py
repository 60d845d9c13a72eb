"""The demo against the programme's published figures, the time `flask demo` takes, and the PDF report.

Run: `.venv/bin/python -m bench.impact`. Builds a fresh SQLite database in a temporary directory with the
real migrations, times `load_demo()` (CPU and wall clock), computes the impact report for the programme
to date by the same code as the page, and renders the PDF in Spanish and English (size, page count).
"""
import re
import tempfile
import time
from pathlib import Path

PUBLISHED = {"women": 102, "producing": 42, "garments_sold": "150+", "income_per_producing_usd": 129,
             "under_28_usd_at_baseline": "about 30 %", "no_sales_or_records_at_baseline": "about 40 %",
             "greater_economic_empowerment": "88 %", "greater_digital_empowerment": "87 %"}


def main() -> dict:
    from flask_babel import force_locale
    from flask_migrate import upgrade

    from storefront import create_app
    from storefront.demo import load_demo
    from storefront.earnings import impact
    from storefront.earnings.impact_pdf import render_pdf
    from storefront.earnings.impact_routes import report_context
    from storefront.earnings.reports import today_local

    root = Path(tempfile.mkdtemp(prefix="telar-bench-impact-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{root / 'demo.sqlite3'}",
                      "MEDIA_ROOT": str(root / "media"), "SECRET_KEY": "bench-" * 8})
    figures = {}
    with app.app_context():
        upgrade()
        wall, cpu = time.perf_counter(), time.process_time()
        load_demo()
        figures["flask demo wall s"] = round(time.perf_counter() - wall, 1)
        figures["flask demo cpu s"] = round(time.process_time() - cpu, 1)
    with app.test_request_context():
        report = impact.build("all", today_local())
        figures.update({
            "women (published 102)": report.artisans,
            "producing (published 42)": report.producing,
            "garments sold (published 150+)": report.garments,
            "income per producing artisan USD (published 129)":
                round(report.usd(report.income_per_producing) / 100),
            "under 28 USD at baseline % (published ~30)": round(100 * report.under_low[0].value),
            "no sales or records at baseline % (published ~40)": round(100 * report.no_sales[0].value),
            "greater economic empowerment % (published 88)": round(100 * report.economic.value),
            "greater digital empowerment % (published 87)": round(100 * report.digital.value),
            "sales in the current month": report.months[-1][2],
        })
        for language in ("es", "en"):
            for period in ("all", "12m"):
                with force_locale(language):
                    started = time.perf_counter()
                    data = render_pdf(report_context(period, language))
                    seconds = time.perf_counter() - started
                figures[f"PDF {period} {language} bytes"] = len(data)
                figures[f"PDF {period} {language} pages"] = len(re.findall(rb"/Type /Page[^s]", data))
                figures[f"PDF {period} {language} render s"] = round(seconds, 2)
    return figures


if __name__ == "__main__":
    for key, value in main().items():
        print(f"{key:55} {value}")
