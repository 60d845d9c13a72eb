"""Small presentation helpers shared by checkout, order pages and emails."""
from storefront import formatting


def money_formatter(locale, buyer=None):
    """`money(amount, currency)` in the reader's locale: a thin name for `formatting.money_for`."""
    return formatting.money_for(locale, buyer=buyer)
