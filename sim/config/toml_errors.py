"""TOML parsing with syntax errors said in the user's words ("month 13 is not a month"), not the parser's.

tomllib reports where it stopped ("Expected newline ... (at line 5, column 13)"); the likely mistake is read off
the offending line: an impossible date or time, a value without quotes, a key or table given twice.
"""

import calendar
import datetime as dt
import re
import tomllib
from typing import Any

_WHERE = re.compile(r"\(at line (\d+), column (\d+)\)|\(at end of document\)")
_DATE = re.compile(r"(?<![\w.-])(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?")


def _date_problem(line: str) -> str | None:
    """What is wrong with a date or time written on `line`, if anything."""
    for match in _DATE.finditer(line):
        year, month, day = (int(g) for g in match.groups()[:3])
        if not 1 <= month <= 12:
            return f"{match.group(0)}: month {month} is not a month (1 to 12)"
        days = calendar.monthrange(year, month)[1] if year >= 1 else 31
        if not 1 <= day <= days:
            return (f"{match.group(0)}: day {day} is not a day of {dt.date(year, month, 1):%B} {year} "
                    f"(it has {days} days)") if year >= 1 else f"{match.group(0)}: year 0 does not exist"
        hour, minute = match.group(4), match.group(5)
        if hour is not None and (int(hour) > 23 or int(minute) > 59):
            return f"{match.group(0)}: {hour}:{minute} is not a time of day"
    return None


def _in_words(message: str, line: str) -> str:
    """The parser's complaint turned into what the user probably did."""
    date = _date_problem(line)
    if date is not None:
        return date
    if message.startswith("Cannot overwrite a value") or "twice" in message:
        return "a key or table is given twice"
    if message.startswith("Invalid value") or "after a statement" in message:
        return "not a TOML value: text needs quotes (name = \"x\"), dates are written 2025-04-01"
    if message.startswith("Unclosed") or message.startswith("Expected \"") or message.startswith("Expected '"):
        return "a quote, bracket or brace is not closed"
    return message[:1].lower() + message[1:]


def parse_toml(text: str) -> dict[str, Any]:
    """tomllib.loads, raising ValueError("invalid TOML at line N: what is wrong; the line reads: ...")."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise ValueError("invalid TOML: tables or arrays nested too deeply") from None
    except tomllib.TOMLDecodeError as err:
        message = str(err)
        where = _WHERE.search(message)
        bare = _WHERE.sub("", message).strip()
        lines = text.splitlines()
        number = int(where.group(1)) if where and where.group(1) else len(lines)
        line = lines[number - 1].strip() if 0 < number <= len(lines) else ""
        shown = line if len(line) <= 80 else line[:77] + "..."
        raise ValueError(f"invalid TOML at line {number}: {_in_words(bare, line)}; the line reads: {shown}"
                         ) from None
