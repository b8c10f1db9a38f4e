"""``python -m auditor``: the command line."""

from auditor.launch import main

main()
