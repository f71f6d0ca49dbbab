"""Tuning on the validation split, plan comparisons and their gap cards,
through the command lines and the mmforget.benchmarks API."""
import json
import os

import pytest

from conftest import call_tool

CONFIG = 'configs/gs_lora/gs-lora_vit-tiny_digits_continual.py'


def fake_launcher(launched, val_of_command):
    """A stand-in for subprocess.run in mmforget.benchmarks.runs: it
    records the tools/train.py command and writes a one-task summary with
    the validation scores ``val_of_command(command)`` (None: no val)."""
    from mmforget.benchmarks import runs

    def fake_train(command, **kwargs):
        launched.append(command)
        directory = command[command.index('--work-dir') + 1]
        os.makedirs(directory, exist_ok=True)
        val = val_of_command(command)
        with open(os.path.join(directory, runs.SUMMARY), 'w') as f:
            json.dump(dict(tasks=[dict(val=val)] if val else [dict()]), f)
        return runs.subprocess.CompletedProcess(command, 0, '', '')
    return fake_train


def test_tuning_ranks_by_validation_h_mean_within_the_limits(
        tmp_path, monkeypatch):
    """tools/tune_on_val.py runs every grid point (each seed), ranks them by
    the mean validation H-Mean, ranks a point over --max-forget after every
    point that meets it, and refuses a config without validation scores.
    The runs are faked (their scores given); that a real forgetting weight
    forgets more on val is asserted by the plan test below."""
    from mmforget.benchmarks import runs
    launched = []

    def val(command):
        weight = next(c for c in command if 'loss_weight=' in c)
        return {'0.0': dict(h_mean=60., forget=40., retain=90., old=None),
                '0.5': dict(h_mean=80., forget=10., retain=88., old=None),
                '1.0': dict(h_mean=70., forget=2., retain=70., old=None),
                }[weight.split('=')[1]]
    monkeypatch.setattr(runs.subprocess, 'run', fake_launcher(launched, val))
    grid = 'train_cfg.method.forget_loss.loss_weight=0.0|0.5|1.0'
    argv = ['tools/tune_on_val.py', CONFIG, '--grid', grid, '--seeds', '0',
            '1', '--out-dir', str(tmp_path / 'tune')]
    code, out, err = call_tool(argv)
    assert code == 0 and len(launched) == 6, err[-2000:]
    ranked = json.load(open(tmp_path / 'tune' / 'tune.json'))['results']
    assert [r['options']['train_cfg.method.forget_loss.loss_weight']
            for r in ranked] == ['0.5', '1.0', '0.0']
    assert ranked[0]['val']['h_mean'] == 80.
    assert "best on val: {'train_cfg.method.forget_loss.loss_weight': " \
        "'0.5'}" in out
    # Acc_f at most 5: only 1.0 meets it, so it ranks first; finished runs
    # are reused (nothing more launched).
    code, out, err = call_tool(argv + ['--max-forget', '5'])
    assert code == 0 and len(launched) == 6, err[-2000:]
    ranked = json.load(open(tmp_path / 'tune' / 'tune.json'))['results']
    assert ranked[0]['options'][
        'train_cfg.method.forget_loss.loss_weight'] == '1.0'
    monkeypatch.setattr(runs.subprocess, 'run',
                        fake_launcher(launched, lambda command: None))
    code, _, err = call_tool(argv[:-1] + [str(tmp_path / 'no-val')])
    assert code == 1 and 'has no validation scores' in err


