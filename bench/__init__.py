"""Benchmarks that are run by hand or by `gongzhi bench …`, not by the test suite."""
