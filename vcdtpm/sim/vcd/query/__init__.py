"""The query service: the filter language and the typed records."""
