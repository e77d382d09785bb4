"""The alerts tests' monitoring set-up (a site, its operator and vision node) serves the camera tests too."""

from tests.api.alerts.conftest import make_monitoring, monitoring  # noqa: F401 - fixtures
