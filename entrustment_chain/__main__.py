"""``python -m entrustment_chain …`` runs the ``chain`` command (useful where the console script
is not on PATH, e.g. inside a virtual environment that is not activated)."""
from entrustment_chain.cli.main import main

if __name__ == "__main__":
    main(prog_name="chain")
