import sys, os, subprocess, time
import bench.load as L
L.WORKDIR.mkdir(parents=True, exist_ok=True)
app_env = {"DATABASE_URL": L.DATABASE_URL, "SECRET_KEY": L.SECRET, "FLASK_ENV": "production",
           "MEDIA_ROOT": str(L.WORKDIR / "media"), "MAIL_BACKEND": "outbox", "MAIL_OUTBOX": str(L.WORKDIR / "outbox")}
L.GUNICORN = "-w 1 -k gthread --threads 4".split()
with L.Gunicorn("storefront:create_app()", env=app_env, log_name="spy") as shop:
    product = L.first_product_path(shop.url("/products/?available=1"))
    cookie = L.cart_cookie(shop.url("").rstrip("/"), product)
    pids = subprocess.run(["pgrep", "-f", "gunicorn.*spy|gunicorn -w 1"], capture_output=True, text=True).stdout.split()
    worker = max(int(p) for p in pids)
    spy = subprocess.Popen([".venv/bin/py-spy", "record", "-p", str(worker), "-d", "8", "-f", "raw", "-o", "/tmp/spy.txt", "-r", "200", "--gil"])
    time.sleep(0.5)
    r = L.run_wrk(shop.url(sys.argv[1] if len(sys.argv) > 1 else "/products/"), cookie=cookie)
    spy.wait()
    print(r)
