"""Children and young people: their records and their parents and carers."""
