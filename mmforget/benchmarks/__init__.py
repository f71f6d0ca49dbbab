"""Benchmarks of forgetting methods: comparison plans, their runs, tuning on
the validation split, and the Markdown tables of the results pages.

The command lines in ``tools/`` (``compare_methods.py``, ``tune_on_val.py``,
``compare_checks.py``, ``sweep_group_sparsity.py``, ``kill_and_resume.py``,
``results_table.py``) are thin wrappers over these modules.
"""
