"""Backup and restore of an installation (备份与恢复): ``enforce backup create`` / ``enforce backup restore``."""
