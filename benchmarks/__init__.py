"""physlab's performance suite: each kernel timed beside a reference implementation in one run.

Run ``python -m benchmarks`` (or ``make bench``); ``--quick`` for a small correctness-only smoke run
(the test suite runs it). Timings are medians of repeats and never gate a test.
"""
