"""Installs mmforget; the OpenMMLab stack is pinned in requirements/.

`mim train mmforget CONFIG` and `mim test mmforget CONFIG` run
`mmforget/.mim/tools/{train,test}.py` and look the config up under
`mmforget/.mim/configs`, as for the OpenMMLab codebases:

* an editable install (`pip install -e .`) links `tools`, `configs` (and
  `model-index.yml` when there is one) into `mmforget/.mim`;
* a wheel (`pip install .`) carries copies of them in `mmforget/.mim`.

mim finds the package at `<distribution location>/mmforget`. An editable
install therefore keeps its metadata next to the sources, with the project
root on `sys.path` (what `setup.py develop` did before setuptools 80 handed
it over to pip's editable wheels, whose metadata lives in site-packages,
where no `mmforget/` exists).
"""
import os
import os.path as osp
import shutil

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py
from setuptools.command.develop import develop

try:
    from setuptools.command.editable_wheel import editable_wheel
except ImportError:  # setuptools < 64
    editable_wheel = None

ROOT = osp.dirname(osp.abspath(__file__))
PACKAGE = 'mmforget'
MIM_FILES = ('tools', 'configs', 'model-index.yml')


def read_version():
    namespace = {}
    with open(osp.join(ROOT, PACKAGE, 'version.py')) as f:
        exec(f.read(), namespace)
    return namespace['__version__']


def _remove(path):
    if osp.islink(path) or osp.isfile(path):
        os.remove(path)
    elif osp.isdir(path):
        shutil.rmtree(path)


def add_mim_extension(mim_dir, mode):
    """Put the project's tools, configs and model-index.yml in `mim_dir`.

    `mode` is 'symlink' (relative links, for an editable install) or 'copy'.
    """
    os.makedirs(mim_dir, exist_ok=True)
    for name in MIM_FILES:
        src = osp.join(ROOT, name)
        dst = osp.join(mim_dir, name)
        if mode == 'symlink':
            target = osp.relpath(src, mim_dir)
            if osp.islink(dst) and os.readlink(dst) == target:
                continue
            _remove(dst)
            if osp.exists(src):
                os.symlink(target, dst)
        else:
            _remove(dst)
            if osp.isdir(src):
                shutil.copytree(
                    src, dst,
                    ignore=shutil.ignore_patterns('__pycache__', '*.py[co]'))
            elif osp.isfile(src):
                shutil.copyfile(src, dst)


def link_mim_files():
    add_mim_extension(osp.join(ROOT, PACKAGE, '.mim'), 'symlink')


class BuildPy(build_py):
    """A wheel carries copies of the tools and configs in mmforget/.mim."""

    def run(self):
        super().run()
        if not getattr(self, 'editable_mode', False):
            add_mim_extension(
                osp.join(self.build_lib, PACKAGE, '.mim'), 'copy')


class Develop(develop):
    """`setup.py develop`, the way pip runs an editable install here."""

    def run(self):
        link_mim_files()
        if hasattr(develop, 'install_for_development'):  # setuptools < 80
            super().run()
        else:
            self.develop_in_place()

    def develop_in_place(self):
        # Metadata next to the sources, the project root on sys.path through
        # easy-install.pth and an egg-link for `pip uninstall`.
        self.run_command('egg_info')
        egg_base = osp.abspath(self.get_finalized_command('egg_info').egg_base)
        install = self.distribution.get_command_obj('install')
        if self.prefix:
            install.prefix = self.prefix
        if self.user:
            install.user = True
        install.ensure_finalized()
        site_dir = osp.abspath(self.install_dir or install.install_lib)
        os.makedirs(site_dir, exist_ok=True)
        with open(osp.join(site_dir, f'{PACKAGE}.egg-link'), 'w') as f:
            f.write(f'{egg_base}\n.')
        pth = osp.join(site_dir, 'easy-install.pth')
        lines = []
        if osp.isfile(pth):
            with open(pth) as f:
                lines = f.read().splitlines()
        if egg_base not in lines:
            with open(pth, 'w') as f:
                f.write('\n'.join(lines + [egg_base]) + '\n')
        print(f'{PACKAGE} {self.distribution.get_version()} is installed in '
              f'development mode from {egg_base}')


cmdclass = {'build_py': BuildPy, 'develop': Develop}
if editable_wheel is not None:

    class EditableWheel(editable_wheel):
        """`pip install -e .` through PEP 660 links the files too."""

        def run(self):
            link_mim_files()
            super().run()

    cmdclass['editable_wheel'] = EditableWheel

setup(
    name=PACKAGE,
    version=read_version(),
    description='Continual forgetting (GS-LoRA, GS-LoRA++) for OpenMMLab models',
    packages=find_packages(exclude=('configs', 'tools', 'tests')),
    python_requires='>=3.9',
    include_package_data=True,
    cmdclass=cmdclass,
)
