"""What the law asks for: DSA statements of reasons, evidence bundles, transparency reports."""
