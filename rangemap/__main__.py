"""`python -m rangemap` runs the command line."""

from rangemap.cli import main

main()
