"""Watching a running installation (运行监测): Prometheus metrics, JSON logs, request ids.

- ``metrics.py``: what the API counts and measures, and the ``/metrics`` route that exposes it.
- ``requests.py``: the middleware that gives every request an id, measures it and logs it.
- ``logs.py``: one JSON object per log line, with secrets and personal data scrubbed out.
"""
