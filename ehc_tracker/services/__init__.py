"""The operations users perform. Each takes an explicit actor (and today, where dates matter),
flushes, and leaves the commit to the caller (the request or the command)."""


class ServiceError(ValueError):
    """A refusal a person can act on: the message is shown to them as it is.

    `field` names the form field the message belongs to, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(ServiceError):
    pass


class Conflict(ServiceError):
    """A refusal because of what someone else has just done to the record (a step recorded at the
    same moment, a case closed meanwhile): the page answers 409 and says what happened."""


class Forbidden(ServiceError):
    pass
