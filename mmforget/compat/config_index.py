"""Read a package's model index once per process, not once per base config.

mmengine 0.10.7 resolves every ``_base_ = 'mmpretrain::...'`` by loading the
package's ``model-index.yml`` and all of its metafiles (85 YAML files for
mmpretrain, about 0.17 s), then looking the name up: a config with two such
bases spends 85% of ``Config.fromfile`` there, and a tool that reads many
configs (a comparison plan, the config tests) pays it for each. The files
belong to an installed package and do not change while it runs, so the
name -> metainfo table is built once per package; lookups, the error for a
name that is not in it, and the result are mmengine's.
"""
import os.path as osp
import warnings

import mmengine.config.utils as config_utils
from mmengine.fileio import load

_tables = {}


def model_index(package_path):
    """Config name -> metainfo of the models a package's index lists (the
    first entry of a name, as mmengine keeps)."""
    if package_path not in _tables:
        index = load(osp.join(package_path, '.mim', 'model-index.yml'))
        table = {}
        for meta_path in index['Import']:
            meta = load(osp.join(package_path, '.mim', meta_path))
            for model_cfg in meta['Models']:
                if 'Config' not in model_cfg:
                    warnings.warn(
                        f'There is not `Config` define in {model_cfg}')
                    continue
                table.setdefault(model_cfg['Config'].partition('/')[-1],
                                 model_cfg)
        _tables[package_path] = table
    return _tables[package_path]


def cached_cfg_metainfo(package_path, cfg_path):
    """``mmengine.config.utils._get_cfg_metainfo`` over a cached index."""
    table = model_index(package_path)
    if cfg_path not in table:
        raise ValueError(f'Expected configs: {table.keys()}, but got '
                         f'{cfg_path}')
    return dict(table[cfg_path])


def cache_package_model_indexes():
    config_utils._get_cfg_metainfo = cached_cfg_metainfo


cache_package_model_indexes()
