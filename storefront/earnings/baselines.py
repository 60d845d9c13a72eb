"""Income baselines: import a survey CSV as a whole (all rows or none), and edit one baseline.

The file: a header row `artisan_slug,survey_date,monthly_income_mxn,had_sales,kept_records,notes`
(`notes` optional), dates as YYYY-MM-DD, income in pesos ("450" or "450.50"), yes/no answers as
yes/no, sí/no, true/false or 1/0. Spreadsheets save CSV as UTF-8 or as Windows-1252/Latin-1 and
with "," or ";": both are read, and the page says which encoding it used.
"""
import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from storefront.accounts.services import audit, diff
from storefront.extensions import db
from storefront.models import Artisan, IncomeBaseline
from storefront.money import to_minor

COLUMNS = ("artisan_slug", "survey_date", "monthly_income_mxn", "had_sales", "kept_records", "notes")
REQUIRED = COLUMNS[:5]
MAX_ROWS = 5000          # the cooperative has about a hundred artisans; anything far larger is a mistake
MAX_INCOME_MXN = Decimal("1000000")
TRUE = {"yes", "y", "si", "sí", "true", "1", "x"}
FALSE = {"no", "n", "false", "0", ""}
FIELDS = ("survey_date", "monthly_income_amount", "had_sales", "kept_records", "notes")


@dataclass
class RowError:
    line: int
    message: str


@dataclass
class ImportResult:
    encoding: str = "utf-8"
    rows: list = field(default_factory=list)     # validated dicts
    errors: list = field(default_factory=list)   # RowError, in line order
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self):
        return not self.errors


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was read with: UTF-8 (with or without BOM), else Windows-1252/Latin-1."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _yes_no(value):
    value = value.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ValueError


def _parse_row(raw: dict, line: int, errors: list):
    problems = []
    slug = (raw.get("artisan_slug") or "").strip().lower()
    if not slug:
        problems.append(_l("artisan_slug is empty"))
    try:
        survey_date = date.fromisoformat((raw.get("survey_date") or "").strip())
    except ValueError:
        survey_date = None
        problems.append(_l("survey_date %(value)s is not a date like 2025-02-15",
                           value=repr(raw.get("survey_date"))))
    income_text = (raw.get("monthly_income_mxn") or "").strip().replace(",", "")
    income = None
    try:
        value = Decimal(income_text)
        if not value.is_finite():
            raise InvalidOperation
        if value < 0:
            problems.append(_l("monthly_income_mxn is negative (%(value)s)", value=income_text))
        elif value > MAX_INCOME_MXN or value != value.quantize(Decimal("0.01")):
            problems.append(_l("monthly_income_mxn %(value)s is not an amount in pesos", value=income_text))
        else:
            income = to_minor(value, "MXN")
    except InvalidOperation:
        problems.append(_l("monthly_income_mxn %(value)s is not a number", value=repr(income_text)))
    answers = {}
    for name in ("had_sales", "kept_records"):
        try:
            answers[name] = _yes_no(raw.get(name) or "")
        except ValueError:
            problems.append(_l("%(column)s must be yes or no, not %(value)s", column=name,
                               value=repr(raw.get(name))))
    for problem in problems:
        errors.append(RowError(line, problem))
    if problems:
        return None
    return {"slug": slug, "line": line, "survey_date": survey_date, "monthly_income_amount": income,
            "had_sales": answers["had_sales"], "kept_records": answers["kept_records"],
            "notes": (raw.get("notes") or "").strip() or None}


