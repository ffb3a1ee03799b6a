"""``python -m hwprune_edu`` runs the command line."""

from hwprune_edu.course.cli import main

raise SystemExit(main())
