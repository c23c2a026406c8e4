from . import (
    advice,  # noqa: F401  (registers its route on the cases blueprint)
    expected,  # noqa: F401  (registers its route on the cases blueprint)
)
