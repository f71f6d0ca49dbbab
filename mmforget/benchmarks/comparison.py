"""Comparisons: configs side by side over seeds, or a whole plan (tune
every method on the validation split, run the picks, tabulate, plot).

Every run is a ``runs.run``: a finished run is reused, so a comparison can
be spread over several sittings.
"""
import os
import os.path as osp
import shutil

from mmengine.logging import print_log

from .plans import load_plan, plan_runs
from .plots import comparison_plot
from .runs import Runner, collect, run, wall_seconds
from .tables import comparison_tables, publish
from .tuning import tune_plan


def copy_figure(path, image):
    """Copy a written figure to ``image`` too (the results pages' copy);
    None does nothing."""
    if image and osp.isfile(path):
        os.makedirs(osp.dirname(osp.abspath(image)), exist_ok=True)
        shutil.copyfile(path, image)


def plan_results(plan, out_dir, runner=None):
    """Tune and run (``runner``) or only read the finished runs (None) of
    a plan. Returns ({setting: {method: [{summary, wall}]}}, picks,
    ranked tuning points)."""
    picks, tuning = tune_plan(plan, out_dir, runner)
    runs = plan_runs(plan, out_dir, picks)
    summaries = collect([job for _, _, job in runs], runner)
    results = {}
    for (setting, name, job), summary in zip(runs, summaries):
        if summary is not None and summary['tasks']:
            results.setdefault(setting, {}).setdefault(name, []).append(
                dict(summary=summary, wall=wall_seconds(*job)))
    return results, picks, tuning


def run_plan(plan_path, out_dir, jobs=1, run_missing=True, results=None,
             image=None):
    """The whole comparison of a plan: writes ``comparison.md`` and
    ``comparison.png`` in ``out_dir``, the table into the results page
    section ``results`` ('PAGE:NAME') and the figure to ``image`` when
    given. Returns the Markdown."""
    plan = load_plan(plan_path)
    print_log(f'comparison {plan_path} in {out_dir}', logger='current')
    found, picks, tuning = plan_results(
        plan, out_dir, Runner(jobs) if run_missing else None)
    text = comparison_tables(plan, found, picks, tuning)
    os.makedirs(out_dir, exist_ok=True)
    with open(osp.join(out_dir, 'comparison.md'), 'w') as f:
        f.write(text)
    figure = osp.join(out_dir, 'comparison.png')
    comparison_plot(plan, found, figure)
    copy_figure(figure, image)
    publish(results, text)
    return text


def run_configs(configs, seeds, out_dir):
    """Every config with every seed, one after the other: [(config,
    [summaries])]."""
    return [(config, [run(config, seed, out_dir) for seed in seeds])
            for config in configs]
