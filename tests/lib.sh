# shell helpers for tests: TAP output
