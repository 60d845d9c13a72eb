import cProfile, pstats, sys, io
from bench.load import DATABASE_URL, SECRET, WORKDIR
from storefront import create_app
app = create_app({"SQLALCHEMY_DATABASE_URI": DATABASE_URL, "SECRET_KEY": SECRET, "LOG_REQUESTS": False,
                  "MEDIA_ROOT": str(WORKDIR / "media"), "RATELIMIT_ENABLED": False, "RATELIMIT_STORAGE_URI": "memory://"})
client = app.test_client()
client.get("/?currency=USD")
path = sys.argv[1]
for _ in range(20): client.get(path)
p = cProfile.Profile(); p.enable()
for _ in range(100): client.get(path)
p.disable()
out = io.StringIO()
pstats.Stats(p, stream=out).sort_stats("tottime").print_callers(sys.argv[2])
print(out.getvalue()[:6000])
