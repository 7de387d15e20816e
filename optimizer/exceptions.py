"""Exceptions and warnings raised by the optimizer.

Exceptions are reserved for invalid input: a problem the solver cannot solve
is a :class:`~optimizer.solution.SolveResult` with ``solution=None``, not an
exception.
"""

from __future__ import annotations


class InvalidProblemError(ValueError):
    """A problem (or a problem file) is malformed.

    The message starts with the path of the offending field, e.g.
    ``jobs[3].windows[0]: end 100 before start 200``, so that a dispatcher or
    an import script can point at the exact value.

    Parameters
    ----------
    field
        Dotted path of the field (``"jobs[3].windows[0]"``); empty when the
        object that raised does not know where it sits (a lone ``TimeWindow``).
        Containers prefix it with :meth:`at` as the error travels outwards.
    detail
        What is wrong with the value, naming the value.
    """

    def __init__(self, field: str, detail: str) -> None:
        self.field = field
        self.detail = detail
        super().__init__(f"{field}: {detail}" if field else detail)

    def at(self, prefix: str) -> InvalidProblemError:
        """Return the same error with ``prefix`` prepended to its field path."""
        if not self.field:
            field = prefix
        elif self.field.startswith("["):
            field = prefix + self.field
        else:
            field = f"{prefix}.{self.field}"
        return InvalidProblemError(field, self.detail)


class MatrixError(RuntimeError):
    """A travel-matrix provider failed (server down, bad answer, unroutable point)."""


class ScalingWarning(UserWarning):
    """Numbers are so large that sums along a route could lose precision or overflow."""
