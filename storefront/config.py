"""Settings read from the environment (and `.env`), validated once at start-up.

A missing or malformed setting raises `ConfigError` with one line naming the variable;
`create_app` turns that into a clean exit instead of a traceback.
"""
import json
import os
import secrets
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

REPO_ROOT = Path(__file__).resolve().parent.parent
LIVE_KEY_PREFIXES = ("sk_live_", "rk_live_")
# Where `make run` writes the local emulator's address and keys for `flask` commands (development only).
DEV_STRIPE_FILE = "stripe-emulator.json"
DEFAULT_EMULATOR_PORT = 12111


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""


def _bool(name, value):
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name} must be true or false, got {value!r}")


def _int(name, value, minimum=0):
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a whole number, got {value!r}") from None
    if number < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {number}")
    return number


def _database_url(name, value):
    try:
        url = make_url(value)
    except ArgumentError:
        raise ConfigError(f"{name} is not a database URL: {value!r}") from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(f"{name} must be a sqlite:// or postgresql+psycopg:// URL, got {url.drivername!r}")
    if url.get_backend_name() == "postgresql" and url.drivername in ("postgresql", "postgres"):
        # psycopg 3 is the driver we install; plain postgresql:// would look for psycopg2.
        value = url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return value


def _secret_key(instance_path, production):
    """SECRET_KEY from the environment, else one generated once into instance/ for local runs."""
    key = os.environ.get("SECRET_KEY")
    if key:
        if production and len(key) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters in production")
        return key
    if production:
        raise ConfigError("SECRET_KEY is required in production (FLASK_ENV=production)")
    key_file = Path(instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def emulator_port(env=None) -> int:
    """EMULATOR_PORT: where `make run` starts the local Stripe emulator (0 picks a free port)."""
    env = os.environ if env is None else env
    port = _int("EMULATOR_PORT", env.get("EMULATOR_PORT", DEFAULT_EMULATOR_PORT), 0)
    if port > 65535:
        raise ConfigError(f"EMULATOR_PORT must be a TCP port (0-65535), got {port}")
    return port


def development_stripe(instance_path) -> dict:
    """The emulator `make run` started (instance/stripe-emulator.json), so `flask stripe reconcile` and
    `flask holds sweep` reach it from another terminal; {} when there is none or it is unreadable."""
    path = Path(instance_path) / DEV_STRIPE_FILE
    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    keys = ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE")
    if not isinstance(found, dict) or not all(isinstance(found.get(k), str) for k in keys):
        return {}
    return {k: found[k] for k in keys}


def load_config(instance_path, overrides=None):
    """Build the Flask config mapping from the environment, then apply `overrides` (tests)."""
    env = os.environ
    overrides = dict(overrides or {})
    production = (overrides.get("ENV") or env.get("FLASK_ENV", "development")) == "production"
    instance = Path(instance_path)

    database_url = overrides.get("SQLALCHEMY_DATABASE_URI") or env.get("DATABASE_URL") \
        or f"sqlite:///{instance / 'telar.sqlite3'}"
    stripe_key = overrides.get("STRIPE_SECRET_KEY", env.get("STRIPE_SECRET_KEY", ""))
    local_stripe = {}
    if not production and not stripe_key and not overrides.get("TESTING"):
        local_stripe = development_stripe(instance)
    allow_live = _bool("STRIPE_ALLOW_LIVE_KEYS", env.get("STRIPE_ALLOW_LIVE_KEYS", "false"))
    if stripe_key.startswith(LIVE_KEY_PREFIXES) and not overrides.get("STRIPE_ALLOW_LIVE_KEYS", allow_live):
        raise ConfigError("STRIPE_SECRET_KEY is a live key; "
                          "set STRIPE_ALLOW_LIVE_KEYS=true to really take money")
    api_base = env.get("STRIPE_API_BASE", "")
    if api_base and not api_base.startswith(("http://", "https://")):
        raise ConfigError(f"STRIPE_API_BASE must be an http(s) URL, got {api_base!r}")

    config = {
        "ENV": "production" if production else "development",
        "SECRET_KEY": overrides.get("SECRET_KEY") or _secret_key(instance, production),
        "SQLALCHEMY_DATABASE_URI": _database_url("DATABASE_URL", database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "MEDIA_ROOT": env.get("MEDIA_ROOT", str(instance / "media")),
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", env.get("MAX_CONTENT_LENGTH", 24 * 1024 * 1024),
                                   1024),
        "STRIPE_SECRET_KEY": stripe_key,
        "STRIPE_PUBLISHABLE_KEY": env.get("STRIPE_PUBLISHABLE_KEY", ""),
        "STRIPE_WEBHOOK_SECRET": env.get("STRIPE_WEBHOOK_SECRET", ""),
        "STRIPE_API_BASE": api_base,
        "STRIPE_ALLOW_LIVE_KEYS": allow_live,
        "MAIL_BACKEND": env.get("MAIL_BACKEND", "smtp" if production else "outbox"),
        "MAIL_OUTBOX": env.get("MAIL_OUTBOX", str(instance / "outbox")),
        "MAIL_SERVER": env.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": _int("MAIL_PORT", env.get("MAIL_PORT", 587), 1),
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", env.get("MAIL_USE_TLS", "true")),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "Telar <tienda@telar.example>"),
        "COOPERATIVE_EMAIL": env.get("COOPERATIVE_EMAIL", "cooperativa@telar.example"),
        "REDIS_URL": env.get("REDIS_URL", ""),
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", "").rstrip("/"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": production,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "WTF_CSRF_TIME_LIMIT": None,  # a form filled slowly on 3G must not expire
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "America/Mexico_City",
        "BABEL_TRANSLATION_DIRECTORIES": str(REPO_ROOT / "translations"),
        "SEND_FILE_MAX_AGE_DEFAULT": 0,
    }
    if config["REDIS_URL"] and not config["REDIS_URL"].startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"REDIS_URL must be a redis:// URL, got {config['REDIS_URL']!r}")
    config["RATELIMIT_STORAGE_URI"] = config["REDIS_URL"] or "memory://"
    # How many reverse proxies (nginx, a load balancer) sit in front and set X-Forwarded-*; 0 trusts
    # no forwarded header (a client could otherwise forge its IP and dodge the rate limits).
    config["TRUSTED_PROXIES"] = _int("TRUSTED_PROXIES", env.get("TRUSTED_PROXIES", 0), 0)
    if config["TRUSTED_PROXIES"] > 5:
        raise ConfigError(f"TRUSTED_PROXIES is a count of proxies (0-5), got {config['TRUSTED_PROXIES']}")
    config["LOG_REQUESTS"] = _bool("LOG_REQUESTS", env.get("LOG_REQUESTS", "true"))
    # Public pages kept in memory for anonymous visitors (storefront.pagecache); 0 turns it off.
    config["PAGE_CACHE_SECONDS"] = _int("PAGE_CACHE_SECONDS", env.get("PAGE_CACHE_SECONDS", 5), 0)
    config["PAGE_CACHE_MAX_ENTRIES"] = _int("PAGE_CACHE_MAX_ENTRIES",
                                            env.get("PAGE_CACHE_MAX_ENTRIES", 500), 1)
    # Settings and exchange rates kept in memory, checked against the database at most this often
    # (storefront.kept): a change by staff shows in every process within these seconds; 0 reads each request.
    config["KEPT_VALUES_CHECK_SECONDS"] = _int("KEPT_VALUES_CHECK_SECONDS",
                                               env.get("KEPT_VALUES_CHECK_SECONDS", 2), 0)
    config["EMULATOR_PORT"] = emulator_port(env)
    config.update(local_stripe)
    config.update(overrides)
    return config
