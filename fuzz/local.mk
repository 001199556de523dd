# Fuzz targets (libFuzzer with --enable-fuzzing; corpus replay otherwise).
