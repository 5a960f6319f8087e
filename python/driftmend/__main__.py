"""``python -m driftmend``: the same as the ``driftmend`` command."""

from ._cli import main

main()
