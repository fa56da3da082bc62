"""Verb-named operations that the UI and the CLI call (no Qt here).

Modules: ``resources`` (CRUD + search of every entity), ``calendar`` (days,
periods, settings), ``timetables`` (versions and sessions), ``errors``.
"""