def validate(data: bytes, today: date) -> ImportResult:
    """Read and check every row; nothing is written. Errors carry the file's line numbers."""
    result = ImportResult()
    text, result.encoding = decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        result.errors.append(RowError(1, _l("The file is empty.")))
        return result
    except csv.Error as error:
        result.errors.append(RowError(1, _l("The file is not a readable CSV (%(error)s).", error=str(error))))
        return result
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        result.errors.append(RowError(1, _l(
            "The first line must name the columns %(expected)s; missing: %(missing)s; "
            "unexpected: %(unknown)s.", expected=", ".join(COLUMNS), missing=", ".join(missing) or "-",
            unknown=", ".join(unknown) or "-")))
        return result
    seen = {}
    parsed = []
    try:
        for raw in reader:
            line = reader.line_num
            if len(parsed) + len(result.errors) >= MAX_ROWS:
                result.errors = [RowError(line, _l(
                    "The file has more than %(limit)d rows; nothing was imported. "
                    "Split it into smaller files.",
                    limit=MAX_ROWS))]
                return result
            if not any(cell.strip() for cell in raw):
                continue
            if len(raw) != len(header):
                result.errors.append(RowError(line, _l("expected %(expected)d columns, found %(found)d",
                                                       expected=len(header), found=len(raw))))
                continue
            row = _parse_row(dict(zip(header, raw)), line, result.errors)
            if row is None:
                continue
            if row["survey_date"] > today:
                result.errors.append(RowError(line, _l("survey_date %(value)s is in the future",
                                                       value=row["survey_date"].isoformat())))
                continue
            if row["slug"] in seen:
                result.errors.append(RowError(line, _l("%(slug)s already appears on line %(other)d",
                                                       slug=row["slug"], other=seen[row["slug"]])))
                continue
            seen[row["slug"]] = line
            parsed.append(row)
    except csv.Error as error:
        result.errors.append(RowError(reader.line_num, _l("The file is not a readable CSV (%(error)s).",
                                                          error=str(error))))
    known = {}
    slugs = [row["slug"] for row in parsed]
    for chunk_start in range(0, len(slugs), 500):
        chunk = slugs[chunk_start:chunk_start + 500]
        known.update(db.session.execute(
            select(Artisan.slug, Artisan.id).where(Artisan.slug.in_(chunk))).all())
    for row in parsed:
        if row["slug"] not in known:
            result.errors.append(RowError(row["line"], _l("no artisan with the slug %(slug)s",
                                                          slug=row["slug"])))
        else:
            row["artisan_id"] = known[row["slug"]]
    result.errors.sort(key=lambda e: e.line)
    result.rows = parsed
    return result


def _values(baseline):
    return {name: (getattr(baseline, name).isoformat() if name == "survey_date" else getattr(baseline, name))
            for name in FIELDS}


def import_baselines(data: bytes, today: date, actor=None) -> ImportResult:
    """Validate, then write every row in one transaction, or nothing. Same file twice: no change."""
    result = validate(data, today)
    if not result.ok:
        return result
    existing = {b.artisan_id: b for b in db.session.scalars(
        select(IncomeBaseline).where(IncomeBaseline.artisan_id.in_([r["artisan_id"] for r in result.rows])))}
    for row in result.rows:
        values = {name: row[name] for name in FIELDS}
        baseline = existing.get(row["artisan_id"])
        if baseline is None:
            baseline = IncomeBaseline(artisan_id=row["artisan_id"], **values)
            db.session.add(baseline)
            db.session.flush()
            audit("baseline.imported", "income_baseline", baseline.id, artisan_id=row["artisan_id"],
                  actor=actor, changes=diff({}, _values(baseline)))
            result.created += 1
            continue
        before = _values(baseline)
        for name, value in values.items():
            setattr(baseline, name, value)
        changes = diff(before, _values(baseline))
        if changes:
            audit("baseline.imported", "income_baseline", baseline.id, artisan_id=row["artisan_id"],
                  actor=actor, changes=changes)
            result.updated += 1
        else:
            result.unchanged += 1
    db.session.commit()
    return result


def update_baseline(baseline: IncomeBaseline, values: dict, actor) -> dict:
    """Change one baseline (admin) and audit the difference; returns the changes."""
    before = _values(baseline)
    for name in FIELDS:
        if name in values:
            setattr(baseline, name, values[name])
    changes = diff(before, _values(baseline))
    if changes:
        audit("baseline.edited", "income_baseline", baseline.id, artisan_id=baseline.artisan_id, actor=actor,
              changes=changes)
    db.session.commit()
    return changes
