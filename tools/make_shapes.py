"""Generate the shapes detection data (COCO format) used by the detection
configs: ``data/shapes/{train,val}/*.png`` + ``annotations/{train,val}.json``."""
import argparse
import warnings

warnings.filterwarnings('ignore', message='pkg_resources is deprecated')

from mmforget.datasets.shapes_generator import make_shapes_split  # noqa


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('root', nargs='?', default='data/shapes')
    parser.add_argument('--train', type=int, default=1000)
    parser.add_argument('--val', type=int, default=200)
    args = parser.parse_args()
    for split, count, seed in (('train', args.train, 0),
                               ('val', args.val, 1)):
        print(make_shapes_split(args.root, split, count, seed=seed))


if __name__ == '__main__':
    main()
