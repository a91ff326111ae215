"""Benchmarks and the synthetic Dongguan market; not part of the test run (`make bench`)."""