def test_a_run_is_trained_resumed_once_or_reused(tmp_path, monkeypatch):
    """runs.run launches tools/train.py for a new run, resumes a run
    whose summary is there but whose wall time is missing (an interrupted
    comparison: its time is then unknown) and reuses a finished run
    without launching anything."""
    from mmforget.benchmarks import runs
    launched = []
    monkeypatch.setattr(runs.subprocess, 'run',
                        fake_launcher(launched, lambda command: None))
    assert runs.run(CONFIG, 0, str(tmp_path)) == dict(tasks=[{}])
    assert len(launched) == 1 and '--resume' not in launched[0]
    directory = runs.run_dir(CONFIG, 0, str(tmp_path))
    wall = os.path.join(directory, runs.WALL)
    assert json.load(open(wall))['seconds'] is not None
    os.remove(wall)
    runs.run(CONFIG, 0, str(tmp_path))
    assert len(launched) == 2 and '--resume' in launched[1]
    assert json.load(open(wall))['seconds'] is None
    runs.run(CONFIG, 0, str(tmp_path))
    assert len(launched) == 2  # reused


def test_a_plan_tunes_on_val_runs_the_picks_and_tabulates(tmp_path,
                                                         pretrained):
    """The method that forgets more on the validation split is the pick;
    the pick runs every seed, the reference is not tuned, and the table
    gives each method's time relative to the reference."""
    plan = tmp_path / 'plan.py'
    plan.write_text(f'''
reference = 'Retrain'
options = ['model.pretrained={pretrained}', 'train_cfg.max_epochs=1',
           'train_dataloader.dataset.schedule.num_tasks=1',
           'train_dataloader.dataset.data_ratio=0.2']
tune = dict(seed=0, options=[])
settings = [dict(name='full data', suffix='', seeds=[0])]
methods = [
    dict(name='Retrain',
         config='configs/retrain/retrain_vit-tiny_digits_continual.py'),
    dict(name='GS-LoRA',
         config='configs/gs_lora/gs-lora_vit-tiny_digits_continual.py',
         grid={{'train_cfg.method.forget_loss.loss_weight': [0.0, 0.5]}}),
    dict(name='GS-LoRA, rank 2', pick_of='GS-LoRA',
         config='configs/gs_lora/gs-lora_vit-tiny_digits_continual.py',
         options=['model.lora.rank=2']),
]
''')
    out_dir = tmp_path / 'out'
    code, log, err = call_tool(['tools/compare_methods.py', '--plan',
                                str(plan), '--out-dir', str(out_dir),
                                '--jobs', '2'])
    assert code == 0, (log + err)[-3000:]
    tuning = json.load(open(out_dir / 'tuning.json'))
    assert set(tuning['results']) == {'GS-LoRA'}  # Retrain is not tuned
    assert tuning['picks']['GS-LoRA'] == {
        'train_cfg.method.forget_loss.loss_weight': 0.5}
    points = {r['options']['train_cfg.method.forget_loss.loss_weight']:
              r['val'] for r in tuning['results']['GS-LoRA']}
    assert points[0.5] > points[0.0]
    runs = sorted(os.listdir(out_dir / 'full-data'))
    assert len(runs) == 3 and all('loss-weight=0.0' not in r for r in runs)
    # A row that borrows a pick runs it with its own options on top.
    assert sum('rank=2' in r and 'loss-weight=0.5' in r
               for r in runs) == 1
    table = (out_dir / 'comparison.md').read_text().split('### Picks')[0]
    rows = {line.split(' | ')[0].strip('| '): line.split(' | ')
            for line in table.splitlines() if line.startswith('| ')}
    assert rows['Retrain'][1] == '1' and rows['GS-LoRA'][1] == '1'
    assert rows['Retrain'][-2] == '1.00'  # x Retrain
    assert rows['GS-LoRA, rank 2'][1] == '1'
    # The gap cards of the same runs: every method's last task against
    # Retrain of the same seed, each run checked once.
    args = ['tools/compare_checks.py', '--plan', str(plan), '--out-dir',
            str(out_dir), '--per-class', '20']
    code, log, err = call_tool(args)
    assert code == 0, (log + err)[-3000:]
    cards = (out_dir / 'gap_cards.md').read_text()
    assert '| metric | better | O | Retrain | GS-LoRA | GS-LoRA, rank 2 |' \
        in cards
    probe = next(line for line in cards.splitlines()
                 if line.startswith('| probe_acc_f |'))
    assert probe.count('(') == 2  # gap and Residual for the two non-refs
    assert any(line.startswith('| rte | lower |')
               for line in cards.splitlines())
    from PIL import Image  # the Residual heat map: one panel, two methods
    assert Image.open(out_dir / 'gap_cards.png').size[0] > 200
    cached = {p: p.stat().st_mtime_ns
              for p in out_dir.glob('full-data/*/checks_task_0.json')}
    assert len(cached) == 3
    code, _, _ = call_tool(args)
    assert code == 0
    assert {p: p.stat().st_mtime_ns for p in cached} == cached
    assert (out_dir / 'comparison.png').is_file()


