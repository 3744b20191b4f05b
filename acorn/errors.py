"""The one kind of error the command line prints as a line of advice instead of a failure."""
from __future__ import annotations


class UsageError(Exception):
    """A problem the user can fix: the message says what to do, and is printed as one line."""
