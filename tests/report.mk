# tests for the report area
