"""Small presentation helpers shared by checkout, order pages and emails."""
from storefront.money import format_money


def money_formatter(locale):
    """`money(amount, currency)` for templates, in the reader's locale."""
    return lambda amount, currency: format_money(amount, currency, locale)
