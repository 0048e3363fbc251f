"""`python -m data …`: the command line's name, kept for cron jobs and the README.

The commands live in commands/ (commands/cli.py), one layer above the warehouse: some of them read
the query layer (alerts, the challenger's report, the worklog export), which data/ itself never
imports.
"""

import sys

from commands.cli import main

sys.exit(main())
