"""Text analyzers: the built-in lexicon matcher before the trained model exists."""
