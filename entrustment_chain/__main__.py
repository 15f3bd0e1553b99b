"""``python -m entrustment_chain …`` runs the ``chain`` command (useful where the console script
is not on PATH, e.g. inside a virtual environment that is not activated)."""
from entrustment_chain.cli.main import run

if __name__ == "__main__":
    run(prog_name="chain")
