"""The HTTP API (versioned under /v1) and, later, the review console."""
