"""``python -m hwprune_edu`` runs the command line."""

from hwprune_edu.cli import main

raise SystemExit(main())
