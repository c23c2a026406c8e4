from . import directory  # noqa: F401  (registers its routes on the admin blueprint)