def test_detection_comparison_tabulates_the_forgotten_object_fate():
    """Detection runs (AP, with ``object_fate``) get AP headers and a fate
    table: mean ± std over seeds, per task."""
    from mmengine.config import ConfigDict

    from mmforget.benchmarks.tables import comparison_tables as tables

    def summary(detected, background):
        return dict(metric='bbox_mAP', tasks=[dict(
            h_mean=60.0, retain=70.0, forget=0.0, train_seconds=10.0,
            trainable_params=1, total_params=10,
            object_fate=dict(fof_detected=detected, fof_relabelled=0.0,
                             fof_background=background,
                             agnostic_recall=90.0))])
    plan = ConfigDict(
        reference='Retrain', tune=dict(seed=0, options=[]),
        settings=[dict(name='full data', seeds=[0, 1])],
        methods=[dict(name='Retrain'), dict(name='GS-LoRA')])
    results = {'full data': {
        'Retrain': [dict(summary=summary(0.0, 100.0), wall=60)],
        'GS-LoRA': [dict(summary=summary(10.0, 90.0), wall=30),
                    dict(summary=summary(20.0, 80.0), wall=30)]}}
    text = tables(plan, results, {}, {})
    assert 'task 0: H / AP_r / AP_f / AP_o' in text
    assert '| GS-LoRA | 15.0±7.1 / 0.0±0.0 / 85.0±7.1 / 90.0±0.0 |' in text
    assert '| Retrain | 0.0 / 0.0 / 100.0 / 90.0 |' in text
    assert 'Picks' not in text  # nothing was tuned


def test_compact_gap_card_table_by_hand():
    """One row per method: U's mean over seeds, the mean Residual against
    the Retrain run of the same seed, and the Avg.Gap (mean |U - R| over
    UA, RA, TA and MIA-Efficacy), here computed by hand."""
    from mmengine.config import ConfigDict

    from mmforget.benchmarks.gap_cards import summary_table
    plan = ConfigDict(reference='Retrain',
                      methods=[dict(name='Retrain'), dict(name='GS-LoRA')])
    original = dict(probe_acc_f=90.0, ua=0.0, ra=99.0, ta=90.0,
                    mia_efficacy=10.0)

    def card(probe, ua, ra, ta, mia):
        return dict(O=original, U=dict(probe_acc_f=probe, ua=ua, ra=ra,
                                       ta=ta, mia_efficacy=mia))
    cards = {'full data': {
        'Retrain': {0: card(30.0, 100.0, 95.0, 85.0, 100.0),
                    1: card(50.0, 100.0, 95.0, 85.0, 100.0)},
        'GS-LoRA': {0: card(60.0, 98.0, 90.0, 84.0, 96.0),
                    1: card(50.0, 100.0, 91.0, 85.0, 100.0)}}}
    rows = {line.split(' | ')[0].strip('| '): line.split(' | ')
            for line in summary_table(plan, cards).splitlines()
            if line.startswith('| ')}
    probe = rows['method'].index('probe_acc_f')
    # Residuals (60-30)/(90-30) = 0.5 and (50-50)/(90-50) = 0: mean 0.25.
    assert rows['GS-LoRA'][probe] == '55.0±7.1 (0.25)'
    assert rows['Retrain'][probe] == '40.0±14.1'
    assert rows['original (O)'][probe] == '90.0'
    # Avg.Gap: seed 0 (2 + 5 + 1 + 4) / 4 = 3, seed 1 (0 + 4 + 0 + 0) / 4 = 1.
    assert rows['GS-LoRA'][-1].strip(' |') == '2.0±1.4'


