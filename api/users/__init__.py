"""Departments (实施机构), user accounts and handheld devices (执法终端)."""
