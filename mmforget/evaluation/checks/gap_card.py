"""The gap card: every metric of the original (O), the forgotten (U) and
the Retrain (R) model side by side, with |U - R| (the field's target is
Retrain's value, not 0) and the Residual |U - R| / |O - R| (0 = like R,
1 = like O); with Retrain's seeds, whether a check separates O from R at
all (``separates``)."""
import statistics

from mmforget.registry import FORGETTING_CHECKS


def metric_specs():
    """name -> MetricSpec of every registered check's metrics."""
    specs = {}
    for check in FORGETTING_CHECKS.module_dict.values():
        specs.update(getattr(check, 'metrics', {}))
    return specs


def run_checks(checks, outputs):
    """One model's results of ``checks`` (configs or built checks)."""
    results = {}
    for check in checks:
        if isinstance(check, dict):
            check = FORGETTING_CHECKS.build(check)
        results.update(check(outputs))
    return results


def residual(original, forgotten, reference):
    """|U - R| / |O - R|: 0 = like Retrain, 1 = as far from it as the
    original; above 1 when U is farther than O (overshooting Retrain, e.g.
    a probe driven below Retrain's, counts as a gap too). None when O and R
    agree, where the check cannot tell forgetting from its absence."""
    if None in (original, forgotten, reference) or original == reference:
        return None
    return abs(forgotten - reference) / abs(original - reference)


def noise_band(reference_values, width=2.0):
    """``width`` standard deviations (ddof 1) of a check over Retrain's
    seeds: how far two models that both never saw the class can differ.
    None with fewer than two seeds (no band can be measured)."""
    values = [v for v in reference_values if v is not None]
    return width * statistics.stdev(values) if len(values) > 1 else None


def separates(original, reference_values, width=2.0, min_gap=0.0):
    """Whether a check tells the original from Retrain: O lies outside
    Retrain's mean +- ``width`` std over its seeds, and at least
    ``min_gap`` from that mean (a few seeds can give a band far narrower
    than the check's real noise). None where it cannot be decided (O
    unknown, fewer than two Retrain seeds). Only such decisive checks carry
    a Residual worth reading."""
    band = noise_band(reference_values, width)
    if original is None or band is None:
        return None
    return abs(original - statistics.mean(
        v for v in reference_values if v is not None)) > max(band, min_gap)


def gap_card(original=None, forgotten=None, reference=None):
    """Rows (metric, direction, O, U, R, |U - R|, Residual) for every
    metric any of the three result dicts has, in registry order."""
    original, forgotten, reference = (d or {} for d in
                                      (original, forgotten, reference))
    specs = metric_specs()
    names = [n for n in specs if n in {**original, **forgotten,
                                       **reference}]
    rows = []
    for name in names:
        o, u, r = (d.get(name) for d in (original, forgotten, reference))
        rows.append(dict(
            metric=name, direction=specs[name].direction, O=o, U=u, R=r,
            gap=None if None in (u, r) else abs(u - r),
            residual=(residual(o, u, r)
                      if specs[name].direction == 'reference' else None)))
    return rows


def avg_gap(rows, metrics):
    """Mean |U - R| over ``metrics`` (the field's Avg.Gap)."""
    gaps = [row['gap'] for row in rows
            if row['metric'] in metrics and row['gap'] is not None]
    return sum(gaps) / len(gaps) if gaps else None


def format_gap_card(rows):
    def cell(value, digits=1):
        return '–' if value is None else f'{value:.{digits}f}'
    lines = ['| metric | better | O | U | R | abs(U - R) | Residual |',
             '|---|---|---|---|---|---|---|']
    for row in rows:
        better = {'lower': 'lower', 'higher': 'higher',
                  'reference': 'near R'}[row['direction']]
        lines.append(f'| {row["metric"]} | {better} | ' + ' | '.join(
            cell(row[k]) for k in ('O', 'U', 'R', 'gap')) +
            f' | {cell(row["residual"], 2)} |')
    return '\n'.join(lines)


def metric_dictionary():
    """The metric dictionary (README): name, direction, reference, splits,
    meaning."""
    lines = ['| metric | better | reference | splits | meaning |',
             '|---|---|---|---|---|']
    for name, spec in metric_specs().items():
        lines.append(f'| {name} | {spec.direction} | {spec.reference} | '
                     f'{spec.splits} | {spec.doc} |')
    return '\n'.join(lines)
