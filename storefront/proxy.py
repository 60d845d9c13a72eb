"""Behind reverse proxies (nginx, a load balancer): trust their X-Forwarded-* headers, and only theirs."""
from werkzeug.middleware.proxy_fix import ProxyFix


def trust_proxies(app):
    """With TRUSTED_PROXIES=n, take the client's IP, scheme, host and port from the n proxies in front.

    The rate limiter keys on the client IP and url_for(_external=True) needs the public scheme, so
    both are wrong behind a proxy without this, and forgeable with it when no proxy is really there.
    """
    count = app.config.get("TRUSTED_PROXIES", 0)
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count)
