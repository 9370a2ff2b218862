"""``python -m unseen``: the same as the ``unseen`` command (the package's entry point, not part of
the library: nothing imports this module)."""

from .cli import run

run()
