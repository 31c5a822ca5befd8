"""Policies turn signals into verdicts. Evaluating one never acts: it returns actions as data."""
