"""`python -m credstack` is the same as the `credstack` command."""

from credstack.cli import main

main()
