"""The results pages' tables are rendered by mmforget.benchmarks.tables:
a table rendered from a small stored summary has the committed page's
header and columns, and a page's section is rewritten in place."""
import hashlib
import json
import os
import os.path as osp
import shutil
import subprocess
import sys

import pytest
from mmengine.config import ConfigDict

from mmforget.benchmarks import tables
from mmforget.benchmarks.plans import plan_runs, slug
from mmforget.benchmarks.runs import options_tag, run_dir, tools_dir
from mmforget.benchmarks.statistics import mean, mean_std

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DATA = osp.join(REPO, 'tests', 'data', 'benchmarks')
RESULTS = osp.join(REPO, 'docs', 'en', 'results')


def summary(name):
    with open(osp.join(DATA, name)) as f:
        return json.load(f)


def header_of(text, index=0):
    """The header row and the column count of the ``index``-th table."""
    headers = [line for i, line in enumerate(text.splitlines())
               if line.startswith('| ') and i + 1 < len(text.splitlines())
               and text.splitlines()[i + 1].startswith('|---')]
    header = headers[index]
    return header, header.count(' | ') + 1


def committed(page, name):
    return tables.read_section(osp.join(RESULTS, page), name)


def test_run_tables_match_the_demo_pages():
    digits = tables.run_table(summary('digits_summary.json'))
    assert header_of(digits) == header_of(committed('digits.md', 'demo'))
    assert '| 10-2 | 9, 6 | 97.22 | 0.00 | 97.57 | 96.18 | – | 97.40 | 8.0 |' \
        in digits
    shapes = tables.run_table(summary('shapes_summary.json'))
    assert header_of(shapes) == header_of(committed('detection.md',
                                                    'demo-dino'))
    assert '| 0.0 / 0.0 / 100.0 | 98.9 |' in shapes


def test_comparison_tables_match_the_comparison_pages():
    plan = ConfigDict(
        reference='Retrain',
        tune=dict(seed=0, options=[
            'train_dataloader.dataset.schedule.num_tasks=1']),
        settings=[dict(name='full data', suffix='', seeds=[0, 1, 2])],
        methods=[dict(name='Retrain', config='retrain{setting}.py'),
                 dict(name='GS-LoRA', config='gs-lora{setting}.py',
                      grid={'optim_wrapper.optimizer.lr': [0.01, 0.003]})])
    run = summary('digits_summary.json')
    four_tasks = dict(run, tasks=run['tasks'] * 2)
    results = {'full data': {
        'Retrain': [dict(summary=four_tasks, wall=120.0)],
        'GS-LoRA': [dict(summary=four_tasks, wall=60.0)]}}
    tuning = {'GS-LoRA': [dict(options={'optim_wrapper.optimizer.lr': 0.01},
                               val=96.5)]}
    text = tables.comparison_tables(
        plan, results, {'GS-LoRA': {'optim_wrapper.optimizer.lr': 0.01}},
        tuning)
    page = committed('digits.md', 'compare-digits-methods')
    assert header_of(text) == header_of(page)
    assert header_of(text, 1) == header_of(page, 1)
    assert text.splitlines()[0] == page.splitlines()[0]
    picks_heading = [line for line in text.splitlines()
                     if line.startswith('### Picks')]
    assert picks_heading[0] in page


def test_seed_tuning_and_sweep_tables_match_their_pages():
    run = summary('digits_summary.json')
    runs = [('configs/gs_lora/gs-lora_vit-tiny_digits_continual.py',
             [run, run])]
    scores = tables.seed_score_table(runs, keys=['h_mean'])
    page = committed('digits.md', 'compare-digits')
    assert header_of(scores)[1] == 5  # 2 tasks here, 4 on the page
    assert header_of(page)[0].startswith(
        '| config | method | score | task 0 | task 1 |')
    means = tables.seed_means_table(runs)
    assert header_of(means)[0].startswith('| config | method | task 0')
    assert header_of(committed('numbers.md', 'compare-numbers-gs-lora')
                     )[0].startswith('| config | method | task 0')
    names = ['train_dataloader.dataset.data_ratio',
             'train_cfg.method.forget_loss.bound',
             'train_cfg.method.forget_loss.loss_weight']
    ranked = [dict(options=dict(zip(names, ['0.1', '12', '0.2'])),
                   val=dict(h_mean=76.57, forget=7.94, retain=80.61,
                            old=8.19))]
    tuned = tables.tuning_table(ranked, names)
    assert header_of(tuned) == header_of(committed('numbers.md',
                                                   'tune-numbers-1'))
    assert '| 1 | 0.1 | 12 | 0.2 | 76.57 | 7.94 | 80.61 | 8.19 |' in tuned
    sweep = tables.sweep_table([('none', 0, run['tasks'])])
    assert header_of(sweep) == header_of(committed('numbers.md',
                                                   'sweep-numbers'))
    assert sweep.splitlines()[2].endswith('| 1.75 2.50 |')


def test_a_page_section_is_rewritten_in_place(tmp_path):
    page = tmp_path / 'digits.md'
    shutil.copyfile(osp.join(RESULTS, 'digits.md'), page)
    before = page.read_text()
    table = tables.run_table(summary('digits_summary.json'))
    tables.write_section(str(page), 'demo', table)
    after = page.read_text()
    assert tables.read_section(str(page), 'demo') == table
    assert after.split('<!-- table:demo -->')[0] == \
        before.split('<!-- table:demo -->')[0]
    assert after.split('<!-- /table:demo -->')[1] == \
        before.split('<!-- /table:demo -->')[1]
    with pytest.raises(KeyError):
        tables.write_section(str(page), 'no-such-table', table)


