"""Reference solvers the targets are measured against (``python -m benchmarks run --peers``).

- `ortools_plain`: OR-Tools routing as a user writes it from the samples
  (``vrp_time_windows.py``, ``vrp_capacity.py``): PATH_CHEAPEST_ARC + GUIDED_LOCAL_SEARCH.
- `pyvrp_peer`: PyVRP's ``Model`` with ``MaxRuntime``.
- `vroom_peer`: the ``vroom`` binding (pyvroom) at exploration level 5, one thread.

All three get the same data: distances and travel times x 1000 rounded to integers, windows
and service x 1000, the fleet limit of the file. PyVRP and VROOM are optional (``bench`` extra).
"""
