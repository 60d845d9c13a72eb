"""`make run`: serve the app on 127.0.0.1 for a person trying the shop on this machine.

Without STRIPE_SECRET_KEY it starts the local Stripe test-mode emulator (devtools/, its own process on
EMULATOR_PORT, 12111 by default), gives the app a generated sk_test_… key and whsec_… secret, points
STRIPE_API_BASE at it, and writes all three to instance/stripe-emulator.json, where `flask` commands
run from another terminal find them (config.py reads that file in development only); the file goes
when the server stops. The emulator delivers signed webhooks to this app's /stripe/webhook. With real
test keys nothing is started: use `stripe listen --forward-to` (see README).

Beside the server runs the email outbox worker (`storefront.mail.work`), so an email queued by any
door — a page, a webhook, `flask stripe reconcile`, `flask holds sweep` — reaches MAIL_OUTBOX within
seconds.
"""
import argparse
import atexit
import json
import os
import secrets
import signal
import sys
import threading
from pathlib import Path

from storefront import create_app
from storefront.config import DEV_STRIPE_FILE, ConfigError, emulator_port

try:
    from devtools.local_stripe import EmulatorProcess
except ImportError:  # an installed copy without the repository's development tools
    EmulatorProcess = None

OUTBOX_INTERVAL_SECONDS = 1.0


def start_emulator(app_port: int, port: int):
    """Start the emulator; returns (emulator, sk_test key, whsec secret)."""
    if EmulatorProcess is None:
        raise SystemExit("the local Stripe emulator lives in devtools/ of a clone: run `make run` there, "
                         "or set STRIPE_SECRET_KEY")
    secret = "whsec_" + secrets.token_hex(24)
    try:
        emulator = EmulatorProcess(f"http://127.0.0.1:{app_port}/stripe/webhook", secret, port=port)
    except RuntimeError as error:
        raise SystemExit(str(error)) from None
    return emulator, "sk_test_local_" + secrets.token_hex(12), secret


def write_stripe_file(instance_path, settings: dict) -> Path:
    """instance/stripe-emulator.json, readable by this user only (it holds the emulator's keys)."""
    path = Path(instance_path) / DEV_STRIPE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(settings, indent=2))
    path.chmod(0o600)
    return path


def start_outbox_worker(app):
    """The outbox worker in a thread of this process; returns the Event that stops it."""
    from storefront.mail import work
    stop = threading.Event()

    def run():
        with app.app_context():
            work(OUTBOX_INTERVAL_SECONDS, stop)
    threading.Thread(target=run, name="outbox-worker", daemon=True).start()
    return stop


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    overrides = {}
    stripe_file = None
    if not os.environ.get("STRIPE_SECRET_KEY"):
        try:
            port = emulator_port()
        except ConfigError as error:
            raise SystemExit(str(error)) from None
        emulator, key, secret = start_emulator(args.port, port)
        api_base = emulator.url
        atexit.register(emulator.stop)
        os.environ["STRIPE_API_BASE"] = api_base   # read by config, and by the CSP's form-action
        overrides = {"STRIPE_SECRET_KEY": key, "STRIPE_WEBHOOK_SECRET": secret, "STRIPE_API_BASE": api_base}
        print(f" * Stripe test-mode emulator on {api_base} (card 4242 4242 4242 4242 pays)")
    # SIGTERM (e.g. `kill`) ends like Ctrl-C, so the emulator is stopped below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = create_app(overrides or None)
    if overrides:
        stripe_file = write_stripe_file(app.instance_path, overrides)
        atexit.register(stripe_file.unlink, missing_ok=True)
        print(f" * `flask` commands reach it through {stripe_file}")
    stop_outbox = start_outbox_worker(app)
    print(f" * Telar is serving on http://{args.host}:{args.port}/")
    print(f" * Emails are delivered to {app.config['MAIL_OUTBOX']} by the outbox worker")
    try:
        app.run(host=args.host, port=args.port, debug=False, use_reloader=False, threaded=True)
    finally:
        stop_outbox.set()
        if stripe_file is not None:
            stripe_file.unlink(missing_ok=True)
        if overrides:
            emulator.stop()


if __name__ == "__main__":
    main()
