"""The ``driftmend`` command installed by ``pip install driftmend``."""

import signal
import sys

from . import _driftmend


def main() -> None:
    """Run the driftmend command line with ``sys.argv``; exit with its code."""
    # Ctrl-C ends the process as it ends the native binary (Python's
    # handler would only raise KeyboardInterrupt after the Rust code returns).
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    sys.exit(_driftmend.main(sys.argv))


if __name__ == "__main__":
    main()
