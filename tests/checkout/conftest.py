from tests.payments.conftest import (app_config, app_port, emulator, fresh, live, shop_data,  # noqa: F401
                                     webhook_secret)
