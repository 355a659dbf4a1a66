"""``python -m bench.linkage``: see bench/linkage/run.py."""

import sys

from bench.linkage.run import main

sys.exit(main())
