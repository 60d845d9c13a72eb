import sys, os, subprocess, time
import bench.load as L
L.WORKDIR.mkdir(parents=True, exist_ok=True)
app_env = {"DATABASE_URL": L.DATABASE_URL, "SECRET_KEY": L.SECRET, "FLASK_ENV": "production",
           "MEDIA_ROOT": str(L.WORKDIR / "media"), "MAIL_BACKEND": "outbox", "MAIL_OUTBOX": str(L.WORKDIR / "outbox")}
app_env.update(dict(a.split("=",1) for a in sys.argv[2:]))
L.GUNICORN = sys.argv[1].split()
def cpu_of(pattern):
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit(): continue
        try:
            cmd = open(f"/proc/{pid}/cmdline","rb").read().replace(b"\0", b" ").decode()
            if pattern not in cmd: continue
            f = open(f"/proc/{pid}/stat").read().rsplit(")",1)[1].split()
            total += int(f[11]) + int(f[12])
        except OSError: pass
    return total / os.sysconf("SC_CLK_TCK")
with L.Gunicorn("storefront:create_app()", env=app_env, log_name="exp") as shop:
    product = L.first_product_path(shop.url("/products/?available=1"))
    cookie = L.cart_cookie(shop.url("").rstrip("/"), product)
    for path in ("/products/", product):
        for _ in range(30): subprocess.run(["curl","-s","-o","/dev/null","-H",f"Cookie: {cookie}", shop.url(path)])
        g0, p0 = cpu_of("gunicorn"), cpu_of("postgres")
        r = L.run_wrk(shop.url(path), cookie=cookie)
        g1, p1 = cpu_of("gunicorn"), cpu_of("postgres")
        n = r["rps"]*10
        print(f"{sys.argv[1]:40s} {path[:30]:30s} {r['rps']:7.1f} req/s p50 {r['p50_ms']:6.1f}  gunicorn {1000*(g1-g0)/n:5.2f} ms/req  postgres {1000*(p1-p0)/n:5.2f} ms/req")
