"""`mim train mmforget CONFIG` / `mim test mmforget CONFIG` find mmforget's
tools and configs: the install puts them in `mmforget/.mim` (links for an
editable install, copies in a wheel) and mim's package lookup lands there."""
import filecmp
import json
import os
import os.path as osp
import shutil
import subprocess
import sys

import pytest

import mmforget

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = 'configs/gs_lora/gs-lora_vit-tiny_digits_continual.py'
MIM_FILES = ['tools/train.py', 'tools/test.py', CONFIG]


def same_file(path, repo_relpath):
    """A link into the checkout, or a copy of the checkout's file."""
    src = osp.join(REPO_ROOT, repo_relpath)
    return (osp.realpath(path) == osp.realpath(src)
            or filecmp.cmp(path, src, shallow=False))


def run_python(code, cwd):
    """Run `code` with this Python outside the checkout, as the `mim`
    script runs: the checkout is on sys.path only if the install put it
    there."""
    env = dict(os.environ, PYTHONWARNINGS='ignore')
    result = subprocess.run([sys.executable, '-c', code], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_installed_package_has_mim_files():
    mim_dir = osp.join(osp.dirname(mmforget.__file__), '.mim')
    for relpath in MIM_FILES:
        path = osp.join(mim_dir, relpath)
        assert osp.isfile(path), f'{path} is missing'
        assert same_file(path, relpath), path
    if osp.realpath(mmforget.__file__).startswith(
            osp.realpath(REPO_ROOT) + os.sep):
        # Editable install: links, so later edits of the checkout count.
        for name in ('tools', 'configs'):
            assert osp.islink(osp.join(mim_dir, name))
            assert osp.samefile(osp.join(mim_dir, name),
                                osp.join(REPO_ROOT, name))


# mim's lookup (mim/utils/utils.py get_installed_path and the config search
# of mim/commands/train.py and test.py), without mim.
MIM_LOOKUP = r'''
import json, os, os.path as osp
import pkg_resources
import mmforget
dist = pkg_resources.get_distribution('mmforget')
root = osp.join(dist.location, 'mmforget')
found = [osp.join(d, {name!r}) for d, _, files in
         os.walk(root, followlinks=True) if {name!r} in files]
print(json.dumps(dict(
    root=root, package=osp.dirname(mmforget.__file__), found=found,
    train=osp.join(root, '.mim', 'tools', 'train.py'),
    test=osp.join(root, '.mim', 'tools', 'test.py'))))
'''


def test_mim_lookup_reaches_the_installed_package(tmp_path):
    info = run_python(MIM_LOOKUP.format(name=osp.basename(CONFIG)), tmp_path)
    assert osp.isdir(info['root']), (
        f"mim would look for mmforget in {info['root']}, which does not "
        'exist; install with `make install` or `pip install .`')
    assert osp.samefile(info['root'], info['package'])
    assert len(info['found']) == 1, info['found']
    assert same_file(info['found'][0], CONFIG)
    assert same_file(info['train'], 'tools/train.py')
    assert same_file(info['test'], 'tools/test.py')


# mim's own train/test commands, up to the command they would run.
MIM_COMMANDS = r'''
import importlib, json, subprocess
mim_train = importlib.import_module('mim.commands.train')
mim_test = importlib.import_module('mim.commands.test')
commands = []
def check_call(cmd, **kwargs):
    commands.append(cmd)
    return 0
subprocess.check_call = check_call
ok_train, _ = mim_train.train(
    'mmforget', {name!r}, gpus=1, other_args=('--work-dir', 'work'))
ok_test, _ = mim_test.test(
    'mmforget', {name!r}, checkpoint='task_3.pth', gpus=1)
print(json.dumps(dict(ok=[ok_train, ok_test], commands=commands)))
'''


def test_mim_train_and_test_run_the_tools(tmp_path):
    pytest.importorskip('mim')
    info = run_python(MIM_COMMANDS.format(name=osp.basename(CONFIG)),
                      tmp_path)
    assert info['ok'] == [True, True]
    train_cmd, test_cmd = info['commands']
    assert same_file(train_cmd[1], 'tools/train.py')
    assert train_cmd[2] == osp.realpath(osp.join(REPO_ROOT, CONFIG))
    assert train_cmd[3:] == ['--launcher', 'none', '--work-dir', 'work']
    assert same_file(test_cmd[1], 'tools/test.py')
    assert test_cmd[2:] == [osp.realpath(osp.join(REPO_ROOT, CONFIG)),
                            'task_3.pth', '--launcher', 'none']


def test_wheel_build_copies_tools_and_configs(tmp_path):
    src = tmp_path / 'src'
    ignore = shutil.ignore_patterns('.mim', '__pycache__', '*.egg-info')
    src.mkdir()
    for name in ('setup.py', 'MANIFEST.in'):
        shutil.copy(osp.join(REPO_ROOT, name), src / name)
    for name in ('mmforget', 'tools', 'configs', 'requirements'):
        shutil.copytree(osp.join(REPO_ROOT, name), src / name, ignore=ignore)
    lib = tmp_path / 'lib'
    result = subprocess.run(
        [sys.executable, 'setup.py', '-q', 'build_py', '--build-lib',
         str(lib)], cwd=src, capture_output=True, text=True, timeout=300,
        env=dict(os.environ, PYTHONWARNINGS='ignore'))
    assert result.returncode == 0, result.stdout + result.stderr
    mim_dir = lib / 'mmforget' / '.mim'
    for relpath in MIM_FILES:
        path = mim_dir / relpath
        assert path.is_file() and not path.is_symlink(), path
        assert filecmp.cmp(path, osp.join(REPO_ROOT, relpath), shallow=False)
    assert not list(mim_dir.rglob('__pycache__'))
