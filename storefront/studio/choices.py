"""Category and technique choices for the garment form, from the catalog's vocabulary (one list)."""
from storefront.catalog.vocabulary import CATEGORIES, TECHNIQUES


def category_choices():
    return list(CATEGORIES.items())


def technique_choices():
    return list(TECHNIQUES.items())
