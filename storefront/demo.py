"""A realistic fictional cooperative for demos and local development (`flask demo`).

Every name and story is invented; the images are textile-like patterns drawn with Pillow.
It is the programme as it reported itself: 102 women trained, 42 producing, 158 garments sold from the
end of the workshops to this month, baselines drawn so that about 40 % had no sales or records and about
30 % earned under 28 USD a month. Every date is relative to today (fixed seed), so the demo never goes
stale. Sales go through the checkout's holds, the order state machine and the ledger's `credit_sale`,
so the impact figures come from the data by the same code as real ones.
Idempotent: artisans, garments and users are looked up by slug/username before being created,
and past orders are only generated once (marked by their public token prefix).
"""
import io
import random
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from PIL import Image, ImageDraw
from sqlalchemy import func, select

from storefront.accounts.passwords import hash_password
from storefront.cooperative import fee_policy, get_settings
from storefront.earnings.ledger import balance, credit_sale, record_adjustment, record_payout, reverse_refund
from storefront.earnings.reports import local_zone, today_local
from storefront.earnings.survey import QUESTIONS
from storefront.extensions import db
from storefront.media.pipeline import store_image
from storefront.models import (Artisan, ArtisanTranslation, EmpowermentSurvey, ExchangeRate, IncomeBaseline,
                               Order, OrderLine, OrderStatus, Payout, ProductImage, Product,
                               ProductTranslation,
                               Role, User, now_utc)
from storefront.money import convert_from_mxn
from storefront.checkout import shipping
from storefront.orders import holds
from storefront.orders.actions import transition
from storefront.orders.lifecycle import freeze_terms
from storefront.pricing import latest_rates
from storefront.slugs import slugify

