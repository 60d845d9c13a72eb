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
import socket
import subprocess
import sys

from storefront import create_app
from storefront.config import REPO_ROOT


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_emulator(app_port: int):
    """Start the emulator; returns (process, api base, sk_test key, whsec secret)."""
    secret = "whsec_" + secrets.token_hex(24)
    process = subprocess.Popen(
        [sys.executable, "-m", "storefront.payments.emulator", "--port", "0",
         "--webhook-url", f"http://127.0.0.1:{app_port}/stripe/webhook", "--webhook-secret", secret],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    if not line.startswith("EMULATOR_LISTENING"):
        process.kill()
        raise SystemExit("the local Stripe emulator did not start")
    return process, line.split()[1], "sk_test_local_" + secrets.token_hex(12), secret


def stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    overrides = {}
    if not os.environ.get("STRIPE_SECRET_KEY"):
        process, api_base, key, secret = start_emulator(args.port)
        atexit.register(stop, process)
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
            stop(process)


if __name__ == "__main__":
    main()
