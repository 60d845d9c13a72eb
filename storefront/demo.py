"""A realistic fictional cooperative for demos and local development (`flask demo`).

Every name and story is invented; the images are textile-like patterns drawn with Pillow.
Idempotent: artisans, garments and users are looked up by slug/username before being created,
and past orders are only generated once (marked by their public token prefix).
"""
import io
import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from PIL import Image, ImageDraw
from sqlalchemy import func, select

from storefront.accounts.passwords import hash_password
from storefront.extensions import db
from storefront.media.pipeline import store_image
from storefront.models import (Artisan, ArtisanTranslation, ExchangeRate, IncomeBaseline, LedgerEntry, Order,
                               OrderLine, Product, ProductImage, ProductTranslation, Role, User)
from storefront.money import convert_from_mxn, price_breakdown, split_order
from storefront.cooperative import fee_policy, get_settings

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


def _get_or_create_user(username, password, role, artisan=None):
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        user = User(username=username, password_hash=hash_password(password), role=role, artisan=artisan,
                    locale="es")
        db.session.add(user)
    return user


def _load_rates():
    if db.session.scalar(select(func.count()).select_from(ExchangeRate)) == 0:
        for currency, rate in RATES.items():
            db.session.add(ExchangeRate(currency=currency, rate=Decimal(rate), set_at=datetime(2026, 11, 1)))


def _load_artisans(rng):
    artisans = []
    settings = get_settings()
    for index, (slug, name, community, municipality, langs, had_sales, baseline, story_es, story_en) \
            in enumerate(ARTISANS):
        artisan = db.session.execute(select(Artisan).where(Artisan.slug == slug)).scalar_one_or_none()
        if artisan is None:
            artisan = Artisan(slug=slug, display_name=name, community=community, municipality=municipality,
                              languages=langs, joined_on=settings.programme_start + timedelta(days=index * 9),
                              active=True)
            artisan.translations = [ArtisanTranslation(locale="es", story=story_es),
                                    ArtisanTranslation(locale="en", story=story_en)]
            portrait = store_image(textile_image(1000 + index, 600, 600))
            artisan.portrait_hash = portrait.content_hash
            db.session.add(artisan)
            db.session.flush()
            db.session.add(IncomeBaseline(
                artisan_id=artisan.id, survey_date=settings.programme_start - timedelta(days=20),
                monthly_income_amount=baseline * 100, had_sales=had_sales,
                kept_records=had_sales and index % 3 != 0,
                notes="Encuesta inicial del programa"))
        _get_or_create_user(slug, "demo-artisan", Role.ARTISAN.value, artisan)
        artisans.append(artisan)
    return artisans


