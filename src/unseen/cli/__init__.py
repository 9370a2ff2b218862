"""Command line: ``unseen PATH...`` and the subcommands ``inspect``, ``review``, ``verify``.

Thin on purpose: every decision is made in the library (``unseen.engine``, ``unseen.web``...).
One module per subcommand; nothing outside this package imports it.
Exit codes: 0 all files done, 1 some files failed (the others are still written), 2 usage error.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ..errors import UnseenError
from .common import err, handle_signals

SUBCOMMANDS = ("inspect", "review", "verify")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    handle_signals()
    try:
        if argv and argv[0] == "inspect":
            from .inspect import main as run
        elif argv and argv[0] == "review":
            from .review import main as run
        elif argv and argv[0] == "verify":
            from .verify import main as run
        else:
            from .anonymize import main as run

            return run(argv)
        return run(argv[1:])
    except KeyboardInterrupt:
        err(None, "interrupted; no partial outputs were left")
        return 130
    except UnseenError as exc:
        err(None, str(exc))
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
