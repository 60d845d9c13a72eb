"""Telar storefront: the app factory reads as a table of contents."""
import sys

from flask import Flask
from dotenv import load_dotenv

from storefront.config import REPO_ROOT, ConfigError, load_config


def create_app(config=None):
    """Create the app; `config` overrides environment settings (tests pass a temporary database)."""
    load_dotenv(REPO_ROOT / ".env")
    app = Flask(__name__, instance_path=str(REPO_ROOT / "instance"), instance_relative_config=True,
                template_folder=str(REPO_ROOT / "templates"), static_folder=str(REPO_ROOT / "static"))
    from storefront.bodies import TelarRequest
    app.request_class = TelarRequest  # the garment form's photos are capped as they arrive
    try:
        app.config.from_mapping(load_config(app.instance_path, config))
    except ConfigError as error:
        # One clear line, no traceback: the operator reads which variable to fix.
        print(f"Configuration error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_request_hooks(app)
    register_commands(app)
    return app


def register_extensions(app):
    from storefront import i18n
    from storefront.accounts import permissions
    from storefront.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(REPO_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    i18n.babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.install_template_gettext(app)
    login_manager.init_app(app)
    permissions.init_login_manager(login_manager)
    limiter.init_app(app)


def register_blueprints(app):
    from storefront import (accounts, catalog, checkout, commissions, earnings, languages, media, orders,
                            payments, staff, studio, system, web_ids)

    web_ids.register(app)  # first: `<id:…>` and bounded `<int:…>` converters for every rule
    for package in (system, catalog, accounts, studio, checkout, payments, orders, earnings, media,
                    languages, commissions, staff):
        app.register_blueprint(package.bp)


def register_errorhandlers(app):
    from storefront.system import errors

    errors.register(app)


def register_request_hooks(app):
    from storefront import formatting, i18n, pagecache, web, web_ids
    from storefront.accounts import permissions
    from storefront import logging as request_logging
    from storefront.proxy import trust_proxies

    request_logging.init_app(app)  # first: every request, even a refused one, gets an id and a log line
    app.before_request(web_ids.refuse_nul_bytes)
    app.before_request(permissions.enforce_access)
    app.before_request(i18n.remember_choices)
    app.after_request(web.security_headers)
    app.after_request(permissions.no_store_unless_public)
    app.context_processor(i18n.template_context)
    web.register_template_helpers(app)
    formatting.register(app)
    pagecache.init_app(app)  # after the compression hook: it keeps pages before they are compressed
    trust_proxies(app)  # the outermost layer, so the page cache keys on the public host and scheme


def register_commands(app):
    from storefront import cli

    cli.register(app)
