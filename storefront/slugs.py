"""URL slugs from Spanish titles and names: "Huipil de Rombos ñandú" -> "huipil-de-rombos-nandu"."""
import re
import unicodedata


def slugify(text: str, max_length: int = 60) -> str:
    """ASCII, lower case, words joined by dashes; never empty."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "prenda"
