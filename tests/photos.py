"""Real image bytes for upload tests: photos, and the hostile files people send by mistake (or not)."""
import io
import struct
import zlib

from PIL import Image


def jpeg(width=800, height=600, color=(180, 40, 60), exif=None, quality=85, **options):
    image = Image.new("RGB", (width, height), color)
    for x in range(0, width, 50):  # some detail, so the photo is not a flat colour
        image.paste((20, 120, 90), (x, 0, min(width, x + 10), height))
    buffer = io.BytesIO()
    if exif is not None:
        options["exif"] = exif
    image.save(buffer, "JPEG", quality=quality, **options)
    return buffer.getvalue()


def png(width=400, height=300, mode="RGBA"):
    image = Image.new(mode, (width, height), (10, 200, 30, 128) if mode == "RGBA" else (10, 200, 30))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def png_bomb(width=20_000, height=20_000):
    """A small PNG file claiming 400 megapixels of zeros (compresses to a few hundred KB)."""
    raw_row = b"\x00" + b"\x00" * width  # filter byte + one grey byte per pixel
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(raw_row) for _ in range(height)) + compressor.flush()

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def truncated_jpeg():
    data = jpeg(1200, 900)
    return data[: len(data) // 2]


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!doctype html><html><body><script>alert('x')</script></body></html>"
