"""The packages under tests/plugins/ are separate distributions with their own test suites: tinkc's
suite installs them (tests/test_plugins.py) and runs their tests there, never collects them here."""

collect_ignore = ["tinkc-example-backend", "tinkc-broken-backend"]
