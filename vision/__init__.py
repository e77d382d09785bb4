"""Camera monitoring (非现场监管): video in, alert candidates out, and the synthetic scenes that train its model."""
