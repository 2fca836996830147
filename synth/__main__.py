"""``python -m synth``: the same as the ``synth`` command."""

from synth.cli import main

main()
