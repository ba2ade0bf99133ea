"""`python -m duespark ...` runs the same command line as `duespark ...`."""

from duespark.cli import app

app(prog_name="duespark")
