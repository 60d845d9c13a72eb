"""Garment categories and weaving techniques: stored codes and their translated labels.

Products store the code; pages show `category_label(code)`. The studio's form choices come from
CATEGORIES and TECHNIQUES, so one list serves both sides.
"""
from flask_babel import lazy_gettext as _l

CATEGORIES = {
    "huipil": _l("Huipil"),
    "blouse": _l("Blouse"),
    "rebozo": _l("Rebozo"),
    "shawl": _l("Shawl"),
    "bag": _l("Bag"),
    "table_linen": _l("Table linen"),
    "skirt": _l("Skirt"),
}

TECHNIQUES = {
    "backstrap_loom": _l("Backstrap loom weaving"),
    "hand_embroidery": _l("Hand embroidery"),
    "brocade": _l("Brocade"),
    "wool_weaving": _l("Wool weaving"),
    "cross_stitch": _l("Cross stitch"),
}

LANGUAGES = {
    "tzo": _l("Tsotsil"),
    "tzh": _l("Tseltal"),
    "es": _l("Spanish"),
    "en": _l("English"),
}


def category_label(code):
    """Translated label of a category code; an unknown code is shown as stored."""
    return str(CATEGORIES[code]) if code in CATEGORIES else code


def technique_label(code):
    """Translated label of a technique code; an unknown code is shown as stored."""
    return str(TECHNIQUES[code]) if code in TECHNIQUES else code


def language_label(code):
    """Name of a spoken language (Tsotsil, Tseltal…) by its ISO 639 code."""
    return str(LANGUAGES[code]) if code in LANGUAGES else code


def category_choices():
    """(code, label) pairs for forms, in display order."""
    return [(code, label) for code, label in CATEGORIES.items()]


def technique_choices():
    """(code, label) pairs for forms, in display order."""
    return [(code, label) for code, label in TECHNIQUES.items()]
