"""`make run`: serve the app on 127.0.0.1 for a person trying the shop on this machine.

Without STRIPE_SECRET_KEY it starts the local Stripe test-mode emulator (its own process, on a free
loopback port), gives the app a generated sk_test_… key and whsec_… secret and points STRIPE_API_BASE
at it; the emulator delivers signed webhooks to this app's /stripe/webhook. The emulator stops with
the app. With real test keys nothing is started: use `stripe listen --forward-to` (see README).
"""
import argparse
import atexit
import os
import secrets
import signal
import sys

from storefront import create_app
from storefront.payments.local import EmulatorProcess


def start_emulator(app_port: int):
    """Start the emulator; returns (emulator, sk_test key, whsec secret)."""
    secret = "whsec_" + secrets.token_hex(24)
    try:
        emulator = EmulatorProcess(f"http://127.0.0.1:{app_port}/stripe/webhook", secret)
    except RuntimeError as error:
        raise SystemExit(str(error)) from None
    return emulator, "sk_test_local_" + secrets.token_hex(12), secret


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    overrides = {}
    if not os.environ.get("STRIPE_SECRET_KEY"):
        emulator, key, secret = start_emulator(args.port)
        api_base = emulator.url
        atexit.register(emulator.stop)
        os.environ["STRIPE_API_BASE"] = api_base   # read by config, and by the CSP's form-action
        overrides = {"STRIPE_SECRET_KEY": key, "STRIPE_WEBHOOK_SECRET": secret, "STRIPE_API_BASE": api_base}
        print(f" * Stripe test-mode emulator on {api_base} (card 4242 4242 4242 4242 pays)")
    # SIGTERM (e.g. `kill`) ends like Ctrl-C, so the emulator is stopped below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = create_app(overrides or None)
    print(f" * Telar is serving on http://{args.host}:{args.port}/")
    print(f" * Emails are written to {app.config['MAIL_OUTBOX']}")
    try:
        app.run(host=args.host, port=args.port, debug=False, use_reloader=False, threaded=True)
    finally:
        if overrides:
            emulator.stop()


if __name__ == "__main__":
    main()
