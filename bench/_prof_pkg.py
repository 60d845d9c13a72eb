import cProfile, pstats, statistics, time, sys, collections
from bench.load import DATABASE_URL, SECRET, WORKDIR
from storefront import create_app
app = create_app({"SQLALCHEMY_DATABASE_URI": DATABASE_URL, "SECRET_KEY": SECRET, "LOG_REQUESTS": False,
                  "MEDIA_ROOT": str(WORKDIR / "media"), "RATELIMIT_ENABLED": False, "RATELIMIT_STORAGE_URI": "memory://"})
client = app.test_client()
client.get("/?currency=USD")
path = sys.argv[1]
for _ in range(20): client.get(path)
p = cProfile.Profile(); p.enable()
N=100
for _ in range(N): client.get(path)
p.disable()
st = pstats.Stats(p)
agg = collections.Counter()
for (file, line, fn), (cc, nc, tt, ct, callers) in st.stats.items():
    key = file
    if "site-packages/" in file: key = file.split("site-packages/")[1].split("/")[0]
    elif "/work/main/" in file: key = "ours:" + file.split("/work/main/")[1].split("/")[0]
    elif file.startswith("<"): key = "builtin"
    else: key = "stdlib"
    agg[key] += tt
for k, v in agg.most_common(20): print(f"{k:40s} {v*1000/N:7.2f} ms/req (profiled)")
print()
rows = [(tt, nc, f"{file.split('/work/main/')[-1]}:{line}({fn})") for (file, line, fn), (cc, nc, tt, ct, callers) in st.stats.items() if "/work/main/storefront" in file or "site-packages/werkzeug" in file or "site-packages/sqlalchemy" in file]
for tt, nc, name in sorted(rows, reverse=True)[:40]: print(f"{tt*1000/N:6.3f} ms {nc/N:7.1f} calls  {name}")