DEMO_ORDER_PREFIX = "demo-"
RATES = {"USD": "0.0550", "EUR": "0.0505", "GBP": "0.0430", "CAD": "0.0760", "JPY": "8.2000"}
PALETTES = [
    [(155, 34, 38), (255, 250, 243), (20, 33, 61), (252, 163, 17)],
    [(45, 106, 79), (255, 255, 255), (216, 17, 89), (255, 190, 11)],
    [(20, 20, 20), (230, 57, 70), (241, 250, 238), (69, 123, 157)],
    [(106, 4, 15), (255, 186, 8), (3, 7, 30), (244, 140, 6)],
    [(58, 12, 163), (247, 37, 133), (255, 255, 255), (76, 201, 240)],
]
# slug, name, community, municipality, languages, had_sales, monthly baseline MXN, story es, story en
ARTISANS = [
    ("maria-lopez-huixtan", "María López", "Chilil", "Huixtán", "tzo,es", True, 450,
     "Aprendí a tejer en telar de cintura con mi abuela cuando tenía nueve años. "
     "Cada rombo que tejo es el mundo como lo cuentan en mi pueblo.",
     "I learned to weave on the backstrap loom from my grandmother when I was nine. "
     "Every diamond I weave is the world as my village tells it."),
    ("juana-perez-chamula", "Juana Pérez", "Romerillo", "San Juan Chamula", "tzo,es", False, 0,
     "Bordo flores de mi milpa. "
     "Antes vendía en la plaza de San Cristóbal y a veces no vendía nada en toda la semana.",
     "I embroider the flowers of my cornfield. "
     "I used to sell in the square of San Cristóbal and some weeks I sold nothing at all."),
    ("rosa-hernandez-zinacantan", "Rosa Hernández", "Navenchauc", "Zinacantán", "tzo,es", True, 900,
     "En Zinacantán las flores cambian de color cada año. "
     "Yo bordo las de este año para que alguien lejos las conozca.",
     "In Zinacantán the flowers change colour every year. "
     "I embroider this year's so that someone far away can know them."),
    ("petrona-gomez-tenejapa", "Petrona Gómez", "Yashanal", "Tenejapa", "tzh,es", True, 500,
     "El brocado de Tenejapa lleva los dibujos de nuestros antepasados: el sapo, la mariposa, el santo.",
     "Tenejapa brocade carries the designs of our ancestors: the toad, the butterfly, the saint."),
    ("micaela-santiz-oxchuc", "Micaela Sántiz", "Mesbiljá", "Oxchuc", "tzh,es", False, 0,
     "Soy madre de cuatro. Tejo de noche, cuando los niños duermen, y con lo que vendo pagan la escuela.",
     "I am a mother of four. I weave at night while the children sleep, and what I sell pays for school."),
    ("catalina-diaz-larrainzar", "Catalina Díaz", "Bayalemó", "San Andrés Larráinzar", "tzo,es", True, 1200,
     "Los huipiles de Larráinzar se tejen con hilo de lana y algodón. Uno me lleva tres meses.",
     "Larráinzar huipils are woven with wool and cotton thread. One takes me three months."),
    ("veronica-ruiz-chenalho", "Verónica Ruiz", "Yabteclum", "Chenalhó", "tzo,es", False, 0,
     "Aprendí a coser en el taller de la cooperativa. Ahora hago blusas con los bordados de mi mamá.",
     "I learned to sew in the cooperative's workshop. Now I make blouses with my mother's embroidery."),
    ("lucia-mendez-huixtan", "Lucía Méndez", "Los Pozos", "Huixtán", "tzo,es", True, 350,
     "El azul de mis rebozos es de añil que cultivamos en la comunidad.",
     "The blue of my rebozos is indigo we grow in the community."),
    ("ana-jimenez-chamula", "Ana Jiménez", "Las Ollas", "San Juan Chamula", "tzo,es", True, 2500,
     "La lana la hilo yo misma, de las borregas que cuida mi familia.",
     "I spin the wool myself, from the sheep my family looks after."),
    ("manuela-vazquez-zinacantan", "Manuela Vázquez", "Nachig", "Zinacantán", "tzo,es", False, 0,
     "Mi primera venta fue a una señora de Japón. Todavía guardo la foto que me mandó.",
     "My first sale was to a lady in Japan. I still keep the photo she sent me."),
    ("elena-gonzalez-tenejapa", "Elena González", "Balum Canal", "Tenejapa", "tzh,es", True, 480,
     "Tejo servilletas y caminos de mesa con los colores del carnaval de Tenejapa.",
     "I weave napkins and table runners in the colours of the Tenejapa carnival."),
    ("teresa-lopez-oxchuc", "Teresa López", "Tzontehuitz", "Oxchuc", "tzh,es", False, 0,
     "Mi abuela decía que un bordado sin cuidado no habla. Yo bordo despacio.",
     "My grandmother said an embroidery made without care does not speak. I embroider slowly."),
    ("guadalupe-perez-chenalho", "Guadalupe Pérez", "Polhó", "Chenalhó", "tzo,es", True, 1800,
     "Hago bolsas y morrales en telar de cintura; me gusta que se usen todos los días.",
     "I make bags and shoulder bags on the backstrap loom; I like them to be used every day.")
]
# category, technique, es title, en title, materials es, materials en, hours, price MXN, weight g, sizes
GARMENTS = [
    ("huipil", "backstrap_loom", "Huipil de rombos", "Diamond huipil",
     "Algodón y lana teñida", "Cotton and dyed wool", 120, 4800, 600, "Unitalla"),
    ("blouse", "hand_embroidery", "Blusa de flores", "Flower blouse",
     "Manta de algodón, hilo de algodón", "Cotton cloth, cotton thread", 30, 1200, 250, "S, M, L"),
    ("rebozo", "backstrap_loom", "Rebozo añil", "Indigo rebozo",
     "Algodón teñido con añil", "Indigo-dyed cotton", 60, 2600, 400, "180 × 70 cm"),
    ("shawl", "brocade", "Chal de brocado", "Brocade shawl",
     "Algodón, hilo acrílico", "Cotton, acrylic thread", 45, 1900, 350, "160 × 60 cm"),
    ("bag", "backstrap_loom", "Morral tejido", "Woven shoulder bag",
     "Algodón", "Cotton", 16, 650, 300, "30 × 35 cm"),
    ("table_linen", "brocade", "Camino de mesa", "Table runner",
     "Algodón", "Cotton", 20, 780, 250, "150 × 35 cm"),
    ("skirt", "wool_weaving", "Enredo de lana", "Wool wrap skirt",
     "Lana de borrego hilada a mano", "Hand-spun sheep's wool", 90, 3900, 1200, "Unitalla"),
    ("blouse", "cross_stitch", "Blusa de punto de cruz", "Cross-stitch blouse",
     "Manta, hilo de algodón", "Cotton cloth, cotton thread", 35, 1350, 250, "M, L"),
    ("huipil", "brocade", "Huipil ceremonial", "Ceremonial huipil",
     "Algodón, lana y seda", "Cotton, wool and silk", 300, 6000, 800, "Unitalla"),
    ("bag", "hand_embroidery", "Bolsa bordada", "Embroidered bag",
     "Manta, hilo de algodón", "Cotton cloth, cotton thread", 10, 450, 200, "25 × 25 cm"),
]
BUYER_COUNTRIES = [("US", "USD", "en"), ("CA", "CAD", "en"), ("FR", "EUR", "fr"), ("DE", "EUR", "de"),
                   ("GB", "GBP", "en"), ("JP", "JPY", "en"), ("MX", "MXN", "es"), ("ES", "EUR", "es")]


