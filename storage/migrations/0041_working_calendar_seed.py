"""Seed the working calendar (migration 0040) with every year the chinesecalendar package covers, as version 1.

The package carries the State Council's notices up to the year it was released for (1.11: 2004–2026);
later years are imported by an admin (``enforce calendar import``, docs/case-workflow.md).
"""

from importlib.metadata import version

import psycopg
from chinese_calendar import Holiday, constants
from yoyo import step

TITLE = "chinesecalendar {} 收录的历年国务院办公厅部分节假日安排通知"


def seed(conn: psycopg.Connection) -> None:
    days = [(d, "holiday", Holiday(h).chinese) for d, h in constants.holidays.items()]  # values: the English names
    days += [(d, "workday", Holiday(h).chinese) for d, h in constants.workdays.items()]
    years = sorted({d.year for d in constants.holidays})  # a year is covered when its notice is in the package
    cursor = conn.cursor()
    cursor.execute(
        "INSERT INTO calendar_versions (version, source, years, title) VALUES (1, 'package', %s, %s)",
        (years, TITLE.format(version("chinesecalendar"))),
    )
    cursor.executemany("INSERT INTO calendar_days (version, day, kind, name) VALUES (1, %s, %s, %s)", days)


steps = [step(seed)]