def _load_products(artisans, rng):
    products = []
    for index in range(44):
        artisan = artisans[index % len(artisans)]
        category, technique, title_es, title_en, mat_es, mat_en, hours, price, weight, sizes = \
            GARMENTS[index % len(GARMENTS)]
        slug = (f"{title_en.lower().replace(' ', '-').replace(chr(39), '')}"
                f"-{artisan.slug.split('-')[0]}-{index + 1}")
        product = db.session.execute(select(Product).where(Product.slug == slug)).scalar_one_or_none()
        if product is None:
            factor = rng.choice([0.9, 1.0, 1.1, 1.25])
            price_mxn = max(450, min(6000, int(price * factor) // 10 * 10))
            product = Product(artisan=artisan, slug=slug, category=category, technique=technique, sizes=sizes,
                              hours_of_work=int(hours * factor), weight_grams=weight,
                              materials_cost_amount=price_mxn * 15, price_amount=price_mxn * 100, stock=1,
                              status="published",
                              published_at=datetime(2025, 4, 1) + timedelta(days=index * 13))
            product.translations = [
                ProductTranslation(locale="es", title=title_es, materials=mat_es,
                                   story=f"{title_es} hecho por {artisan.display_name} "
                                         f"en {artisan.community}. "
                                         f"Me llevó {int(hours * factor)} horas de trabajo."),
                ProductTranslation(locale="en", title=title_en, materials=mat_en,
                                   story=f"{title_en} made by {artisan.display_name} in {artisan.community}. "
                                         f"It took her {int(hours * factor)} hours of work."),
            ]
            for position in range(2 if index % 3 == 0 else 1):
                stored = store_image(textile_image(index * 10 + position))
                product.images.append(ProductImage(
                    position=position, alt_text=f"{title_en}, {'detail' if position else 'front'}",
                    original_path=stored.original_path, content_hash=stored.content_hash,
                    width=stored.width, height=stored.height))
            db.session.add(product)
        products.append(product)
    return products


def _load_past_orders(products, rng):
    """About a year of paid orders from buyers abroad, credited to the ledger as fulfilment would."""
    if db.session.scalar(select(func.count()).select_from(Order)
                         .where(Order.public_token.like(f"{DEMO_ORDER_PREFIX}%"))):
        return 0
    policy = fee_policy()
    sold = rng.sample(products, 24)
    start = datetime(2025, 4, 15)
    for number, product in enumerate(sold):
        country, currency, locale = rng.choice(BUYER_COUNTRIES)
        rate = Decimal(RATES.get(currency, "1"))
        paid_at = start + timedelta(days=number * 16 + rng.randint(0, 10), hours=rng.randint(8, 20))
        shipping_mxn = 45000 if country != "MX" else 15000
        unit = convert_from_mxn(product.price_amount, rate, currency)
        shipping = convert_from_mxn(shipping_mxn, rate, currency)
        total_mxn = product.price_amount + shipping_mxn
        fee_mxn = policy.estimated_fee(total_mxn)
        order = Order(public_token=f"{DEMO_ORDER_PREFIX}{number:04d}-{rng.getrandbits(64):016x}",
                      buyer_email=f"buyer{number}@example.com", buyer_name=f"Demo buyer {number}",
                      locale=locale, currency=currency, subtotal_amount=unit, shipping_amount=shipping,
                      total_amount=unit + shipping, exchange_rate=rate, shipping_amount_mxn=shipping_mxn,
                      shipping_country=country, status="delivered", created_at=paid_at, paid_at=paid_at,
                      shipped_at=paid_at + timedelta(days=2), delivered_at=paid_at + timedelta(days=12),
                      stripe_checkout_session_id=f"cs_test_demo{number:04d}", stripe_fee_amount=fee_mxn,
                      stripe_net_amount=total_mxn - fee_mxn, stripe_settlement_currency="MXN",
                      commission_bp=policy.commission_bp, card_fee_bp=policy.card_fee_bp,
                      card_fee_fixed_amount=policy.card_fee_fixed)
        line = OrderLine(product=product, artisan_id=product.artisan_id,
                         title=product.translations[0].title, quantity=1, unit_price_mxn=product.price_amount,
                         unit_amount=unit, line_amount=unit)
        line.promised_artisan_share_mxn = price_breakdown(product.price_amount, policy).artisan_share
        order.lines.append(line)
        db.session.add(order)
        db.session.flush()
        split = split_order([product.price_amount], shipping_mxn, fee_mxn, policy.commission_bp)
        db.session.add(LedgerEntry(artisan_id=product.artisan_id, kind="sale",
                                   amount=split.lines[0].artisan_share, order_line_id=line.id,
                                   idempotency_key=f"sale:line:{line.id}", occurred_at=paid_at))
        product.stock = 0
        product.status = "sold_out"
    return len(sold)


def load_demo() -> str:
    """Load everything; returns a one-line summary."""
    rng = random.Random(20250301)
    _load_rates()
    admin = _get_or_create_user("admin", "demo-admin", Role.ADMIN.value)
    admin.locale = "es"
    _get_or_create_user("coordinator", "demo-coordinator", Role.COORDINATOR.value)
    artisans = _load_artisans(rng)
    products = _load_products(artisans, rng)
    db.session.flush()
    orders = _load_past_orders(products, rng)
    db.session.commit()
    _load_demo_payouts()
    return f"demo data: {len(artisans)} artisans, {len(products)} garments, {orders} new past orders"


DEMO_PAYOUT_PREFIX = "demo-payout-"


def _load_demo_payouts():
    """A few payouts (cash, transfer, mobile money) and one correction, through the ledger's own actions."""
    from storefront.earnings.ledger import balance, record_adjustment, record_payout
    from storefront.models import Payout
    if db.session.scalar(select(func.count()).select_from(Payout)
                         .where(Payout.reference.like(f"{DEMO_PAYOUT_PREFIX}%"))):
        return
    coordinator = db.session.execute(select(User).where(User.username == "coordinator")).scalar_one()
    admin = db.session.execute(select(User).where(User.username == "admin")).scalar_one()
    plan = [("maria-lopez-huixtan", "cash", 1), ("rosa-hernandez-zinacantan", "bank_transfer", 1),
            ("petrona-gomez-tenejapa", "mobile_money", 2), ("elena-gonzalez-tenejapa", "cash", 2),
            ("ana-jimenez-chamula", "bank_transfer", 1)]
    for number, (slug, method, fraction) in enumerate(plan):
        artisan = db.session.execute(select(Artisan).where(Artisan.slug == slug)).scalar_one()
        owed = balance(artisan.id)
        if owed <= 0:
            continue
        record_payout(artisan.id, owed // fraction, method, coordinator, date(2026, 5, 4 + number),
                      date(2026, 5, 4 + number), reference=f"{DEMO_PAYOUT_PREFIX}{number + 1:03d}",
                      note="Pago en la oficina de la cooperativa")
    artisan = db.session.execute(select(Artisan).where(Artisan.slug == "juana-perez-chamula")).scalar_one()
    record_adjustment(artisan.id, 25000, "Venta en la feria de Navidad registrada a mano (recibo 114)", admin,
                      occurred_on=date(2025, 12, 20), today=date(2025, 12, 20))
