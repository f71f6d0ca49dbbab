import os
import socket
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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
