"""Daily alerts: who is told what each morning, and getting it to them exactly once.

- `digests`: the milestones due soon, overdue and overdue too long, and who hears about each;
  one email digest per person per day.
- `job`: the daily run (`flask alerts run`), recorded in `job_runs`, idempotent through the
  unique keys of the alert ledger and the outbox, and guarded by a lock (`locking`).
- `outbox`: messages are stored before they are sent and marked sent in the transaction that
  records success; retried with back-off while the mail server is down.
- `delivery`: the mail backends (SMTP, console, in-memory for tests, GOV.UK Notify).
- `scheduler`: the one scheduler process (`flask scheduler`), never inside web workers.
"""
