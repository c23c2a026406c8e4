"""What the case workflow announces, for others to act on without the workflow knowing them.

`step_recorded` is sent with the case once a step is recorded (keyword `event`: the CaseEvent),
and `reply_recorded` with the Communication once a response to it is recorded. Both are sent
inside the operation, before the caller commits, so whatever a receiver writes is part of the
same transaction (the family's emails go to the outbox with the step, or not at all).
"""

from __future__ import annotations

from blinker import Namespace

signals = Namespace()

step_recorded = signals.signal("step-recorded")
reply_recorded = signals.signal("reply-recorded")
