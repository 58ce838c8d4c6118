"""``python -m qudao``: the same as the ``qudao`` command."""

from qudao.cli import main

main()
