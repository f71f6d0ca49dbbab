"""Summaries that must not move when the house is rebuilt: the 2-task digits
runs of GS-LoRA, SCRUB and Retrain on the suite's pre-trained model.

``tests/data/pinned/<method>.json`` holds each run's task scores per CPU
model (with its family and model numbers where the name is only the
maker's) and torch thread count they were computed with (``pins``). With a
pinned CPU and thread count a run must give them exactly; elsewhere
floating-point order differs (the suite's pre-trained model then classifies
an image or two differently: one of the 72 forget test images is 1.4
points), so within ``OTHER_CPU_TOLERANCE`` points of one of the pins. ``PIN_WRITE=1 pytest tests/test_engine/test_method_runs.py -k
uninterrupted`` writes this CPU's pin (only after a change that is meant to
move them; then re-pin the other CPUs or drop their pins).
"""
import json
import os
import os.path as osp

import pytest

PINNED_METHODS = ('gs_lora', 'scrub', 'retrain')
PINNED_DIR = osp.join(osp.dirname(osp.abspath(__file__)), 'data', 'pinned')
SCORES = ('forget_classes', 'forget_before', 'forget', 'retain', 'old',
          'h_mean', 'val', 'trainable_params')
OTHER_CPU_TOLERANCE = 3.0


def cpu_model():
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return 'unknown'


def cpu_generation():
    """' family F model M' from /proc/cpuinfo: a virtual CPU may name only
    its maker ('AMD EPYC'), and the kernels torch picks differ between
    its generations."""
    fields = {}
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                key, _, value = line.partition(':')
                if key.strip() in ('cpu family', 'model'):
                    fields.setdefault(key.strip(), value.strip())
                if len(fields) == 2:
                    break
    except OSError:
        pass
    if len(fields) < 2:
        return ''
    return f" family {fields['cpu family']} model {fields['model']}"


def machine():
    """The key of this machine's pin: the CPU model and generation and
    torch's threads (the order of a parallel sum depends on them)."""
    import torch
    return (f'{cpu_model()}{cpu_generation()}, '
            f'{torch.get_num_threads()} threads')


def task_scores(summary):
    return [{k: task.get(k) for k in SCORES} for task in summary['tasks']]


def check_pinned(method, summary):
    """Compare ``summary`` with the pinned one (or write it, PIN_WRITE=1)."""
    path = osp.join(PINNED_DIR, f'{method}.json')
    pins = {}
    if osp.isfile(path):
        with open(path) as f:
            pins = json.load(f)['pins']
    got = task_scores(summary)
    if os.environ.get('PIN_WRITE'):
        os.makedirs(PINNED_DIR, exist_ok=True)
        pins[machine()] = got
        with open(path, 'w') as f:
            json.dump(dict(pins=pins), f, indent=2)
        return
    if machine() in pins:
        assert got == pins[machine()]
        return
    failures = []
    for cpu, tasks in pins.items():
        try:
            assert_close(got, tasks, OTHER_CPU_TOLERANCE)
            return
        except AssertionError as err:
            failures.append(f'{cpu}: {err}')
    raise AssertionError('no pin within tolerance: ' + '; '.join(failures))


def assert_close(got, expected, tolerance, where='summary'):
    """Equal structure, numbers within ``tolerance``."""
    if isinstance(expected, dict):
        assert set(got) == set(expected), where
        for key in expected:
            assert_close(got[key], expected[key], tolerance, f'{where}.{key}')
    elif isinstance(expected, list):
        assert len(got) == len(expected), where
        for i, (a, b) in enumerate(zip(got, expected)):
            assert_close(a, b, tolerance, f'{where}[{i}]')
    elif isinstance(expected, float):
        assert got == pytest.approx(expected, abs=tolerance), where
    else:
        assert got == expected, where
