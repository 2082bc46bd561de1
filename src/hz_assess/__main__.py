"""Allow `python -m hz_assess`."""

from hz_assess.cli import main

main()
