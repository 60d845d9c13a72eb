import cProfile, pstats, io, statistics, time, sys
from bench.load import DATABASE_URL, SECRET, WORKDIR
from storefront import create_app
app = create_app({"SQLALCHEMY_DATABASE_URI": DATABASE_URL, "SECRET_KEY": SECRET, "LOG_REQUESTS": False,
                  "MEDIA_ROOT": str(WORKDIR / "media"), "RATELIMIT_ENABLED": False, "RATELIMIT_STORAGE_URI": "memory://"})
client = app.test_client()
client.get("/?currency=USD")
path = sys.argv[1]
for _ in range(20): client.get(path)
times=[]
for _ in range(100):
    t=time.perf_counter(); client.get(path); times.append((time.perf_counter()-t)*1000)
print(path, "unprofiled p50 %.2f ms" % statistics.median(times))
p = cProfile.Profile()
p.enable()
for _ in range(50): client.get(path)
p.disable()
out = io.StringIO()
pstats.Stats(p, stream=out).sort_stats("cumtime").print_stats(int(sys.argv[2]) if len(sys.argv)>2 else 60)
print(out.getvalue())