def test_every_page_section_is_declared_once():
    for page in os.listdir(RESULTS):
        text = open(osp.join(RESULTS, page)).read()
        for name in set(
                line[len('<!-- table:'):-len(' -->')]
                for line in text.splitlines()
                if line.startswith('<!-- table:')):
            assert text.count(f'<!-- table:{name} -->') == 1
            assert text.count(f'<!-- /table:{name} -->') == 1


def test_statistics_leave_missing_values_out():
    assert mean([1.0, None, float('nan'), 3.0]) == 2.0
    assert mean([None]) is None
    assert mean_std([]) == '–'
    assert mean_std([2.0]) == '2.0'
    assert mean_std([1.0, 3.0]) == '2.0±1.4'
    assert mean_std([1.0, 3.0], digits=2, separator=' ± ') == '2.00 ± 1.41'


def test_work_dir_names_of_finished_runs_do_not_change():
    """Finished runs are found by these names: they must stay."""
    assert options_tag({}) == ''
    assert options_tag({'optim_wrapper.optimizer.lr': 0.01,
                        'model.lora.alpha': 2}) == \
        '_optim-wrapper.optimizer.lr=0.01-model.lora.alpha=2'
    assert options_tag([('a.b', 'x y')]) == '_a.b=x-y'
    assert run_dir('configs/x/gs-lora_a.py', 1, 'out', '_t') == \
        osp.join('out', 'gs-lora_a_t_seed1')
    # A name too long for a file system: the longest values (a checkpoint
    # path) become digests, the keys and short values stay readable...
    path = '/tmp/' + 'p' * 200
    digest = hashlib.sha1(path.encode()).hexdigest()[:11]
    assert options_tag({'model.pretrained': path, 'lr': 0.1}) == \
        f'_model.pretrained={digest}-lr=0.1'
    # ... and what is still too long is cut, ending in a digest: creatable
    # (255 bytes at most), one per run.
    long_names = [osp.basename(run_dir('configs/x/gs-lora_a.py', 0, 'out',
                                       options_tag({f'k{i}': lr
                                                    for i in range(45)})))
                  for lr in (0.1, 0.2)]
    assert long_names[0] != long_names[1]
    assert all(len(n) == 245 + len('_seed0') for n in long_names)
    assert long_names[0].startswith('gs-lora_a_k0=0.1-k1=0.1')
    plan = ConfigDict(
        reference='R', options=['o=1'], tune=dict(seed=0, options=[]),
        settings=[dict(name='full data', suffix='', seeds=[0]),
                  dict(name='4-shot', suffix='-4shot', seeds=[0])],
        methods=[dict(name='R', config='r{setting}.py',
                      settings=['full data']),
                 dict(name='G', config='g{setting}.py', grid={'lr': [1]}),
                 dict(name='G short', config='g{setting}.py',
                      pick_of='G', options=['e=1'])])
    runs = plan_runs(plan, 'out', {'G': {'lr': 1}})
    assert [(s, m, job[0], job[2], job[3]) for s, m, job in runs] == [
        ('full data', 'R', 'r.py', osp.join('out', 'full-data'),
         {'o': '1'}),
        ('full data', 'G', 'g.py', osp.join('out', 'full-data'),
         {'o': '1', 'lr': 1}),
        ('full data', 'G short', 'g.py', osp.join('out', 'full-data'),
         {'o': '1', 'lr': 1, 'e': '1'}),
        ('4-shot', 'G', 'g-4shot.py', osp.join('out', '4-shot'),
         {'o': '1', 'lr': 1}),
        ('4-shot', 'G short', 'g-4shot.py', osp.join('out', '4-shot'),
         {'o': '1', 'lr': 1, 'e': '1'})]
    assert slug('full data') == 'full-data'


def test_the_tools_are_found_from_any_working_directory(tmp_path):
    assert osp.isfile(osp.join(tools_dir(), 'train.py'))
    code = ('from mmforget.benchmarks.runs import train_script; '
            'print(train_script())')
    out = subprocess.run([sys.executable, '-c', code], cwd=tmp_path,
                         capture_output=True, text=True, check=True).stdout
    assert osp.isfile(out.strip())


def test_results_table_tool_writes_a_page_section(tmp_path):
    run_dir_ = tmp_path / 'run'
    run_dir_.mkdir()
    shutil.copyfile(osp.join(DATA, 'shapes_summary.json'),
                    run_dir_ / 'forgetting_summary.json')
    page = tmp_path / 'detection.md'
    shutil.copyfile(osp.join(RESULTS, 'detection.md'), page)
    result = subprocess.run(
        [sys.executable, osp.join(REPO, 'tools', 'results_table.py'),
         str(run_dir_), '--results', f'{page}:demo-dino'],
        cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert '| 5-1 | ring | 86.40 |' in tables.read_section(str(page),
                                                          'demo-dino')


def test_the_tools_of_an_installed_copy_are_found(monkeypatch):
    """Without a checkout around the package, mim's copy in
    ``mmforget/.mim/tools`` is used."""
    from mmforget.benchmarks import runs
    package = osp.dirname(osp.dirname(osp.abspath(runs.__file__)))
    mim_tools = osp.join(package, '.mim', 'tools')
    monkeypatch.setattr(
        runs.osp, 'isfile',
        lambda path: path == osp.join(mim_tools, 'train.py'))
    assert runs.tools_dir() == mim_tools
    monkeypatch.setattr(runs.osp, 'isfile', lambda path: False)
    with pytest.raises(FileNotFoundError):
        runs.tools_dir()


def test_seconds_per_task_read_in_whole_seconds_or_tenths():
    from mmforget.benchmarks.tables import seconds_cell
    assert [seconds_cell(s) for s in (0.00333, 12.34, 99.94, 340.4)] == \
        ['0.0', '12.3', '99.9', '340']
