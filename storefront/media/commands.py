"""CLI commands of this domain, added to `flask` by storefront.cli."""

commands = []
