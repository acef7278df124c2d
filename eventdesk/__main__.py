import sys

from eventdesk.cli.main import main

if __name__ == "__main__":  # guarded: spawned worker processes import this module too
    sys.exit(main())
