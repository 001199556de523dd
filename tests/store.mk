# tests for the store area
