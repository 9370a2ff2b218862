"""One exception type for every failure a user should see as a single clear line."""


class UnseenError(Exception):
    """A failure with a message fit for ``unseen: PATH: message`` (no traceback)."""
