"""Helpers shared by the test areas (on sys.path via pytest `pythonpath`)."""