def timed_run(seconds):
    """A one-task classification run that trained ``seconds``."""
    return dict(wall=None, summary=dict(metric='accuracy', tasks=[dict(
        h_mean=1.0, retain=1.0, forget=0.0, train_seconds=seconds,
        trainable_params=1, total_params=1)]))


def test_few_shot_times_are_relative_to_the_full_data_retrain():
    from mmengine.config import ConfigDict

    from mmforget.benchmarks.tables import comparison_tables as tables

    plan = ConfigDict(
        reference='Retrain', tune=dict(seed=0, options=[]),
        settings=[dict(name='full data', seeds=[0]),
                  dict(name='4-shot', seeds=[0])],
        methods=[dict(name='Retrain', settings=['full data']),
                 dict(name='GS-LoRA')])
    results = {'full data': {'Retrain': [timed_run(100.0)],
                             'GS-LoRA': [timed_run(50.0)]},
               '4-shot': {'GS-LoRA': [timed_run(20.0)]}}
    few_shot = tables(plan, results, {}, {}).split('### 4-shot')[1]
    row = next(line for line in few_shot.splitlines()
               if line.startswith('| GS-LoRA'))
    assert row.split(' | ')[-2] == '0.20'  # 20 s against Retrain's 100 s


def test_the_time_ratio_names_the_plan_reference():
    """A plan measured against GS-LoRA (no Retrain runs, e.g. the DINO
    detection targets) says so in its header, and divides by GS-LoRA."""
    from mmengine.config import ConfigDict

    from mmforget.benchmarks.tables import comparison_tables as tables

    plan = ConfigDict(
        reference='GS-LoRA', tune=dict(seed=0, options=[]),
        settings=[dict(name='full data', seeds=[0])],
        methods=[dict(name='GS-LoRA'), dict(name='EU-k')])
    text = tables(plan, {'full data': {'GS-LoRA': [timed_run(40.0)],
                                       'EU-k': [timed_run(100.0)]}}, {}, {})
    assert '| s / task | x GS-LoRA | run (min) |' in text
    assert 'x Retrain' not in text
    row = next(line for line in text.splitlines()
               if line.startswith('| EU-k'))
    assert row.split(' | ')[-2] == '2.50'  # 100 s against GS-LoRA's 40 s


