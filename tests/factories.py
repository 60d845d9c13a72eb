"""Tiny factories: each test builds exactly the data it needs."""
import itertools
from datetime import date, datetime, timezone
from decimal import Decimal

from storefront.accounts.passwords import hash_password
from storefront.extensions import db
from storefront.models import (Artisan, ArtisanTranslation, ExchangeRate, Product, ProductTranslation, Role,
                               User, now_utc)

_counter = itertools.count(1)
PASSWORD = "correct horse battery"
# The authenticator app of every test admin (admins must confirm logins with a code).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def next_totp_code(user):
    """The code her authenticator app shows now, as `auth.login` types it (pyotp, like the app).

    A code works once: when this 30-second step (and the one after, which the server also accepts)
    was already used by an earlier login of the same test, the test forgets the last step used
    (committed by the caller) rather than waiting half a minute.
    """
    import pyotp
    totp = pyotp.TOTP(user.totp_secret)
    now = totp.timecode(datetime.now(timezone.utc))
    for counter in (now, now + 1):
        if user.totp_last_counter is None or counter > user.totp_last_counter:
            return totp.generate_otp(counter)
    user.totp_last_counter = None
    return totp.generate_otp(now)


class Factories:
    def __init__(self, app):
        self.app = app

    def artisan(self, name=None, slug=None, community="Chilil", municipality="Huixtán",
                story="Tejo en telar.", with_login=False, password=PASSWORD):
        n = next(_counter)
        artisan = Artisan(slug=slug or f"artesana-{n}", display_name=name or f"Artesana {n}",
                          community=community, municipality=municipality, languages="tzo,es",
                          joined_on=date(2025, 3, 1))
        artisan.translations = [ArtisanTranslation(locale="es", story=story)]
        db.session.add(artisan)
        if with_login:
            db.session.add(User(username=artisan.slug, password_hash=hash_password(password),
                                role=Role.ARTISAN.value, artisan=artisan))
        db.session.commit()
        return artisan

    def user(self, username=None, role=Role.ADMIN.value, artisan=None, password=PASSWORD, two_factor=None):
        """A login; admins come with two-factor set up (TOTP_SECRET) unless `two_factor=False`."""
        user = User(username=username or f"user{next(_counter)}", password_hash=hash_password(password),
                    role=role, artisan=artisan)
        if two_factor if two_factor is not None else role == Role.ADMIN.value:
            user.totp_secret, user.totp_confirmed_at = TOTP_SECRET, now_utc()
        db.session.add(user)
        db.session.commit()
        return user

    def product(self, artisan=None, title="Huipil de rombos", title_en=None, price_mxn=1200, stock=1,
                status="published", category="huipil", technique="backstrap_loom", weight_grams=500,
                hours=40, published_at=None):
        artisan = artisan or self.artisan()
        n = next(_counter)
        product = Product(artisan=artisan, slug=f"prenda-{n}", category=category, technique=technique,
                          hours_of_work=hours, weight_grams=weight_grams, price_amount=price_mxn * 100,
                          stock=stock, status=status, sizes="Unitalla",
                          published_at=published_at or datetime(2026, 1, 1) if status != "draft" else None)
        product.translations = [ProductTranslation(locale="es", title=title, story="Hecho a mano.",
                                                   materials="Algodón")]
        if title_en:
            product.translations.append(ProductTranslation(locale="en", title=title_en, story="Handmade.",
                                                           materials="Cotton"))
        db.session.add(product)
        db.session.commit()
        return product

    def rate(self, currency="USD", rate="0.0550"):
        row = ExchangeRate(currency=currency, rate=Decimal(rate), set_at=datetime(2026, 11, 1))
        db.session.add(row)
        db.session.commit()
        return row
