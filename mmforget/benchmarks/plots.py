"""The figures of the comparisons (matplotlib, written without a display)."""
from .statistics import mean
from .tables import task_mean

MODES = ('subgradient', 'proximal')


def _pyplot():
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    return plt


def comparison_plot(plan, results, path):
    """H-Mean and Acc_r per task, mean over seeds, one column per setting;
    each method keeps its colour and marker in every panel."""
    plt = _pyplot()
    settings = [s for s in plan['settings'] if results.get(s['name'])]
    if not settings:
        return
    tab20 = plt.get_cmap('tab20').colors
    colours = tab20[0::2] + tab20[1::2]  # the strong colours first
    markers = 'os^Dv<>pP*Xh'
    fig, axes = plt.subplots(2, len(settings), squeeze=False,
                             figsize=(5.5 * len(settings) + 2.5, 7))
    for col, setting in enumerate(settings):
        for index, method in enumerate(plan['methods']):
            runs = results[setting['name']].get(method['name'])
            if not runs:
                continue
            style = dict(color=colours[index % len(colours)],
                         marker=markers[index % len(markers)],
                         linestyle='--' if 'pick_of' in method else '-',
                         label=method['name'])
            for row, key in enumerate(('h_mean', 'retain')):
                num_tasks = len(runs[0]['summary']['tasks'])
                values = [mean([r['summary']['tasks'][t].get(key)
                                for r in runs
                                if len(r['summary']['tasks']) > t])
                          for t in range(num_tasks)]
                axes[row][col].plot(range(num_tasks), values, **style)
                axes[row][col].set_xticks(range(num_tasks))
        for row, label in enumerate(('H-Mean', 'Acc_r')):
            axes[row][col].set_title(f'{setting["name"]}: {label} (%)')
            axes[row][col].set_xlabel('task')
    handles = {}
    for ax in axes.flat:  # every method once, in plan order
        for handle, label in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(label, handle)
    labels = [m['name'] for m in plan['methods'] if m['name'] in handles]
    fig.legend([handles[n] for n in labels], labels, loc='center right',
               fontsize=8)
    fig.tight_layout(rect=(0, 0, 1 - 1.9 / fig.get_figwidth(), 1))
    fig.savefig(path, dpi=100)
    plt.close(fig)


def sweep_plot(rows, path):
    """Zero-group ratio and H-Mean against alpha, one line per mode
    (the papers' Fig. 2); ``rows``: (mode, alpha, tasks)."""
    plt = _pyplot()
    alphas = sorted({a for _, a, _ in rows if a > 0})
    # alpha 0 sits one decade left of the smallest alpha on the log axis.
    zero_at = alphas[0] / 10 if alphas else 1e-4
    fig, (ax_zero, ax_h) = plt.subplots(1, 2, figsize=(10, 4))
    baseline = [tasks for mode, a, tasks in rows if a == 0]
    for mode, marker in zip(MODES, 'os'):
        points = [(a, tasks) for m, a, tasks in rows if m == mode]
        if not points:
            continue
        if baseline:
            points = [(zero_at, baseline[0])] + points
        xs = [a for a, _ in points]
        ax_zero.plot(xs, [task_mean(t, 'zero_group_ratio')
                          for _, t in points], marker=marker, label=mode)
        ax_h.plot(xs, [task_mean(t, 'h_mean') for _, t in points],
                  marker=marker, label=mode)
    for ax, label in ((ax_zero, 'zero-group ratio (mean over tasks)'),
                      (ax_h, 'H-Mean (mean over tasks)')):
        ax.set_xscale('log')
        ax.set_xlabel(f'alpha (alpha = 0 drawn at {zero_at:g})')
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend()
    ax_zero.set_ylim(-0.05, 1.05)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
