"""Installs mmforget; the OpenMMLab stack is pinned in requirements/."""
from setuptools import find_packages, setup


def read_version():
    namespace = {}
    with open('mmforget/version.py') as f:
        exec(f.read(), namespace)
    return namespace['__version__']


setup(
    name='mmforget',
    version=read_version(),
    description='Continual forgetting (GS-LoRA, GS-LoRA++) for OpenMMLab models',
    packages=find_packages(exclude=('configs', 'tools', 'tests')),
    python_requires='>=3.9',
    include_package_data=True,
)
