"""Importing the baseline survey: all rows or none, every bad row reported with its line number."""
import io
from datetime import date

from sqlalchemy import func, select

from storefront.earnings.baselines import MAX_ROWS, import_baselines, validate
from storefront.extensions import db
from storefront.models import AuditEntry, IncomeBaseline
from tests.conftest import csrf_token

TODAY = date(2026, 11, 21)
HEADER = "artisan_slug,survey_date,monthly_income_mxn,had_sales,kept_records,notes\n"


def count_baselines():
    return db.session.scalar(select(func.count()).select_from(IncomeBaseline))


def test_a_good_file_imports_and_the_same_file_again_changes_nothing(ctx, make):
    make.artisan(slug="maria"), make.artisan(slug="juana")
    data = (HEADER + "maria,2025-02-10,450.50,sí,no,Vende en la plaza\njuana,2025-02-11,0,no,no,\n").encode()
    first = import_baselines(data, TODAY)
    assert first.ok and (first.created, first.updated, first.unchanged) == (2, 0, 0)
    maria = db.session.scalars(select(IncomeBaseline).order_by(IncomeBaseline.id)).first()
    assert maria.monthly_income_amount == 45050 and maria.had_sales and not maria.kept_records
    audits = db.session.scalar(select(func.count()).select_from(AuditEntry))
    again = import_baselines(data, TODAY)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audits
    assert count_baselines() == 2


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_imported(ctx, make):
    make.artisan(slug="maria"), make.artisan(slug="juana"), make.artisan(slug="rosa")
    data = (HEADER
            + "maria,2025-02-10,450,yes,no,\n"       # line 2: fine
            + "nadie,2025-02-10,100,yes,no,\n"       # line 3: unknown artisan
            + "juana,2025-02-10,-5,yes,no,\n"        # line 4: negative income
            + "rosa,10/02/2025,300,yes,no,\n"        # line 5: bad date
            + "maria,2025-02-12,450,yes,no,\n"       # line 6: duplicate
            + "rosa,2025-02-10,300,quizá,no,\n"      # line 7: not yes/no
            + "rosa,2027-01-01,300,yes,no,\n"        # line 8: in the future
            + "rosa,2025-02-10,300\n").encode()      # line 9: columns missing
    result = import_baselines(data, TODAY)
    assert [error.line for error in result.errors] == [3, 4, 5, 6, 7, 8, 9]
    messages = " | ".join(str(error.message) for error in result.errors)
    assert "nadie" in messages and "negative" in messages and "line 2" in messages
    db.session.rollback()
    assert count_baselines() == 0


def test_wrong_columns_are_refused_whole(ctx, make):
    make.artisan(slug="maria")
    result = validate(b"name,income\nmaria,450\n", TODAY)
    assert [e.line for e in result.errors] == [1]
    assert "artisan_slug" in str(result.errors[0].message)
    assert validate(b"", TODAY).errors[0].line == 1


def test_a_latin1_spreadsheet_file_is_read_with_its_accents(ctx, make):
    make.artisan(slug="maria")
    data = (HEADER.replace(",", ";")
            + "maria;2025-02-10;450;sí;no;Tejedora de Chilil, Huixtán\n").encode("cp1252")
    result = import_baselines(data, TODAY)
    assert result.ok and result.encoding == "windows-1252"
    assert db.session.scalars(select(IncomeBaseline)).one().notes == "Tejedora de Chilil, Huixtán"


def test_a_huge_file_is_refused_clearly_without_writing(ctx, make):
    make.artisan(slug="maria")
    data = (HEADER + "maria,2025-02-10,450,yes,no,\n" * 100_000).encode()
    result = import_baselines(data, TODAY)
    assert len(result.errors) == 1 and str(MAX_ROWS) in str(result.errors[0].message).replace(",", "")
    assert count_baselines() == 0


def test_cli_import_reports_lines_and_exit_code(app, runner, tmp_path):
    with app.app_context():
        from tests.factories import Factories
        Factories(app).artisan(slug="maria")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "maria,2025-02-10,-1,yes,no,\n", encoding="utf-8")
    result = runner.invoke(args=["baseline", "import", str(bad)])
    assert result.exit_code == 1 and "line 2" in result.output and "nothing imported" in result.output
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "maria,2025-02-10,450,yes,no,\n", encoding="utf-8")
    result = runner.invoke(args=["baseline", "import", str(good)])
    assert result.exit_code == 0 and "1 new" in result.output
    result = runner.invoke(args=["baseline", "import", str(good)])
    assert "0 new, 0 changed, 1 unchanged" in result.output


def test_upload_form_shows_every_problem_and_imports_nothing(client, make, staff, login, in_app):
    in_app(make.artisan, slug="maria")
    login("boss")
    token = csrf_token(client, "/coop/baselines")
    data = (HEADER + "maria,2025-02-10,-3,yes,no,\nnadie,2025-02-10,3,yes,no,\n").encode()
    response = client.post("/coop/baselines", data={"csrf_token": token, "file": (io.BytesIO(data), "b.csv")},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Line 2" in html and "Line 3" in html
    assert in_app(count_baselines) == 0
    good = (HEADER + "maria,2025-02-10,300,yes,no,\n").encode()
    response = client.post("/coop/baselines", data={"csrf_token": token, "file": (io.BytesIO(good), "b.csv")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200 and "1 new" in response.get_data(as_text=True)


def test_coordinator_sees_baselines_but_cannot_import_or_edit(client, make, staff, login, in_app):
    artisan_id = in_app(lambda: make.artisan(slug="maria").id)
    login("coord")
    assert client.get("/coop/baselines").status_code == 200
    token = csrf_token(client, "/coop/earnings")
    response = client.post("/coop/baselines", data={"csrf_token": token,
                                                    "file": (io.BytesIO(HEADER.encode()), "b.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 403
    assert client.get(f"/coop/baselines/{artisan_id}/edit").status_code == 403
    assert in_app(count_baselines) == 0


def test_admin_edit_of_one_baseline_is_audited(client, make, staff, login, in_app):
    artisan_id = in_app(lambda: make.artisan(slug="maria").id)
    in_app(import_baselines, (HEADER + "maria,2025-02-10,450,yes,no,\n").encode(), TODAY)
    login("boss")
    path = f"/coop/baselines/{artisan_id}/edit"
    assert "450.00" in client.get(path).get_data(as_text=True)
    token = csrf_token(client, path)
    response = client.post(path, data={"csrf_token": token, "survey_date": "2025-02-10",
                                       "monthly_income": "-1", "had_sales": "y", "notes": ""})
    assert response.status_code == 200 and "cannot be negative" in response.get_data(as_text=True)
    response = client.post(path, data={"csrf_token": token, "survey_date": "2025-02-10",
                                       "monthly_income": "600", "had_sales": "y",
                                       "notes": "Corregido tras visita"})
    assert response.status_code == 302
    with client.application.app_context():
        baseline = db.session.scalars(select(IncomeBaseline)).one()
        assert baseline.monthly_income_amount == 60000 and baseline.kept_records is False
        audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "baseline.edited")).one()
        assert audit.changes["monthly_income_amount"] == [45000, 60000]
        assert audit.actor.username == "boss"
