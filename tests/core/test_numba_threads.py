"""Two labs may run parallel numba kernels from two threads at once: the threading layer must be
one that allows it (workqueue would abort the process)."""

import threading

import numba
import numpy as np

from physlab.sharpness import uv


def test_parallel_kernels_from_several_threads_at_once():
    etas = np.linspace(0.5, 3.0, 64)
    expected = np.full((64, 8), np.nan)
    uv.bifurcation(etas, 0.3, 1.2, 1.0, 1.0, 4.0, 500, 8, expected)
    assert numba.threading_layer() in ("omp", "tbb")
    errors = []

    def work():
        try:
            for _ in range(50):
                out = np.full((64, 8), np.nan)
                uv.bifurcation(etas, 0.3, 1.2, 1.0, 1.0, 4.0, 500, 8, out)
                np.testing.assert_array_equal(out, expected)
        except Exception as err:  # collected and reported below
            errors.append(err)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
