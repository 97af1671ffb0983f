"""`python -m ouroboros ...` is `ouro ...` (what ouroboros.launch starts K times)."""

from ouroboros.cli import app

app()
