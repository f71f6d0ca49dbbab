"""The cached package model index gives what mmengine's lookup gives."""
import importlib
import os.path as osp

import mmengine.config.utils as config_utils
import pytest
from mmengine.config import Config
from mmengine.utils import get_installed_path

from conftest import REPO_ROOT
from mmforget.compat import config_index


def test_the_cache_is_in_place_and_answers_as_mmengine():
    assert config_utils._get_cfg_metainfo is config_index.cached_cfg_metainfo
    package = get_installed_path('mmpretrain')
    original = importlib.reload(config_utils)._get_cfg_metainfo  # mmengine's
    config_index.cache_package_model_indexes()
    name = 'deit/deit-tiny_4xb256_in1k.py'  # a key of mmpretrain's index
    assert config_index.cached_cfg_metainfo(package, name) == \
        original(package, name)
    # The base-config paths miss the index: the same error, which
    # mmengine's Config catches to read the base file instead.
    messages = []
    for lookup in (original, config_index.cached_cfg_metainfo):
        with pytest.raises(ValueError) as error:
            lookup(package, 'vision_transformer/vit-base-p16_64xb64_in1k')
        messages.append(str(error.value))
    assert messages[0] == messages[1]


def test_configs_parse_to_the_same_dicts_with_and_without_the_cache():
    configs = [osp.join(REPO_ROOT, c) for c in (
        'configs/pretrain/vit-tiny_digits.py',
        'configs/gs_lora/gs-lora_vit-6b_numbers_continual-4shot.py',
        'configs/gs_lora/gs-lora_deformable-detr_r50_coco_continual.py')]
    cached = [Config.fromfile(c).to_dict() for c in configs]
    importlib.reload(config_utils)  # mmengine's lookup again
    try:
        assert config_utils._get_cfg_metainfo is not \
            config_index.cached_cfg_metainfo
        plain = [Config.fromfile(c).to_dict() for c in configs]
    finally:
        config_index.cache_package_model_indexes()
    assert cached == plain
