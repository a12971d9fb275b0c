"""``python -m newsclean``: the ``newsclean`` command line (see :mod:`newsclean.cli`)."""

from newsclean.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
