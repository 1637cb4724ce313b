"""The performance benchmark of the platform (`make bench`); never run by the test suite."""
