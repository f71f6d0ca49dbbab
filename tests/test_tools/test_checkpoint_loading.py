"""mmengine checkpoints load with torch's safe unpickler; others are refused."""
import pathlib

import pytest
import torch
import torch.nn as nn
from mmengine.logging import HistoryBuffer
from mmengine.model import BaseModel
from mmengine.runner import Runner
from mmengine.runner.checkpoint import _load_checkpoint
from torch.utils.data import Dataset

from mmforget.compat import UnreadableCheckpointError, UnsafeCheckpointError


class ToyModel(BaseModel):

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 1)

    def forward(self, inputs, labels, mode='tensor'):
        outputs = self.linear(torch.stack(inputs))
        if mode == 'loss':
            return dict(loss=((outputs - torch.stack(labels))**2).mean())
        return outputs


class ToyDataset(Dataset):

    def __len__(self):
        return 8

    def __getitem__(self, index):
        return dict(inputs=torch.full((2, ), float(index)),
                    labels=torch.ones(1))


def build_runner(work_dir, max_epochs, resume=False):
    return Runner(
        model=ToyModel(),
        work_dir=str(work_dir),
        train_dataloader=dict(
            dataset=ToyDataset(), sampler=dict(type='DefaultSampler'),
            batch_size=4, num_workers=0),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        train_cfg=dict(by_epoch=True, max_epochs=max_epochs),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook',
                                           interval=1)),
        resume=resume,
        default_scope='mmengine',
        experiment_name=f'toy_{max_epochs}_{resume}')


def test_mmengine_checkpoint_resumes(tmp_path):
    build_runner(tmp_path, max_epochs=1).train()
    checkpoint = _load_checkpoint(str(tmp_path / 'epoch_1.pth'))
    assert isinstance(
        checkpoint['message_hub']['log_scalars']['train/loss'], HistoryBuffer)

    runner = build_runner(tmp_path, max_epochs=2, resume=True)
    runner.train()
    assert runner.epoch == 2
    assert runner.iter == 4  # 2 iterations per epoch, the first epoch resumed


class WritesAFile:
    """Unpickling this object would create a file: it must never run."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (pathlib.Path.touch, (pathlib.Path(self.path), ))


def test_checkpoint_with_a_callable_is_refused(tmp_path):
    marker = tmp_path / 'was_executed'
    path = tmp_path / 'evil.pth'
    torch.save(dict(state_dict={}, payload=WritesAFile(marker)), path)
    with pytest.raises(UnsafeCheckpointError, match='Refused to load'):
        _load_checkpoint(str(path))
    assert not marker.exists()


class AsksForAnyAttribute:

    def __reduce__(self):
        return (getattr, (HistoryBuffer, 'update'))


def test_getattr_is_allowed_only_for_history_buffer_statistics(tmp_path):
    path = tmp_path / 'getattr.pth'
    torch.save(dict(state_dict={}, payload=AsksForAnyAttribute()), path)
    with pytest.raises(UnsafeCheckpointError, match='getattr'):
        _load_checkpoint(str(path))


def corrupt_files(tmp_path):
    """Random bytes, a truncated zip checkpoint, a truncated legacy one and
    an empty file, with the reason each gets."""
    real = tmp_path / 'real.pth'
    torch.save(dict(state_dict={'w': torch.randn(200, 100)}), real)
    legacy = tmp_path / 'legacy.pth'
    torch.save(dict(state_dict={'w': torch.randn(200, 100)}), legacy,
               _use_new_zipfile_serialization=False)
    files = {}
    for name, data, reason in (
            ('random.pth', bytes(range(256)) * 20,
             'neither a zip archive nor a pickle of torch.save'),
            ('truncated.pth', real.read_bytes()[:5000],
             'a zip archive whose end is missing: truncated'),
            ('truncated_legacy.pth', legacy.read_bytes()[:5000],
             'damaged data: unexpected EOF'),
            ('empty.pth', b'', 'the file is empty')):
        (tmp_path / name).write_bytes(data)
        files[str(tmp_path / name)] = reason
    return files


def test_unreadable_file_is_not_called_unsafe(tmp_path):
    """A corrupt or cut-short file is no checkpoint at all, not a pickle
    that could run code: the message says so, in one line."""
    for path, reason in corrupt_files(tmp_path).items():
        with pytest.raises(UnreadableCheckpointError) as info:
            _load_checkpoint(path)
        message = str(info.value)
        assert message.startswith(
            f'{path} is not a readable checkpoint ({reason}')
        assert 'written by torch.save' in message
        assert '\n' not in message and 'arbitrary code' not in message
