"""The audit trail (全程留痕、可回溯): recording changes, reading them back, verifying the chain."""
