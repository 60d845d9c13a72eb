"""Development tools that are not part of the installed shop: the local Stripe emulator and its runner.

Run from a clone of the repository (`make run`, the tests, the benches); `setup.cfg` installs only
`storefront`.
"""
