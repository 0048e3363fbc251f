"""Questions the pages ask, each answered by one SQL file in queries/sql/ through queries.runner."""
