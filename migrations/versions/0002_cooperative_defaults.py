"""cooperative defaults: settings row, starting shipping zones, reference income lines

Revision ID: 0002_defaults
Revises: 0001_initial
Create Date: 2026-11-21

Defaults (the admin changes them later; see README "Money rules"):
- commission 15 % of the garment price;
- fair hourly rate 60.00 MXN: about 1.5x the 2026 general minimum wage of 315.04 MXN/day
  (39.38 MXN/hour over 8 hours), because WFTO principle 4 asks for a local living wage, not the minimum;
- overhead 10 % on materials + labour (thread, tools, transport to the cooperative);
- card-fee estimate 4.4 % + 6.00 MXN until Stripe reports the real fee on each charge.
"""
from datetime import date, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002_defaults"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

ZONES = [
    # code, name, countries, position
    ("mx", "México", "MX", 0),
    ("us-ca", "United States and Canada", "US,CA", 1),
    ("europe", "Europe", "AT,BE,BG,CH,CY,CZ,DE,DK,EE,ES,FI,FR,GB,GR,HR,HU,IE,IS,IT,LT,LU,LV,MT,NL,NO,PL,PT,"
     "RO,SE,SI,SK", 2),
    ("world", "Rest of the world", "*", 3),
]
# zone code -> bands by weight in grams: (name, min, max, amount in centavos, days min, days max)
RATES = {
    "mx": [("Estafeta", 0, 2000, 15000, 2, 5), ("Estafeta", 2001, None, 25000, 2, 5)],
    "us-ca": [("Correos de México / DHL", 0, 1000, 45000, 7, 15), ("Correos de México / DHL", 1001, 3000, 75000, 7, 15),
              ("Correos de México / DHL", 3001, None, 120000, 7, 15)],
    "europe": [("Correos de México / DHL", 0, 1000, 60000, 10, 20), ("Correos de México / DHL", 1001, 3000, 95000, 10, 20),
               ("Correos de México / DHL", 3001, None, 150000, 10, 20)],
    "world": [("Correos de México / DHL", 0, 1000, 70000, 12, 25), ("Correos de México / DHL", 1001, None, 130000, 12, 25)],
}
REFERENCE_LINES = [
    ("minimum_wage_general", 31504, "day", date(2026, 1, 1),
     "CONASAMI: general minimum wage 2026, 315.04 MXN a day"),
    ("minimum_wage_general", 27880, "day", date(2025, 1, 1),
     "CONASAMI: general minimum wage 2025, 278.80 MXN a day"),
    ("rural_income_line", 345113, "month", date(2025, 12, 1),
     "INEGI (CONEVAL method): rural income poverty line, per person per month, December 2025"),
    ("rural_extreme_income_line", 185439, "month", date(2025, 12, 1),
     "INEGI (CONEVAL method): rural extreme (food) poverty line, per person per month, December 2025"),
    ("urban_income_line", 481814, "month", date(2025, 12, 1),
     "INEGI (CONEVAL method): urban income poverty line, per person per month, December 2025"),
    ("urban_extreme_income_line", 246715, "month", date(2025, 12, 1),
     "INEGI (CONEVAL method): urban extreme (food) poverty line, per person per month, December 2025"),
]


def upgrade():
    meta = sa.MetaData()
    settings = sa.Table("cooperative_settings", meta, autoload_with=op.get_bind())
    zones = sa.Table("shipping_zones", meta, autoload_with=op.get_bind())
    rates = sa.Table("shipping_rates", meta, autoload_with=op.get_bind())
    lines = sa.Table("reference_lines", meta, autoload_with=op.get_bind())
    op.bulk_insert(settings, [{
        "id": 1, "commission_bp": 1500, "fair_hourly_rate_amount": 6000, "overhead_bp": 1000,
        "card_fee_bp": 440, "card_fee_fixed_amount": 600, "programme_start": date(2025, 3, 1),
        "updated_at": datetime(2026, 11, 21),
    }])
    bind = op.get_bind()
    for code, name, countries, position in ZONES:
        zone_id = bind.execute(zones.insert().values(code=code, name=name, countries=countries,
                                                     position=position).returning(zones.c.id)).scalar_one()
        op.bulk_insert(rates, [{"zone_id": zone_id, "name": n, "basis": "weight", "min_value": lo,
                                "max_value": hi, "amount": amount, "currency": "MXN",
                                "delivery_days_min": dmin, "delivery_days_max": dmax}
                               for n, lo, hi, amount, dmin, dmax in RATES[code]])
    op.bulk_insert(lines, [{"code": c, "amount": a, "currency": "MXN", "period": p, "effective_on": d,
                            "source": s} for c, a, p, d, s in REFERENCE_LINES])


def downgrade():
    op.execute("DELETE FROM reference_lines")
    op.execute("DELETE FROM shipping_rates")
    op.execute("DELETE FROM shipping_zones")
    op.execute("DELETE FROM cooperative_settings")
