"""What the API measures (运行指标), exposed at ``/metrics`` in Prometheus's text format.

Requests are labelled by route template (``/records/{record_id}``), never the raw path, so one series
stands for a route however many ids pass through it. Gauges that read live state (the pool, the
open alert streams) are read when scraped. The audit append time is measured where appends happen
(``storage.audit``). With several uvicorn workers each process counts for itself; scrape each, or
run one worker per container (docs/operations.md).

``routes.py`` serves them at ``/metrics`` under a rule of its own.
"""

from __future__ import annotations

from collections.abc import Callable

import prometheus_client

REQUESTS = prometheus_client.Counter(
    "enforce_http_requests", "Requests answered, by route template and status", ["method", "route", "status"]
)
REQUEST_SECONDS = prometheus_client.Histogram(
    "enforce_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
PROBLEMS = prometheus_client.Counter(
    "enforce_http_problems", "Problem documents answered (4xx and 5xx), by route template and code", ["route", "code"]
)
POOL_CONNECTIONS = prometheus_client.Gauge(
    "enforce_db_pool_connections", "PostgreSQL pool connections, by state (in_use, idle, max)", ["state"]
)
ALERT_STREAMS = prometheus_client.Gauge("enforce_alert_streams_open", "Alert streams (SSE) open in this process")
EVIDENCE_CHECKS = prometheus_client.Counter(
    "enforce_evidence_verifications", "Evidence integrity checks, by trigger and outcome", ["trigger", "outcome"]
)
ALERT_DELIVERY_LAG = prometheus_client.Histogram(
    "enforce_alert_delivery_lag_seconds",
    "From an alert's last sighting at the camera to its delivery at the API, per camera",
    ["camera"],
    buckets=(0.25, 0.5, 1, 2, 3, 5, 10, 30, 60, 300, 900, 3600),
)


def watch_live_state(pool_sizes: Callable[[], tuple[int, int, int]], open_streams: Callable[[], int]) -> None:
    """Read the pool's (size, idle, max) and the open stream count whenever Prometheus scrapes."""
    POOL_CONNECTIONS.labels("in_use").set_function(lambda: pool_sizes()[0] - pool_sizes()[1])
    POOL_CONNECTIONS.labels("idle").set_function(lambda: pool_sizes()[1])
    POOL_CONNECTIONS.labels("max").set_function(lambda: pool_sizes()[2])
    ALERT_STREAMS.set_function(open_streams)
