"""Every Flask extension object, created unbound; `create_app` calls `init_app` on each."""
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from storefront.i18n import InterfaceBabel
from storefront.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = InterfaceBabel()  # tzo and tzh fall back to Spanish (storefront.i18n)
limiter = Limiter(key_func=get_remote_address, default_limits=[])
