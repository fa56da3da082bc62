"""E-mail notifications: settings and secrets, templates, messages, SMTP delivery, schedules.

* ``secrets``   – the SMTP password through keyring (never in the database or a file).
* ``render``    – ``$variable`` templates, plain text and HTML (values HTML-escaped).
* ``message``   – building a header-injection-safe ``EmailMessage``.
* ``smtp``      – mail settings and the SMTP transport (none / STARTTLS / SSL).
* ``scheduler`` – APScheduler 3 with its job store in the same SQLite file.

The operations the UI and the CLI call live in ``ato_desktop.services``: ``notifications`` (queuing,
publication), ``outbox`` (delivery), ``mail_settings``, ``mail_templates`` and ``faculty_changes``.
"""
