"""Commission photos go through the image pipeline (served copies stripped) and the media prune keeps them."""
import os
import time

from PIL import Image

from storefront.extensions import db
from storefront.media.pipeline import derivative_name, derivative_widths
from storefront.media.storage import private_dir, public_dir
from storefront.media.uploads import prune_unused
from storefront.models import Artisan
from storefront.orders import commissions
from tests.photos import jpeg


def test_reference_photo_is_stripped_and_survives_the_prune(app, make):
    with app.app_context():
        artisan = make.artisan()
        artisan = db.session.get(Artisan, artisan.id)
        artisan.accepts_commissions = True
        db.session.commit()
        exif = Image.Exif()
        exif[0x010F] = "SecretCam"    # Make
        commission = commissions.request_commission(artisan, "M", "indigo", "", "ada@example.com", "DE", "en",
                                                    "EUR", photo=jpeg(exif=exif.tobytes()))
        original = private_dir() / commission.reference_photo_path
        old = time.time() - 3 * 24 * 3600
        os.utime(original, (old, old))
        assert prune_unused(older_than_seconds=3600) == 0
        assert original.exists()
        # The original stays private (never served); what buyers and artisans see is stripped.
        served = public_dir() / derivative_name(commission.reference_photo_hash,
                                                derivative_widths(commission.reference_photo_width)[0], "jpg")
        with Image.open(served) as shown:
            assert b"SecretCam" not in shown.info.get("exif", b"")
