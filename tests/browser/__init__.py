"""Browser tests of the chat page (a package, so its conftest does not shadow tests/conftest.py)."""
