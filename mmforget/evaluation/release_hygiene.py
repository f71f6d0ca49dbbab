"""What a released forgotten model may hold, and what changed in it.

A task checkpoint in the work dir keeps what ``tools/test.py`` needs (the
task's class ids in ``meta.forgetting_task``). The release file a user
hands on holds the merged weights only: no LoRA adapters (removing them
restores the classes), optimizer or message-hub state (Adam's moments are
gradients of the forgotten data), EMA copies (they lag towards the
original), prototypes, config text or class ids of the forgotten classes.
"""
import os
import os.path as osp
import re

import torch

from mmforget.models.classifiers.gated_adapter_classifier import \
    GATE_PREFIX

RELEASE_DIR = 'release'
# Top-level keys a release may have.
RELEASE_KEYS = {'state_dict', 'meta'}
# meta keys that are harmless: no class ids, no config text.
RELEASE_META_KEYS = {'release', 'method', 'mmengine_version'}
# State-dict key parts that betray an unmerged or restorable model.
FORBIDDEN_PARAM_PARTS = ('lora_', 'ema_', 'prototype', 'teacher', 'anchor')


def release_path(work_dir, task_index):
    return osp.join(work_dir, RELEASE_DIR, f'task_{task_index}.pth')


def write_release(state_dict, path, method=None):
    """Write the release file of a task: merged weights and nothing else
    (loads with ``torch.load(weights_only=True)``)."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    meta = dict(release=True)
    if method:
        meta['method'] = str(method)
    checkpoint = dict(
        state_dict={k: v.detach().cpu().clone()
                    for k, v in state_dict.items()},
        meta=meta)
    torch.save(checkpoint, path + '.tmp')
    os.replace(path + '.tmp', path)


def hygiene_problems(checkpoint):
    """Everything in ``checkpoint`` (a loaded dict) that a release must
    not hold, one line each; empty when it is clean."""
    problems = []
    extra = sorted(set(checkpoint) - RELEASE_KEYS)
    for key in extra:
        problems.append(f'top-level "{key}" (optimizer, message hub, '
                        'schedulers or EMA state belong to training only)')
    state = checkpoint.get('state_dict', {})
    gate = [k for k in state if k.startswith(GATE_PREFIX)]
    if gate:
        problems.append(
            'restorable: the original weights ship with a gate '
            f'({len(gate)} detector tensors, e.g. {gate[0]}): the adapters '
            'act only on the images a detector claims, so a gate set to 0 '
            'or deleted adapters give the original model back, and the '
            "detectors keep a bank of the forgotten images' features. Such "
            'a model (O3) cannot satisfy an erasure request on its own')
    for part in FORBIDDEN_PARAM_PARTS:
        keys = [k for k in state if part in k]
        if keys:
            problems.append(f'{len(keys)} weights named "*{part}*" (e.g. '
                            f'{keys[0]}): merge or drop them before release')
    meta = checkpoint.get('meta') or {}
    for key in sorted(set(meta) - RELEASE_META_KEYS):
        why = {'forgetting_task': 'names the forgotten classes',
               'cfg': 'the config text describes the forgetting schedule',
               'dataset_meta': 'lists the class names'}.get(
                   key, 'only ' + ', '.join(sorted(RELEASE_META_KEYS)) +
                   ' are allowed')
        problems.append(f'meta "{key}" ({why})')
    return problems


def block_name(key):
    """The block a weight belongs to: 'backbone.layers.3' for a ViT FFN
    weight, else the key up to its last part."""
    match = re.match(r'(.*?\.(?:layers|blocks)\.\d+)\.', key)
    return match.group(1) if match else key.rsplit('.', 1)[0]


def weight_changes(state, original, tol=1e-6):
    """Changed tensors against the original: relative Frobenius change and,
    for matrices, the rank of the change (a LoRA of rank r gives <= r)."""
    rows = []
    for key, value in state.items():
        if key not in original or not torch.is_floating_point(value):
            continue
        delta = value.double() - original[key].double()
        norm = float(torch.linalg.norm(delta))
        if norm <= tol * max(1.0, float(torch.linalg.norm(
                original[key].double()))):
            continue
        rank = (int(torch.linalg.matrix_rank(delta, rtol=1e-6))
                if delta.dim() == 2 else None)
        rows.append(dict(
            key=key, block=block_name(key),
            relative_change=norm / max(float(torch.linalg.norm(
                original[key].double())), 1e-12), rank=rank))
    return rows
