"""tools/tune_on_val.py ranks hyper-parameters on the validation split."""
import json
import os

from conftest import run_tool

CONFIG = 'configs/gs_lora/gs-lora_vit-tiny_digits_continual.py'


def test_tuning_ranks_by_validation_h_mean(tmp_path, pretrained):
    """beta = 0 never pushes the forgotten digits away (they fade only
    through neglect), so a positive beta forgets more, scores a higher
    validation H-Mean and ranks first."""
    env = dict(os.environ, PYTHONWARNINGS='ignore')
    out_dir = tmp_path / 'tune'
    args = ['tools/tune_on_val.py', CONFIG, '--out-dir', str(out_dir),
            '--grid', 'train_cfg.method.forget_loss.loss_weight=0.0|0.5',
            f'model.pretrained={pretrained}',
            'train_dataloader.dataset.schedule.num_tasks=1',
            'train_cfg.max_epochs=3']
    result, log = run_tool(args, env)
    assert result.returncode == 0, log[-3000:]
    tune = json.load(open(out_dir / 'tune.json'))
    ranked = [r['options']['train_cfg.method.forget_loss.loss_weight']
              for r in tune['results']]
    assert ranked == ['0.5', '0.0']
    best, worst = tune['results']
    assert best['val']['h_mean'] > worst['val']['h_mean']
    assert best['val']['forget'] < worst['val']['forget']
    assert 'best on val' in log
    # A second call reuses the finished runs instead of training again.
    result, log = run_tool(args, env)
    assert result.returncode == 0 and log.count('continuing') == 2
