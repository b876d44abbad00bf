"""The benchmark suite's smoke run: every workload runs and agrees with its reference (no timing)."""

import re

from benchmarks.__main__ import main


def test_quick_benchmarks_agree_with_their_references(capsys):
    assert main(["--quick"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| ") and "workload" not in line]
    assert len(rows) >= 15  # 15 NumPy comparisons, plus 7 PyTorch ones where torch is installed
    for row in rows:
        difference = row.rstrip(" |").rsplit("|", 1)[-1]
        numbers = [float(x) for x in re.findall(r"= ([0-9.e+-]+)", difference)]
        assert numbers, row
        if "s.e." in difference:
            assert numbers[0] < 5.0, row  # Monte Carlo: within 5 standard errors
        else:
            assert numbers[0] < 1e-6, row  # deterministic: same numbers
        assert "differs" not in difference, row
