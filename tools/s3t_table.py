"""Write S3T's deletion table (what each request serves, keeps and costs).

    python tools/s3t_table.py work_dirs/s3t_numbers \\
        --results seed_systems.md:s3t-numbers

Reads every seed's store (``train_seed<s>/s3t_store/index.json``) and
deletion run (``delete_seed<s>/forgetting_summary.json``) under the folder.
"""
import argparse
import warnings

warnings.filterwarnings('ignore', message='pkg_resources is deprecated')

from mmforget.benchmarks.sliced import s3t_table  # noqa: E402
from mmforget.benchmarks.tables import publish  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('root', help='the folder of the seeds')
    parser.add_argument('--results', metavar='PAGE:NAME',
                        help='the results page section to write')
    args = parser.parse_args()
    try:
        table = s3t_table(args.root)
    except FileNotFoundError as error:
        raise SystemExit(f'error: {error}')
    print(table)
    publish(args.results, table)


if __name__ == '__main__':
    main()
