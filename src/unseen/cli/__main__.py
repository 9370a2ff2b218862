"""``python -m unseen.cli``: the same as the ``unseen`` command."""

from . import run

run()
