"""Allow `python -m hz_assess`."""

from hz_assess.cli import app

app(prog_name="hz-assess")
