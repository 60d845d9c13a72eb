"""The photo pipeline: real Pillow on real bytes; derivatives read back to prove what they contain."""
import io
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from storefront.media.pipeline import ImageRejected, process_image, rejection_message, store_image
from storefront.media.storage import private_dir, public_dir
from tests import photos

GPS_IFD = 0x8825


def phone_photo_with_everything():
    """A JPEG as a phone makes it: rotated by EXIF, GPS of her home, maker, XMP, ICC and a comment."""
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Model X"
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (16.0, 44.0, 12.5), 3: "W", 4: (92.0, 38.0, 1.0)})
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/">'
           b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="16,44.2N"/>'
           b'</rdf:RDF></x:xmpmeta>')
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return photos.jpeg(3000, 2000, exif=exif.tobytes(), icc_profile=icc, comment=b"casa de Rosa", xmp=xmp)


def read(data):
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_derivatives_carry_no_metadata_at_all(ctx):
    original = phone_photo_with_everything()
    assert b"PhoneMaker" in original and b"GPSLatitude" in original and b"casa de Rosa" in original
    processed = process_image(original)
    assert len(processed.derivatives) == 8
    for name, data in processed.derivatives.items():
        image = read(data)
        assert len(image.getexif()) == 0, name
        assert not image.getexif().get_ifd(GPS_IFD), name
        for key in ("exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment"):
            assert key not in image.info, (name, key)
        for marker in (b"Exif\x00\x00", b"PhoneMaker", b"Model X", b"GPSLatitude", b"http://ns.adobe.com",
                       b"ICC_PROFILE", b"casa de Rosa"):
            assert marker not in data, (name, marker)


def test_exif_orientation_is_applied_and_all_sizes_are_made_in_webp_and_jpeg(ctx):
    processed = process_image(phone_photo_with_everything())
    # Stored 3000x2000 landscape, displayed as portrait: derivatives are portrait.
    assert processed.height > processed.width
    widths = sorted({int(name.rsplit("-", 1)[1].split(".")[0]) for name in processed.derivatives})
    assert widths == [160, 320, 640, 1280]
    for name, data in processed.derivatives.items():
        image = read(data)
        width = int(name.rsplit("-", 1)[1].split(".")[0])
        assert image.width == width and image.height > image.width
        assert image.format == ("WEBP" if name.endswith(".webp") else "JPEG")
        assert image.mode == "RGB"
        assert name.startswith(processed.content_hash)


def test_a_12_megapixel_photo_gets_160_320_640_and_1280(ctx):
    processed = process_image(photos.jpeg(4000, 3000))
    assert sorted(processed.derivatives) == sorted(f"{processed.content_hash}-{w}.{ext}"
                                                   for w in (160, 320, 640, 1280) for ext in ("webp", "jpg"))
    assert read(processed.derivatives[f"{processed.content_hash}-1280.jpg"]).size == (1280, 960)


def test_cmyk_and_transparent_images_become_srgb_rgb(ctx):
    cmyk = io.BytesIO()
    Image.new("CMYK", (700, 500), (0, 255, 255, 0)).save(cmyk, "JPEG")
    red = read(process_image(cmyk.getvalue()).derivatives[next(
        iter(process_image(cmyk.getvalue()).derivatives))])
    assert red.mode == "RGB"
    r, g, b = red.getpixel((10, 10))
    assert r > 200 and g < 60 and b < 60
    transparent = process_image(photos.png(mode="RGBA"))
    image = read(next(iter(transparent.derivatives.values())))
    assert image.mode == "RGB"


def test_webp_input_is_accepted(ctx):
    buffer = io.BytesIO()
    Image.new("RGB", (500, 400), (5, 5, 5)).save(buffer, "WEBP")
    assert process_image(buffer.getvalue()).width == 500


@pytest.mark.parametrize("data,code", [
    (b"", "empty"),
    (b"plain text, not an image", "not_an_image"),
    (photos.PDF, "not_an_image"),
    (photos.HTML, "not_an_image"),
    (photos.truncated_jpeg(), "truncated"),
    (photos.png_bomb(), "too_many_pixels"),
    (photos.png_bomb(7000, 6000), "too_many_pixels"),  # 42 MP: over our 40 MP, under Pillow's own limit
    (photos.jpeg() + b"\x00" * (20 * 1024 * 1024), "too_big"),
])
def test_bad_files_are_rejected_before_anything_is_written(ctx, data, code):
    with pytest.raises(ImageRejected) as caught:
        store_image(data)
    assert caught.value.code == code
    assert str(rejection_message(code))
    for folder in (private_dir(), public_dir()):
        assert not Path(folder).exists() or not any(Path(folder).rglob("*"))


def test_gif_and_bmp_are_refused_as_formats_we_do_not_take(ctx):
    for fmt in ("GIF", "BMP"):
        buffer = io.BytesIO()
        Image.new("RGB", (100, 100)).save(buffer, fmt)
        with pytest.raises(ImageRejected) as caught:
            process_image(buffer.getvalue())
        assert caught.value.code == "format"


def test_store_image_keeps_the_original_private_and_derivatives_public(app, client, ctx):
    data = photos.jpeg(900, 600)
    stored = store_image(data)
    assert (private_dir() / stored.original_path).read_bytes() == data
    names = sorted(p.name for p in public_dir().iterdir())
    assert names == sorted(f"{stored.content_hash}-{w}.{ext}"
                           for w in (160, 320, 640) for ext in ("webp", "jpg"))
    response = client.get(f"/media/{stored.content_hash}-640.webp")
    assert response.status_code == 200 and response.mimetype == "image/webp"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # No URL reaches the original, whatever is tried.
    for path in (f"/media/{stored.content_hash}", f"/media/{stored.original_path}",
                 f"/media/..%2Fprivate%2F{stored.original_path.replace('/', '%2F')}",
                 f"/media/{stored.content_hash}-640.png", "/media/../private"):
        assert client.get(path).status_code == 404, path


def test_storing_the_same_photo_twice_reuses_its_files(ctx):
    data = photos.jpeg(400, 300)
    first, second = store_image(data), store_image(data)
    assert first == second
    assert len(list(public_dir().iterdir())) == 4  # 160 and 320 px WebP + JPEG, once


def test_sizes_added_later_are_made_for_photos_already_stored(app, runner):
    """`flask media derivatives` makes a width added to the pipeline for every stored photo, once."""
    with app.app_context():
        stored = store_image(photos.jpeg(1200, 900))
        smallest = sorted(public_dir().glob(f"{stored.content_hash}-160.*"))
        assert [p.suffix for p in smallest] == [".jpg", ".webp"]
        kept = {p.name: p.read_bytes() for p in public_dir().glob(f"{stored.content_hash}-*")}
        for path in smallest:  # as stored before the 160 px size existed
            path.unlink()
        (private_dir() / "ab").mkdir(parents=True, exist_ok=True)
        (private_dir() / "ab" / ("ab" + "0" * 30)).write_bytes(b"not a photo")  # never shown: skipped

    first = runner.invoke(args=["media", "derivatives"])
    assert first.exit_code == 0 and first.output.strip() == "2 files made for 1 photos"
    with app.app_context():
        assert {p.name: p.read_bytes() for p in public_dir().glob(f"{stored.content_hash}-*")} == kept
    assert runner.invoke(args=["media", "derivatives"]).output.strip() == "0 files made for 0 photos"
