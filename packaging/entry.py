"""The frozen app's entry point: the window by default, and every `nemodesk` subcommand
(the bundled engine runs as `NemoDesk serve`)."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()  # the engine's worker processes start from this file
    from nemodesk.cli import main

    sys.exit(main())
