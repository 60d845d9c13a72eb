"""The cooperative's people: add artisans (profile + optional login) and staff, settings changes."""
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from storefront.accounts.services import audit, create_user, diff
from storefront.cooperative import get_settings
from storefront.extensions import db
from storefront.models import Artisan, ArtisanTranslation, Role, User
from storefront.slugs import slugify


class PersonRejected(ValueError):
    """A person cannot be added as asked; `field` names the form field to show the message beside."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field
        self.message = message


def _unique_artisan_slug(name):
    base = slugify(name, 70)
    slug, n = base, 1
    while db.session.scalar(select(func.count()).select_from(Artisan).where(Artisan.slug == slug)):
        n += 1
        slug = f"{base}-{n}"
    return slug


def username_taken(username):
    return bool(db.session.scalar(select(func.count()).select_from(User)
                                  .where(User.username == username.lower())))


def phone_taken(phone):
    return bool(db.session.scalar(select(func.count()).select_from(User).where(User.phone == phone)))


def normalize_phone(phone):
    return "".join(ch for ch in (phone or "") if ch.isdigit() or ch == "+") or None


def add_artisan(display_name, community, municipality, languages, story="", username=None, password=None,
                phone=None, actor=None):
    """Create an artisan's profile and, when a user name is given, her login; one commit."""
    phone = normalize_phone(phone)
    if username:
        if not password:
            raise PersonRejected("password", "password_required")
        if username_taken(username):
            raise PersonRejected("username", "username_taken")
        if phone and phone_taken(phone):
            raise PersonRejected("phone", "phone_taken")
    artisan = Artisan(slug=_unique_artisan_slug(display_name), display_name=display_name.strip(),
                      community=community.strip(), municipality=municipality.strip(),
                      languages=",".join(languages or ["es"]), joined_on=date.today())
    if story and story.strip():
        artisan.translations = [ArtisanTranslation(locale="es", story=story.strip())]
    db.session.add(artisan)
    db.session.flush()
    audit("artisan.create", "artisan", artisan.id, artisan_id=artisan.id, actor=actor,
          changes={"display_name": [None, artisan.display_name], "slug": [None, artisan.slug]})
    if username:
        user = create_user(username, password, Role.ARTISAN.value, artisan=artisan, phone=phone)
        db.session.flush()
        audit("user.create", "user", user.id, artisan_id=artisan.id, actor=actor,
              changes={"username": [None, user.username], "role": [None, user.role]})
    db.session.commit()
    return artisan


def add_staff(username, role, password, email=None, actor=None):
    """Create a coordinator or admin login; one commit."""
    if role not in (Role.ADMIN.value, Role.COORDINATOR.value):
        raise PersonRejected("role", "role_unknown")
    if username_taken(username):
        raise PersonRejected("username", "username_taken")
    user = create_user(username, password, role, email=email or None)
    db.session.flush()
    audit("user.create", "user", user.id, actor=actor, changes={"username": [None, user.username],
                                                                "role": [None, role]})
    db.session.commit()
    return user


def settings_values(settings=None):
    """The admin-editable settings in the units the form shows (percent, pesos)."""
    settings = settings or get_settings()
    return {"commission_percent": Decimal(settings.commission_bp) / 100,
            "fair_hourly_rate": Decimal(settings.fair_hourly_rate_amount) / 100,
            "overhead_percent": Decimal(settings.overhead_bp) / 100}


def update_settings(commission_percent, fair_hourly_rate, overhead_percent, actor=None):
    """Change commission, fair hourly rate and overhead; audited with what changed."""
    settings = get_settings()
    before = {"commission_bp": settings.commission_bp,
              "fair_hourly_rate_amount": settings.fair_hourly_rate_amount,
              "overhead_bp": settings.overhead_bp}
    settings.commission_bp = int((Decimal(commission_percent) * 100).to_integral_value())
    settings.fair_hourly_rate_amount = int((Decimal(fair_hourly_rate) * 100).to_integral_value())
    settings.overhead_bp = int((Decimal(overhead_percent) * 100).to_integral_value())
    after = {"commission_bp": settings.commission_bp,
             "fair_hourly_rate_amount": settings.fair_hourly_rate_amount,
             "overhead_bp": settings.overhead_bp}
    changes = diff(before, after)
    if changes:
        audit("settings.update", "cooperative_settings", 1, actor=actor, changes=changes)
    db.session.commit()
    return changes
