"""A backend module with an import that fails, as a plug-in whose dependency is missing does."""

import tinkc_backend_dependency_that_is_not_installed  # noqa: F401

BrokenBackend = None
