"""Long work in the background: one operation, its progress, its cancel (issue 19)."""
