"""The field-enforcement HTTP API (Litestar).

One folder per domain (``auth``, ``users``, ``records``, ``evidence``,
``audit``, …), each with ``routes.py`` (thin handlers), ``service.py``
(rules) and, where a status change has side effects, ``flows.py``. The app
factory in ``app.py`` finds every domain's controllers by itself.
"""
