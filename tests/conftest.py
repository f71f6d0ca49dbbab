import contextlib
import io
import os
import runpy
import socket
import subprocess
import sys
import time
import traceback

import pytest
from mmengine.logging import MMLogger

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_tool(args, env, timeout=600):
    """Run a tools/*.py script with this Python; (result, combined log)."""
    result = subprocess.run([sys.executable] + args, cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=timeout)
    return result, result.stdout + result.stderr


_last_call = 0.0


def call_tool(args):
    """Run a tools/*.py script in this process, as ``python <script>`` from
    the repository root would: (exit status, stdout, stderr). For the
    refusals and small tools, where a new interpreter (5 s of imports)
    adds nothing; an exception the script does not catch is exit status 1
    with its traceback on stderr, as on the command line. Calls start a
    second apart: mmengine names a run's logger and message hub by its
    start second, and two runs of one second would share them."""
    global _last_call
    time.sleep(max(0.0, _last_call + 1.05 - time.time()))
    _last_call = time.time()
    out, err = io.StringIO(), io.StringIO()
    argv, cwd = sys.argv, os.getcwd()
    sys.argv = [str(a) for a in args]
    code = 0
    try:
        os.chdir(REPO_ROOT)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            # mmengine's current logger, as in a new interpreter: one whose
            # handler writes to this call's stdout.
            MMLogger.get_instance(f'call_tool_{_last_call}')
            try:
                runpy.run_path(args[0], run_name='__main__')
            except SystemExit as exit:
                code = exit.code if isinstance(exit.code, int) else (
                    0 if exit.code is None else 1)
                if isinstance(exit.code, str):
                    print(exit.code, file=sys.stderr)
            except Exception:  # noqa: BLE001 - reported as the CLI does
                traceback.print_exc()
                code = 1
    finally:
        sys.argv = argv
        os.chdir(cwd)
    return code, out.getvalue(), err.getvalue()


def run_cli(args):
    """``call_tool`` with its output joined: (exit status, stdout + stderr)."""
    code, out, err = call_tool(args)
    return code, out + err


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
    """A briefly trained digits ViT (its accuracy does not matter here),
    trained once per session: under ``pytest -n`` the first worker trains
    it into the session's shared temporary folder, the others wait and
    read it."""
    if not os.environ.get('PYTEST_XDIST_WORKER'):
        return train_pretrained(tmp_path_factory.mktemp('pretrain'))
    from filelock import FileLock  # installed with torch
    shared = tmp_path_factory.getbasetemp().parent
    with FileLock(str(shared / 'pretrain.lock')):
        path = shared / 'pretrain' / 'vit-tiny_digits.pth'
        if not path.exists():
            train_pretrained(shared / 'pretrain')
    return str(path)


def train_pretrained(work_dir):
    """Train and publish the digits ViT into ``work_dir``; its path."""
    code, out, err = call_tool(
        ['tools/train.py', 'configs/pretrain/vit-tiny_digits.py',
         '--work-dir', str(work_dir), '--cfg-options',
         'train_cfg.max_epochs=12', 'param_scheduler.1.end=12'])
    assert code == 0, (out + err)[-3000:]
    path = str(work_dir / 'vit-tiny_digits.pth')
    code, out, err = call_tool(
        ['tools/publish_checkpoint.py', str(work_dir), path])
    assert code == 0, (out + err)[-3000:]
    return path
