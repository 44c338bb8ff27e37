import sys

from tinkc.cli import main

sys.exit(main())
