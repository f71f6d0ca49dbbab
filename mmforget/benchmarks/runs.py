"""One training run of a benchmark: its work dir, its launch, its reuse.

A run is a config, a seed and ``--cfg-options``. Its work dir is named after
the config, a tag of its options and the seed, so that a finished run is
found and reused when a comparison starts again; these names must never
change, or every finished run would be trained anew.
"""
import hashlib
import json
import os
import os.path as osp
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from mmengine.logging import print_log

SUMMARY = 'forgetting_summary.json'
WALL = 'wall_seconds.json'
# File systems refuse names over 255 bytes: an options tag longer than
# MAX_TAG has its longest values digested, and a run's name still longer
# than MAX_NAME keeps its start and ends with a digest of the whole name.
# Names that fit are left as they always were.
MAX_TAG = 200
MAX_NAME = 245


def tools_dir():
    """The repository's ``tools/``: beside the package in a checkout
    (``<repo>/tools``), or ``mmforget/.mim/tools`` in an installed copy."""
    package = osp.dirname(osp.dirname(osp.abspath(__file__)))
    for candidate in (osp.join(osp.dirname(package), 'tools'),
                      osp.join(package, '.mim', 'tools')):
        if osp.isfile(osp.join(candidate, 'train.py')):
            return candidate
    raise FileNotFoundError(
        f'tools/train.py is neither beside {package} nor in its .mim copy')


def train_script():
    """The path of ``tools/train.py``, whatever the working directory."""
    return osp.join(tools_dir(), 'train.py')


def options_tag(options):
    """The work-dir suffix of a run's options (a dict or (key, value)
    pairs): full keys, so that ``optim_wrapper.alpha`` and
    ``model.lora.alpha`` never share a dir; '' without options."""
    pairs = [(k, str(v)) for k, v in (
        options.items() if isinstance(options, dict) else options)]
    if not pairs:
        return ''

    def tag():
        name = '_'.join(f'{k}={v}' for k, v in pairs)
        return '_' + re.sub(r'[^A-Za-z0-9.=-]+', '-', name)

    # A tag too long for a file name: its longest values (checkpoint paths)
    # become digests, longest first, until it fits; the keys stay readable.
    while len(tag()) > MAX_TAG:
        index = max(range(len(pairs)), key=lambda i: len(pairs[i][1]))
        key, value = pairs[index]
        if len(value) <= 12:
            break  # run_dir cuts what is left
        pairs[index] = (key, hashlib.sha1(value.encode()).hexdigest()[:11])
    return tag()


def run_dir(config, seed, out_dir, tag=''):
    """``<out_dir>/<config name><tag>_seed<seed>``; a name over
    ``MAX_NAME`` characters (many or long options, such as a checkpoint
    path) is cut to its first ``MAX_NAME - 13`` and a 12-character digest
    of the whole, so that it stays one per run and can be created."""
    name = osp.splitext(osp.basename(config))[0] + tag
    if len(name) > MAX_NAME:
        digest = hashlib.sha1(name.encode()).hexdigest()[:12]
        name = f'{name[:MAX_NAME - 13]}-{digest}'
    return osp.join(out_dir, f'{name}_seed{seed}')


def work_dir(config, seed, out_dir, options):
    """The work dir of a plan's job (``options``: a dict)."""
    return run_dir(config, seed, out_dir, options_tag(options))


def load_summary(directory):
    """The run's ``forgetting_summary.json``, None before it has one."""
    path = osp.join(directory, SUMMARY)
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def finished(config, seed, out_dir, options):
    """The summary of a plan's job if it has one (finished or not)."""
    return load_summary(work_dir(config, seed, out_dir, options))


def wall_seconds(config, seed, out_dir, options):
    """The wall time of the sitting that finished a plan's job; None when
    unknown (a resumed run) or not finished."""
    path = osp.join(work_dir(config, seed, out_dir, options), WALL)
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)['seconds']


def train_command(config, work_dir, options=(), resume=False):
    """The command line of ``tools/train.py`` with this Python."""
    command = [sys.executable, train_script(), config, '--work-dir',
               work_dir]
    command += ['--resume'] if resume else []
    command += ['--cfg-options', *options] if options else []
    return command


def run(config, seed, out_dir, options=(), tag='', threads=None):
    """One run of ``config`` with ``seed`` (extra ``--cfg-options`` in
    ``options``); its summary. ``tag`` names the work dir apart from other
    options; ``threads`` limits the run's CPU threads (parallel runs).

    A run whose wall time was kept is finished and reused without being
    started. Otherwise a run with a summary is resumed (its time is then
    unknown: ``seconds`` None), and a new one is trained.
    """
    directory = run_dir(config, seed, out_dir, tag)
    summary = osp.join(directory, SUMMARY)
    wall = osp.join(directory, WALL)
    if osp.isfile(wall) and osp.isfile(summary):
        print_log(f'finished {directory}', logger='current')
        return load_summary(directory)
    resume = osp.isfile(summary)
    print_log(f'{"continuing" if resume else "running"} {directory}',
              logger='current')
    env = dict(os.environ)
    if threads:
        env['OMP_NUM_THREADS'] = env['MKL_NUM_THREADS'] = str(threads)
    start = time.time()
    result = subprocess.run(
        train_command(config, directory,
                      [f'randomness.seed={seed}',
                       f'train_dataloader.dataset.seed={seed}', *options],
                      resume),
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True)
    if result.returncode:
        raise RuntimeError(f'{directory} failed:\n{result.stderr[-2000:]}')
    with open(wall, 'w') as f:
        json.dump(dict(seconds=None if resume else
                       round(time.time() - start, 1), threads=threads), f)
    return load_summary(directory)


class Runner:
    """Runs a plan's jobs, ``jobs`` at a time, each with its share of the
    CPU cores."""

    def __init__(self, jobs=1):
        self.jobs = max(1, jobs)
        self.threads = (max(1, (os.cpu_count() or 1) // self.jobs)
                        if self.jobs > 1 else None)

    def run_one(self, job):
        """A job (config, seed, out_dir, options dict): its summary, or
        None when it failed (reported; the other jobs go on)."""
        config, seed, out_dir, options = job
        try:
            return run(config, seed, out_dir,
                       [f'{k}={v}' for k, v in options.items()],
                       options_tag(options), self.threads)
        except Exception as error:  # noqa: BLE001 (report, go on)
            print_log(f'FAILED {config} seed {seed} {options}: {error}',
                      logger='current')
            return None

    def map(self, jobs):
        """The summaries of ``jobs``, in order."""
        with ThreadPoolExecutor(self.jobs) as pool:
            return list(pool.map(self.run_one, jobs))


def collect(jobs, runner=None):
    """The summaries of ``jobs``: run by ``runner`` (missing ones trained),
    or without it only those already there."""
    if runner is not None:
        return runner.map(jobs)
    return [finished(*job) for job in jobs]
