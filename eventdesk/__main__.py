import sys

from eventdesk.cli.main import main

sys.exit(main())
