"""``python -m unseen.cli``: the same as the ``unseen`` command."""

import sys

from . import main

sys.exit(main())
