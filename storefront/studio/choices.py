"""Category and technique choices for the garment form, from the catalog's vocabulary."""
try:
    from storefront.catalog.vocabulary import CATEGORIES, TECHNIQUES
except ImportError:  # pragma: no cover - until the catalog's vocabulary is merged
    from flask_babel import lazy_gettext as _l
    CATEGORIES = {"huipil": _l("Huipil"), "blouse": _l("Blouse"), "rebozo": _l("Rebozo"), "shawl": _l("Shawl"),
                  "bag": _l("Bag"), "table_linen": _l("Table linen"), "skirt": _l("Skirt")}
    TECHNIQUES = {"backstrap_loom": _l("Backstrap loom weaving"), "hand_embroidery": _l("Hand embroidery"),
                  "brocade": _l("Brocade"), "wool_weaving": _l("Wool weaving"), "cross_stitch": _l("Cross stitch")}


def category_choices():
    return list(CATEGORIES.items())


def technique_choices():
    return list(TECHNIQUES.items())
