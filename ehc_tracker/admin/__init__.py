from . import directory, letters  # noqa: F401  (register their routes on the admin blueprint)
