# tests for the mime area
