"""Document pages: adding, downloading, sharing and deleting documents, and the retention list."""
