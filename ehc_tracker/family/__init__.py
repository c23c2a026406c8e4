from . import contributions  # noqa: F401  (registers its routes on the family blueprint)
