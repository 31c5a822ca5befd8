"""Work queues (embedded, and Redis later) and the worker loop that runs analyzers and the policy."""
