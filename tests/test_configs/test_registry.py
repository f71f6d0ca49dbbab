"""Every registry location imports and configs reach mmforget's types."""
import importlib

import pytest
from mmengine.registry import DATASETS, DefaultScope

from mmforget.registry import ALL_REGISTRIES


@pytest.mark.parametrize(
    'location',
    sorted({loc for reg in ALL_REGISTRIES for loc in reg._locations}))
def test_registry_location_imports(location):
    importlib.import_module(location)


@pytest.mark.parametrize('scope', ['mmpretrain', 'mmdet'])
def test_mmforget_types_resolve_from_downstream_scopes(scope):
    with DefaultScope.overwrite_default_scope(scope):
        from mmengine.registry import FUNCTIONS
        assert DATASETS.get('mmforget.DigitsDataset').__name__ == \
            'DigitsDataset'
        assert FUNCTIONS.get('mmforget.forget_retain_collate') is not None
