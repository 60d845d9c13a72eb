import cProfile, pstats, io, statistics, time, sys
from bench.load import DATABASE_URL, SECRET, WORKDIR
from flask_login import FlaskLoginClient
from sqlalchemy import select
from storefront import create_app
from storefront.extensions import db
from storefront.models import User
app = create_app({"SQLALCHEMY_DATABASE_URI": DATABASE_URL, "SECRET_KEY": SECRET, "LOG_REQUESTS": False,
                  "MEDIA_ROOT": str(WORKDIR / "media"), "RATELIMIT_ENABLED": False, "RATELIMIT_STORAGE_URI": "memory://"})
with app.app_context():
    user = db.session.execute(select(User).where(User.role == sys.argv[2]).limit(1)).scalar_one()
app.test_client_class = FlaskLoginClient
client = app.test_client(user=user)
path = sys.argv[1]
for _ in range(20): assert client.get(path).status_code == 200
times=[]
for _ in range(100):
    t=time.perf_counter(); client.get(path); times.append((time.perf_counter()-t)*1000)
print(path, "unprofiled p50 %.2f ms" % statistics.median(times))
p = cProfile.Profile()
p.enable()
for _ in range(50): client.get(path)
p.disable()
out = io.StringIO()
pstats.Stats(p, stream=out).sort_stats(sys.argv[4] if len(sys.argv)>4 else "cumtime").print_stats(int(sys.argv[3]))
print(out.getvalue())
