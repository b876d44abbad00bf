import sys

from physlab.cli import main

sys.exit(main())
