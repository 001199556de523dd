# tests for the cli area