def test_pick_most_turns_the_knob_as_far_as_the_kept_accuracy_allows(
        tmp_path, monkeypatch):
    """A plan's ``pick_most`` picks the largest noise whose validation
    Acc_r is within ``keep_within`` of the named method's (run once on val
    for it), not the best H-Mean; with no point within, the best H-Mean;
    a rule over an option outside the grid is refused. Runs faked."""
    from mmengine.config import Config

    from mmforget.benchmarks import runs
    from mmforget.benchmarks.plans import PlanError, validate_plan
    from mmforget.benchmarks.tables import picks_table
    from mmforget.benchmarks.tuning import tune_plan
    launched = []
    noise = 'train_cfg.method.noise'

    def val(command):
        if 'head_reset' in ' '.join(command):
            return dict(h_mean=94., forget=0., retain=95., old=None)
        point = next(c for c in command if c.startswith(noise + '='))
        retain = {'0.5': 96., '0.7': 93.5, '0.9': 91.}[point.split('=')[1]]
        return dict(h_mean=retain - 2, forget=0., retain=retain, old=None)
    monkeypatch.setattr(runs.subprocess, 'run', fake_launcher(launched, val))

    def plan(keep_within, option=noise):
        return validate_plan(Config(dict(
            reference='Head reset', tune=dict(seed=0, options=[]),
            settings=[dict(name='full data', suffix='', seeds=[0])],
            methods=[
                dict(name='Head reset', config='configs/head_reset/'
                     'head-reset_vit-tiny_digits_continual.py'),
                dict(name='UNDO',
                     config='configs/undo/undo_vit-tiny_digits_continual.py',
                     grid={noise: [0.5, 0.7, 0.9]},
                     pick_most=dict(option=option, keep_within=keep_within,
                                    of='Head reset'))])))
    picks, table = tune_plan(plan(2.0), str(tmp_path), runs.Runner(1))
    assert len(launched) == 4  # three grid points and Head reset once
    assert picks['UNDO'] == {noise: 0.7}  # 93.5 >= 95 - 2; 0.9's 91 is not
    assert [row['options'][noise] for row in table['UNDO']] == [0.5, 0.7,
                                                                0.9]
    line = picks_table(plan(2.0), picks, table)[-1]
    assert "within 2 of Head reset's (95.0)" in line
    assert '0.7: 91.5 (Acc_r 93.5)' in line
    picks, _ = tune_plan(plan(0.5), str(tmp_path), runs.Runner(1))
    assert picks['UNDO'] == {noise: 0.5} and len(launched) == 4  # reused
    with pytest.raises(PlanError, match='pick_most needs a grid'):
        plan(2.0, option='optim_wrapper.optimizer.lr')


def test_rows_keep_the_named_methods_in_order_and_refuse_unknown_names():
    """A plan that inherits another runs part of its rows; a row renamed in
    the base must not drop out silently."""
    from mmengine.config import Config

    from mmforget.benchmarks.plans import PlanError, validate_plan

    def plan(rows):
        return validate_plan(Config(dict(
            reference='Retrain', tune=dict(seed=0, options=[]),
            settings=[dict(name='full data', suffix='', seeds=[0])],
            methods=[dict(name=n, config=f'{n}.py')
                     for n in ('Retrain', 'Head reset', 'UNDO', 'PRR')],
            rows=rows)))
    assert [m['name'] for m in plan(('PRR', 'Retrain'))['methods']] == [
        'Retrain', 'PRR']
    assert len(plan(None)['methods']) == 4
    with pytest.raises(PlanError, match=r"rows names \['UNDO, one'\]"):
        plan(('Retrain', 'UNDO, one'))
    with pytest.raises(PlanError, match='reference'):
        plan(('Head reset', ))


def test_a_plan_can_tabulate_which_blocks_each_method_changed():
    """With ``block_norms`` the comparison adds each block's adapter norm
    per task, mean ± std over seeds; a method without adapters has no
    row; without the key, no table."""
    from mmengine.config import ConfigDict

    from mmforget.benchmarks.tables import comparison_tables as tables

    def run(norms):
        result = timed_run(10.0)
        result['summary']['tasks'][0]['group_norms'] = norms
        return result
    plan = ConfigDict(
        reference='Retrain', tune=dict(seed=0, options=[]),
        settings=[dict(name='full data', seeds=[0, 1])],
        methods=[dict(name='Retrain'), dict(name='LoRA + l1')],
        block_norms=True)
    results = {'full data': {
        'Retrain': [timed_run(40.0)] * 2,
        'LoRA + l1': [run({'0': 0.0, '1': 2.0}), run({'0': 0.0, '1': 4.0})]}}
    text = tables(plan, results, {}, {})
    assert '| method | task | block 0 | block 1 |' in text
    assert '| LoRA + l1 | 0 | 0.0±0.0 | 3.0±1.4 |' in text
    assert '| Retrain | 0 |' not in text
    plan.block_norms = False
    assert 'block 0' not in tables(plan, results, {}, {})
