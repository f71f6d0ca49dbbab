"""The one place where the benchmarks average scores over seeds and tasks.

Missing scores (None, NaN: a task a run never reached, a check that was
off) are left out rather than counted as zero.
"""
import statistics

MISSING = '–'


def present(values):
    """``values`` without None and NaN."""
    return [v for v in values if v is not None and v == v]


def mean(values):
    """The mean of the present values, None if there is none."""
    values = present(values)
    return statistics.mean(values) if values else None


def std(values):
    """The sample standard deviation of the present values, None for
    fewer than two."""
    values = present(values)
    return statistics.stdev(values) if len(values) > 1 else None


def mean_std(values, digits=1, separator='±'):
    """'m±s' over the present values ('m' alone for one, '–' for none).

    The comparison tables use one digit and '±'; the per-score tables of
    ``tools/compare_methods.py`` and the gap cards' metric tables use two
    digits and ' ± '.
    """
    values = present(values)
    if not values:
        return MISSING
    if len(values) == 1:
        return f'{values[0]:.{digits}f}'
    return (f'{statistics.mean(values):.{digits}f}{separator}'
            f'{statistics.stdev(values):.{digits}f}')


def fixed(value, digits=2):
    """``value`` with ``digits`` decimals, '–' when it is missing."""
    return MISSING if value is None or value != value else \
        f'{value:.{digits}f}'
