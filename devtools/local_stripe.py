"""Running the local Stripe test-mode emulator (devtools/stripe_emulator.py) as its own process on loopback.

One place for `make run` (devserver), the test fixtures and the benches: start it, read the address it
prints, stop it.
"""
import socket
import subprocess
import sys

from storefront.config import REPO_ROOT


def free_port() -> int:
    """A TCP port nobody listens on right now, on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EmulatorProcess:
    """`python -m devtools.stripe_emulator`, delivering signed webhooks to `webhook_url`.

    `port` 0 picks a free one; `make run` passes EMULATOR_PORT.
    """

    def __init__(self, webhook_url: str, webhook_secret: str, port: int = 0):
        self.secret = webhook_secret
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devtools.stripe_emulator", "--port", str(port),
             "--webhook-url", webhook_url, "--webhook-secret", webhook_secret],
            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()
        if not line.startswith("EMULATOR_LISTENING"):
            self.stop()
            raise RuntimeError(f"the local Stripe emulator did not start on port {port}: {line!r}"
                               + (" (is EMULATOR_PORT taken?)" if port else ""))
        self.url = line.split()[1]

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()
