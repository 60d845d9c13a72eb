"""Tiny factories: each test builds exactly the data it needs."""
import itertools
from datetime import date, datetime
from decimal import Decimal

from storefront.accounts.passwords import hash_password
from storefront.extensions import db
from storefront.models import (Artisan, ArtisanTranslation, ExchangeRate, Product, ProductTranslation, Role,
                               User)

_counter = itertools.count(1)
PASSWORD = "correct horse battery"


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

    def user(self, username=None, role=Role.ADMIN.value, artisan=None, password=PASSWORD):
        user = User(username=username or f"user{next(_counter)}", password_hash=hash_password(password),
                    role=role, artisan=artisan)
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
