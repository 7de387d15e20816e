"""``python -m optimizer solve --input problem.json --output solution.json``."""

from optimizer.cli import main

if __name__ == "__main__":  # spawned worker processes import this module as __mp_main__
    main(prog_name="python -m optimizer")