def textile_image(seed: int, width=1000, height=1250) -> bytes:
    """A striped, diamond-brocade pattern: looks like cloth, depicts nobody."""
    rng = random.Random(seed)
    palette = PALETTES[seed % len(PALETTES)]
    image = Image.new("RGB", (width, height), palette[1])
    draw = ImageDraw.Draw(image)
    y = 0
    while y < height:
        band = rng.choice([24, 40, 64, 120])
        draw.rectangle([0, y, width, y + band], fill=rng.choice(palette))
        if band >= 64:
            size = band // 2
            color = rng.choice(palette)
            for x in range(0, width + size, size * 2):
                draw.polygon([(x, y + band // 2 - size // 2), (x + size // 2, y + 4),
                              (x + size, y + band // 2 - size // 2), (x + size // 2, y + band - 4)],
                             fill=color)
        y += band + rng.choice([4, 8, 12])
    for x in range(0, width, 6):  # weft texture
        draw.line([(x, 0), (x, height)], fill=tuple(max(0, c - 18) for c in palette[0]), width=1)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


# The programme as it reported itself (docs: /work/shared/DOMAIN.md): 102 women trained, 42 producing.
WOMEN = 102
PRODUCING = 42
# Baseline groups, drawn by shuffling: about 40 % without sales or records, about 30 % under 28 USD a month.
NO_SALES_OR_RECORDS, UNDER_28_USD = 41, 31
GARMENTS_SOLD = 158
FIRST_NAMES = ["Josefa", "Marcela", "Pascuala", "Sebastiana", "Dominga", "Magdalena", "Antonia", "Victoria",
               "Rosalinda", "Martha", "Angélica", "Isabel", "Cristina", "Paulina", "Alicia", "Francisca",
               "Agustina", "Candelaria", "Hilaria", "Loxa", "Xunka", "Rosario", "Marta", "Tomasa", "Juliana",
               "Dolores", "Margarita", "Carmela", "Amalia", "Felipa"]
SURNAMES = ["Sántiz", "Girón", "Collazo", "Patishtán", "Gómez", "López", "Pérez", "Hernández", "Díaz",
            "Méndez", "Ruiz", "Jiménez", "Vázquez", "Núñez", "Álvarez", "Intzín", "Cruz", "Moshán", "Ico",
            "Pale", "Tzul", "Velasco", "Gutiérrez", "Arcos"]
# community, municipality, languages: the highlands of Chiapas (Los Altos).
COMMUNITIES = [
    ("Chilil", "Huixtán", "tzo,es"), ("Los Pozos", "Huixtán", "tzo,es"),
    ("Romerillo", "San Juan Chamula", "tzo,es"),
    ("Las Ollas", "San Juan Chamula", "tzo,es"), ("Milpoleta", "San Juan Chamula", "tzo"),
    ("Navenchauc", "Zinacantán", "tzo,es"), ("Nachig", "Zinacantán", "tzo,es"), ("Apas", "Zinacantán", "tzo"),
    ("Yashanal", "Tenejapa", "tzh,es"), ("Balum Canal", "Tenejapa", "tzh,es"),
    ("Mesbiljá", "Oxchuc", "tzh,es"),
    ("Yochib", "Oxchuc", "tzh"), ("Bayalemó", "San Andrés Larráinzar", "tzo,es"),
    ("Yabteclum", "Chenalhó", "tzo,es"), ("Polhó", "Chenalhó", "tzo,es"), ("Xuxch'en", "Aldama", "tzo"),
]
# How often each kind of garment sells: small pieces far more than a huipil that takes months.
SALE_WEIGHTS = [0.4, 6, 1, 2.5, 22, 14, 0.3, 3, 0.1, 30]
IMAGE_POOL = 10
PORTRAIT_POOL = 5


_HASHES = {}


def _get_or_create_user(username, password, role, artisan=None):
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        # One scrypt hash per demo password, shared by the accounts that use it (102 would take seconds).
        if password not in _HASHES:
            _HASHES[password] = hash_password(password)
        user = User(username=username, password_hash=_HASHES[password], role=role, artisan=artisan,
                    locale="es")
        db.session.add(user)
    return user


def _load_rates(now):
    if db.session.scalar(select(func.count()).select_from(ExchangeRate)) == 0:
        for currency, rate in RATES.items():
            db.session.add(ExchangeRate(currency=currency, rate=Decimal(rate),
                                        set_at=now - timedelta(days=30)))


class ImagePool:
    """Textile pictures processed once each and shared: the pipeline works per picture, not per garment."""

    def __init__(self, offset, size, width, height):
        self.offset, self.size, self.width, self.height, self.stored = offset, size, width, height, {}

    def get(self, number):
        key = number % self.size
        if key not in self.stored:
            self.stored[key] = store_image(textile_image(self.offset + key, self.width, self.height))
        return self.stored[key]


def _women(rng):
    """102 women: the 13 with written stories first, then women drawn from the highland communities."""
    women = [{"slug": slug, "name": name, "community": community, "municipality": municipality,
              "languages": langs, "story_es": story_es, "story_en": story_en}
             for slug, name, community, municipality, langs, _s, _b, story_es, story_en in ARTISANS]
    taken = {w["slug"] for w in women}
    while len(women) < WOMEN:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
        community, municipality, langs = rng.choice(COMMUNITIES)
        slug = slugify(f"{name} {community}")
        if slug in taken:
            continue
        taken.add(slug)
        women.append({"slug": slug, "name": name, "community": community, "municipality": municipality,
                      "languages": langs,
                      "story_es": f"Soy artesana de {community}, {municipality}. "
                                  "Aprendí en los talleres de la "
                                  "cooperativa a calcular el precio justo de mi trabajo.",
                      "story_en": f"I am an artisan from {community}, {municipality}. In the cooperative's "
                                  "workshops I learned to price my work fairly."})
    return women


def _baselines(rng):
    """A baseline group per woman: 'none' (no sales or no records), 'low' (under 28 USD) or 'above'."""
    above = WOMEN - NO_SALES_OR_RECORDS - UNDER_28_USD
    groups = ["none"] * NO_SALES_OR_RECORDS + ["low"] * UNDER_28_USD + ["above"] * above
    rng.shuffle(groups)
    result = []
    for group in groups:
        if group == "none":
            had_sales = rng.random() < 0.3   # some had sold now and then but kept no record of it
            result.append((rng.choice([0, 150, 300]) if had_sales else 0, had_sales, False))
        elif group == "low":
            result.append((rng.randrange(120, 480, 10), True, True))
        else:
            result.append((rng.randrange(560, 2600, 20), True, True))
    return result


def _load_artisans(rng, programme_start, today):
    women = _women(rng)
    baselines = _baselines(rng)
    portraits = ImagePool(1000, PORTRAIT_POOL, 600, 600)
    artisans = []
    for index, (woman, (income, had_sales, kept)) in enumerate(zip(women, baselines)):
        artisan = db.session.scalar(select(Artisan).where(Artisan.slug == woman["slug"]))
        if artisan is None:
            # Six workshops in the first three months: each woman joins at one of them.
            joined_on = min(today, programme_start + timedelta(days=rng.randrange(0, 90)))
            artisan = Artisan(slug=woman["slug"], display_name=woman["name"], community=woman["community"],
                              municipality=woman["municipality"], languages=woman["languages"],
                              joined_on=joined_on, active=True)
            artisan.translations = [ArtisanTranslation(locale="es", story=woman["story_es"]),
                                    ArtisanTranslation(locale="en", story=woman["story_en"])]
            artisan.portrait_hash = portraits.get(index).content_hash
            db.session.add(artisan)
            db.session.flush()
            db.session.add(IncomeBaseline(
                artisan_id=artisan.id, survey_date=max(programme_start - timedelta(days=20),
                                                       joined_on - timedelta(days=rng.randrange(0, 12))),
                monthly_income_amount=income * 100, had_sales=had_sales, kept_records=kept,
                notes="Encuesta inicial del programa"))
        _get_or_create_user(woman["slug"], "demo-artisan", Role.ARTISAN.value, artisan)
        artisans.append(artisan)
    return artisans


def _new_product(artisan, number, garment, rng, images, published_at):
    category, technique, title_es, title_en, mat_es, mat_en, hours, price, weight, sizes = garment
    slug = f"{slugify(title_en)}-{artisan.slug.split('-')[0]}-{number + 1}"   # new: sales load only once
    factor = rng.choice([0.9, 1.0, 1.1, 1.25])
    price_mxn = max(450, min(6000, int(price * factor) // 10 * 10))
    product = Product(artisan=artisan, slug=slug, category=category, technique=technique, sizes=sizes,
                      hours_of_work=int(hours * factor), weight_grams=weight,
                      materials_cost_amount=price_mxn * 15, price_amount=price_mxn * 100, stock=1,
                      status="published", published_at=published_at)
    product.translations = [
        ProductTranslation(locale="es", title=title_es, materials=mat_es,
                           story=f"{title_es} hecho por {artisan.display_name} en {artisan.community}. "
                                 f"Me llevó {int(hours * factor)} horas de trabajo."),
        ProductTranslation(locale="en", title=title_en, materials=mat_en,
                           story=f"{title_en} made by {artisan.display_name} in {artisan.community}. "
                                 f"It took her {int(hours * factor)} hours of work."),
    ]
    for position in range(2 if number % 3 == 0 else 1):
        stored = images.get(number * 7 + position)
        product.images.append(ProductImage(
            position=position, alt_text=f"{title_en}, {'detail' if position else 'front'}",
            original_path=stored.original_path, content_hash=stored.content_hash,
            width=stored.width, height=stored.height))
    db.session.add(product)
    return product


def _sale_times(rng, joined_on, programme_start, count, now_local):
    """`count` local sale times from two months after she joined until now, more of them as the shop grows."""
    first = datetime.combine(max(joined_on, programme_start) + timedelta(days=45), datetime.min.time())
    first = min(first, now_local - timedelta(days=2))
    span = (now_local - first).total_seconds()
    times = []
    for _n in range(count):
        # sqrt: sales pick up as the shop becomes known (more in the later months)
        moment = first + timedelta(seconds=span * (rng.random() ** 0.6))
        times.append(min(moment.replace(hour=rng.randint(8, 21), minute=rng.randint(0, 59)),
                         now_local - timedelta(hours=1)))
    return sorted(times)


def _sell(product, number, rng, paid_at_local, zones, rates, policy):
    """A buyer abroad pays for one garment: the order, its hold, payment and her share, as checkout and
    fulfilment record them (lifecycle.freeze_terms, orders.holds, actions.transition, ledger.credit_sale)."""
    country, currency, locale = rng.choice(BUYER_COUNTRIES)
    rate_row = rates.get(currency)
    rate = Decimal(rate_row.rate) if rate_row is not None else Decimal(1)
    paid_at = paid_at_local.replace(tzinfo=local_zone()).astimezone(timezone.utc).replace(tzinfo=None)
    zone = shipping.zone_for_country(country, zones)
    band = shipping.rate_for(zone, product.weight_grams or 0, 1) if zone is not None else None
    shipping_mxn = band.amount if band is not None else 45000
    unit = convert_from_mxn(product.price_amount, rate, currency)
    shipping_amount = convert_from_mxn(shipping_mxn, rate, currency)
    total_mxn = product.price_amount + shipping_mxn
    fee_mxn = policy.estimated_fee(total_mxn)
    started = paid_at - timedelta(minutes=rng.randint(3, 25))
    order = Order(public_token=f"{DEMO_ORDER_PREFIX}{number:04d}-{rng.getrandbits(64):016x}",
                  buyer_email=f"buyer{number}@example.com", buyer_name=f"Demo buyer {number}",
                  locale=locale, currency=currency, subtotal_amount=unit, shipping_amount=shipping_amount,
                  total_amount=unit + shipping_amount, exchange_rate=rate,
                  exchange_rate_id=rate_row.id if rate_row is not None else None,
                  shipping_zone_id=zone.id if zone is not None else None, shipping_amount_mxn=shipping_mxn,
                  shipping_country=country, status=OrderStatus.PENDING.value, created_at=started,
                  stripe_checkout_session_id=f"cs_test_demo{number:04d}",
                  stripe_payment_intent_id=f"pi_demo{number:04d}")
    order.lines.append(OrderLine(product_id=product.id, artisan_id=product.artisan_id,
                                 title=product.translations[0].title, quantity=1,
                                 unit_price_mxn=product.price_amount, unit_amount=unit, line_amount=unit))
    freeze_terms(order, policy)
    db.session.add(order)
    db.session.flush()
    order.expires_at = holds.place_holds(order, {product.id: 1}, now=started)
    # What fulfilment reads from Stripe's balance transaction (settled in pesos).
    order.stripe_fee_amount, order.stripe_net_amount = fee_mxn, total_mxn - fee_mxn
    order.stripe_settlement_currency = "MXN"
    holds.convert_holds(order.id)
    order.paid_at = paid_at
    transition(order, OrderStatus.PAID, note="demo")
    credit_sale(order, fee_mxn)
    now = now_utc()
    for status, attribute, days in ((OrderStatus.PACKED, "packed_at", 1),
                                    (OrderStatus.SHIPPED, "shipped_at", 2),
                                    (OrderStatus.DELIVERED, "delivered_at", 12)):
        if paid_at + timedelta(days=days) > now:
            break
        setattr(order, attribute, paid_at + timedelta(days=days))
        transition(order, status, note="demo")
    return order


def _refund(order, number, refunded_at):
    """A buyer returned the garment: her share is reversed as the refund webhook reverses it."""
    line = order.lines[0]
    transition(order, OrderStatus.REFUNDED, note="demo: la compradora devolvió la prenda")
    entry = reverse_refund(line, 1, f"re_demo{number:04d}")
    if entry is not None:
        entry.occurred_at = refunded_at  # the day it was refunded, not the day the demo was loaded
    line.refunded_quantity = 1
    order.amount_refunded = order.total_amount


def _load_sales(artisans, rng, programme_start, today):
    """42 producing women, 158 garments sold from the workshops' end until this month; more still for sale."""
    if db.session.scalar(select(func.count()).select_from(Order)
                         .where(Order.public_token.like(f"{DEMO_ORDER_PREFIX}%"))):
        return 0, 0
    now_local = datetime.now(local_zone()).replace(tzinfo=None, second=0, microsecond=0)
    # The thirteen women with stories all produce; 29 more are drawn from the others.
    producers = artisans[:len(ARTISANS)] + rng.sample(artisans[len(ARTISANS):], PRODUCING - len(ARTISANS))
    counts = [1] * PRODUCING
    for _n in range(GARMENTS_SOLD - PRODUCING):
        counts[min(PRODUCING - 1, int(rng.paretovariate(1.4) * 6) % PRODUCING)] += 1
    rng.shuffle(counts)
    zones, rates, policy = shipping.zones(), latest_rates(), fee_policy()
    images = ImagePool(0, IMAGE_POOL, 1000, 1250)
    sales = []
    number = 0
    for artisan, count in zip(producers, counts):
        times = _sale_times(rng, artisan.joined_on, programme_start, count, now_local)
        for moment in times:
            garment = rng.choices(GARMENTS, weights=SALE_WEIGHTS)[0]
            product = _new_product(artisan, number, garment, rng, images, moment - timedelta(days=20))
            sales.append((moment, product))
            number += 1
        for _extra in range(rng.randint(1, 2)):   # still for sale today
            _new_product(artisan, number, rng.choice(GARMENTS), rng, images, now_local - timedelta(days=10))
            number += 1
    db.session.flush()
    orders = []
    for order_number, (moment, product) in enumerate(sorted(sales, key=lambda s: s[0])):
        orders.append(_sell(product, order_number, rng, moment, zones, rates, policy))
    refunded = 0
    for order_number in range(7, len(orders), 37):   # a few garments came back
        order = orders[order_number]
        if order.status == OrderStatus.DELIVERED.value:
            _refund(order, order_number, order.delivered_at + timedelta(days=3))
            refunded += 1
    return len(orders), refunded


def _load_surveys(artisans, rng, programme_start, today):
    """The questionnaire at baseline and at the end: 90 and 89 of the 102 women score higher at the end."""
    if db.session.scalar(select(func.count()).select_from(EmpowermentSurvey)):
        return
    economic_better = set(rng.sample(range(len(artisans)), 90))
    digital_better = set(rng.sample(range(len(artisans)), 89))
    end_day = today - timedelta(days=rng.randint(3, 9))
    for index, artisan in enumerate(artisans):
        before = [rng.randint(1, 2) for _q in range(4)]
        after = list(before)
        if index in economic_better:
            after[rng.randint(0, 1)] += rng.randint(1, 2)
        if index in digital_better:
            after[rng.randint(2, 3)] += rng.randint(1, 2)
        for wave, answers, day in (("baseline", before, artisan.joined_on), ("end", after, end_day)):
            db.session.add(EmpowermentSurvey(
                artisan_id=artisan.id, wave=wave, surveyed_on=day,
                **{column: value for (column, _d, _t), value in zip(QUESTIONS, answers)}))


def load_demo() -> str:
    """Load everything; returns a one-line summary. Dates are relative to today, the seed is fixed."""
    rng = random.Random(20250301)
    today = today_local()
    settings = get_settings()
    first_load = db.session.scalar(select(func.count()).select_from(Artisan)) == 0
    if first_load:
        # The programme started 20 months before this month, so the demo never goes stale.
        month = today.year * 12 + today.month - 1 - 20
        settings.programme_start = date(month // 12, month % 12 + 1, 1)
    programme_start = settings.programme_start
    _load_rates(now_utc())
    admin = _get_or_create_user("admin", "demo-admin", Role.ADMIN.value)
    admin.locale = "es"
    _get_or_create_user("coordinator", "demo-coordinator", Role.COORDINATOR.value)
    artisans = _load_artisans(rng, programme_start, today)
    db.session.flush()
    orders, refunds = _load_sales(artisans, rng, programme_start, today)
    _load_surveys(artisans, rng, programme_start, today)
    db.session.commit()
    _load_demo_payouts(artisans, today)
    return (f"demo data: {len(artisans)} artisans, {orders} new past orders ({refunds} refunded), "
            f"programme since {programme_start.isoformat()}")


DEMO_PAYOUT_PREFIX = "demo-payout-"
PAYOUT_METHODS = ("cash", "bank_transfer", "mobile_money")


def _load_demo_payouts(artisans, today):
    """Payouts to the women who sold (cash, transfer, mobile money) and one correction, through the ledger."""
    if db.session.scalar(select(func.count()).select_from(Payout)
                         .where(Payout.reference.like(f"{DEMO_PAYOUT_PREFIX}%"))):
        return
    coordinator = db.session.execute(select(User).where(User.username == "coordinator")).scalar_one()
    admin = db.session.execute(select(User).where(User.username == "admin")).scalar_one()
    number = 0
    for index, artisan in enumerate(artisans):
        owed = balance(artisan.id)
        if owed <= 0:
            continue
        number += 1
        # Most are paid all but their latest sales; some wait for the next payday.
        if index % 5 == 4:
            continue
        record_payout(artisan.id, owed * 3 // 4, PAYOUT_METHODS[index % 3], coordinator,
                      today - timedelta(days=3 + index % 20), today,
                      reference=f"{DEMO_PAYOUT_PREFIX}{number:03d}",
                      note="Pago en la oficina de la cooperativa")
    artisan = db.session.execute(select(Artisan).where(Artisan.slug == "juana-perez-chamula")).scalar_one()
    record_adjustment(artisan.id, 25000, "Venta en la feria de Navidad registrada a mano (recibo 114)", admin,
                      occurred_on=today - timedelta(days=40), today=today)
