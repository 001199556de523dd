# tests for the milter area
