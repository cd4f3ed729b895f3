"""`python -m driftlint`."""

from driftlint.cli import main

main()
