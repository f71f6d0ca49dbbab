import os
import socket
import subprocess
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_tool(args, env, timeout=600):
    """Run a tools/*.py script with this Python; (result, combined log)."""
    result = subprocess.run([sys.executable] + args, cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=timeout)
    return result, result.stdout + result.stderr


@pytest.fixture
def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.fixture
def python_env():
    """Environment for subprocesses running the tools with this Python."""
    env = dict(os.environ)
    env['PYTHON'] = sys.executable
    env['PYTHONWARNINGS'] = 'ignore'
    return env


@pytest.fixture(autouse=True)
def mmpretrain_scope():
    """Build with mmpretrain's registries, as its configs do; an earlier
    test's Runner may have left another default scope behind."""
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        yield


@pytest.fixture(scope='session')
def pretrained(tmp_path_factory):
    """A briefly trained digits ViT (its accuracy does not matter here)."""
    work_dir = tmp_path_factory.mktemp('pretrain')
    env = dict(os.environ, PYTHONWARNINGS='ignore')
    result, log = run_tool(
        ['tools/train.py', 'configs/pretrain/vit-tiny_digits.py', '--work-dir', str(work_dir),
         '--cfg-options', 'train_cfg.max_epochs=12',
         'param_scheduler.1.end=12'], env)
    assert result.returncode == 0, log[-3000:]
    path = str(work_dir / 'vit-tiny_digits.pth')
    result, log = run_tool(
        ['tools/publish_checkpoint.py', str(work_dir), path], env)
    assert result.returncode == 0, log[-3000:]
    return path
