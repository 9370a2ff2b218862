"""``python -m unseen``: the same as the ``unseen`` command (the package's entry point, not part of
the library: nothing imports this module)."""

import sys

from .cli import main

sys.exit(main())
