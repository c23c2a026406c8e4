from . import (
    advice,  # noqa: F401  (registers its route on the cases blueprint)
    expected,  # noqa: F401  (registers its route on the cases blueprint)
    letters,  # noqa: F401  (registers its routes on the cases blueprint)
)
