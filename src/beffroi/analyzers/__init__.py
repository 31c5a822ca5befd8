"""Analyzers turn items into signals. One module each; built-ins register through the `beffroi` entry points."""
